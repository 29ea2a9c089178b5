"""Reading one note in bounded views: its outline, a page of its content, or its metadata.

:func:`read_note` is what ``VaultApp.read_note`` answers (the MCP ``read_note`` tool and the
``vault://note`` resources call it): a JSON-ready dict whose size does not grow with the note's.

* ``outline`` (the default): title, aliases, tags, frontmatter, the headings with their lines and
  sizes, outlinks and the backlink count — and the content itself when the whole note is short
  (at most :data:`SHORT_NOTE_CHARS` characters), saving a second call.
* ``content``: one page of the note's text, or of one section (``section``: a heading path) or
  block (``^id``); ``offset`` and ``max_chars`` page through it, ``next_offset`` continues.
* ``metadata``: frontmatter, inline fields as Dataview shows them, tags, aliases, links both
  ways (capped), task counts, sizes and times, problems found while reading the file.

A heading or block in the target (``[[Note#Tasks]]``) reads that section when ``section`` is not
given. Lists are capped (the answer says how many there were); a frontmatter over
:data:`MAX_FRONTMATTER_CHARS` characters of JSON is left out and flagged.
"""

from __future__ import annotations

from typing import Any

import orjson

from query.index import VaultIndex
from query.inline import inline_text
from query.records import NoteRecord
from query.semantics import Env
from server.errors import BadRequestError, UnavailableError
from server.vault.fields import canonicalize_key
from server.vault.note_file import content_hash, parse_file
from server.vault.note_text import (
    Span,
    find_block,
    find_section,
    note_text,
    outline,
    page,
    read_note_bytes,
)
from server.vault.targets import Target

__all__ = [
    "DEFAULT_MAX_CHARS",
    "MAX_MAX_CHARS",
    "SHORT_NOTE_CHARS",
    "VIEWS",
    "read_note",
]

VIEWS = ("outline", "content", "metadata")
DEFAULT_MAX_CHARS = 12_000
MAX_MAX_CHARS = 100_000
SHORT_NOTE_CHARS = 2_000
MAX_FRONTMATTER_CHARS = 8_000
MAX_OUTLINE = 200
MAX_LINKS = 50
MAX_FIELDS = 50
MAX_FIELD_CHARS = 300


