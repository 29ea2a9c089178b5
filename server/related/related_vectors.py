"""Reading a note's chunks and chunk vectors out of the hybrid search service.

Related notes and semantic duplicates compare chunk vectors the search service already holds; they
must never embed a vault a second time. :class:`~server.search.search_service.SearchService` has no
public accessor for them yet, so :func:`note_vectors` uses ``SearchService.note_vectors(path)`` when
it exists (the proposed accessor, same signature and result) and otherwise reads the service's state
under its lock: the note's chunks, the embedding-text hashes of its embedded chunks, and their
vectors from the embedding cache — only for notes the vector index already holds.

:func:`vectors_version` changes whenever the set of embedded notes may have changed, so callers can
cache what they derive from vectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from server.search.chunker import Chunk
from server.search.search_service import SearchService

__all__ = ["NoteVectors", "note_vectors", "vectors_version"]

NoteVectors = tuple[list[Chunk], npt.NDArray[np.float32] | None]


def note_vectors(search: SearchService, path: str) -> NoteVectors:
    """The note's chunks and one vector row per embedded chunk (None until it is embedded).

    Rows follow chunk order; only the first ``MAX_EMBEDDED_CHUNKS`` chunks ever have rows.
    """
    public = getattr(search, "note_vectors", None)
    if public is not None:
        result: NoteVectors = public(path)
        return result
    state: Any = search  # private state, until SearchService.note_vectors lands (see the report)
    with state._lock:
        chunks: list[Chunk] = list(state._chunks.get(path, ()))
        hashes: list[str] = list(state._hashes.get(path, ()))
        vectors = state._vectors
        cache = state._cache
        embedded = vectors is not None and path in vectors
    if not embedded or cache is None or not hashes:
        return chunks, None
    found = cache.get_many(hashes)
    if any(key not in found for key in hashes):
        return chunks, None
    return chunks, np.stack([found[key] for key in hashes]).astype(np.float32, copy=False)


def vectors_version(search: SearchService | None) -> tuple[int, int, int]:
    """A value that changes when notes gain or lose vectors (total, pending chunks, notes)."""
    if search is None:
        return (0, 0, 0)
    snap = search.queue.snapshot()
    return (int(snap["total"]), int(snap["total"]) - int(snap["done"]), len(search.queue))
