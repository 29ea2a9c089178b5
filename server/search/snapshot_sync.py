"""Keeping the search index in step with the vault's snapshots.

The live index publishes a new immutable snapshot (a :class:`~query.index.VaultIndex`) per
revision, and hands the search index what changed (``VaultService.take_changes``: the notes
changed and removed since the last update, with the bytes the catalog already read of them).

* :func:`apply_snapshot` — the full reconciliation (the first load, a rescan): every note of the
  snapshot is compared by content hash; changed ones are re-chunked and re-indexed, vanished
  ones dropped, unchanged ones cost a dict lookup.
* :func:`apply_changes` — a live batch: only the notes it names, each text taken from the bytes
  already read when they are still the indexed version (else read again), at the front of the
  embedding queue.

Blocking (a keyword commit): call them from a worker thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from query.index import VaultIndex
from query.records import NoteRecord
from server.search.search_service import SearchService, decode_note
from server.vault.note_file import content_hash

__all__ = ["apply_changes", "apply_snapshot"]


def apply_snapshot(
    search: SearchService,
    records: Iterable[NoteRecord],
    text_of: Callable[[str], str | None],
    *,
    initial: bool = False,
) -> int:
    """Make ``search`` index exactly ``records`` (a snapshot's index); how many notes changed."""
    return search.index_records(records, text_of, full=True, urgent=not initial)


def apply_changes(
    search: SearchService,
    index: VaultIndex,
    changed: Iterable[str],
    removed: Iterable[str],
    texts: Mapping[str, bytes],
    read: Callable[[str], str | None],
) -> int:
    """Index the ``changed`` notes as ``index`` has them and drop the ``removed`` ones; a note's
    text comes from ``texts`` when those bytes are the version ``index`` holds, else ``read``."""
    records = [record for path in changed if (record := index.get(path)) is not None]

    def text_of(path: str) -> str | None:
        data = texts.get(path)
        record = index.get(path)
        if data is not None and record is not None and content_hash(data) == record.content_hash:
            return decode_note(data)
        return read(path)  # edited again since: the bytes read are not this version's

    gone = [path for path in removed if index.get(path) is None]
    search.remove(gone)
    return search.index_records(records, text_of, urgent=True) + len(gone)
