"""Bounded listings over one index snapshot: notes, tags, tasks and the link neighbourhood.

Each function answers a JSON-ready dict for ``VaultApp`` (and so for the MCP tools and any HTTP
route): a page of at most ``limit`` entries in a fixed order (ties broken by path, so a page
never repeats or skips an entry while the vault stays the same) and ``next_cursor`` to continue,
``None`` at the end. A cursor is opaque text (:func:`encode_cursor`): the position and a digest
of the listing's parameters, so a cursor handed to another listing is refused rather than
misread. Pure over the index: no disk, no clock.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from query.index import VaultIndex
from query.records import ListItem, NoteRecord
from query.values import Date
from server.errors import BadRequestError, NotFoundError
from server.vault.field_values import file_title
from server.vault.paths import strict_vault_path

__all__ = [
    "NOTE_SORTS",
    "TASK_STATUSES",
    "decode_cursor",
    "encode_cursor",
    "link_graph",
    "list_notes",
    "list_tags",
    "list_tasks",
    "tag_counts",
    "task_state",
]

NOTE_SORTS = ("mtime", "ctime", "name", "path", "size")
TASK_STATUSES = ("open", "done", "all")
DIRECTIONS = ("out", "in", "both")
MAX_DEPTH = 3
MAX_EDGES_PER_NODE = 4


# -- cursors -------------------------------------------------------------------------------------


def _digest(params: Sequence[Any]) -> str:
    return hashlib.blake2s(orjson.dumps(list(params), default=str), digest_size=6).hexdigest()


def encode_cursor(position: int, params: Sequence[Any]) -> str:
    raw = orjson.dumps({"p": position, "d": _digest(params)})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, params: Sequence[Any]) -> int:
    """The position ``cursor`` continues from (0 without one); ``BadRequestError`` for a cursor
    this listing did not give."""
    if cursor is None or cursor == "":
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position, digest = data["p"], data["d"]
    except (ValueError, KeyError, TypeError, UnicodeEncodeError):
        raise BadRequestError('"cursor" is not one this listing gave') from None
    if not isinstance(position, int) or position < 0 or digest != _digest(params):
        raise BadRequestError('"cursor" belongs to a listing with other parameters')
    return position


def _page(
    items: Sequence[Any], cursor: str | None, limit: int, params: Sequence[Any]
) -> tuple[Sequence[Any], str | None]:
    start = decode_cursor(cursor, params)
    end = start + limit
    following = encode_cursor(end, params) if end < len(items) else None
    return items[start:end], following


# -- notes ---------------------------------------------------------------------------------------


def _iso(date: Date | None) -> str | None:
    if date is None or date.invalid:
        return None
    dt = date.dt
    if (dt.hour, dt.minute, dt.second, dt.microsecond) == (0, 0, 0, 0):
        return dt.date().isoformat()
    return dt.isoformat(timespec="seconds")


def parse_instant(name: str, text: str | None) -> float | None:
    """An ISO date or date-time as epoch seconds (a date without a zone is UTC midnight)."""
    if text is None or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        message = f'"{name}" must be an ISO date or date-time, e.g. 2024-03-01'
        raise BadRequestError(message) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _folder_paths(index: VaultIndex, folder: str | None) -> Iterable[str]:
    if folder is None or folder.strip().strip("/") == "":
        return index.paths
    name = strict_vault_path(folder.strip().strip("/"))
    if not index.is_folder(name):
        raise NotFoundError(f"no folder {name!r} holds notes")
    return index.in_folder(name)


def _tag(tag: str) -> str:
    clean = tag.strip()
    if not clean.lstrip("#"):
        raise BadRequestError('"tag" must name a tag, e.g. #project')
    return clean if clean.startswith("#") else f"#{clean}"


def list_notes(
    index: VaultIndex,
    *,
    folder: str | None = None,
    tag: str | None = None,
    modified_after: str | None = None,
    modified_before: str | None = None,
    sort: str = "mtime",
    desc: bool | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Notes under ``folder`` (recursively), carrying ``tag`` (or a subtag), modified in a
    window; newest first by default (``sort``: mtime, ctime, name, path, size)."""
    if sort not in NOTE_SORTS:
        raise BadRequestError(f'"sort" must be one of {", ".join(NOTE_SORTS)}')
    descending = sort in ("mtime", "ctime", "size") if desc is None else desc
    after = parse_instant("modified_after", modified_after)
    before = parse_instant("modified_before", modified_before)
    paths: Iterable[str] = _folder_paths(index, folder)
    if tag is not None and tag.strip():
        tagged = index.tagged(_tag(tag))
        paths = [path for path in paths if path in tagged]
    records = [r for path in paths if (r := index.get(path)) is not None]
    if after is not None or before is not None:
        records = [r for r in records if _within(r.mtime.epoch_ms / 1000, after, before)]
    key: Callable[[NoteRecord], Any] = {
        "mtime": lambda r: r.mtime.epoch_ms,
        "ctime": lambda r: r.ctime.epoch_ms,
        "name": lambda r: r.name.lower(),
        "path": lambda r: r.path,
        "size": lambda r: r.size,
    }[sort]
    records.sort(key=lambda r: r.path)  # ties keep path order in both directions
    records.sort(key=key, reverse=descending)
    params = ("notes", folder, tag, modified_after, modified_before, sort, descending)
    shown, following = _page(records, cursor, limit, params)
    return {
        "notes": [
            {
                "path": r.path,
                "title": r.name,
                "mtime": r.mtime.dt.isoformat(timespec="seconds"),
                "tags": list(r.etags),
                "size": r.size,
            }
            for r in shown
        ],
        "total": len(records),
        "next_cursor": following,
    }


