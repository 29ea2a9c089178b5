"""The vault service: the catalog, the current query snapshot, and everything that changes them.

One :class:`VaultService` per vault. It owns a :class:`~server.vault.catalog.Catalog` (mutable,
touched only under the writer lock) and publishes immutable :class:`Snapshot` objects — a
:class:`~query.index.VaultIndex` plus a monotonic revision. Readers take the current snapshot
with one attribute read, so a query always sees one consistent state, never half a batch.

Writers: :meth:`load` (once: a warm start from the cache, or a cold scan),
:meth:`apply_changes` (a batch of touched paths from the watcher) and :meth:`rescan` (the vault
folder itself was replaced, or vanished and came back: everything is read again, as a warm start
does; :meth:`check_root` compares the folder's identity). While the folder is missing or being
read again the service is not ready — ``/status`` says why and :meth:`snapshot` raises
:class:`NotReadyError` (503) — since the last snapshot may no longer be what is on disk.
Each successful batch bumps the revision and announces it on the
:class:`~server.application.broadcast.EventHub`; the cache is saved
30 s after the last change (pickling a large vault holds the GIL for a second or two, so
not after every edit) and at :meth:`close`. Everything here blocks: call it from a
worker thread, never the event loop.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from query.index import VaultIndex
from server.application.broadcast import EventHub
from server.application.catalog_cache import CatalogCache
from server.application.catalog_sync import apply_paths, catalog_state, rescan, warm_scan
from server.application.progress import Progress
from server.dashboards.conventions import ConfigError, DashboardConfig, load_config
from server.dashboards.file_fields import FileFields
from server.errors import NotReadyError
from server.vault.catalog import Catalog, ChangeSet
from server.vault.exclusions import Exclusions
from server.vault.scanner import Problem

__all__ = ["NotReadyError", "Snapshot", "VaultService"]

log = logging.getLogger("vaultql.server")

MAX_STATUS_PROBLEMS = 500
VAULT_MISSING = "the vault folder is missing (moved, deleted or unmounted)"
RESCANNING = "the vault folder was replaced; reading it again"


@dataclass(slots=True)
class FeedBatch:
    """Changes gathered for one consumer (the search index) since it last took them."""

    changes: ChangeSet = field(default_factory=ChangeSet)
    texts: dict[str, bytes] = field(default_factory=dict)  # of changed notes, as read
    full: bool = False  # everything may have changed: compare every note


class ChangeFeed:
    """Every applied batch, merged until the consumer takes them (``VaultService.take_changes``):
    a burst of edits while the search index is busy becomes one update, and the bytes the
    catalog read are handed over instead of read again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: FeedBatch | None = None

    def add(self, changes: ChangeSet, texts: Mapping[str, bytes]) -> None:
        with self._lock:
            batch = self._pending or FeedBatch()
            batch.changes.merge(changes)
            for path in changes.removed:
                batch.texts.pop(path, None)
            batch.texts.update(texts)
            self._pending = batch

    def everything(self) -> None:
        with self._lock:
            self._pending = FeedBatch(full=True)

    def take(self) -> FeedBatch | None:
        with self._lock:
            batch, self._pending = self._pending, None
            return batch


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: int
    index: VaultIndex
    problems: tuple[Problem, ...]
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


