"""The embedding cache: chunk vectors keyed by (model id, chunk text hash), kept outside the vault.

A chunk is embedded once per model, ever: renames, restarts and sync tools touching files find
their vectors here. It is a SQLite file (stdlib, one table, WAL journal) so every batch the
background embedder stores is one transaction — atomic, and safe to kill at any moment: at worst
the batch in flight is embedded again on the next start. ``path=None`` keeps it in memory.

The cache only grows; :meth:`EmbedCache.prune` drops entries no live chunk uses.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["EmbedCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, hash)
) WITHOUT ROWID
"""
_CHUNK = 500  # SQLite's host-parameter limit is generous, but keep statements small


class EmbedCache:
    """Vectors by (model id, text hash); thread-safe."""

    def __init__(self, path: Path | None, model_id: str, dim: int) -> None:
        self.model_id = model_id
        self.dim = dim
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path) if path is not None else ":memory:", check_same_thread=False
        )
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()

    def get_many(self, hashes: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        """The cached vectors among ``hashes``."""
        found: dict[str, npt.NDArray[np.float32]] = {}
        unique = list(dict.fromkeys(hashes))
        with self._lock:
            for start in range(0, len(unique), _CHUNK):
                part = unique[start : start + _CHUNK]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                    (self.model_id, *part),
                ).fetchall()
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == self.dim:
                        found[key] = vec
        return found

    def put_many(self, items: Iterable[tuple[str, npt.NDArray[np.float32]]]) -> None:
        """Store vectors in one transaction."""
        rows = [
            (self.model_id, key, np.ascontiguousarray(vec, dtype=np.float32).tobytes())
            for key, vec in items
        ]
        if not rows:
            return
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, hash, vector) VALUES (?, ?, ?)", rows
            )

    def __len__(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM vectors WHERE model = ?", (self.model_id,)
            ).fetchone()
        return int(row[0])

    def prune(self, live: Iterable[str]) -> int:
        """Drop this model's vectors whose hash is not in ``live``; how many went."""
        keep = set(live)
        with self._lock:
            stored = [
                key
                for (key,) in self._db.execute(
                    "SELECT hash FROM vectors WHERE model = ?", (self.model_id,)
                )
            ]
            doomed = [(self.model_id, key) for key in stored if key not in keep]
            with self._db:
                self._db.executemany("DELETE FROM vectors WHERE model = ? AND hash = ?", doomed)
        return len(doomed)

    def close(self) -> None:
        with self._lock:
            self._db.close()
