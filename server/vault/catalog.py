"""The catalog: every note's record, the link resolver, and what went wrong, for one vault.

Build it from disk with :meth:`Catalog.scan` or from in-memory files with
:meth:`Catalog.from_sources` (the conformance runner's test vault). Building is two steps: each
note is parsed on its own (:func:`server.vault.markdown.parse_note`, links as written), then every
parsed note is linked against the vault's paths (:func:`server.vault.linker.link_record`).

Later changes go through one batch call, :meth:`Catalog.apply` (files written, files gone,
attachments seen), which returns a :class:`ChangeSet`. A batch re-parses only the notes given
(and not even those when their bytes and times are unchanged), and when the set of paths changed
it re-links only the notes whose link targets could now resolve differently
(:mod:`server.vault.link_index`), keeping every other record object as it was. A warm start is
:meth:`Catalog.restore` from :meth:`Catalog.state` followed by one ``apply`` of what is on disk.

Bad files never stop a build: binary files (NUL bytes) are reported and skipped; invalid UTF-8 is
decoded with replacement characters and reported; unreadable or vanished files are reported by
the caller that read them (:meth:`report`). The catalog never writes to the vault.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Iterable, KeysView, Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any

from query.gc_pause import gc_paused
from query.links import LinkResolver
from query.records import NoteRecord
from query.temporal.dates import date_from_epoch_ms
from server.vault.catalog_summary import Summary, summarize
from server.vault.change_set import ChangeSet, SourceFile
from server.vault.exclusions import APP_JSON, Exclusions
from server.vault.link_index import LinkIndex
from server.vault.linker import link_record
from server.vault.note_file import CONTENT_PROBLEMS, content_hash, parse_file
from server.vault.reading import ESCAPE_MESSAGE, OutsideVaultError, Stamp, read_file
from server.vault.scanner import Problem, walk_vault

__all__ = ["Catalog", "ChangeSet", "SourceFile", "Summary", "content_hash"]

Progress = Callable[[int, int], None]

# When more paths than this (or than an eighth of the notes) appeared or vanished, checking every
# note beats collecting candidates.
_CHECK_ALL_MIN = 64


def _system_zone() -> tzinfo:
    from server.vault.local_zone import local_zone

    return local_zone()


class Catalog:
    """Records by path, plus the resolver and per-file problems."""

    def __init__(self, local: tzinfo | None = None) -> None:
        self.local = local if local is not None else _system_zone()
        self._parsed: dict[str, NoteRecord] = {}
        self._records: dict[str, NoteRecord] = {}
        self._inline_counts: dict[str, int] = {}
        self._stamps: dict[str, Stamp] = {}  # size and times each note was last read with
        self._attachment_stamps: dict[str, Stamp] = {}  # of attachments, as last seen
        self._problems: dict[str, list[Problem]] = {}
        self._other_files: set[str] = set()
        self._links: LinkIndex | None = None  # see _link_index
        self.resolver = LinkResolver(())
        self.excluded = 0
        self.elapsed = 0.0

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def scan(
        cls,
        vault_path: str | Path,
        *,
        local: tzinfo | None = None,
        progress: Progress | None = None,
        exclude: Iterable[str] = (),
        index_dir: Path | None = None,
    ) -> Catalog:
        """Read every note of the vault at ``vault_path`` (read-only)."""
        with gc_paused():
            return cls._scan(vault_path, local, progress, exclude, index_dir)

    @classmethod
    def _scan(
        cls,
        vault_path: str | Path,
        local: tzinfo | None,
        progress: Progress | None,
        exclude: Iterable[str],
        index_dir: Path | None,
    ) -> Catalog:
        started = time.perf_counter()
        catalog = cls(local)
        root = Path(vault_path)
        exclusions = Exclusions.for_vault(root, exclude, index_dir)
        walk = walk_vault(root, exclusions)
        catalog.excluded = walk.excluded
        catalog._other_files.update(walk.other_files)
        catalog.set_config_problems(exclusions.problems)
        for problem in walk.problems:
            catalog.report(problem)
        total = len(walk.notes)
        real_root = walk.real_root
        for done, (rel, absolute) in enumerate(walk.notes, 1):
            try:
                found = read_file(absolute, real_root)
            except FileNotFoundError:
                catalog.report(Problem(rel, "vanished", "file disappeared during the scan"))
            except OutsideVaultError:
                catalog.report(Problem(rel, "symlink-escape", ESCAPE_MESSAGE))
            except OSError as exc:
                catalog.report(Problem(rel, "unreadable", exc.strerror or str(exc)))
            else:
                catalog._ingest(rel, found.data, found.ctime_ms, found.mtime_ms)
            if progress is not None and (done % 256 == 0 or done == total):
                progress(done, total)
        catalog._link_all()
        catalog.elapsed = time.perf_counter() - started
        return catalog

    @classmethod
    def from_sources(
        cls,
        sources: Iterable[SourceFile],
        *,
        local: tzinfo | None = None,
        other_paths: Iterable[str] = (),
    ) -> Catalog:
        """A catalog of in-memory files (``.md`` ones are notes; the rest only resolve links)."""
        started = time.perf_counter()
        catalog = cls(local)
        catalog._other_files.update(other_paths)
        with gc_paused():
            for source in sources:
                if source.path.endswith(".md"):
                    catalog._ingest(source.path, source.data, source.ctime_ms, source.mtime_ms)
                else:
                    catalog._other_files.add(source.path)
            catalog._link_all()
        catalog.elapsed = time.perf_counter() - started
        return catalog

    # -- persisting --------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """What a cache stores to :meth:`restore` from: shallow copies, safe to pickle while the
        catalog moves on."""
        return {
            "parsed": dict(self._parsed),
            "records": dict(self._records),
            "other_files": sorted(self._other_files),
            "problems": {path: list(items) for path, items in self._problems.items()},
            "inline_counts": dict(self._inline_counts),
            "stamps": dict(self._stamps),
            "excluded": self.excluded,
        }

    @classmethod
    def restore(cls, state: Mapping[str, Any], *, local: tzinfo | None = None) -> Catalog:
        """The catalog ``state`` was taken from (its notes' content problems included), to be
        brought up to date with one :meth:`apply` of the files now on disk."""
        catalog = cls(local)
        parsed: Mapping[str, NoteRecord] = state["parsed"]
        records: Mapping[str, NoteRecord] = state["records"]
        counts: Mapping[str, int] = state["inline_counts"]
        catalog._other_files.update(state["other_files"])
        for path in sorted(parsed):
            record = records.get(path)
            if record is None:
                continue  # an inconsistent cache entry: the apply re-reads the file
            catalog._parsed[path] = parsed[path]
            catalog._records[path] = record
            catalog._inline_counts[path] = counts.get(path, 0)
            stamp = state.get("stamps", {}).get(path)
            if stamp is not None:
                catalog._stamps[path] = stamp
            kept = [p for p in state["problems"].get(path, ()) if p.kind in CONTENT_PROBLEMS]
            if kept:
                catalog._problems[path] = kept
        catalog.excluded = state["excluded"]
        catalog.resolver = LinkResolver([*catalog._parsed, *catalog._other_files])
        return catalog

    # -- problems ----------------------------------------------------------------------------

    def report(self, problem: Problem) -> None:
        """Record a problem with one file (callers report the files they failed to read)."""
        self._problems.setdefault(problem.path, []).append(problem)

    def set_config_problems(self, messages: Iterable[str], path: str = APP_JSON) -> bool:
        """Make ``messages`` the configuration problems reported against ``path`` (replacing
        earlier ones); whether anything changed."""
        current = self._problems.get(path, [])
        fresh = [Problem(path, "config", message) for message in messages]
        if [p for p in current if p.kind == "config"] == fresh:
            return False
        kept = [p for p in current if p.kind != "config"] + fresh
        if kept:
            self._problems[path] = kept
        else:
            self._problems.pop(path, None)
        return True

    def problems_of(self, path: str) -> tuple[Problem, ...]:
        return tuple(self._problems.get(path, ()))

    def clear_problems(self, path: str) -> None:
        self._problems.pop(path, None)

    def replace_walk_problems(self, problems: Iterable[Problem], notes: Collection[str]) -> None:
        """After a new walk of the vault: keep the content problems of ``notes`` (still on
        disk) and the config problem, and take ``problems`` as every other kind."""
        for path, items in list(self._problems.items()):
            kept = [
                p
                for p in items
                if p.kind == "config" or (p.kind in CONTENT_PROBLEMS and path in notes)
            ]
            if kept:
                self._problems[path] = kept
            else:
                del self._problems[path]
        for problem in problems:
            self.report(problem)

    # -- changing ----------------------------------------------------------------------------

    def apply(
        self,
        upserts: Iterable[SourceFile] = (),
        removals: Iterable[str] = (),
        *,
        attachments: Iterable[str] = (),
        attachment_stamps: Mapping[str, Stamp] | None = None,
    ) -> ChangeSet:
        """Bring a batch of file changes in: ``removals`` (notes or attachments) first, then
        ``upserts`` (``.md`` files are notes, anything else an attachment), then
        ``attachments`` (non-note paths that exist). ``upserts`` may be a generator; it is
        consumed once, one file at a time. Links are resolved afresh only where they could
        resolve differently, so the result equals a cold build of the same files.

        ``attachment_stamps`` are the size and times of touched attachments as they are now: one
        that existed with another stamp (or none known) was edited and is listed in
        ``attachments_changed`` (its ``file.size`` and ``file.mtime`` differ: queries must see a
        new revision)."""
        parsed = self._parsed
        others = self._other_files
        changes = ChangeSet()
        existed: dict[str, bool] = {}  # touched path -> whether it was a vault path before
        was_note: dict[str, bool] = {}
        fresh: dict[str, None] = {}  # notes parsed in this batch (to be linked)
        retimed: dict[str, None] = {}

        def touch(path: str) -> None:
            if path not in existed:
                existed[path] = path in parsed or path in others
                was_note[path] = path in parsed

        stamps = attachment_stamps or {}
        edited: list[str] = []
        for path in removals:
            touch(path)
            self._problems.pop(path, None)
            others.discard(path)
            self._attachment_stamps.pop(path, None)
            self._forget(path)
            fresh.pop(path, None)
            retimed.pop(path, None)
        for source in upserts:
            path = source.path
            touch(path)
            if not path.endswith(".md"):
                others.add(path)
                continue
            outcome = self._update(source)
            if outcome in ("same", "retimed"):
                changes.reused += 1
                if outcome == "retimed":
                    retimed[path] = None
                continue
            changes.reparsed += 1
            if outcome == "parsed":
                fresh[path] = None
                self._link_index().add(parsed[path])
            else:
                fresh.pop(path, None)
                retimed.pop(path, None)
        for path in attachments:
            if not path.endswith(".md"):
                touch(path)
                others.add(path)
                stamp = stamps.get(path)
                if stamp is not None:
                    before = self._attachment_stamps.get(path)
                    self._attachment_stamps[path] = stamp
                    if existed[path] and before != stamp:
                        edited.append(path)
        delta = [p for p, e in existed.items() if e != (p in parsed or p in others)]
        self._relink(fresh, delta, changes)
        changes.changed = sorted({*fresh, *retimed})
        changes.removed = sorted(p for p, was in was_note.items() if was and p not in parsed)
        changes.attachments_changed = sorted(p for p in edited if p in others)
        return changes

    def unchanged(self, path: str, stamp: Stamp) -> bool:
        """Whether the note at ``path`` was last read with this size and these times (then its
        bytes are taken to be the same, as git and rsync take them: a warm start need not read
        it)."""
        return self._stamps.get(path) == stamp

    def _update(self, source: SourceFile) -> str:
        """One note's new bytes: "same" (nothing to do), "retimed" (times only), "parsed",
        or "gone" (skipped: binary or unparseable)."""
        outcome = self._compare(source)
        if outcome != "gone":
            self._stamps[source.path] = (len(source.data), source.ctime_ms, source.mtime_ms)
        return outcome

    def _compare(self, source: SourceFile) -> str:
        old = self._parsed.get(source.path)
        if old is not None and old.content_hash == content_hash(source.data):
            ctime = date_from_epoch_ms(source.ctime_ms, self.local)
            mtime = date_from_epoch_ms(source.mtime_ms, self.local)
            if old.ctime == ctime and old.mtime == mtime:
                return "same"
            # A sync tool touched the times only: the parse does not depend on them.
            self._parsed[source.path] = dataclasses.replace(old, ctime=ctime, mtime=mtime)
            record = self._records[source.path]
            self._records[source.path] = dataclasses.replace(record, ctime=ctime, mtime=mtime)
            return "retimed"
        if self._ingest(source.path, source.data, source.ctime_ms, source.mtime_ms):
            return "parsed"
        return "gone"

    def _link_index(self) -> LinkIndex:
        """Which notes link to which names, built when a batch first needs it (a warm start that
        finds nothing changed never does) and kept up to date after."""
        if self._links is None:
            self._links = LinkIndex(self._parsed.values())
        return self._links

    def _relink(self, fresh: Iterable[str], delta: list[str], changes: ChangeSet) -> None:
        """Link the freshly parsed notes; when paths appeared or vanished, re-link the other
        notes whose targets now resolve differently (old and new resolution compared)."""
        old_resolve = self.resolver.resolve
        if delta:
            changes.paths_changed = True
            # Copy-on-write: the old resolver stays valid for snapshots that hold it.
            exists = [p in self._parsed or p in self._other_files for p in delta]
            self.resolver = self.resolver.with_changes(
                added=[p for p, e in zip(delta, exists, strict=True) if e],
                removed=[p for p, e in zip(delta, exists, strict=True) if not e],
            )
        resolve = self.resolver.resolve
        for path in fresh:
            self._records[path] = link_record(self._parsed[path], resolve)
        if not delta:
            return
        links = self._link_index()
        candidates: Iterable[str]
        if len(delta) > max(_CHECK_ALL_MIN, len(self._parsed) // 8):
            candidates = list(self._parsed)
        else:
            candidates = sorted(links.affected(delta))
        for path in candidates:
            if path in fresh:
                continue
            if any(old_resolve(t, path) != resolve(t, path) for t in links.targets(path)):
                self._records[path] = link_record(self._parsed[path], resolve)
                changes.relinked.append(path)

    def _ingest(self, path: str, data: bytes, ctime_ms: float, mtime_ms: float) -> bool:
        """Parse one note into ``_parsed``; False when it was skipped."""
        self._problems.pop(path, None)
        result = parse_file(path, data, ctime_ms, mtime_ms, self.local)
        for problem in result.problems:
            self.report(problem)
        if result.record is None:
            self._forget(path)
            return False
        self._parsed[path] = result.record
        self._inline_counts[path] = result.inline_fields
        return True

    def _forget(self, path: str) -> None:
        self._stamps.pop(path, None)
        self._parsed.pop(path, None)
        self._records.pop(path, None)
        self._inline_counts.pop(path, None)
        if self._links is not None:
            self._links.discard(path)

    def _link_all(self) -> None:
        self.resolver = LinkResolver([*self._parsed, *self._other_files])
        resolve = self.resolver.resolve
        self._records = {
            path: link_record(self._parsed[path], resolve) for path in sorted(self._parsed)
        }

    def upsert(self, source: SourceFile) -> ChangeSet:
        """Re-read one note (or note one attachment): ``apply([source])``."""
        return self.apply([source])

    def remove(self, path: str) -> ChangeSet:
        """Forget one note or attachment (deleted or renamed away): ``apply((), [path])``."""
        return self.apply((), [path])

    # -- reading -----------------------------------------------------------------------------

    def records(self) -> list[NoteRecord]:
        """Every note's record, sorted by path."""
        return [self._records[path] for path in sorted(self._records)]

    def get(self, path: str) -> NoteRecord | None:
        return self._records.get(path)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, path: object) -> bool:
        """Whether ``path`` is a note of the catalog."""
        return path in self._records

    def note_paths(self) -> KeysView[str]:
        return self._records.keys()

    @property
    def other_files(self) -> frozenset[str]:
        """The vault's non-note files (attachments), which links may resolve to."""
        return frozenset(self._other_files)

    def has_file(self, path: str) -> bool:
        """Whether ``path`` is a note or an attachment of the vault."""
        return path in self._parsed or path in self._other_files

    def has_files_under(self, folder: str) -> bool:
        """Whether any note or attachment lies inside ``folder`` (a vault path)."""
        prefix = folder + "/"
        return any(p.startswith(prefix) for p in self._parsed) or any(
            p.startswith(prefix) for p in self._other_files
        )

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for path in sorted(self._problems) for p in self._problems[path])

    def summary(self) -> Summary:
        return summarize(
            self._records.values(),
            self.resolver,
            sum(self._inline_counts.values()),
            self.excluded,
            self.problems,
        )