class VaultService:
    def __init__(
        self,
        vault: Path,
        *,
        local: tzinfo | None = None,
        cache: CatalogCache | None = None,
        index_dir: Path | None = None,
        exclude: Iterable[str] = (),
        save_delay_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from server.vault.local_zone import local_zone

        self.vault = Path(vault).resolve()
        self._vault_prefix = os.path.join(str(self.vault), "")  # "/path/to/vault/"
        self._feed = ChangeFeed()
        self.local = local if local is not None else local_zone()
        self.cache = cache
        self.index_dir = index_dir
        self.exclude = tuple(exclude)
        self.hub = EventHub()
        self.progress = Progress(clock)
        self.cache_info: dict[str, Any] = {"enabled": cache is not None}
        self.exclusions = Exclusions.for_vault(self.vault, self.exclude, index_dir)
        self._file_fields = FileFields(_dashboard_config(self.vault))
        self._catalog: Catalog | None = None
        self._snapshot: Snapshot | None = None
        self._write = threading.RLock()
        self._loaded = threading.Event()
        self._load_started = False
        self._summary: tuple[int, dict[str, Any]] | None = None
        self._save_delay = save_delay_s
        self._save_timer: threading.Timer | None = None
        self._dirty = False  # the catalog has changes the cache does not hold yet
        self._save_lock = threading.Lock()  # one save at a time; close() waits for it
        self._last_progress = 0.0
        self._root_id: tuple[int, int] | None = None  # the vault folder's (st_dev, st_ino)
        self._unavailable: str | None = None  # why the last snapshot must not be served now

    # -- reading -------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._snapshot is not None and self._unavailable is None

    @property
    def revision(self) -> int:
        snapshot = self._snapshot
        return snapshot.revision if snapshot is not None else 0

    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot  # one read: the snapshot a caller uses never changes under it
        if snapshot is None:
            raise NotReadyError("the index is still loading; see /api/v1/status")
        unavailable = self._unavailable
        if unavailable is not None:
            raise NotReadyError(f"{unavailable}; see /api/v1/status")
        return snapshot

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._loaded.wait(timeout) and self.ready

    def hello(self) -> dict[str, Any]:
        return {"revision": self.revision, "phase": self.progress.snapshot()["phase"]}

    def status(self) -> dict[str, Any]:
        snapshot = self._snapshot
        unavailable = self._unavailable
        out: dict[str, Any] = {
            "ready": snapshot is not None and unavailable is None,
            "revision": snapshot.revision if snapshot is not None else 0,
            "progress": self.progress.snapshot(),
            "cache": dict(self.cache_info),
        }
        if unavailable is not None:
            # No counts from a snapshot that may be wrong (nor a wait for the lock a rescan holds).
            out["reason"] = unavailable
            return out
        if snapshot is None:
            return out
        summary = self._cached_summary(snapshot.revision)
        out["notes"] = len(snapshot.index)
        out["excluded"] = summary["excluded"]
        out["summary"] = {k: v for k, v in summary.items() if k != "problems"}
        out["problems_total"] = len(snapshot.problems)
        out["problems"] = [p.to_dict() for p in snapshot.problems[:MAX_STATUS_PROBLEMS]]
        return out

    def summary(self) -> dict[str, Any]:
        """The catalog's summary (counts and every problem) at the current revision."""
        return dict(self._cached_summary(self.revision))

    def _cached_summary(self, revision: int) -> dict[str, Any]:
        cached = self._summary
        if cached is not None and cached[0] >= revision:
            return cached[1]
        with self._write:
            assert self._catalog is not None
            summary = (self.revision, self._catalog.summary().to_dict())
        self._summary = summary
        return summary[1]

    def records(self) -> list[Any]:
        """The current catalog's records, sorted by path (tests compare them with a cold scan)."""
        with self._write:
            return self._catalog.records() if self._catalog is not None else []

    # -- writing -------------------------------------------------------------------------------

    def load(self, *, warm_pages: bool = True) -> None:
        """Build the first snapshot: warm from the cache when it is valid, else a full scan.
        Then (``warm_pages``) build every page object, for a server's later queries."""
        with self._write:
            if self._load_started:
                return
            self._load_started = True
        self._root_id = _identity(self.vault)  # before the walk: a swap during it is noticed
        try:
            catalog = self._build_catalog()
        except BaseException as exc:
            self.progress.set_phase("failed", f"{type(exc).__name__}: {exc}")
            self._loaded.set()
            raise
        info = self.cache_info
        stale = not (info.get("used") and not info.get("reparsed") and not info.get("relinked"))
        with self._write:
            self._catalog = catalog
            self._dirty = self.cache is not None and stale
            snapshot = self._publish()
            self._feed.everything()
        if self._unavailable is None:
            self.progress.set_phase("ready")
        self._publish_progress(force=True)
        self._loaded.set()
        if self._dirty:
            self.save()  # first: a stop right after the start still leaves a warm cache behind
        # Every page object next (≈ 0.3 s at 10k notes), so later queries find them built; a
        # query arriving meanwhile builds the pages it needs itself (a page built twice is built
        # the same, and the caches are plain dicts).
        if warm_pages:
            snapshot.index.warm()

    def _build_catalog(self) -> Catalog:
        state = None
        if self.cache is not None:
            self.progress.set_phase("loading-cache")
            started = time.perf_counter()
            loaded = self.cache.load()
            state = loaded.state
            self.cache_info.update(
                path=str(self.cache.path),
                used=state is not None,
                discarded=loaded.reason,
                load_s=round(time.perf_counter() - started, 3),
            )
        self.progress.begin("scanning")
        result = warm_scan(
            self.vault,
            state,
            local=self.local,
            exclusions=self.exclusions,
            progress=self._on_progress,
        )
        self.cache_info.update(
            reused=result.reused, reparsed=result.reparsed, relinked=result.relinked
        )
        return result.catalog

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.advance(done, total)
        self._publish_progress()

    def _publish_progress(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_progress >= 0.1:
            self._last_progress = now
            self.hub.publish("progress", self.progress.snapshot())

    def apply_changes(self, paths: Iterable[str | os.PathLike[str]]) -> Snapshot | None:
        """Reconcile touched paths (vault-relative, or absolute as the watcher reports them)
        with the disk; the new snapshot, or ``None`` when nothing a query could see changed."""
        relative = [rel for rel in (self._relative(path) for path in paths) if rel is not None]
        self._loaded.wait()
        with self._write:
            if self._catalog is None or not relative or self._unavailable is not None:
                return None  # while the folder is missing or re-read, rescan() has the last word
            problems = self._catalog.problems
            applied = apply_paths(self._catalog, self.vault, relative, self.exclusions)
            changes = applied.changes
            if changes.empty and self._catalog.problems == problems:
                return None
            snapshot = self._publish(changes)
            self._feed.add(changes, applied.texts)
        self._schedule_save()
        return snapshot

    def take_changes(self) -> FeedBatch | None:
        """What changed since the last call, for the search index: the notes changed and
        removed, the bytes the catalog read of the changed ones, or ``full`` (read everything
        again: the first load, a rescan). None when nothing did."""
        return self._feed.take()

    def check_root(self) -> str:
        """Whether the vault folder is still the one indexed: ``"ok"``; ``"missing"`` (now not
        ready, until it is back and :meth:`rescan` ran); ``"changed"`` (replaced by another
        folder — ``mv V V.old && cp -a V.old V``, a remount — or back after missing: call
        :meth:`rescan`). One ``stat``; the watcher calls it every second and before each batch."""
        identity = _identity(self.vault)
        if identity is None:
            if self._unavailable != VAULT_MISSING:
                log.warning("%s: %s", self.vault, VAULT_MISSING)
                self._unavailable = VAULT_MISSING
                self.progress.set_phase("vault-missing", VAULT_MISSING)
                self._publish_progress(force=True)
            return "missing"
        if self._root_id is None:  # the first load has not started
            return "ok"
        if identity != self._root_id or self._unavailable == VAULT_MISSING:
            return "changed"
        return "ok"  # (also while a rescan of this folder runs)

    def rescan(self) -> Snapshot | None:
        """Read the whole vault folder again (after :meth:`check_root` said ``"changed"``): the
        configuration too, every file re-read and re-parsed only where its bytes changed, as a
        warm start does. Not ready meanwhile; ready again with the new snapshot, unless the
        folder changed again during the scan (then the next check asks for another rescan)."""
        self._loaded.wait()
        identity = _identity(self.vault)
        with self._write:
            if self._catalog is None or identity is None:
                return None
            self._root_id = identity  # first: check_root() now says "ok" unless it changes again
            self._unavailable = RESCANNING
            self.progress.begin("rescanning")
            self.progress.set_phase("rescanning", RESCANNING)
            self._publish_progress(force=True)
            log.warning("%s: %s", self.vault, RESCANNING)
            try:
                self.exclusions = Exclusions.for_vault(self.vault, self.exclude, self.index_dir)
                self._file_fields = FileFields(_dashboard_config(self.vault))
                result = rescan(self._catalog, self.vault, self.exclusions, self._on_progress)
                # A full build, not a derived index: the file fields' configuration may differ.
                snapshot = self._publish(result, full=True)
                self._feed.everything()
            except Exception as exc:  # stays not ready, and says why
                log.exception("reading the vault folder again failed")
                self._unavailable = f"reading the vault folder again failed: {exc}"
                self.progress.set_phase("failed", self._unavailable)
                raise
            if _identity(self.vault) == identity:
                self._unavailable = None
                self.progress.set_phase("ready")
        self._publish_progress(force=True)
        self._schedule_save()
        return snapshot

    def recheck(self, path: str) -> None:
        """Reconcile one note with the disk now: a reader found it is no longer what the index
        holds (a symlink leaving the vault swapped in, with no watcher to say so)."""
        self.apply_changes([path])

    def _relative(self, path: str | os.PathLike[str]) -> str | None:
        text = os.fspath(path)
        if not os.path.isabs(text):
            return text.replace(os.sep, "/").strip("/") or None
        if not text.startswith(self._vault_prefix):
            return None  # outside the vault: not ours
        return text[len(self._vault_prefix) :].replace(os.sep, "/") or None

    def _publish(self, changes: ChangeSet | None = None, *, full: bool = False) -> Snapshot:
        """Swap in a new snapshot (writer lock held) and announce it.

        After the first, each index is *derived* from the previous one, once: only the notes
        whose records changed (edited, or re-linked because a path appeared or vanished) and
        those whose inlinks or PARA fields (``file.para``, ``file.project``, ``file.status``)
        changed are rebuilt, so an edit costs milliseconds, not a vault rebuild. ``full`` (or no
        ``changes``) builds it from scratch (the first load, a rescan).
        """
        assert self._catalog is not None
        catalog = self._catalog
        previous = self._snapshot.index if self._snapshot is not None and not full else None
        fields = self._file_fields
        changed: tuple[str, ...] = ()
        removed: tuple[str, ...] = ()
        if changes is not None:
            changed, removed = tuple(changes.changed), tuple(changes.removed)
        if previous is None or changes is None:
            index = VaultIndex(catalog.records(), catalog.resolver, file_extras=fields.full)
        else:
            touched = changes.records_changed
            upserts = [r for p in touched if (r := catalog.get(p)) is not None]
            index = VaultIndex.derive(
                previous,
                upserts,
                removed,
                catalog.resolver,
                file_extras=lambda new: fields.update(previous, new, touched, removed),
            )
        snapshot = Snapshot(self.revision + 1, index, catalog.problems, changed, removed)
        self._snapshot = snapshot  # the swap: a single reference assignment
        self.hub.publish(
            "revision",
            {"revision": snapshot.revision, "changed": list(changed), "removed": list(removed)},
        )
        return snapshot

    # -- persistence ---------------------------------------------------------------------------

    def _schedule_save(self) -> None:
        if self.cache is None:
            return
        with self._write:
            self._dirty = True
            if self._save_timer is not None:
                self._save_timer.cancel()
            timer = threading.Timer(self._save_delay, self.save)
            timer.daemon = True
            self._save_timer = timer
            timer.start()

    def save(self) -> None:
        """Write the cache now (atomically); failures are logged, never raised."""
        if self.cache is None:
            return
        with self._save_lock:
            self._save_now()

    def _save_now(self) -> None:
        assert self.cache is not None
        with self._write:
            if self._catalog is None:
                return
            state = catalog_state(self._catalog)  # shallow copies: pickled outside the lock
            self._dirty = False
        try:
            started = time.perf_counter()
            size = self.cache.save(state)
            self.cache_info.update(saved_bytes=size, save_s=round(time.perf_counter() - started, 3))
        except OSError as exc:
            log.warning("could not save the catalog cache: %s", exc)
            self.cache_info["save_error"] = str(exc)

    def close(self) -> None:
        """Stop the save timer and flush unsaved changes."""
        with self._write:
            timer, self._save_timer = self._save_timer, None
        if timer is not None:
            timer.cancel()
        if self.cache is None:
            return
        with self._save_lock:  # a save in flight (the first, after the load) finishes first
            if self._dirty:
                self._save_now()


def _identity(folder: Path) -> tuple[int, int] | None:
    """The folder's ``(st_dev, st_ino)``; None when it is missing or not a folder."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None


def _dashboard_config(vault: Path) -> DashboardConfig:
    """The vault's ``.vaultql.toml`` conventions; the defaults when it is broken (logged, and the
    dashboards endpoints report the error)."""
    try:
        return load_config(vault)
    except ConfigError as exc:
        log.warning("ignoring .vaultql.toml for the DQL file fields: %s", exc)
        return DashboardConfig()