def read_note(
    index: VaultIndex,
    real_root: str,
    target: Target,
    env: Env,
    *,
    view: str = "outline",
    section: str | None = None,
    offset: int = 0,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> dict[str, Any]:
    """One view of the note ``target`` resolved to (module docstring)."""
    if view not in VIEWS:
        raise BadRequestError(f'"view" must be one of {", ".join(VIEWS)}')
    if not 1 <= max_chars <= MAX_MAX_CHARS:
        raise BadRequestError(f'"max_chars" must be between 1 and {MAX_MAX_CHARS}')
    if offset < 0:
        raise BadRequestError('"offset" must be 0 or more')
    record = index.get(target.path)
    assert record is not None  # resolve_target only answers notes of this index
    data = read_note_bytes(real_root, record.path)
    text = note_text(data)
    changed = content_hash(data) != record.content_hash
    structure = record  # headings, blocks and lists: what the line numbers refer to
    if changed:
        # Edited since the index read it (the watcher is a moment behind, or off): headings,
        # blocks and line numbers come from the bytes read now, so they match the text sent.
        fresh = parse_file(
            record.path, data, record.ctime.epoch_ms, record.mtime.epoch_ms, env.local
        ).record
        if fresh is None:
            raise UnavailableError(f"{record.path!r} changed and is no longer a text note")
        structure = fresh
    lines = text.split("\n")
    wanted = section if section is not None and section.strip() else None
    span = _span(structure, lines, wanted, target)
    if span is not None and view == "outline":
        view = "content"  # asking for a section is asking to read it
    out: dict[str, Any] = {
        "path": record.path,
        "resolved_from": target.resolved_from,
        "via": target.via,
        "title": record.name,
        "view": view,
        "section": _span_name(span),
        "line": span.start if span is not None else None,
        "line_end": span.end if span is not None else None,
    }
    if changed:
        out["changed_since_indexed"] = True
    if view == "metadata":
        out.update(_metadata(record, index, env))
        out["total_chars"] = len(text)
        return out
    if view == "outline":
        out.update(_summary(record, index))
        out["outline"] = outline(structure, lines, MAX_OUTLINE)
        out["outline_total"] = len(structure.sections)
        if len(text) <= SHORT_NOTE_CHARS and offset == 0:
            out.update(_page(text, 0, max_chars))
        else:
            out.update({"content": None, "offset": 0, "next_offset": None})
            out["total_chars"] = len(text)
            out["truncated"] = True
        return out
    body = span.text(lines) if span is not None else text
    out.update(_page(body, offset, max_chars))
    return out


def _span(record: NoteRecord, lines: list[str], wanted: str | None, target: Target) -> Span | None:
    if wanted is not None:
        stripped = wanted.strip()
        if stripped.startswith(("^", "#^")):
            return find_block(record, lines, stripped)
        return find_section(record, stripped)
    if target.block is not None:
        return find_block(record, lines, target.block)
    if target.heading is not None:
        return find_section(record, target.heading)
    return None


def _span_name(span: Span | None) -> str | None:
    if span is None:
        return None
    if span.block is not None:
        return f"^{span.block}"
    return " > ".join(span.heading_path)


def _page(text: str, offset: int, max_chars: int) -> dict[str, Any]:
    window = page(text, offset, max_chars)
    return {
        "content": window.content,
        "offset": window.offset,
        "next_offset": window.next_offset,
        "total_chars": window.total_chars,
        "truncated": window.truncated,
    }


def _summary(record: NoteRecord, index: VaultIndex) -> dict[str, Any]:
    frontmatter, cut = _bounded_frontmatter(record)
    outlinks = _outlink_paths(record)
    return {
        "aliases": list(record.aliases),
        "tags": list(record.etags),
        "frontmatter": frontmatter,
        "frontmatter_truncated": cut,
        "outlinks": outlinks[:MAX_LINKS],
        "outlinks_total": len(outlinks),
        "backlink_count": len(index.linking_to(record.path)),
    }


def _metadata(record: NoteRecord, index: VaultIndex, env: Env) -> dict[str, Any]:
    out = _summary(record, index)
    inlinks = sorted(index.linking_to(record.path))
    tasks = record.tasks
    done = sum(1 for task in tasks if task.completed)
    fields, fields_total = _inline_fields(record, env)
    out.update(
        {
            "fields": fields,
            "fields_total": fields_total,
            "inlinks": inlinks[:MAX_LINKS],
            "unresolved": list(record.unresolved[:MAX_LINKS]),
            "tasks": {"open": len(tasks) - done, "done": done},
            "size": record.size,
            "ctime": record.ctime.dt.isoformat(),
            "mtime": record.mtime.dt.isoformat(),
            "problems": list(record.errors),
        }
    )
    return out


def _outlink_paths(record: NoteRecord) -> list[str]:
    """Resolved link targets, each once, in the note's order (unresolved ones are separate)."""
    unresolved = set(record.unresolved)
    seen: dict[str, None] = {}
    for link in record.outlinks:
        if link.path not in unresolved and link.path != record.path:
            seen.setdefault(link.path, None)
    return list(seen)


def _bounded_frontmatter(record: NoteRecord) -> tuple[dict[str, Any], bool]:
    try:
        encoded = orjson.dumps(dict(record.frontmatter), default=str)
    except (TypeError, orjson.JSONEncodeError):
        return {}, True
    if len(encoded) > MAX_FRONTMATTER_CHARS:
        return {}, True
    value: dict[str, Any] = orjson.loads(encoded)
    return value, False


def _inline_fields(record: NoteRecord, env: Env) -> tuple[dict[str, str], int]:
    """Fields that are not frontmatter, raw keys only (not the canonical forms Dataview adds
    beside them), the first :data:`MAX_FIELDS` as Dataview shows them inline; and how many."""
    front = {canonicalize_key(key) for key in record.frontmatter} | set(record.frontmatter)
    derived = {c for key in record.fields if (c := canonicalize_key(key)) != key}
    out: dict[str, str] = {}
    total = 0
    for key, value in record.fields.items():
        if key in front or key in derived:
            continue
        total += 1
        if len(out) < MAX_FIELDS:
            try:
                shown = inline_text(value, env)
            except Exception:  # a value too large or odd to render is shown by its type only
                shown = f"<{type(value).__name__}>"
            out[key] = shown[:MAX_FIELD_CHARS]
    return out, total
