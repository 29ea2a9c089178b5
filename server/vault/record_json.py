"""JSON form of note records (for ``vaultql note --json`` and the notes endpoint).

Values use the tagged encoding of the conformance corpus where plain JSON is ambiguous:
``{"$date": "2024-03-15T00:00:00+00:00"}`` (ISO 8601 with the offset), ``{"$dur": {unit: n}}``,
``{"$link": path, "display"?, "subpath"?, "type"?, "embed"?}``. Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import Any

from query.records import ListItem, NoteRecord, Section
from query.values import Date, Duration, Function, Link, Widget


def value_to_json(value: Any) -> Any:
    """A Dataview value as JSON-able data."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$number": str(value)}
    if isinstance(value, Link):
        out: dict[str, Any] = {"$link": value.path}
        if value.display is not None:
            out["display"] = value.display
        if value.type != "file":
            out["type"] = value.type
            out["subpath"] = value.subpath
        if value.embed:
            out["embed"] = True
        return out
    if isinstance(value, Date):
        if value.invalid:
            return {"$date": "invalid", "reason": value.invalid}
        return {"$date": value.dt.isoformat(timespec="milliseconds"), "zone": value.zone}
    if isinstance(value, Duration):
        return {"$dur": value.units()}
    if isinstance(value, list | tuple):
        return [value_to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): value_to_json(item) for key, item in value.items()}
    if isinstance(value, Function):
        return {"$function": None}
    if isinstance(value, Widget):
        return {"$widget": value.kind, **value.data}
    return str(value)


def item_to_json(item: ListItem) -> dict[str, Any]:
    return {
        "line": item.line,
        "line_count": item.line_count,
        "list": item.list_line,
        "symbol": item.symbol,
        "text": item.text,
        "task": item.task,
        "status": item.status,
        "checked": item.checked,
        "completed": item.completed,
        "fully_completed": item.fully_completed,
        "parent": item.parent,
        "children": [child.line for child in item.children],
        "block_id": item.block_id,
        "section": value_to_json(item.section),
        "link": value_to_json(item.link),
        "tags": list(item.tags),
        "outlinks": [value_to_json(link) for link in item.outlinks],
        "annotated": item.annotated,
        "fields": value_to_json(dict(item.fields)),
    }


def section_to_json(section: Section) -> dict[str, Any]:
    return {
        "heading": section.heading,
        "level": section.level,
        "heading_path": list(section.heading_path),
        "line_start": section.line_start,
        "line_end": section.line_end,
        "link": value_to_json(section.link),
    }


def record_to_json(record: NoteRecord) -> dict[str, Any]:
    """Everything the index knows about one note."""
    return {
        "path": record.path,
        "name": record.name,
        "folder": record.folder,
        "ext": record.ext,
        "size": record.size,
        "ctime": value_to_json(record.ctime),
        "mtime": value_to_json(record.mtime),
        "day": value_to_json(record.day),
        "content_hash": record.content_hash,
        "aliases": list(record.aliases),
        "tags": list(record.tags),
        "etags": list(record.etags),
        "frontmatter": _raw_json(record.frontmatter),
        "fields": value_to_json(dict(record.fields)),
        "outlinks": [value_to_json(link) for link in record.outlinks],
        "unresolved": list(record.unresolved),
        "sections": [section_to_json(section) for section in record.sections],
        "lists": [item_to_json(item) for item in record.lists],
        "errors": list(record.errors),
    }


def _raw_json(value: Any) -> Any:
    """Raw YAML data: plain JSON, with anything exotic turned into a string."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        return [_raw_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _raw_json(item) for key, item in value.items()}
    return str(value)
