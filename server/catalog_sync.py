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
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path, PurePosixPath
from typing import Any

from server.vault.catalog import Catalog, ChangeSet, SourceFile, content_hash, no_gc
from server.vault.exclusions import Exclusions
from server.vault.paths import is_within
from server.vault.scanner import Problem, read_note, walk_vault

__all__ = [
    "BatchResult",
    "WarmResult",
    "apply_paths",
    "catalog_state",
    "content_hash",
    "warm_scan",
]

BatchResult = ChangeSet  # what apply_paths returns (the name the service imports)


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
    catalog: Catalog, notes: Iterable[tuple[str, Path]], failed: list[str], vanished: str
) -> Iterator[SourceFile]:
    """The notes' files, read one at a time; failures are reported and listed in ``failed``."""
    for rel, absolute in notes:
        try:
            found = read_note(absolute)
        except FileNotFoundError:
            catalog.clear_problems(rel)
            failed.append(rel)
            if vanished:
                catalog.report(Problem(rel, "vanished", vanished))
        except OSError as exc:
            failed.append(rel)
            catalog.clear_problems(rel)
            catalog.report(Problem(rel, "unreadable", exc.strerror or str(exc)))
        else:
            yield SourceFile(rel, found.data, found.ctime_ms, found.mtime_ms)


def apply_paths(
    catalog: Catalog, root: Path, rel_paths: Iterable[str], exclusions: Exclusions
) -> ChangeSet:
    """Reconcile the catalog with the disk for every touched vault-relative path."""
    upserts: dict[str, Path] = {}
    removals: set[str] = set()
    attachments: set[str] = set()
    needs_walk = False
    for rel in sorted(set(rel_paths)):
        if not rel or _is_excluded(rel, exclusions):
            continue
        absolute = root / PurePosixPath(rel)
        try:
            info = os.stat(absolute)  # follows symlinks; is_within refuses escapes below
        except OSError:
            info = None
        if info is not None and not is_within(root, absolute):
            info = None  # a symlink out of the vault is treated as absent
        if info is None:
            if catalog.has_file(rel):
                removals.add(rel)
            elif catalog.has_files_under(rel):
                needs_walk = True  # a folder was deleted or renamed away
        elif stat.S_ISDIR(info.st_mode):
            needs_walk = True  # a folder appeared (created, or renamed into place)
        elif stat.S_ISREG(info.st_mode):
            if rel.endswith(".md"):
                upserts[rel] = absolute
            else:
                attachments.add(rel)
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
    failed: list[str] = []
    changes = catalog.apply(
        _read(catalog, sorted(upserts.items()), failed, ""), removals, attachments=attachments
    )
    if failed:
        gone = [rel for rel in failed if rel in catalog]
        problems = [p for rel in failed for p in catalog.problems_of(rel)]
        if gone:
            more = catalog.apply((), gone)
            changes.removed = sorted({*changes.removed, *more.removed})
            changes.changed = [p for p in changes.changed if p not in more.removed]
            changes.relinked = [p for p in changes.relinked if p not in more.removed]
            changes.relinked += [p for p in more.relinked if p not in changes.relinked]
            changes.paths_changed = changes.paths_changed or more.paths_changed
        for problem in problems:
            catalog.report(problem)  # the removal cleared them; an unreadable file stays listed
    return changes


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
    config_problem: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WarmResult:
    """Scan the vault, reusing ``state``'s records where a file's content hash still matches."""
    catalog = Catalog.restore(state, local=local) if state else Catalog(local)
    walk = walk_vault(root, exclusions)
    on_disk = {rel for rel, _ in walk.notes}
    catalog.excluded = walk.excluded
    if config_problem:
        catalog.report(Problem(".obsidian/app.json", "config", config_problem))
    for problem in walk.problems:
        catalog.report(problem)
    removals = [path for path in catalog.note_paths() if path not in on_disk]
    removals += sorted(catalog.other_files - set(walk.other_files))
    notes: Iterable[tuple[str, Path]] = walk.notes
    if progress is not None:
        notes = _counted(walk.notes, progress)
    failed: list[str] = []
    with no_gc():
        changes = catalog.apply(
            _read(catalog, notes, failed, "file disappeared during the scan"),
            removals,
            attachments=walk.other_files,
        )
        gone = [rel for rel in failed if rel in catalog]
        if gone:  # cached, but unreadable now: keep the read problem, drop the record
            problems = [p for rel in gone for p in catalog.problems_of(rel)]
            changes.paths_changed |= catalog.apply((), gone).paths_changed
            for problem in problems:
                catalog.report(problem)
    return WarmResult(catalog, changes.reused, changes.reparsed, changes.paths_changed)