def _within(seconds: float, after: float | None, before: float | None) -> bool:
    return (after is None or seconds >= after) and (before is None or seconds < before)


# -- tags ----------------------------------------------------------------------------------------


def tag_counts(index: VaultIndex) -> list[tuple[str, int]]:
    """Every tag (nested tags' parents included) and how many notes carry it, most used first."""
    counts: Counter[str] = Counter()
    for record in index:
        counts.update({tag.lower(): None for tag in record.tags}.keys())
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def list_tags(
    counts: Sequence[tuple[str, int]],
    *,
    prefix: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Tags (lower-cased, with ``#``) and their note counts, most used first; ``prefix`` keeps
    the tags starting with it (``#work`` gives ``#work`` and ``#work/web``)."""
    chosen: Sequence[tuple[str, int]] = counts
    if prefix is not None and prefix.strip().lstrip("#"):
        start = _tag(prefix).lower()
        chosen = [pair for pair in counts if pair[0] == start or pair[0].startswith(start + "/")]
    children = Counter(tag.rsplit("/", 1)[0] for tag, _ in counts if "/" in tag)
    shown, following = _page(chosen, cursor, limit, ("tags", prefix))
    return {
        "tags": [
            {"tag": tag, "count": count, "children": children.get(tag, 0)} for tag, count in shown
        ],
        "total": len(chosen),
        "next_cursor": following,
    }


# -- tasks ---------------------------------------------------------------------------------------


def task_state(item: ListItem) -> str:
    """``open``, ``in_progress`` (any other mark but ``x`` and ``-``), ``done`` or ``cancelled``."""
    if item.completed:
        return "done"
    if item.status == "-":
        return "cancelled"
    return "in_progress" if item.status not in (" ", "", None) else "open"


def _field_date(item: ListItem, name: str) -> Date | None:
    value = item.fields.get(name)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, Date)), None)
    return value if isinstance(value, Date) and not value.invalid else None


