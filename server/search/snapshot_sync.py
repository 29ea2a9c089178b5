"""Keeping the search index in step with the vault's snapshots.

The vault service publishes a new immutable snapshot (a :class:`~query.index.VaultIndex`) per
revision. :func:`apply_snapshot` reconciles the search index with one: notes whose content hash
changed are re-chunked and re-indexed, vanished notes are dropped, unchanged notes cost a dict
lookup. Live edits go to the front of the embedding queue. Blocking (a keyword commit): call it
from a worker thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from query.records import NoteRecord
from server.search.search_service import SearchService

__all__ = ["apply_snapshot"]


def apply_snapshot(
    search: SearchService,
    records: Iterable[NoteRecord],
    text_of: Callable[[str], str | None],
    *,
    initial: bool = False,
) -> int:
    """Make ``search`` index exactly ``records`` (a snapshot's index); how many notes changed."""
    return search.index_records(records, text_of, full=True, urgent=not initial)
