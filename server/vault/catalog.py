"""The catalog: every note's record, the link resolver, and what went wrong, for one vault.

Build it from disk with :meth:`Catalog.scan` or from in-memory files with
:meth:`Catalog.from_sources` (the conformance runner's test vault). Building is two steps: each
note is parsed on its own (:func:`server.vault.markdown.parse_note`, links as written), then every
parsed note is linked against the vault's paths (:func:`server.vault.linker.link_record`). The
catalog keeps the parsed form, so :meth:`upsert` and :meth:`remove` can later re-parse one file
and re-link without a full rebuild (the watcher uses that).

Bad files never stop a build: binary files (NUL bytes) are reported and skipped; invalid UTF-8 is
decoded with replacement characters and reported; unreadable or vanished files are reported. The
catalog never writes to the vault.
"""

from __future__ import annotations

import codecs
import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from query.dates import date_from_epoch_ms
from query.links import LinkResolver
from query.records import NoteRecord
from server.vault.exclusions import Exclusions
from server.vault.linker import link_record
from server.vault.markdown import parse_note
from server.vault.scanner import Problem, read_note, walk_vault

Progress = Callable[[int, int], None]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building: records hold no cycles, and with millions of fresh
    objects the collector's repeated full passes otherwise cost more than the parsing. Afterwards
    the surviving objects are frozen (``gc.freeze``) so later collections skip them; they are
    still freed by reference counting when the catalog lets go of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file given in memory: vault path, bytes, and times in epoch milliseconds."""

    path: str
    data: bytes
    ctime_ms: float
    mtime_ms: float


@dataclass(frozen=True, slots=True)
class Summary:
    notes: int
    sections: int
    links_resolved: int
    links_unresolved: int
    tags: int  # distinct tags (file.tags)
    tasks: int
    list_items: int
    inline_fields: int
    excluded: int
    files_with_problems: int
    problems_by_kind: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "notes": self.notes,
            "sections": self.sections,
            "links": {"resolved": self.links_resolved, "unresolved": self.links_unresolved},
            "tags": self.tags,
            "tasks": self.tasks,
            "list_items": self.list_items,
            "inline_fields": self.inline_fields,
            "excluded": self.excluded,
            "files_with_problems": self.files_with_problems,
            "problems_by_kind": dict(self.problems_by_kind),
            "problems": [problem.to_dict() for problem in self.problems],
        }


def _system_zone() -> tzinfo:
    from server.localzone import local_zone

    return local_zone()


class Catalog:
    """Records by path, plus the resolver and per-file problems."""

    def __init__(self, local: tzinfo | None = None) -> None:
        self.local = local if local is not None else _system_zone()
        self._parsed: dict[str, NoteRecord] = {}
        self._records: dict[str, NoteRecord] = {}
        self._inline_counts: dict[str, int] = {}
        self._problems: dict[str, list[Problem]] = {}
        self._other_files: set[str] = set()
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
        with _no_gc():
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
        exclusions, config_problem = Exclusions.for_vault(root, exclude, index_dir)
        if config_problem:
            catalog._report(Problem(".obsidian/app.json", "config", config_problem))
        walk = walk_vault(root, exclusions)
        catalog.excluded = walk.excluded
        catalog._other_files.update(walk.other_files)
        for problem in walk.problems:
            catalog._report(problem)
        total = len(walk.notes)
        for done, (rel, absolute) in enumerate(walk.notes, 1):
            try:
                found = read_note(absolute)
            except FileNotFoundError:
                catalog._report(Problem(rel, "vanished", "file disappeared during the scan"))
            except PermissionError as exc:
                catalog._report(Problem(rel, "unreadable", exc.strerror or str(exc)))
            except OSError as exc:
                catalog._report(Problem(rel, "unreadable", exc.strerror or str(exc)))
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
        with _no_gc():
            for source in sources:
                if source.path.endswith(".md"):
                    catalog._ingest(source.path, source.data, source.ctime_ms, source.mtime_ms)
                else:
                    catalog._other_files.add(source.path)
            catalog._link_all()
        catalog.elapsed = time.perf_counter() - started
        return catalog

    def _report(self, problem: Problem) -> None:
        self._problems.setdefault(problem.path, []).append(problem)

    def _ingest(self, path: str, data: bytes, ctime_ms: float, mtime_ms: float) -> bool:
        """Parse one note into ``_parsed``; False when it was skipped."""
        self._problems.pop(path, None)
        if b"\x00" in data:
            self._report(Problem(path, "binary", "contains NUL bytes; not a text note"))
            self._forget(path)
            return False
        errors: list[str] = []
        body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = body.decode("utf-8", errors="replace")
            message = f"invalid UTF-8 at byte {exc.start}; decoded with replacement characters"
            errors.append(message)
            self._report(Problem(path, "encoding", message))
        counters: dict[str, int] = {}
        try:
            parsed = parse_note(
                path,
                text,
                local=self.local,
                size=len(data),
                ctime=date_from_epoch_ms(ctime_ms, self.local),
                mtime=date_from_epoch_ms(mtime_ms, self.local),
                content_hash=hashlib.blake2b(data, digest_size=16).hexdigest(),
                errors=tuple(errors),
                counters=counters,
            )
        except (RecursionError, MemoryError, ValueError) as exc:  # defensive: never seen
            self._report(Problem(path, "parse", f"{type(exc).__name__}: {exc}"))
            self._forget(path)
            return False
        for error in parsed.errors:
            if error.startswith(("invalid YAML", "frontmatter")):
                self._report(Problem(path, "frontmatter", error))
        self._parsed[path] = parsed
        self._inline_counts[path] = counters.get("inline_fields", 0)
        return True

    def _forget(self, path: str) -> None:
        self._parsed.pop(path, None)
        self._records.pop(path, None)
        self._inline_counts.pop(path, None)

    def _link_all(self) -> None:
        self.resolver = LinkResolver([*self._parsed, *self._other_files])
        resolve = self.resolver.resolve
        self._records = {
            path: link_record(self._parsed[path], resolve) for path in sorted(self._parsed)
        }

    # -- incremental updates -----------------------------------------------------------------

    def upsert(self, source: SourceFile) -> None:
        """Re-read one note; re-link everything only when the set of paths changed."""
        is_new = source.path not in self._parsed
        if not self._ingest(source.path, source.data, source.ctime_ms, source.mtime_ms):
            self._link_all()
            return
        if is_new:
            self._link_all()
        else:
            self._records[source.path] = link_record(
                self._parsed[source.path], self.resolver.resolve
            )

    def remove(self, path: str) -> None:
        """Forget one note (deleted or renamed away) and re-link the rest."""
        self._problems.pop(path, None)
        if path in self._parsed:
            self._forget(path)
            self._link_all()

    # -- reading -----------------------------------------------------------------------------

    def records(self) -> list[NoteRecord]:
        """Every note's record, sorted by path."""
        return [self._records[path] for path in sorted(self._records)]

    def get(self, path: str) -> NoteRecord | None:
        return self._records.get(path)

    def __len__(self) -> int:
        return len(self._records)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for path in sorted(self._problems) for p in self._problems[path])

    def summary(self) -> Summary:
        resolved = unresolved = sections = tasks = items = 0
        tags: set[str] = set()
        for record in self._records.values():
            sections += len(record.sections)
            items += len(record.lists)
            tasks += sum(1 for item in record.lists if item.task)
            tags.update(record.tags)
            for link in record.outlinks:
                if link.path in self.resolver:
                    resolved += 1
                else:
                    unresolved += 1
        by_kind: dict[str, int] = {}
        problems = self.problems
        for problem in problems:
            by_kind[problem.kind] = by_kind.get(problem.kind, 0) + 1
        return Summary(
            notes=len(self._records),
            sections=sections,
            links_resolved=resolved,
            links_unresolved=unresolved,
            tags=len(tags),
            tasks=tasks,
            list_items=items,
            inline_fields=sum(self._inline_counts.values()),
            excluded=self.excluded,
            files_with_problems=len({p.path for p in problems}),
            problems_by_kind=by_kind,
            problems=problems,
        )