def list_tasks(
    index: VaultIndex,
    paths: Iterable[str],
    *,
    status: str = "open",
    due_before: str | None = None,
    due_after: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    """Tasks of the notes ``paths`` in path and line order. ``open``: not done and not
    cancelled (``[ ]``, ``[/]``…); ``done``: ``[x]``; ``all``. A due window keeps only tasks
    with a due date (``due::`` or 📅) inside it."""
    if status not in TASK_STATUSES:
        raise BadRequestError(f'"status" must be one of {", ".join(TASK_STATUSES)}')
    before = parse_instant("due_before", due_before)
    after = parse_instant("due_after", due_after)
    found: list[tuple[NoteRecord, ListItem, str, Date | None]] = []
    for path in sorted(paths):
        record = index.get(path)
        if record is None:
            continue
        for item in record.lists:
            if not item.task:
                continue
            state = task_state(item)
            if status == "open" and state in ("done", "cancelled"):
                continue
            if status == "done" and state != "done":
                continue
            due = _field_date(item, "due")
            windowed = before is not None or after is not None
            if windowed and (due is None or not _within(due.epoch_ms / 1000, after, before)):
                continue
            found.append((record, item, state, due))
    params = ("tasks", scope, status, due_before, due_after)
    shown, following = _page(found, cursor, limit, params)
    return {
        "tasks": [
            {
                "path": record.path,
                "line": item.line,
                "text": item.text,
                "status": state,
                "checkbox": item.status,
                "due": _iso(due),
                "scheduled": _iso(_field_date(item, "scheduled")),
                "completion": _iso(_field_date(item, "completion")),
                "section": item.section.subpath,
                "tags": list(item.tags),
            }
            for record, item, state, due in shown
        ],
        "total": len(found),
        "next_cursor": following,
    }


# -- links ---------------------------------------------------------------------------------------


def link_graph(
    index: VaultIndex,
    path: str,
    *,
    direction: str = "both",
    depth: int = 1,
    limit: int = 50,
    include_unresolved: bool = False,
) -> dict[str, Any]:
    """The notes within ``depth`` links of ``path`` (breadth first, nearest and then by path
    first, at most ``limit`` besides ``path``), and the links among them: ``out`` follows
    links, ``in`` backlinks, ``both`` either."""
    if direction not in DIRECTIONS:
        raise BadRequestError(f'"direction" must be one of {", ".join(DIRECTIONS)}')
    if not 1 <= depth <= MAX_DEPTH:
        raise BadRequestError(f'"depth" must be between 1 and {MAX_DEPTH}')

    def neighbours(node: str) -> list[str]:
        found: set[str] = set()
        if direction in ("out", "both"):
            found |= index.linked_from(node)
        if direction in ("in", "both"):
            found |= index.linking_to(node)
        found.discard(node)
        return sorted(p for p in found if index.get(p) is not None)

    distance = {path: 0}
    queue = deque([path])
    truncated = False
    while queue:
        node = queue.popleft()
        if distance[node] >= depth:
            continue
        for other in neighbours(node):
            if other in distance:
                continue
            if len(distance) > limit:
                truncated = True
                break
            distance[other] = distance[node] + 1
            queue.append(other)
        if truncated:
            break
    edges: list[dict[str, str]] = []
    for source in distance:
        record = index.get(source)
        assert record is not None
        kinds: dict[str, str] = {}
        for link in record.outlinks:
            if link.path in distance and link.path != source:
                # a plain link wins over an embed of the same note
                kinds[link.path] = "link" if not link.embed else kinds.get(link.path, "embed")
        edges.extend({"from": source, "to": target, "kind": kind} for target, kind in kinds.items())
    edges.sort(key=lambda e: (e["from"], e["to"]))
    edges_total = len(edges)
    record = index.get(path)
    assert record is not None
    unresolved = sorted(set(record.unresolved)) if include_unresolved else []
    return {
        "nodes": [
            {"path": p, "title": file_title(p), "distance": d}
            for p, d in sorted(distance.items(), key=lambda item: (item[1], item[0]))
        ],
        "edges": edges[: MAX_EDGES_PER_NODE * (limit + 1)],
        "edges_total": edges_total,
        "unresolved": unresolved[:limit],
        "unresolved_total": len(unresolved),
        "truncated": truncated or edges_total > MAX_EDGES_PER_NODE * (limit + 1),
    }
