"""An immutable, indexed view of a set of note records: what queries run against.

``VaultIndex`` answers the questions a ``FROM`` clause asks (which notes carry a tag, live under a
folder, link to or from a note) from prebuilt indexes instead of scanning, and builds each note's
Dataview page object once and caches it, so a query never rebuilds pages (Dataview spends about
35 µs per page doing exactly that on every query).

It is pure: records in, answers out. The server's catalog builds a new index per revision and
shares it between concurrent queries; nothing here is ever mutated after construction, except the
lazily filled page cache, whose entries are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from query.dates import start_of_day
from query.links import LinkResolver
from query.records import ListItem, NoteRecord
from query.rows import TaskRow, task_row
from query.values import Link, Value


class VaultIndex:
    """Records plus the indexes FROM needs: tags, folders, and the resolved link graph."""

    def __init__(self, records: Iterable[NoteRecord], resolver: LinkResolver | None = None) -> None:
        by_path = {record.path: record for record in records}
        self._records: dict[str, NoteRecord] = dict(sorted(by_path.items()))
        self.paths: tuple[str, ...] = tuple(self._records)
        self.resolver = resolver if resolver is not None else LinkResolver(self.paths)
        self._pages: dict[str, dict[str, Value]] = {}
        self._rows: dict[str, tuple[Link, dict[str, Value]]] = {}
        self._all_rows: list[tuple[Link, dict[str, Value]]] | None = None
        self._task_rows: dict[str, list[tuple[None, TaskRow]]] = {}
        self._tag_order: dict[str, tuple[str, ...]] = {}

        self._folders: dict[str, list[str]] = {}
        self._tags: dict[str, set[str]] = {}
        self._outgoing: dict[str, set[str]] = {}
        self._incoming: dict[str, set[str]] = {}
        self._unresolved: dict[str, set[str]] = {}
        for path, record in self._records.items():
            self._index_folders(path)
            for tag in record.tags:
                self._tags.setdefault(tag.lower(), set()).add(path)
            for link in record.outlinks:
                if link.path in self._records:
                    self._outgoing.setdefault(path, set()).add(link.path)
                    self._incoming.setdefault(link.path, set()).add(path)
            for target in record.unresolved:
                self._unresolved.setdefault(target.lower(), set()).add(path)
        # Frozen, since sources hand these sequences out as they are.
        self._folder_paths = {folder: tuple(paths) for folder, paths in self._folders.items()}
        self._folders.clear()

    def _index_folders(self, path: str) -> None:
        parts = path.split("/")[:-1]
        self._folders.setdefault("", []).append(path)
        for depth in range(1, len(parts) + 1):
            self._folders.setdefault("/".join(parts[:depth]), []).append(path)

    # -- lookups -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[NoteRecord]:
        return iter(self._records.values())

    def get(self, path: str) -> NoteRecord | None:
        return self._records.get(path)

    def is_folder(self, path: str) -> bool:
        return path in self._folder_paths

    def in_folder(self, folder: str) -> tuple[str, ...]:
        """Every note under ``folder``, recursively, in path order ("" is the whole vault)."""
        return self._folder_paths.get(folder, ())

    def tagged(self, tag: str) -> set[str]:
        """Notes carrying ``tag`` or a subtag of it, case-insensitively (``file.tags`` is
        expanded)."""
        return self._tags.get(tag.lower(), set())

    def tagged_sorted(self, tag: str) -> tuple[str, ...]:
        """:meth:`tagged` in path order, cached (a popular tag is thousands of notes)."""
        key = tag.lower()
        cached = self._tag_order.get(key)
        if cached is None:
            cached = tuple(sorted(self.tagged(key)))
            self._tag_order[key] = cached
        return cached

    def linking_to(self, path: str) -> set[str]:
        return self._incoming.get(path, set())

    def linked_from(self, path: str) -> set[str]:
        return self._outgoing.get(path, set())

    def unresolved_linking(self, target: str) -> set[str]:
        """Notes holding an unresolved link written exactly as ``target`` (case-insensitive)."""
        return self._unresolved.get(target.lower(), set())

    def inlinks(self, path: str) -> list[Link]:
        return [Link(source) for source in sorted(self.linking_to(path))]

    def resolve(self, target: str, origin: str = "") -> str | None:
        return self.resolver.resolve(target, origin)

    def normalize_path(self, target: str, origin: str = "") -> str:
        """The full path a link target resolves to (the target itself when it resolves to
        none)."""
        resolved = self.resolver.resolve(target, origin)
        return resolved if resolved is not None else target

    # -- page objects ------------------------------------------------------------------------

    def page(self, path: str) -> dict[str, Value] | None:
        """The Dataview page object for ``path`` (SPEC §9), built once and cached."""
        cached = self._pages.get(path)
        if cached is not None:
            return cached
        record = self._records.get(path)
        if record is None:
            return None
        page = build_page(record, self.inlinks(path))
        self._pages[path] = page
        return page

    def page_rows(self, paths: Iterable[str]) -> list[tuple[Link, dict[str, Value]]]:
        """``(file link, page)`` for each path that is a note, in order; cached like pages.

        The whole vault (``paths is self.paths``) is answered from one cached list.
        """
        if paths is self.paths and self._all_rows is not None:
            return list(self._all_rows)
        cache = self._rows
        out: list[tuple[Link, dict[str, Value]]] = []
        for path in paths:
            row = cache.get(path)
            if row is None:
                page = self.page(path)
                if page is None:
                    continue
                row = (page["file"]["link"], page)
                cache[path] = row
            out.append(row)
        if paths is self.paths:
            self._all_rows = out
            return list(out)
        return out

    def task_rows(self, path: str) -> list[tuple[None, TaskRow]]:
        """The TASK rows of one note (every task, nested ones included), cached.

        A row is ``(None, TaskRow)``: a read-only view of the task over its page, so caching it
        shares nothing mutable.
        """
        rows = self._task_rows.get(path)
        if rows is None:
            page = self.page(path)
            rows = (
                [] if page is None else [(None, task_row(t, page)) for t in page["file"]["tasks"]]
            )
            self._task_rows[path] = rows
        return rows


def build_page(record: NoteRecord, inlinks: list[Link]) -> dict[str, Value]:
    """Dataview's page object: user fields, then the implicit ``file`` object, which always wins."""
    file_link = Link(record.path)
    items = {item.line: _list_item_object(item) for item in record.lists}
    lists = list(items.values())
    file: dict[str, Value] = {
        "path": record.path,
        "name": record.name,
        "folder": record.folder,
        "ext": record.ext,
        "link": file_link,
        "size": record.size,
        "ctime": record.ctime,
        "cday": start_of_day(record.ctime),
        "mtime": record.mtime,
        "mday": start_of_day(record.mtime),
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
    page: dict[str, Value] = dict(record.fields)
    page["file"] = file
    return page


_TASK_DATE_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("created", ("created", "ctime", "cday")),
    ("due", ("due", "duetime", "dueday")),
    ("completion", ("completed", "completion", "comptime", "compday")),
    ("start", ("start",)),
    ("scheduled", ("scheduled",)),
)


def _list_item_object(item: ListItem) -> dict[str, Value]:
    """A list item or task as Dataview serialises it (SPEC §10), children included recursively."""
    obj: dict[str, Any] = dict(item.fields)
    children = [_list_item_object(child) for child in item.children]
    obj.update(
        symbol=item.symbol,
        link=item.link,
        section=item.section,
        text=item.text,
        tags=list(item.tags),
        line=item.line,
        lineCount=item.line_count,
        list=item.list_line,
        outlinks=list(item.outlinks),
        path=item.path,
        children=children,
        task=item.task,
        annotated=item.annotated,
        position={
            "start": {"line": item.line, "col": 0, "offset": 0},
            "end": {"line": item.line + item.line_count - 1, "col": 0, "offset": 0},
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
        obj["status"] = item.status
        obj["checked"] = item.checked
        obj["completed"] = item.completed
        obj["fullyCompleted"] = item.fully_completed
        for target, sources in _TASK_DATE_SOURCES:
            value = _first_present(item.fields, sources)
            if value is not None:
                obj[target] = value
    return obj


def _first_present(fields: Mapping[str, Value], keys: tuple[str, ...]) -> Value:
    for key in keys:
        value = fields.get(key)
        if value is not None:
            return value
    return None
