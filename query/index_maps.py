"""The lookup maps behind ``VaultIndex``: records by path, folders, tags and the link graph.

``IndexMaps.build`` makes them from scratch; ``derive_maps`` makes the next revision's maps from
the previous ones and a change set, touching only the entries the changed notes are in. Maps are
never mutated once handed out: ``derive_maps`` copies each outer dict once (a C-level copy) and
each inner set or tuple it changes (copy on write), so the previous revision stays intact for the
queries still running on it.

Besides the maps queries use, ``dangling`` remembers links whose target path is not a note (yet):
when that note appears, the notes linking to it gain an edge without being re-read, exactly as a
fresh build would count them.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass, field

from query.records import NoteRecord

PathSets = dict[str, set[str]]


@dataclass(slots=True)
class IndexMaps:
    """One revision's maps. ``records`` is in path order and ``paths`` is its keys."""

    records: dict[str, NoteRecord]
    paths: tuple[str, ...]
    folders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tags: PathSets = field(default_factory=dict)  # lower-cased tag -> notes
    outgoing: PathSets = field(default_factory=dict)  # note -> notes it links to
    incoming: PathSets = field(default_factory=dict)  # note -> notes linking to it
    unresolved: PathSets = field(default_factory=dict)  # lower-cased target as written -> notes
    dangling: PathSets = field(default_factory=dict)  # link path that is no note -> notes
    # Notes holding a link whose path is not printable ASCII: such paths may collate equal to
    # another spelling, so link lookups by exact path must include these notes.
    odd_links: frozenset[str] = frozenset()

    @classmethod
    def build(cls, records: dict[str, NoteRecord]) -> IndexMaps:
        """The maps of ``records`` (already in path order)."""
        maps = cls(records, tuple(records))
        folders: dict[str, list[str]] = {}
        for path, record in records.items():
            for folder in _folders_of(path):
                folders.setdefault(folder, []).append(path)
            for tag in record.tags:
                maps.tags.setdefault(tag.lower(), set()).add(path)
            for link in record.outlinks:
                target = link.path
                if target in records:
                    maps.outgoing.setdefault(path, set()).add(target)
                    maps.incoming.setdefault(target, set()).add(path)
                else:
                    maps.dangling.setdefault(target, set()).add(path)
            for written in record.unresolved:
                maps.unresolved.setdefault(written.lower(), set()).add(path)
        maps.odd_links = frozenset(path for path, record in records.items() if _has_odd(record))
        # Frozen, since sources hand these sequences out as they are.
        maps.folders = {folder: tuple(paths) for folder, paths in folders.items()}
        return maps


def _has_odd(record: NoteRecord) -> bool:
    return any(not (link.path.isascii() and link.path.isprintable()) for link in record.outlinks)


