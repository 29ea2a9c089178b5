"""Index progress: phase, done/total, rate, ETA — what ``/status`` and ``progress`` events report.

A :class:`Progress` is updated by the worker thread that scans or updates the catalog and read by
request handlers; a lock keeps each read consistent. Rate and ETA come from the clock passed in,
so tests can drive them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["PHASES", "Progress"]

# starting → loading-cache → scanning → ready; "updating" while a batch of file events applies;
# "vault-missing" while the vault folder is gone, "rescanning" while a replaced (or returned)
# folder is read again; "failed" when a load or rescan raised (the message says why).
PHASES = (
    "starting",
    "loading-cache",
    "scanning",
    "saving",
    "ready",
    "updating",
    "vault-missing",
    "rescanning",
    "failed",
)


class Progress:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.phase = "starting"
        self.done = 0
        self.total = 0
        self.message: str | None = None
        self._started = clock()

    def begin(self, phase: str, total: int = 0) -> None:
        with self._lock:
            self.phase = phase
            self.done = 0
            self.total = total
            self._started = self._clock()

    def advance(self, done: int, total: int | None = None) -> None:
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total

    def set_phase(self, phase: str, message: str | None = None) -> None:
        with self._lock:
            self.phase = phase
            self.message = message

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            elapsed = max(self._clock() - self._started, 1e-9)
            rate = self.done / elapsed if self.done else 0.0
            remaining = max(self.total - self.done, 0)
            eta = remaining / rate if rate > 0 and self.phase in ("scanning", "updating") else None
            out: dict[str, Any] = {
                "phase": self.phase,
                "done": self.done,
                "total": self.total,
                "rate_per_s": round(rate, 1),
                "eta_s": round(eta, 2) if eta is not None else None,
                "elapsed_s": round(elapsed, 3),
            }
            if self.message:
                out["message"] = self.message
            return out
