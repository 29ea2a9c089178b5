"""Bringing a :class:`~server.vault.catalog.Catalog` in line with the disk, in batches.

Two jobs the catalog's public API (``scan``, ``upsert``, ``remove``) does not do in one step:

* :func:`apply_paths` — a batch of file-system events (files or folders created, modified,
  deleted, renamed) becomes re-reads and removals, then *one* re-link, and only when the set of
  paths changed (a modified note is re-linked alone). Events are treated as hints: each touched
  path is reconciled with what is on disk now, so coalesced, reordered or duplicated events still
  converge on the state a cold scan would give.
* :func:`warm_scan` — a startup scan that reuses cached parsed records whose content hash still
  matches, re-reading only changed files.

Both reach into the catalog's private state (``_parsed``, ``_records``, ``_ingest``,
``_link_all``…), which is why they live in one module; a public batch API on ``Catalog`` would let
this module shrink to the reconciliation logic.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path, PurePosixPath
from typing import Any

from query.dates import date_from_epoch_ms
from query.records import NoteRecord
from server.vault.catalog import Catalog
from server.vault.exclusions import Exclusions
from server.vault.linker import link_record
from server.vault.paths import is_within
from server.vault.scanner import Problem, WalkResult, read_note, walk_vault

__all__ = ["BatchResult", "WarmResult", "apply_paths", "catalog_state", "warm_scan"]

# Problems that come from reading a note's bytes (kept with a cached record); the others come
# from walking the vault and are found afresh by every walk.
_CONTENT_PROBLEMS = frozenset({"binary", "encoding", "frontmatter", "parse"})


def content_hash(data: bytes) -> str:
    """The catalog's content hash (must match ``Catalog._ingest``)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(slots=True)
class BatchResult:
    changed: list[str] = field(default_factory=list)  # notes created or modified
    removed: list[str] = field(default_factory=list)  # notes deleted or renamed away
    relinked: bool = False  # the path set changed, so every note was re-linked

    @property
    def empty(self) -> bool:
        return not self.changed and not self.removed and not self.relinked


def _is_excluded(rel: str, exclusions: Exclusions) -> bool:
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        if exclusions.excludes_dir("/".join(parts[:depth])):
            return True
    return exclusions.excludes_file(rel) or exclusions.excludes_dir(rel)


def _walk_problems(catalog: Catalog, walk: WalkResult) -> None:
    for path, problems in list(catalog._problems.items()):
        kept = [p for p in problems if p.kind in _CONTENT_PROBLEMS]
        if kept:
            catalog._problems[path] = kept
        else:
            del catalog._problems[path]
    for problem in walk.problems:
        catalog._report(problem)


def apply_paths(
    catalog: Catalog, root: Path, rel_paths: Iterable[str], exclusions: Exclusions
) -> BatchResult:
    """Reconcile the catalog with the disk for every touched vault-relative path."""
    result = BatchResult()
    parsed = catalog._parsed
    others = catalog._other_files
    before = set(parsed) | others
    upserts: dict[str, Path] = {}
    removals: set[str] = set()
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
            if rel in parsed or rel in others:
                removals.add(rel)
            elif _has_children(rel, before):
                needs_walk = True  # a folder was deleted or renamed away
        elif stat.S_ISDIR(info.st_mode):
            needs_walk = True  # a folder appeared (created, or renamed into place)
        elif stat.S_ISREG(info.st_mode):
            if rel.endswith(".md"):
                upserts[rel] = absolute
            elif rel not in others:
                others.add(rel)
    if needs_walk:
        walk = walk_vault(root, exclusions)
        on_disk = {rel for rel, _ in walk.notes}
        removals.update(path for path in parsed if path not in on_disk)
        for rel, absolute in walk.notes:
            if rel not in parsed:
                upserts.setdefault(rel, absolute)
        others.clear()
        others.update(walk.other_files)
        catalog.excluded = walk.excluded
        _walk_problems(catalog, walk)
    for rel in removals:
        others.discard(rel)
        if rel in parsed:
            catalog._problems.pop(rel, None)
            catalog._forget(rel)
            result.removed.append(rel)
    for rel, absolute in sorted(upserts.items()):
        _upsert(catalog, rel, absolute, result)
    if (set(parsed) | others) != before:
        previous = dict(catalog._records)
        catalog._link_all()
        # Keep the old object for every record the re-link left equal: the service reuses a
        # note's cached page object when its record is the *same object* (see service._publish).
        records = catalog._records
        for path, record in records.items():
            old = previous.get(path)
            if old is not None and old == record:
                records[path] = old
        result.relinked = True
    else:
        for rel in result.changed:
            if rel in parsed:
                catalog._records[rel] = link_record(parsed[rel], catalog.resolver.resolve)
    return result


def _has_children(rel: str, paths: set[str]) -> bool:
    prefix = rel + "/"
    return any(path.startswith(prefix) for path in paths)


