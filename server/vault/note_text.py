"""A note's text in pieces a reader can ask for: its outline, one section, one block, one page.

* :func:`read_note_text` reads a note's bytes through :func:`~server.vault.reading.read_file`
  (never outside the vault) and decodes them as the parser does, line endings made ``\\n``.
* :func:`outline` lists the note's headings with their 0-based lines and sizes in characters.
* :func:`find_section` picks the section a heading path names (``Tasks``, ``Project#Tasks``,
  ``Project > Tasks``, ``## Tasks``: the last headings of a section's path, compared as
  Obsidian compares link subpaths, case-insensitively; the first match in the note wins);
  :func:`find_block` the lines a block id (``^id``) marks: a list item with its children, the
  paragraph it ends, or the block above a line holding only ``^id``.
* :func:`page` cuts one window of a text: ``offset`` and ``max_chars`` in characters, the window
  ending at a line break when one is near, with ``next_offset`` to continue.

Line numbers are the record's (0-based, counted in the whole file, frontmatter included).
Nothing here writes; only :func:`read_note_text` touches the disk.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from query.links import normalize_header
from query.records import ListItem, NoteRecord
from server.errors import BadRequestError, NotFoundError
from server.vault.reading import OutsideVaultError, read_file

__all__ = [
    "Page",
    "Span",
    "find_block",
    "find_section",
    "note_text",
    "outline",
    "page",
    "read_note_bytes",
    "read_note_text",
]

_BLOCK_ID = re.compile(r"[A-Za-z0-9-]+")
_HEADING_SPLIT = re.compile(r"\s*(?:#|>)\s*")


def read_note_bytes(real_root: str, path: str) -> bytes:
    """The bytes of the note at vault path ``path`` under ``real_root`` (the vault's real path).
    A note that vanished, turned into a folder or a symlink out of the vault is
    :class:`NotFoundError`; the message names the vault path only."""
    try:
        return read_file(os.path.join(real_root, *path.split("/")), real_root).data
    except OutsideVaultError:
        raise NotFoundError(f"{path!r} is not readable inside the vault") from None
    except OSError:
        raise NotFoundError(f"{path!r} can no longer be read (moved or deleted?)") from None


def note_text(data: bytes) -> str:
    """A note's bytes as the text its line numbers count in (BOM dropped, CRLF as LF)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def read_note_text(real_root: str, path: str) -> str:
    """The text of the note at ``path`` (:func:`read_note_bytes`, :func:`note_text`)."""
    return note_text(read_note_bytes(real_root, path))


@dataclass(frozen=True, slots=True)
class Span:
    """Lines ``start``..``end`` (0-based, inclusive) of a note, and what they are."""

    start: int
    end: int
    heading_path: tuple[str, ...] = ()  # a section's
    block: str | None = None  # a block's id

    def text(self, lines: Sequence[str]) -> str:
        return "\n".join(lines[self.start : self.end + 1])


def outline(record: NoteRecord, lines: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` headings: ``heading``, ``level``, ``heading_path``, ``line``,
    ``line_end`` and ``chars`` (the section's size, subsections included)."""
    starts = _line_starts(lines)
    out: list[dict[str, Any]] = []
    last = len(lines) - 1
    for section in record.sections[:limit]:
        start = min(section.line_start, last)
        end = min(max(section.line_end, start), last)
        out.append(
            {
                "heading": section.heading,
                "level": section.level,
                "heading_path": list(section.heading_path),
                "line": section.line_start,
                "line_end": section.line_end,
                "chars": max(starts[end + 1] - starts[start] - 1, 0),
            }
        )
    return out


def _line_starts(lines: Sequence[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return starts


def find_section(record: NoteRecord, wanted: str) -> Span:
    """The section ``wanted`` names (module docstring), or :class:`NotFoundError` listing the
    closest headings."""
    written = wanted.strip().lstrip("#").strip()
    parts = [normalize_header(p).lower() for p in _HEADING_SPLIT.split(written)]
    parts = [p for p in parts if p]
    if not parts:
        raise BadRequestError(f"{wanted!r} names no heading")
    # A heading that itself holds "#" or ">" ("C# tips", "A > B"), written exactly, wins.
    exact = written.lower()
    for section in record.sections:
        if section.heading.strip().lower() == exact:
            return Span(section.line_start, section.line_end, section.heading_path)
    for section in record.sections:
        path = [normalize_header(h).lower() for h in section.heading_path]
        if len(path) >= len(parts) and path[len(path) - len(parts) :] == parts:
            return Span(section.line_start, section.line_end, section.heading_path)
    headings = [section.heading for section in record.sections]
    close = difflib.get_close_matches(wanted.strip().lstrip("# "), headings, n=5, cutoff=0.4)
    known = close or headings[:10]
    hint = f"; headings: {', '.join(map(repr, known))}" if known else "; the note has no headings"
    raise NotFoundError(f"no heading {wanted!r} in {record.path!r}{hint}")


def find_block(record: NoteRecord, lines: Sequence[str], block_id: str) -> Span:
    """The lines block ``^block_id`` marks (module docstring), or :class:`NotFoundError`."""
    block_id = block_id.strip().lstrip("#").lstrip("^")
    if not _BLOCK_ID.fullmatch(block_id):
        raise BadRequestError(f"{block_id!r} is not a block id (letters, digits and '-')")
    for item in record.lists:
        if item.block_id is not None and item.block_id.lower() == block_id.lower():
            return Span(item.line, _item_end(item), block=item.block_id)
    marker = re.compile(rf"(?:^|\s)\^{re.escape(block_id)}\s*$", re.IGNORECASE)
    for number, line in enumerate(lines):
        if "^" not in line or marker.search(line) is None:
            continue
        end = number
        if line.strip().startswith("^"):  # the id alone on its line marks the block above
            end = number - 1
            while end >= 0 and not lines[end].strip():
                end -= 1
            if end < 0:
                return Span(number, number, block=block_id)
        start = end
        while start > 0 and lines[start - 1].strip() and not lines[start - 1].startswith("#"):
            start -= 1
        return Span(start, number, block=block_id)
    raise NotFoundError(f"no block ^{block_id} in {record.path!r}")


def _item_end(item: ListItem) -> int:
    end = item.line + item.line_count - 1
    for child in item.children:
        end = max(end, _item_end(child))
    return end


@dataclass(frozen=True, slots=True)
class Page:
    content: str
    offset: int
    next_offset: int | None  # where the next page starts; None at the end
    total_chars: int

    @property
    def truncated(self) -> bool:
        return self.next_offset is not None


def page(text: str, offset: int, max_chars: int) -> Page:
    """The window of ``text`` from ``offset`` of at most ``max_chars`` characters, ending after
    a line break in its last fifth when there is one."""
    total = len(text)
    if offset < 0 or (offset > total and total > 0) or (total == 0 and offset > 0):
        raise BadRequestError(f'"offset" must be between 0 and {total} (the text\'s length)')
    if max_chars < 1:
        raise BadRequestError('"max_chars" must be at least 1')
    end = offset + max_chars
    if end >= total:
        return Page(text[offset:], offset, None, total)
    cut = text.rfind("\n", offset + max_chars * 4 // 5, end)
    if cut >= 0:
        end = cut + 1
    return Page(text[offset:end], offset, end, total)
