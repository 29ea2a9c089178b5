"""Dataview page objects (SPEC §9, §10) built from note records.

A page is the record's user fields plus the implicit ``file`` object; ``file.lists`` and
``file.tasks`` hold one object per list item. Pages are built once per note and shared by every
query (and, through ``VaultIndex.derive``, by every later snapshot), so nothing here or downstream
may mutate them.

Building is on the path of the first query after a start or a change, so it avoids work a naive
build repeats: a list item's ``children`` are the very objects built for those children (each
item is built once, bottom-up, instead of once per ancestor), and ``cday``/``mday`` come from a
small cache of day starts (midnight needs a zone round trip, and many notes share a day).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from query.records import ListItem, NoteRecord
from query.temporal.dates import start_of_day
from query.values import Date, Link, Value

__all__ = ["build_page", "list_item_objects"]


def build_page(
    record: NoteRecord, inlinks: list[Link], extras: Mapping[str, Value] | None = None
) -> dict[str, Value]:
    """Dataview's page object: user fields, then the implicit ``file`` object, which always wins.
    ``extras`` are VaultQL's additional ``file.*`` fields; a name Dataview defines is never
    replaced."""
    lists = list_item_objects(record.lists)
    file: dict[str, Value] = {
        "path": record.path,
        "name": record.name,
        "folder": record.folder,
        "ext": record.ext,
        "link": Link(record.path),
        "size": record.size,
        "ctime": record.ctime,
        "cday": _day_start(record.ctime),
        "mtime": record.mtime,
        "mday": _day_start(record.mtime),
        "tags": list(record.tags),
        "etags": list(record.etags),
        "inlinks": inlinks,
        "outlinks": list(record.outlinks),
        "aliases": list(record.aliases),
        "lists": lists,
        "tasks": [obj for obj in lists if obj["task"]],
        "frontmatter": dict(record.frontmatter),
        "starred": record.starred,
    }
    if record.day is not None:
        file["day"] = record.day
    if extras:
        for key, value in extras.items():
            if key not in _DATAVIEW_FILE_FIELDS:
                file.setdefault(key, value)
    page: dict[str, Value] = dict(record.fields)
    page["file"] = file
    return page


# Every implicit field Dataview defines on ``file`` (SPEC §9.1): extras never take these names.
_DATAVIEW_FILE_FIELDS = frozenset(
    [
        "path",
        "name",
        "folder",
        "ext",
        "link",
        "size",
        "ctime",
        "cday",
        "mtime",
        "mday",
        "tags",
        "etags",
        "inlinks",
        "outlinks",
        "aliases",
        "lists",
        "tasks",
        "frontmatter",
        "day",
        "starred",
    ]
)

_DAY_STARTS: dict[tuple[int, int, int, tzinfo | None, str], Date] = {}
_DAY_STARTS_LIMIT = 8192


def _day_start(date: Date) -> Date:
    """``start_of_day(date)``, cached by calendar day, zone object and zone name (all it reads)."""
    if date.invalid is not None:
        return start_of_day(date)
    dt = date.dt
    key = (dt.year, dt.month, dt.day, dt.tzinfo, date.zone)
    hit = _DAY_STARTS.get(key)
    if hit is None:
        hit = start_of_day(date)
        if len(_DAY_STARTS) >= _DAY_STARTS_LIMIT:
            _DAY_STARTS.clear()
        _DAY_STARTS[key] = hit
    return hit


def list_item_objects(items: tuple[ListItem, ...]) -> list[dict[str, Value]]:
    """The objects of ``file.lists`` in document order (nested items included).

    Children come after their parents in document order, so building in reverse order has every
    child's object ready (keyed by line, unique within a note) when its parent is built; a child
    missing from ``items`` (never the case for records the vault model makes) is built on its own.
    """
    built: dict[int, dict[str, Value]] = {}
    for item in reversed(items):
        built[item.line] = _item_object(item, built)
    return [built[item.line] for item in items]


_TASK_DATE_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("created", ("created", "ctime", "cday")),
    ("due", ("due", "duetime", "dueday")),
    ("completion", ("completed", "completion", "comptime", "compday")),
    ("start", ("start",)),
    ("scheduled", ("scheduled",)),
)


def _item_object(item: ListItem, built: dict[int, dict[str, Value]]) -> dict[str, Value]:
    """A list item or task as Dataview serialises it (SPEC §10)."""
    children: list[Value] = []
    for child in item.children:
        obj_child = built.get(child.line)
        if obj_child is None or obj_child["text"] is not child.text:
            obj_child = _item_object(child, {})
        children.append(obj_child)
    obj: dict[str, Any] = dict(item.fields)
    line = item.line
    obj.update(
        symbol=item.symbol,
        link=item.link,
        section=item.section,
        text=item.text,
        tags=list(item.tags),
        line=line,
        lineCount=item.line_count,
        list=item.list_line,
        outlinks=list(item.outlinks),
        path=item.path,
        children=children,
        task=item.task,
        annotated=item.annotated,
        position={
            "start": {"line": line, "col": 0, "offset": 0},
            "end": {"line": line + item.line_count - 1, "col": 0, "offset": 0},
        },
        subtasks=children,
        real=item.task,
        header=item.section,
    )
    if item.parent is not None:
        obj["parent"] = item.parent
    if item.block_id is not None:
        obj["blockId"] = item.block_id
    if item.task:
        status = item.status
        completed = status in ("x", "X")
        obj["status"] = status
        obj["checked"] = status not in (None, "", " ")
        obj["completed"] = completed
        obj["fullyCompleted"] = _fully_completed(completed, children)
        fields = item.fields
        if fields:
            for target, sources in _TASK_DATE_SOURCES:
                value = _first_present(fields, sources)
                if value is not None:
                    obj[target] = value
    return obj


def _fully_completed(completed: bool, children: list[Value]) -> bool:
    """``ListItem.fully_completed`` from the built children (a task is done and so is every
    descendant task; plain items only pass their descendants' state up)."""
    if not completed:
        return False
    return all(_subtree_done(child) for child in children)


def _subtree_done(obj: Value) -> bool:
    assert isinstance(obj, dict)
    if obj["task"]:
        return bool(obj["fullyCompleted"])
    return all(_subtree_done(child) for child in obj["children"])


def _first_present(fields: Mapping[str, Value], keys: tuple[str, ...]) -> Value:
    for key in keys:
        value = fields.get(key)
        if value is not None:
            return value
    return None