def _upsert(catalog: Catalog, rel: str, absolute: Path, result: BatchResult) -> None:
    try:
        found = read_note(absolute)
    except OSError as exc:
        if rel in catalog._parsed:
            catalog._forget(rel)
            result.removed.append(rel)
        if not isinstance(exc, FileNotFoundError):
            catalog._problems[rel] = [Problem(rel, "unreadable", exc.strerror or str(exc))]
        return
    old = catalog._parsed.get(rel)
    if old is not None and old.content_hash == content_hash(found.data):
        ctime = date_from_epoch_ms(found.ctime_ms, catalog.local)
        mtime = date_from_epoch_ms(found.mtime_ms, catalog.local)
        if old.ctime == ctime and old.mtime == mtime:
            return  # same bytes, same times: nothing a query could see changed
    if catalog._ingest(rel, found.data, found.ctime_ms, found.mtime_ms):
        result.changed.append(rel)
    elif old is not None:
        result.removed.append(rel)


# -- warm start ------------------------------------------------------------------------------


@dataclass(slots=True)
class WarmResult:
    catalog: Catalog
    reused: int = 0
    reparsed: int = 0
    relinked: bool = False


def catalog_state(catalog: Catalog) -> dict[str, Any]:
    """What the cache stores: shallow copies, safe to pickle while the catalog moves on."""
    return {
        "parsed": dict(catalog._parsed),
        "records": dict(catalog._records),
        "other_files": sorted(catalog._other_files),
        "problems": {path: list(items) for path, items in catalog._problems.items()},
        "inline_counts": dict(catalog._inline_counts),
        "excluded": catalog.excluded,
    }


def warm_scan(
    root: Path,
    state: Mapping[str, Any] | None,
    *,
    local: tzinfo,
    exclusions: Exclusions,
    config_problem: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WarmResult:
    """Scan the vault, reusing ``state``'s parsed records where the content hash matches."""
    catalog = Catalog(local)
    cached_parsed: Mapping[str, NoteRecord] = state["parsed"] if state else {}
    cached_records: Mapping[str, NoteRecord] = state["records"] if state else {}
    cached_problems: Mapping[str, list[Problem]] = state["problems"] if state else {}
    cached_counts: Mapping[str, int] = state["inline_counts"] if state else {}
    if config_problem:
        catalog._report(Problem(".obsidian/app.json", "config", config_problem))
    walk = walk_vault(root, exclusions)
    catalog.excluded = walk.excluded
    catalog._other_files.update(walk.other_files)
    for problem in walk.problems:
        catalog._report(problem)
    out = WarmResult(catalog)
    reused_records: dict[str, NoteRecord] = {}
    total = len(walk.notes)
    for done, (rel, absolute) in enumerate(walk.notes, 1):
        try:
            found = read_note(absolute)
        except FileNotFoundError:
            catalog._report(Problem(rel, "vanished", "file disappeared during the scan"))
        except OSError as exc:
            catalog._report(Problem(rel, "unreadable", exc.strerror or str(exc)))
        else:
            old = cached_parsed.get(rel)
            if old is not None and old.content_hash == content_hash(found.data):
                ctime = date_from_epoch_ms(found.ctime_ms, local)
                mtime = date_from_epoch_ms(found.mtime_ms, local)
                same_times = old.ctime == ctime and old.mtime == mtime
                # A sync tool touched the times only: no re-parse, just new times.
                catalog._parsed[rel] = (
                    old if same_times else dataclasses.replace(old, ctime=ctime, mtime=mtime)
                )
                record = cached_records.get(rel)
                if record is not None:
                    reused_records[rel] = (
                        record
                        if same_times
                        else dataclasses.replace(record, ctime=ctime, mtime=mtime)
                    )
                catalog._inline_counts[rel] = cached_counts.get(rel, 0)
                for problem in cached_problems.get(rel, []):
                    if problem.kind in _CONTENT_PROBLEMS:
                        catalog._report(problem)
                out.reused += 1
            else:
                catalog._ingest(rel, found.data, found.ctime_ms, found.mtime_ms)
                out.reparsed += 1
        if progress is not None and (done % 256 == 0 or done == total):
            progress(done, total)
    cached_paths = set(cached_parsed) | set(state["other_files"] if state else ())
    if (set(catalog._parsed) | catalog._other_files) == cached_paths and len(reused_records) == len(
        catalog._parsed
    ) - out.reparsed:
        # Same paths as the cached vault: links resolve as before; link only what was re-read.
        from query.links import LinkResolver

        catalog.resolver = LinkResolver([*catalog._parsed, *catalog._other_files])
        resolve = catalog.resolver.resolve
        records = dict(reused_records)
        for rel, parsed in catalog._parsed.items():
            if rel not in records:
                records[rel] = link_record(parsed, resolve)
        catalog._records = {path: records[path] for path in sorted(records)}
    else:
        catalog._link_all()
        out.relinked = True
    return out
