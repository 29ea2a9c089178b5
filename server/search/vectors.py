"""The semantic index: chunk vectors in FAISS, replaceable one note at a time.

``IndexIDMap2(IndexScalarQuantizer(fp16))`` — exhaustive inner-product search over unit vectors
(cosine) stored as float16, with our own 64-bit ids so a note's chunks can be removed and re-added
when it changes. float16 storage halves the index (73k chunks: 112 → 56 MB) and, the scan being
memory-bound, measured 2× faster than ``IndexFlatIP`` (7.5 → 3.5 ms at 73k); scores differ from
float32 by < 1e-4. HNSW needed a very wide search for good recall on real embeddings here.
Single queries run with one OpenMP thread (10–25 ms → 0.2–1.8 ms measured with the other core
busy). This is the only module that imports FAISS; callers see paths, ordinals and floats.

Not thread-safe by itself: :class:`~server.search.search_service.SearchService` serialises access.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import faiss as _faiss_module
import numpy as np
import numpy.typing as npt

__all__ = ["VectorIndex"]

# FAISS's SWIG stubs are partial (no ``sel=``); treat the module as dynamic.
faiss: Any = _faiss_module


class VectorIndex:
    """Chunk vectors keyed by (path, ordinal)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        inner = faiss.IndexScalarQuantizer(
            dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        self._index: Any = faiss.IndexIDMap2(inner)
        self._next_id = 1
        self._ids_of: dict[str, list[int]] = {}
        self._owner: dict[int, tuple[str, int]] = {}

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def __contains__(self, path: str) -> bool:
        return path in self._ids_of

    @property
    def paths(self) -> set[str]:
        return set(self._ids_of)

    def replace(self, path: str, vectors: npt.NDArray[np.float32]) -> None:
        """Make ``vectors`` (one row per chunk, in chunk order) the note's only vectors."""
        self.remove([path])
        count = int(vectors.shape[0])
        if count == 0:
            self._ids_of[path] = []
            return
        ids = np.arange(self._next_id, self._next_id + count, dtype=np.int64)
        self._next_id += count
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        self._ids_of[path] = ids.tolist()
        for ordinal, vid in enumerate(self._ids_of[path]):
            self._owner[vid] = (path, ordinal)

    def vectors_of(self, path: str) -> npt.NDArray[np.float32] | None:
        """The note's vectors in chunk order (None when the note has none here)."""
        ids = self._ids_of.get(path)
        if ids is None:
            return None
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = [self._index.reconstruct(vid) for vid in ids]
        return np.ascontiguousarray(np.stack(rows), dtype=np.float32)

    def remove(self, paths: Iterable[str]) -> None:
        doomed: list[int] = []
        for path in paths:
            ids = self._ids_of.pop(path, None)
            if ids:
                doomed.extend(ids)
                for vid in ids:
                    self._owner.pop(vid, None)
        if doomed:
            self._index.remove_ids(np.asarray(doomed, dtype=np.int64))

    def search(
        self,
        query: npt.NDArray[np.float32],
        k: int,
        allowed: set[str] | None = None,
    ) -> list[tuple[str, int, float]]:
        """The ``k`` best chunks as (path, ordinal, cosine), best first; ``allowed`` filters."""
        total = len(self)
        if total == 0 or k <= 0:
            return []
        faiss.omp_set_num_threads(1)
        row = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            ids = [vid for path in allowed for vid in self._ids_of.get(path, ())]
            if not ids:
                return []
            selector = faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)
            k = min(k, len(ids))
        k = min(k, total)
        scores, ids_found = self._index.search(row, k, params=params)
        out: list[tuple[str, int, float]] = []
        for score, vid in zip(scores[0].tolist(), ids_found[0].tolist(), strict=True):
            owner = self._owner.get(int(vid))
            if owner is not None:
                out.append((owner[0], owner[1], float(score)))
        return out
