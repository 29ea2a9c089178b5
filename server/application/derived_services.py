"""Services derived from the vault snapshot — search and related notes — kept in step with it.

The vault service publishes a new snapshot per applied batch of changes. This module listens for
those revisions and brings the search index up to date in a worker thread, coalescing bursts: when
several revisions arrive while one update runs, only the newest snapshot is applied next. DQL and
keyword search never wait for embeddings; the search service embeds in its own background thread.

Nothing here runs unless the app was created with search enabled (``vaultql serve`` does; tests
opt in), so apps built for API tests do not load the embedding model.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.application.live_index import FeedBatch, VaultService
from server.errors import NotReadyError

log = logging.getLogger("vaultql.derived")


class DerivedServices:
    """Owns the search and related-notes services for one vault service.

    Built by :meth:`create`, the services themselves are made in :meth:`run` once the vault's
    first snapshot is ready: importing the search stack (NumPy, FAISS, Whoosh) and opening the
    keyword index cost ≈ 0.25 s that a restart need not spend before DQL answers. Until then
    ``search`` and ``related`` are ``None`` and their routes answer 503.
    """

    def __init__(
        self,
        service: VaultService,
        search: Any = None,
        related: Any = None,
        *,
        index_dir: Path | None = None,
        embedder_factory: Callable[[], Any] | None = None,
        model: bool = True,
        follow: bool = True,
    ) -> None:
        self.service = service
        self.search = search
        self.related = related
        self._index_dir = index_dir
        self._factory = embedder_factory
        self._model = model
        self._built_now = False
        self._follow = follow  # False: the services given are used as they are (tests)
        # Set once the search index holds the first snapshot (until then a search finds less
        # than is there): surfaces that would rather wait than answer short wait on it.
        self.indexed = threading.Event()
        if not follow:
            self.indexed.set()

    def _search_dir(self) -> Path | None:
        return self._index_dir / "search" if self._index_dir is not None else None

    def _embedder_factory(self) -> Callable[[], Any] | None:
        if not self._model:
            return None
        if self._factory is not None:
            return self._factory
        from server.search.embedder import MiniLMEmbedder

        return MiniLMEmbedder

    def _build(self) -> None:
        from server.related.related_service import RelatedService
        from server.search.search_service import SearchService, vault_text_reader

        search = SearchService(
            embedder_factory=self._embedder_factory(), index_dir=self._search_dir()
        )
        text_of = vault_text_reader(self.service.vault, self.service.recheck)
        self.related = RelatedService(self.service.snapshot, search, text_of)
        self.search = search  # last: a request that sees it finds ``related`` set too

    # -- one-shot ------------------------------------------------------------------------------

    def build_now(
        self, *, model: bool, progress: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        """For one request of a one-shot surface (a CLI command, ``vaultql get``): make the
        services in this thread, index the current snapshot and embed everything the embedding
        cache lacks (``model``; without it, keyword search only), reporting ``progress``."""
        if self._built_now or not self._follow:
            return
        from server.related.related_service import RelatedService
        from server.search.search_service import SearchService, vault_text_reader
        from server.search.snapshot_sync import apply_snapshot

        factory = self._embedder_factory() if model else None
        search = SearchService(
            factory() if factory is not None else None, index_dir=self._search_dir()
        )
        text_of = vault_text_reader(self.service.vault, self.service.recheck)
        apply_snapshot(search, self.service.snapshot().index, text_of, initial=True)
        while search.embed_pending_batch():
            if progress is not None:
                progress(search.progress())
        self.related = RelatedService(self.service.snapshot, search, text_of)
        self.search = search
        self._built_now = True
        self.indexed.set()

    def build_related_only(self) -> None:
        """Related notes without search (``mentions`` needs neither index nor model)."""
        if self.related is not None or not self._follow:
            return
        from server.related.related_service import RelatedService
        from server.search.search_service import vault_text_reader

        text_of = vault_text_reader(self.service.vault, self.service.recheck)
        self.related = RelatedService(self.service.snapshot, None, text_of)

    async def run(self, stop: asyncio.Event) -> None:
        """Make the services (once DQL is ready), index the first snapshot, start embedding,
        then follow every new revision."""
        if not self._follow:
            return
        subscription = self.service.hub.subscribe()  # before the load ends: no revision is missed
        try:
            # Ready, or not yet: loading, or the vault folder is missing right now.
            while not await asyncio.to_thread(self.service.wait_ready, 0.5):
                if stop.is_set() or self.service.progress.snapshot()["phase"] == "failed":
                    return
            if self.search is None:
                await asyncio.to_thread(self._build)  # imports too: off the event loop
            from server.search.search_service import vault_text_reader

            text_of = vault_text_reader(self.service.vault, self.service.recheck)
            self.service.take_changes()  # the first update below reads the whole snapshot
            full = not await self._update(None, text_of, initial=True)
            self.indexed.set()
            self.search.start()
            last_progress: dict[str, Any] | None = None
            while not stop.is_set():
                await subscription.get(timeout=0.5)
                last_progress = self._announce_progress(last_progress)
                batch = self.service.take_changes()  # every batch since the last: coalesced
                if batch is None and not full:
                    continue
                whole = full or batch is None or batch.full
                full = not await self._update(None if whole else batch, text_of)
        finally:
            subscription.close()

    async def _update(
        self, batch: FeedBatch | None, text_of: Callable[[str], str | None], initial: bool = False
    ) -> bool:
        """Bring the search index up to the current snapshot: ``batch``'s notes only, or every
        note (``None``). False when that could not be done now (not ready: a missing or re-read
        vault folder), so the next update compares every note."""
        from server.search.snapshot_sync import apply_changes, apply_snapshot

        try:
            index = self.service.snapshot().index
        except NotReadyError:
            return False
        try:
            if batch is None:
                await asyncio.to_thread(
                    apply_snapshot, self.search, index, text_of, initial=initial
                )
            else:
                changes = batch.changes
                await asyncio.to_thread(
                    apply_changes,
                    self.search,
                    index,
                    changes.changed,
                    changes.removed,
                    batch.texts,
                    text_of,
                )
        except Exception:  # a failed update must not stop later ones
            log.exception("updating the search index failed")
            return False
        return True

    def _announce_progress(self, last: dict[str, Any] | None) -> dict[str, Any]:
        """An ``embedding`` event on ``/events`` when the counts moved (at most every 0.5 s)."""
        progress = self.status()
        counts = {key: progress.get(key) for key in ("done", "total", "pending_notes")}
        if last is None or counts != last:
            self.service.hub.publish("embedding", progress)
        return counts

    def status(self) -> dict[str, Any]:
        if self.search is None:
            return {"phase": "starting"}
        return dict(self.search.progress())

    def close(self) -> None:
        if self.search is not None and self._follow:  # services given as they are stay open
            self.search.close()
