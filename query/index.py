"""An immutable, indexed view of a set of note records: what queries run against.

``VaultIndex`` answers the questions a ``FROM`` clause asks (which notes carry a tag, live under a
folder, link to or from a note) from prebuilt indexes instead of scanning, and builds each note's
Dataview page object once and caches it, so a query never rebuilds pages (Dataview spends about
35 µs per page doing exactly that on every query).

A new revision of the vault is made with :meth:`VaultIndex.derive`, which patches the previous
index's maps for the changed notes only and carries over every cached page whose record and
inlinks did not change: O(changed notes), not O(vault), apart from a few C-level dict copies.

It is pure: records in, answers out. The server builds or derives a new index per revision and
shares it between concurrent queries; nothing here is ever mutated after construction, except
the lazily filled caches, whose entries are deterministic. Maps are copied on write by
``derive``, so an index never sees a later revision's changes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeAlias, cast

from query.columns import Column
from query.gc_pause import gc_paused
from query.index_maps import IndexMaps, derive_maps
from query.links import LinkResolver
from query.pages import build_page
from query.records import NoteRecord
from query.rows import TaskRow, task_row
from query.sorting import keys_for
from query.values import Link, Value

__all__ = ["VaultIndex", "build_page"]

PageRow = tuple[Link, dict[str, Value]]
Extras: TypeAlias = Mapping[str, Mapping[str, Value]]
FileExtras: TypeAlias = "Extras | Callable[[VaultIndex], Extras]"
"""Extra ``file.*`` fields by path, or a function of the index that gives them."""
_COLUMNS = 256  # cached sort columns per index
_WHERE_COLUMNS = 64  # cached WHERE columns per index (with their truth and instant lists)
_TASK_LISTS = 32  # cached TASK row lists per index (a whole vault's can be 250k rows)
_ROW_LISTS = 64  # cached page row lists per index (one pointer per row)
_BULK = 256  # missing pages from which a build pauses the collector


def _extras_of(file_extras: FileExtras | None, index: VaultIndex) -> Extras | None:
    return file_extras(index) if callable(file_extras) else file_extras


class VaultIndex:
    """Records plus the indexes FROM needs: tags, folders, and the resolved link graph.

    ``resolver`` resolves the links written in queries (``[[x]]`` in FROM, ``link()``, link
    literals): pass the one the records were linked with, which knows every file of the vault,
    attachments included; the default knows the notes only.
    """

    def __init__(
        self,
        records: Iterable[NoteRecord],
        resolver: LinkResolver | None = None,
        *,
        file_extras: FileExtras | None = None,
    ) -> None:
        """``file_extras`` adds implicit ``file.*`` fields per path (VaultQL's ``file.para``,
        ``file.project``, ``file.status``); they never replace a field Dataview defines. It may
        be a function of this index (its records and link maps: no page is built yet)."""
        by_path = {record.path: record for record in records}
        maps = IndexMaps.build(dict(sorted(by_path.items())))
        self._setup(maps, resolver, {})
        self._extras = {}
        self._extras = dict(_extras_of(file_extras, self) or {})

    @classmethod
    def derive(
        cls,
        previous: VaultIndex,
        upserts: Iterable[NoteRecord],
        removed: Iterable[str],
        resolver: LinkResolver | None = None,
        *,
        file_extras: FileExtras | None = None,
    ) -> VaultIndex:
        """The index of ``previous``'s records with ``upserts`` added or replaced and the paths
        ``removed`` deleted: equal to ``VaultIndex(those records, resolver)``, built in time
        proportional to the change.

        Every record whose content *or link resolution* changed must be in ``upserts`` (a
        record passed that ``is`` the previous one counts as unchanged). A path both removed and
        upserted ends up upserted. Cached pages, rows and task rows are carried over for every
        note whose record is the same object and whose inlinks did not change.

        ``file_extras`` replaces the extra ``file.*`` fields (``None`` keeps the previous ones);
        pages whose extras changed are rebuilt too. As a function, it is called with the new
        index once its records and link maps are in place, so one derivation gives both.
        """
        maps, delta = derive_maps(previous._maps, upserts, removed)
        stale = list(delta.stale_pages)
        # One C-level copy of each cache: atomic against queries filling them concurrently.
        pages = dict(previous._pages)
        rows = dict(previous._rows)
        tasks = dict(previous._task_rows)
        tag_order = dict(previous._tag_order)
        for tag in delta.stale_tags:
            tag_order.pop(tag, None)
        index = cls.__new__(cls)
        index._setup(maps, resolver, pages)
        index._extras = previous._extras
        index._rows = rows
        index._task_rows = tasks
        index._tag_order = tag_order
        extras = _extras_of(file_extras, index)
        if extras is not None:
            seen = set(stale)
            for path in extras.keys() | previous._extras.keys():
                if path not in seen and extras.get(path) != previous._extras.get(path):
                    stale.append(path)
            index._extras = dict(extras)
        for path in stale:
            pages.pop(path, None)
            rows.pop(path, None)
            tasks.pop(path, None)
        all_rows = previous._all_rows
        if all_rows is not None and maps.paths is previous.paths:
            # Same paths: patch the whole-vault row list in place of rebuilding it (a few pages
            # are rebuilt now, so the first query after an edit scans cached rows only).
            patched = list(all_rows)
            for path in stale:
                position = bisect_left(maps.paths, path)
                page = index.page(path)
                if page is not None and position < len(patched):
                    row = (page["file"]["link"], page)
                    rows[path] = row
                    patched[position] = row
            index._all_rows = patched
        return index

    def _setup(
        self,
        maps: IndexMaps,
        resolver: LinkResolver | None,
        pages: dict[str, dict[str, Value]],
    ) -> None:
        self._maps = maps
        self._records = maps.records
        self.paths: tuple[str, ...] = maps.paths
        self.resolver = resolver if resolver is not None else LinkResolver(self.paths)
        self._pages = pages
        self._rows: dict[str, PageRow] = {}
        self._all_rows: list[PageRow] | None = None
        self._row_lists: dict[int, tuple[tuple[str, ...], list[PageRow]]] = {}
        self._task_rows: dict[str, list[tuple[None, TaskRow]]] = {}
        self._tag_order: dict[str, tuple[str, ...]] = {}
        self._columns: dict[
            tuple[tuple[str, ...], int], tuple[tuple[str, ...], list[Value], list[Any] | None]
        ]
        self._columns = {}
        self._positions: dict[int, tuple[tuple[str, ...], dict[str, int]]] = {}
        self._exact_linkers: dict[tuple[str, str], frozenset[str]] = {}
        self._task_lists: dict[int, tuple[tuple[str, ...], list[tuple[None, TaskRow]]]] = {}
        self._where_columns: dict[
            tuple[bool, tuple[str, ...], int], tuple[tuple[str, ...], Column | None]
        ] = {}

    # -- lookups -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[NoteRecord]:
        return iter(self._records.values())

    def get(self, path: str) -> NoteRecord | None:
        return self._records.get(path)

    def is_folder(self, path: str) -> bool:
        return path in self._maps.folders

    def in_folder(self, folder: str) -> tuple[str, ...]:
        """Every note under ``folder``, recursively, in path order ("" is the whole vault)."""
        return self._maps.folders.get(folder, ())

    def tagged(self, tag: str) -> set[str]:
        """Notes carrying ``tag`` or a subtag of it, case-insensitively (``file.tags`` is
        expanded)."""
        return self._maps.tags.get(tag.lower(), set())

    def tagged_sorted(self, tag: str) -> tuple[str, ...]:
        """:meth:`tagged` in path order, cached (a popular tag is thousands of notes)."""
        key = tag.lower()
        cached = self._tag_order.get(key)
        if cached is None:
            cached = tuple(sorted(self.tagged(key)))
            self._tag_order[key] = cached
        return cached

    def linking_to(self, path: str) -> set[str]:
        return self._maps.incoming.get(path, set())

    def linked_from(self, path: str) -> set[str]:
        return self._maps.outgoing.get(path, set())

    def linking_to_file(self, path: str) -> set[str]:
        """Notes linking to ``path``, a file of the vault that is not a note (an attachment):
        their resolved links to it are kept by path, like links to no note."""
        return self._maps.dangling.get(path, set())

    def unresolved_linking(self, target: str) -> set[str]:
        """Notes holding an unresolved link written exactly as ``target`` (case-insensitive)."""
        return self._maps.unresolved.get(target.lower(), set())

    def linking_candidates(self, path: str) -> set[str]:
        """Every note that may hold a link whose path equals ``path`` (a superset: links to a
        heading of it, and links whose path may collate equal to it, are included)."""
        maps = self._maps
        return maps.incoming.get(path, set()) | maps.dangling.get(path, set()) | maps.odd_links

    def positions(self, paths: tuple[str, ...]) -> dict[str, int]:
        """Each path's position in ``paths`` (one of this index's own sequences), cached."""
        cached = self._positions.get(id(paths))
        if cached is not None and cached[0] is paths:
            return cached[1]
        positions = {path: i for i, path in enumerate(paths)}
        if len(self._positions) >= _COLUMNS:
            self._positions.clear()
        self._positions[id(paths)] = (paths, positions)
        return positions

    def exact_linkers(self, path: str, kind: str) -> frozenset[str]:
        """Notes whose ``file.outlinks`` hold a link whose path is the string ``path``, of type
        ``kind``, without subpath; cached (the records never change)."""
        slot = (path, kind)
        cached = self._exact_linkers.get(slot)
        if cached is None:
            records = self._records
            maps = self._maps
            cached = frozenset(
                source
                for source in maps.incoming.get(path, set()) | maps.dangling.get(path, set())
                if any(
                    link.path == path and link.subpath is None and link.type == kind
                    for link in records[source].outlinks
                )
            )
            if len(self._exact_linkers) >= _COLUMNS:
                self._exact_linkers.clear()
            self._exact_linkers[slot] = cached
        return cached

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
        page = build_page(record, self.inlinks(path), self._extras.get(path))
        self._pages[path] = page
        return page

    @property
    def file_extras(self) -> Mapping[str, Mapping[str, Value]]:
        """The extra ``file.*`` fields by path (read-only)."""
        return self._extras

    def cached_page_count(self) -> int:
        """How many page objects are built (for tests and diagnostics)."""
        return len(self._pages)

    def page_rows(self, paths: Iterable[str]) -> list[PageRow]:
        """``(file link, page)`` for each path that is a note, in order; cached like pages.

        The whole vault (``paths is self.paths``) is answered from one cached list. Many missing
        pages (the first query after a start) are built with the collector paused.
        """
        if paths is self.paths and self._all_rows is not None:
            return list(self._all_rows)
        if type(paths) is tuple:
            # A folder's or tag's sequence: one cached list, found by identity (looking up 15k
            # rows one by one took 4.5 ms at 50k notes, copying the list 0.1 ms).
            cached = self._row_lists.get(id(paths))
            if cached is not None and cached[0] is paths:
                return list(cached[1])
        cache = self._rows
        out: list[PageRow | str] = []
        missing = 0
        for path in paths:
            row = cache.get(path)
            if row is None:
                missing += 1
                out.append(path)
            else:
                out.append(row)
        if missing:
            if missing >= _BULK:
                with gc_paused():
                    out = self._fill_rows(out)
            else:
                out = self._fill_rows(out)
        rows = cast(list[PageRow], out)
        if paths is self.paths:
            self._all_rows = rows
            return list(rows)
        if type(paths) is tuple:
            if len(self._row_lists) >= _ROW_LISTS:
                self._row_lists.clear()
            self._row_lists[id(paths)] = (paths, rows)
            return list(rows)
        return rows

    def _fill_rows(self, rows: list[PageRow | str]) -> list[PageRow | str]:
        """``rows`` with each path replaced by its row (dropped when it is not a note)."""
        cache = self._rows
        out: list[PageRow | str] = []
        for row in rows:
            if type(row) is str:
                page = self.page(row)
                if page is None:
                    continue
                built = (page["file"]["link"], page)
                cache[row] = built
                out.append(built)
            else:
                out.append(row)
        return out

    def column(
        self, paths: tuple[str, ...], key: tuple[str, ...]
    ) -> tuple[list[Value], list[Any] | None]:
        """The values of the field ``key`` (``("rating",)`` or ``("file", "mtime")``) on the
        rows of ``paths`` (one of this index's own sequences, compared by identity), and their
        sort keys (``query.sorting.keys_for``), cached."""
        slot = (key, id(paths))
        cached = self._columns.get(slot)
        if cached is not None and cached[0] is paths:
            return cached[1], cached[2]
        values = _page_column(self.page_rows(paths), key)
        keys = keys_for(values)
        if len(self._columns) >= _COLUMNS:
            self._columns.clear()
        self._columns[slot] = (paths, values, keys)
        return values, keys

    def warm(self) -> None:
        """Build every page and the whole-vault row list now (e.g. in the background after a
        start), so that the first query does not pay for it."""
        self.page_rows(self.paths)

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

    def task_row_list(self, paths: tuple[str, ...]) -> list[tuple[None, TaskRow]]:
        """The TASK rows of every note of ``paths`` (one of this index's own sequences, compared
        by identity), in order; a fresh list over a cached one."""
        cached = self._task_lists.get(id(paths))
        if cached is not None and cached[0] is paths:
            return list(cached[1])
        rows: list[tuple[None, TaskRow]] = []
        if len(paths) >= _BULK:
            # Long-lived rows, built once: frozen afterwards, so collections skip them.
            with gc_paused():
                for path in paths:
                    rows.extend(self.task_rows(path))
        else:
            for path in paths:
                rows.extend(self.task_rows(path))
        if len(self._task_lists) >= _TASK_LISTS:
            self._task_lists.clear()
        self._task_lists[id(paths)] = (paths, rows)
        return list(rows)

    def where_column(
        self, paths: tuple[str, ...], key: tuple[str, ...], tasks: bool
    ) -> Column | None:
        """The field ``key`` (as in :meth:`column`) over ``page_rows(paths)``, or with ``tasks``
        over ``task_row_list(paths)``, exactly as a compiled read of it gives; cached. None when
        a compiled read could do more than read (a task's own non-object ``file`` field)."""
        slot = (tasks, key, id(paths))
        cached = self._where_columns.get(slot)
        if cached is not None and cached[0] is paths:
            return cached[1]
        column: Column | None
        if not tasks:
            sorted_column = self._columns.get((key, id(paths)))
            if sorted_column is not None and sorted_column[0] is paths:
                column = Column(sorted_column[1])
            else:
                # Values only: a WHERE needs no sort keys (collation keys are the costly part).
                column = Column(_page_column(self.page_rows(paths), key))
        else:
            column = _task_column(self.task_row_list(paths), key)
        if len(self._where_columns) >= _WHERE_COLUMNS:
            self._where_columns.clear()
        self._where_columns[slot] = (paths, column)
        return column


_ABSENT: Any = object()


def _page_column(rows: list[PageRow], key: tuple[str, ...]) -> list[Value]:
    if len(key) == 1:
        name = key[0]
        return [page.get(name) for _, page in rows]
    field = key[1]
    return [page["file"].get(field) for _, page in rows]


def _task_column(rows: list[tuple[None, TaskRow]], key: tuple[str, ...]) -> Column | None:
    values: list[Value] = []
    name = key[0]
    for _, row in rows:
        value = row.task.get(name, _ABSENT)
        if value is _ABSENT:
            value = row.page.get(name)
        if len(key) == 2:
            if type(value) is not dict:
                return None  # a task's own ``file`` field: the read would go through links
            value = value.get(key[1])
        values.append(value)
    return Column(values)