def _folders_of(path: str) -> list[str]:
    """Every folder ``path`` is under, "" (the whole vault) first."""
    parts = path.split("/")[:-1]
    return ["", *("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))]


@dataclass(slots=True)
class Delta:
    """What a derivation invalidated: pages to rebuild and tags whose order changed."""

    stale_pages: set[str] = field(default_factory=set)
    stale_tags: set[str] = field(default_factory=set)


class _CopyOnWrite:
    """A path-set map copied once, whose inner sets are copied the first time they change."""

    def __init__(self, source: PathSets) -> None:
        self.map = dict(source)
        self._owned: set[str] = set()

    def _own(self, key: str) -> set[str] | None:
        current = self.map.get(key)
        if current is not None and key not in self._owned:
            current = set(current)
            self.map[key] = current
            self._owned.add(key)
        return current

    def add(self, key: str, value: str) -> None:
        current = self._own(key)
        if current is None:
            self.map[key] = {value}
            self._owned.add(key)
        else:
            current.add(value)

    def discard(self, key: str, value: str) -> None:
        current = self._own(key)
        if current is not None:
            current.discard(value)
            if not current:
                del self.map[key]
                self._owned.discard(key)

    def pop(self, key: str) -> set[str]:
        self._owned.discard(key)
        return self.map.pop(key, set())


def derive_maps(
    previous: IndexMaps, upserts: Iterable[NoteRecord], removed: Iterable[str]
) -> tuple[IndexMaps, Delta]:
    """The maps after replacing/adding ``upserts`` and deleting ``removed``, and what went stale."""
    old = previous.records
    changes: dict[str, NoteRecord | None] = {path: None for path in removed if path in old}
    for upsert in upserts:
        if old.get(upsert.path) is not upsert:
            changes[upsert.path] = upsert
        else:
            changes.pop(upsert.path, None)  # re-upserted as it was: unchanged
    delta = Delta()
    if not changes:
        return previous, delta
    added = sorted(path for path, new in changes.items() if new is not None and path not in old)
    dropped = sorted(path for path, new in changes.items() if new is None)

    records = dict(old)
    for path, record in changes.items():
        if record is None:
            del records[path]
        else:
            records[path] = record
    if added:
        records = {path: records[path] for path in sorted(records)}  # nearly sorted: Timsort O(n)
    maps = IndexMaps(
        records,
        tuple(records) if added or dropped else previous.paths,
        _derive_folders(previous.folders, added, dropped),
    )
    tags = _CopyOnWrite(previous.tags)
    outgoing = _CopyOnWrite(previous.outgoing)
    incoming = _CopyOnWrite(previous.incoming)
    unresolved = _CopyOnWrite(previous.unresolved)
    dangling = _CopyOnWrite(previous.dangling)
    stale = delta.stale_pages
    stale.update(changes)
    old_targets: dict[str, set[str]] = {}

    # 1. Take every changed note's old contributions out.
    for path in changes:
        before = old.get(path)
        if before is None:
            continue
        for tag in before.tags:
            tags.discard(tag.lower(), path)
            delta.stale_tags.add(tag.lower())
        for written in before.unresolved:
            unresolved.discard(written.lower(), path)
        old_targets[path] = outgoing.pop(path)
        for target in old_targets[path]:
            incoming.discard(target, path)
        for link in before.outlinks:
            dangling.discard(link.path, path)
    # 2. Notes that disappeared: unchanged notes linking to them now hold dangling links;
    #    notes that appeared: unchanged notes holding dangling links to them gain an edge.
    for path in dropped:
        for source in incoming.pop(path):
            outgoing.discard(source, path)
            dangling.add(path, source)
    for path in added:
        for source in dangling.pop(path):
            outgoing.add(source, path)
            incoming.add(path, source)
            stale.add(path)
    # 3. Put the changed notes' new contributions in.
    for path, record in changes.items():
        if record is None:
            stale.update(old_targets.get(path, ()))
            continue
        for tag in record.tags:
            tags.add(tag.lower(), path)
            delta.stale_tags.add(tag.lower())
        for written in record.unresolved:
            unresolved.add(written.lower(), path)
        for link in record.outlinks:
            target = link.path
            if target in records:
                outgoing.add(path, target)
                incoming.add(target, path)
            else:
                dangling.add(target, path)
        # Only notes whose inlinks really changed need their pages rebuilt.
        stale.update(old_targets.get(path, set()) ^ outgoing.map.get(path, set()))
    maps.tags = tags.map
    maps.outgoing = outgoing.map
    maps.incoming = incoming.map
    maps.unresolved = unresolved.map
    maps.dangling = dangling.map
    odd = set(previous.odd_links).difference(changes)
    odd.update(path for path, record in changes.items() if record is not None and _has_odd(record))
    maps.odd_links = frozenset(odd)
    return maps, delta


def _derive_folders(
    folders: dict[str, tuple[str, ...]], added: list[str], dropped: list[str]
) -> dict[str, tuple[str, ...]]:
    if not added and not dropped:
        return folders
    out = dict(folders)
    gone: dict[str, set[str]] = {}
    for path in dropped:
        for folder in _folders_of(path):
            gone.setdefault(folder, set()).add(path)
    new: dict[str, list[str]] = {}
    for path in added:
        for folder in _folders_of(path):
            new.setdefault(folder, []).append(path)
    for folder in gone.keys() | new.keys():
        removed = gone.get(folder, set())
        paths = [path for path in out.get(folder, ()) if path not in removed]
        for path in new.get(folder, ()):
            insort(paths, path)
        if paths:
            out[folder] = tuple(paths)
        else:
            out.pop(folder, None)
    return out
