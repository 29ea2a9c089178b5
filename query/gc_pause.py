"""Pausing the cyclic garbage collector while many long-lived objects are built at once.

Building every page of a vault allocates hundreds of thousands of containers that all survive;
the collector's full passes over them made a bulk build four times slower than the build itself
(measured: 98 µs per page with collection, 23 µs without). Nothing built here is cyclic garbage,
so pausing loses nothing. Pauses nest and may overlap across threads: the collector is switched
back on when the last pause ends, and only if it was on when the first began.

The survivors are then frozen (``gc.freeze``): left young, the first collection after the pause
would traverse all of them at once (350 ms for a 10k-note vault's pages). Pages hold no reference
cycles, so freezing them never keeps garbage alive: refcounting frees them when a later revision
drops them. (The vault model freezes its records after loading for the same reason.)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                if _was_enabled:
                    gc.enable()
