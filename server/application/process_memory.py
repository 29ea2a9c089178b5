"""The process's resident memory, read cheaply enough to check while a query runs.

``query.limits.Guard`` compares it with what it was when the query started (the query memory
budget). On Linux one ``pread`` of ``/proc/self/statm`` on a descriptor kept open (about 2 µs);
elsewhere the peak resident size from ``getrusage``, which only grows, so the budget then
counts from the highest point the process had reached when the query started.
"""

from __future__ import annotations

import os
import resource
import sys

__all__ = ["resident_bytes"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _open_statm() -> int | None:
    try:
        return os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None


_STATM = _open_statm()


def resident_bytes() -> int:
    """Bytes of this process's memory now resident (the peak, where "now" is not available)."""
    if _STATM is not None:
        try:
            fields = os.pread(_STATM, 128, 0).split()
            return int(fields[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere
