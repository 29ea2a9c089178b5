"""One note's metadata as JSON (``GET /api/v1/notes/{path}``): typed cells throughout.

Values are encoded with :func:`query.results.json_cell`, the same typed cells query results use,
so a client renders a note's fields and a query's cells with one code path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from query.index import VaultIndex
from query.records import ListItem, NoteRecord, Section
from query.results import json_cell
from query.semantics import Env
from server.vault.scanner import Problem


def note_json(
    record: NoteRecord, index: VaultIndex, env: Env, problems: Iterable[Problem]
) -> dict[str, Any]:
    def cell(value: Any) -> Any:
        return json_cell(value, env)

    return {
        "path": record.path,
        "name": record.name,
        "folder": record.folder,
        "ext": record.ext,
        "size": record.size,
        "ctime": cell(record.ctime),
        "mtime": cell(record.mtime),
        "day": cell(record.day),
        "content_hash": record.content_hash,
        "frontmatter": dict(record.frontmatter),
        "fields": {key: cell(value) for key, value in record.fields.items()},
        "tags": list(record.tags),
        "etags": list(record.etags),
        "aliases": list(record.aliases),
        "outlinks": [cell(link) for link in record.outlinks],
        "unresolved": list(record.unresolved),
        "inlinks": [cell(link) for link in index.inlinks(record.path)],
        "tasks": [_item(item, env) for item in record.lists if item.task],
        "lists": len(record.lists),
        "sections": [_section(section, env) for section in record.sections],
        "problems": _problems(record, problems),
    }


def _item(item: ListItem, env: Env) -> dict[str, Any]:
    return {
        "line": item.line,
        "line_count": item.line_count,
        "text": item.text,
        "status": item.status,
        "checked": item.checked,
        "completed": item.completed,
        "fully_completed": item.fully_completed,
        "parent": item.parent,
        "block_id": item.block_id,
        "tags": list(item.tags),
        "section": json_cell(item.section, env),
        "fields": {key: json_cell(value, env) for key, value in item.fields.items()},
    }


def _section(section: Section, env: Env) -> dict[str, Any]:
    return {
        "heading": section.heading,
        "level": section.level,
        "heading_path": list(section.heading_path),
        "line_start": section.line_start,
        "line_end": section.line_end,
        "link": json_cell(section.link, env),
    }


def _problems(record: NoteRecord, problems: Iterable[Problem]) -> list[str]:
    found = list(record.errors)
    found.extend(p.message for p in problems if p.message not in found)
    return found
