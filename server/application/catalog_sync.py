"""Bringing a :class:`~server.vault.catalog.Catalog` in line with the disk, in batches.

The catalog takes batches of files (:meth:`Catalog.apply`); this module decides what the batch
is, reading the disk (the catalog itself never touches it after a scan):

* :func:`apply_paths` — a batch of file-system events (files or folders created, modified,
  deleted, renamed) becomes one ``apply`` of re-reads and removals. Events are treated as hints:
  each touched path is reconciled with what is on disk now, so coalesced, reordered or duplicated
  events still converge on the state a cold scan would give.
* :func:`warm_scan` — a startup scan: the cached catalog (:meth:`Catalog.restore`) plus one
  ``apply`` of every file on disk, which re-parses only files whose bytes changed and re-links
  only notes whose links could resolve differently.
* :func:`rescan` — the same full reconciliation for a live catalog (the vault folder was
  replaced, or came back after vanishing).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path, PurePosixPath
from typing import Any

from query.gc_pause import gc_paused
from server.vault.catalog import Catalog, ChangeSet, SourceFile, content_hash
from server.vault.exclusions import Exclusions
from server.vault.paths import is_within
from server.vault.reading import ESCAPE_MESSAGE, OutsideVaultError, Stamp, read_file, stamp_of
from server.vault.scanner import Problem, walk_vault

__all__ = [
    "Applied",
    "WarmResult",
    "apply_paths",
    "catalog_state",
    "content_hash",
    "rescan",
    "warm_scan",
]


@dataclass(frozen=True, slots=True)
class Applied:
    """What :func:`apply_paths` did: the catalog's change set and the bytes it read of the notes
    that changed (so the search index need not read them again)."""

    changes: ChangeSet
    texts: dict[str, bytes]


def _is_plain(rel: str) -> bool:
    """A vault-relative path without empty, ``.`` or ``..`` segments (events never give
    others; a caller's ``../x.md`` is not a vault path)."""
    return bool(rel) and not any(part in ("", ".", "..") for part in rel.split("/"))


def _is_excluded(rel: str, exclusions: Exclusions) -> bool:
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        if exclusions.excludes_dir("/".join(parts[:depth])):
            return True
    return exclusions.excludes_file(rel) or exclusions.excludes_dir(rel)


def _counted(
    items: list[tuple[str, Path]], progress: Callable[[int, int], None]
) -> Iterator[tuple[str, Path]]:
    """``items``, calling ``progress`` as they are consumed (every 256 and at the end)."""
    total = len(items)
    for done, item in enumerate(items, 1):
        yield item
        if done % 256 == 0 or done == total:
            progress(done, total)


def _read(
    catalog: Catalog,
    real_root: str,
    notes: Iterable[tuple[str, Path]],
    failed: list[str],
    vanished: str,
    problems: list[Problem] | None = None,
) -> Iterator[SourceFile]:
    """The notes' files, read one at a time (each checked to be inside ``real_root`` as it is
    read); failures are listed in ``failed`` and their problems reported (or, with
    ``problems``, collected there for the caller to report)."""
    for rel, absolute in notes:
        problem: Problem | None = None
        try:
            found = read_file(absolute, real_root)
        except FileNotFoundError:
            problem = Problem(rel, "vanished", vanished) if vanished else None
        except OutsideVaultError:
            problem = Problem(rel, "symlink-escape", ESCAPE_MESSAGE)
        except OSError as exc:
            problem = Problem(rel, "unreadable", exc.strerror or str(exc))
        else:
            yield SourceFile(rel, found.data, found.ctime_ms, found.mtime_ms)
            continue
        failed.append(rel)
        catalog.clear_problems(rel)
        if problem is not None:
            if problems is not None:
                problems.append(problem)
            else:
                catalog.report(problem)


def apply_paths(
    catalog: Catalog, root: Path, rel_paths: Iterable[str], exclusions: Exclusions
) -> Applied:
    """Reconcile the catalog with the disk for every touched vault-relative path."""
    real_root = os.path.realpath(root)
    upserts: dict[str, Path] = {}
    removals: set[str] = set()  # notes and attachments gone
    attachments: set[str] = set()
    stamps: dict[str, Stamp] = {}  # of the touched attachments: an edit is a new revision
    needs_walk = False
    for rel in sorted(set(rel_paths)):
        if not _is_plain(rel) or _is_excluded(rel, exclusions):
            continue
        absolute = root / PurePosixPath(rel)
        try:
            info = os.stat(absolute)  # follows symlinks; escapes are refused below
        except OSError:
            info = None
        if info is not None and stat.S_ISREG(info.st_mode) and rel.endswith(".md"):
            upserts[rel] = absolute  # read_file refuses (and reports) a symlink out of the vault
            continue
        if info is not None and not is_within(root, absolute):
            info = None  # a folder or attachment symlink out of the vault is treated as absent
        if info is None:
            if catalog.has_file(rel):
                removals.add(rel)
            elif catalog.has_files_under(rel):
                needs_walk = True  # a folder was deleted or renamed away
        elif stat.S_ISDIR(info.st_mode):
            needs_walk = True  # a folder appeared (created, or renamed into place)
        elif stat.S_ISREG(info.st_mode):
            attachments.add(rel)
            stamps[rel] = stamp_of(info)
    if needs_walk:
        walk = walk_vault(root, exclusions)
        on_disk = {rel for rel, _ in walk.notes}
        removals.update(path for path in catalog.note_paths() if path not in on_disk)
        for rel, absolute in walk.notes:
            if rel not in catalog:
                upserts.setdefault(rel, absolute)
        removals.update(catalog.other_files - set(walk.other_files))
        attachments.update(walk.other_files)
        catalog.excluded = walk.excluded
        catalog.replace_walk_problems(walk.problems, on_disk)
    # A batch of events is small: its files are read first, so that one that cannot be read is
    # a removal of the same apply (one pass, one change set) and its bytes reach the search
    # index without a second read.
    failed: list[str] = []
    problems: list[Problem] = []
    sources = list(_read(catalog, real_root, sorted(upserts.items()), failed, "", problems))
    removals.update(rel for rel in failed if rel in catalog)
    changes = catalog.apply(
        sources, sorted(removals), attachments=attachments, attachment_stamps=stamps
    )
    for problem in problems:
        catalog.report(problem)  # after the removal, which clears a note's problems
    catalog.set_config_problems(exclusions.problems)  # a filter may have timed out meanwhile
    texts = {source.path: source.data for source in sources}
    return Applied(changes, {path: texts[path] for path in changes.changed if path in texts})


def _drop_failed(catalog: Catalog, changes: ChangeSet, failed: list[str]) -> None:
    """Remove the notes that could not be read now (keeping their read problems) and merge the
    removal into ``changes``."""
    gone = [rel for rel in failed if rel in catalog]
    if not gone:
        return
    problems = [p for rel in gone for p in catalog.problems_of(rel)]
    changes.merge(catalog.apply((), gone))
    for problem in problems:
        catalog.report(problem)  # the removal cleared them; an unreadable file stays listed


# -- warm start ------------------------------------------------------------------------------


@dataclass(slots=True)
class WarmResult:
    catalog: Catalog
    reused: int = 0
    reparsed: int = 0
    relinked: bool = False  # the vault's paths differ from the cached ones


def catalog_state(catalog: Catalog) -> dict[str, Any]:
    """What the cache stores (see :meth:`Catalog.state`)."""
    return catalog.state()


def warm_scan(
    root: Path,
    state: Mapping[str, Any] | None,
    *,
    local: tzinfo,
    exclusions: Exclusions,
    progress: Callable[[int, int], None] | None = None,
) -> WarmResult:
    """Scan the vault, reusing ``state``'s records where a file's content hash still matches."""
    catalog = Catalog.restore(state, local=local) if state else Catalog(local)
    changes = rescan(catalog, root, exclusions, progress)
    return WarmResult(catalog, changes.reused, changes.reparsed, changes.paths_changed)


def rescan(
    catalog: Catalog,
    root: Path,
    exclusions: Exclusions,
    progress: Callable[[int, int], None] | None = None,
) -> ChangeSet:
    """Bring ``catalog`` in line with everything under ``root``: one walk, then one ``apply`` of
    every file on disk (re-parsing only files whose bytes changed) and of every file gone. A warm
    start does this to a restored catalog; the server does it to its live one when the vault
    folder was replaced."""
    walk = walk_vault(root, exclusions)
    on_disk = {rel for rel, _ in walk.notes}
    catalog.excluded = walk.excluded
    catalog.replace_walk_problems(walk.problems, on_disk)
    removals = [path for path in catalog.note_paths() if path not in on_disk]
    removals += sorted(catalog.other_files - set(walk.other_files))
    # A note with the size and times it was last read with is not read again (the walk has
    # stat'ed it already); any other is read, and re-parsed only if its bytes changed.
    stamps = walk.stamps
    unchanged = [
        rel for rel, _ in walk.notes if rel in catalog and catalog.unchanged(rel, stamps[rel])
    ]
    skip = set(unchanged)
    notes: Iterable[tuple[str, Path]] = [item for item in walk.notes if item[0] not in skip]
    if progress is not None:
        notes = _counted(list(notes), progress)
    failed: list[str] = []
    with gc_paused():
        changes = catalog.apply(
            _read(catalog, walk.real_root, notes, failed, "file disappeared during the scan"),
            removals,
            attachments=walk.other_files,
        )
        _drop_failed(catalog, changes, failed)
    catalog.set_config_problems(exclusions.problems)
    changes.reused += len(unchanged)
    return changes
