"""The background embedding queue's bookkeeping: what is pending, in which order, how fast.

Notes wait here until their chunks have vectors. The most recently modified note comes out first
(what a user just touched is what they search for); :meth:`EmbedQueue.prioritise` and edits jump
the queue. Progress is counted in chunks — done/total, the encoding rate in chunks per second and
the ETA that follows. Thread-safe; holds no vectors and does no encoding itself.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

__all__ = ["EmbedQueue"]


class EmbedQueue:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._heap: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._pending: dict[str, tuple[int, int]] = {}  # path → (heap entry seq, chunk count)
        self._urgent: deque[str] = deque()
        self.total_chunks = 0  # chunks of every note the semantic index should hold
        self.pending_chunks = 0
        self.encoded_chunks = 0  # encoded by the model in this run (not cache hits)
        self._encode_seconds = 0.0
        self.wakeup = threading.Event()

    def set_total(self, chunks: int) -> None:
        with self._lock:
            self.total_chunks = chunks

    def add(self, path: str, chunks: int, mtime: float, urgent: bool = False) -> None:
        with self._lock:
            old = self._pending.get(path)
            if old is not None:
                self.pending_chunks -= old[1]
            seq = next(self._seq)
            self._pending[path] = (seq, chunks)
            self.pending_chunks += chunks
            heapq.heappush(self._heap, (-mtime, seq, path))
            if urgent:
                self._urgent.appendleft(path)
        self.wakeup.set()

    def discard(self, path: str) -> None:
        """Forget ``path`` (removed, or its vectors are in place)."""
        with self._lock:
            old = self._pending.pop(path, None)
            if old is not None:
                self.pending_chunks -= old[1]

    def prioritise(self, path: str) -> bool:
        """Move a pending note to the front; False when it is not pending."""
        with self._lock:
            if path not in self._pending:
                return False
            self._urgent.appendleft(path)
        self.wakeup.set()
        return True

    def __contains__(self, path: str) -> bool:
        with self._lock:
            return path in self._pending

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def take(self, max_chunks: int) -> list[str]:
        """The next notes to embed, up to ``max_chunks`` chunks (at least one note). Not removed:
        the worker calls :meth:`discard` once their vectors are in place."""
        out: list[str] = []
        size = 0
        with self._lock:
            taken: set[str] = set()
            while self._urgent and size < max_chunks:
                path = self._urgent.popleft()
                if path in self._pending and path not in taken:
                    taken.add(path)
                    out.append(path)
                    size += self._pending[path][1]
            popped: list[tuple[float, int, str]] = []
            while self._heap and size < max_chunks:
                entry = heapq.heappop(self._heap)
                _, seq, path = entry
                current = self._pending.get(path)
                if current is None or current[0] != seq:
                    continue  # stale entry: done, removed or re-added since
                popped.append(entry)
                if path not in taken:
                    taken.add(path)
                    out.append(path)
                    size += current[1]
            for entry in popped:  # stays queued until discarded (a crash mid-batch loses nothing)
                heapq.heappush(self._heap, entry)
        return out

    def record_encoding(self, chunks: int, seconds: float) -> None:
        with self._lock:
            self.encoded_chunks += chunks
            self._encode_seconds += seconds

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            rate = self.encoded_chunks / self._encode_seconds if self._encode_seconds > 0 else 0.0
            done = max(self.total_chunks - self.pending_chunks, 0)
            eta = self.pending_chunks / rate if rate > 0 and self.pending_chunks else None
            return {
                "done": done,
                "total": self.total_chunks,
                "pending_notes": len(self._pending),
                "chunks_per_s": round(rate, 1),
                "eta_s": round(eta, 1) if eta is not None else (0.0 if not self._pending else None),
            }
