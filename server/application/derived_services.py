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
import contextlib
import logging
from pathlib import Path
from typing import Any

from server.application.live_index import NotReadyError, VaultService

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
    ) -> None:
        self.service = service
        self.search = search
        self.related = related
        self._index_dir = index_dir

    @classmethod
    def create(cls, service: VaultService, index_dir: Path | None) -> DerivedServices:
        """Search and related notes over ``service``, made when :meth:`run` starts them."""
        return cls(service, index_dir=index_dir)

    def _build(self) -> None:
        from server.related.related_service import RelatedService
        from server.search.embedder import MiniLMEmbedder
        from server.search.search_service import SearchService, vault_text_reader

        index_dir = self._index_dir
        search = SearchService(
            embedder_factory=MiniLMEmbedder,
            index_dir=index_dir / "search" if index_dir is not None else None,
        )
        text_of = vault_text_reader(self.service.vault, self.service.recheck)
        self.related = RelatedService(self.service.snapshot, search, text_of)
        self.search = search  # last: a request that sees it finds ``related`` set too

    async def run(self, stop: asyncio.Event) -> None:
        """Make the services (once DQL is ready), index the first snapshot, start embedding,
        then follow every new revision."""
        subscription = self.service.hub.subscribe()  # before the load ends: no revision is missed
        try:
            # Ready, or not yet: loading, or the vault folder is missing right now.
            while not await asyncio.to_thread(self.service.wait_ready, 0.5):
                if stop.is_set() or self.service.progress.snapshot()["phase"] == "failed":
                    return
            if self.search is None:
                await asyncio.to_thread(self._build)  # imports too: off the event loop
            from server.search.search_service import vault_text_reader
            from server.search.snapshot_sync import apply_snapshot

            text_of = vault_text_reader(self.service.vault, self.service.recheck)
            applied = 0
            with contextlib.suppress(NotReadyError):  # not ready again: the loop takes the next
                first = self.service.snapshot()
                applied = first.revision
                await asyncio.to_thread(
                    apply_snapshot, self.search, first.index, text_of, initial=True
                )
            self.search.start()
            last_progress: dict[str, Any] | None = None
            while not stop.is_set():
                event = await subscription.get(timeout=0.5)
                last_progress = self._announce_progress(last_progress)
                if event is None or self.service.revision == applied:
                    continue
                try:
                    snapshot = self.service.snapshot()  # the newest: coalesces a burst
                except NotReadyError:  # the vault folder is missing or being read again
                    continue
                applied = snapshot.revision
                try:
                    await asyncio.to_thread(apply_snapshot, self.search, snapshot.index, text_of)
                except Exception:  # a failed update must not stop later ones
                    log.exception("updating the search index to revision %d failed", applied)
        finally:
            subscription.close()

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
        if self.search is not None:
            self.search.close()
