"""One note file's bytes to its parsed record and the problems found in them.

Binary files (NUL bytes) are refused; invalid UTF-8 is decoded with replacement characters and
reported; a BOM is dropped; frontmatter errors become problems. Reading the file is the caller's
job: this module never touches the disk.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from datetime import tzinfo

from query.records import NoteRecord
from query.temporal.dates import date_from_epoch_ms
from server.vault.markdown import parse_note
from server.vault.scanner import Problem

__all__ = ["CONTENT_PROBLEMS", "ParsedFile", "content_hash", "parse_file"]

# Problems found in a note's bytes (they stay with its record); every other kind comes from
# walking the vault or reading files.
CONTENT_PROBLEMS = frozenset({"binary", "encoding", "frontmatter", "parse"})


def content_hash(data: bytes) -> str:
    """The hash stored in ``NoteRecord.content_hash``."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class ParsedFile:
    record: NoteRecord | None  # None: the file is not a readable note
    problems: tuple[Problem, ...]
    inline_fields: int  # how many inline fields the note holds (for the summary)


def parse_file(
    path: str, data: bytes, ctime_ms: float, mtime_ms: float, local: tzinfo
) -> ParsedFile:
    """Parse one note's bytes (links as written)."""
    if b"\x00" in data:
        return ParsedFile(
            None, (Problem(path, "binary", "contains NUL bytes; not a text note"),), 0
        )
    problems: list[Problem] = []
    errors: list[str] = []
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = body.decode("utf-8", errors="replace")
        message = f"invalid UTF-8 at byte {exc.start}; decoded with replacement characters"
        errors.append(message)
        problems.append(Problem(path, "encoding", message))
    counters: dict[str, int] = {}
    try:
        parsed = parse_note(
            path,
            text,
            local=local,
            size=len(data),
            ctime=date_from_epoch_ms(ctime_ms, local),
            mtime=date_from_epoch_ms(mtime_ms, local),
            content_hash=content_hash(data),
            errors=tuple(errors),
            counters=counters,
        )
    except (RecursionError, MemoryError, ValueError) as exc:  # defensive: never seen
        problems.append(Problem(path, "parse", f"{type(exc).__name__}: {exc}"))
        return ParsedFile(None, tuple(problems), 0)
    for error in parsed.errors:
        if error.startswith(("invalid YAML", "frontmatter")):
            problems.append(Problem(path, "frontmatter", error))
    return ParsedFile(parsed, tuple(problems), counters.get("inline_fields", 0))
