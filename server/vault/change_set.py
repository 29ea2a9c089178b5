"""The vocabulary of catalog batches: files given in memory, what a batch changed, and the GC
pause used while building many records at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["ChangeSet", "SourceFile", "no_gc"]


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building: records hold no cycles, and with millions of fresh
    objects the collector's repeated full passes otherwise cost more than the parsing. Afterwards
    the surviving objects are frozen (``gc.freeze``) so later collections skip them; they are
    still freed by reference counting when the catalog lets go of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file given in memory: vault path, bytes, and times in epoch milliseconds."""

    path: str
    data: bytes
    ctime_ms: float
    mtime_ms: float


@dataclass(slots=True)
class ChangeSet:
    """What one :meth:`Catalog.apply` changed. Records of notes in none of the lists are the
    same objects as before the batch."""

    changed: list[str] = field(default_factory=list)  # notes created, re-read, or re-timed
    removed: list[str] = field(default_factory=list)  # notes gone (deleted, renamed, unreadable)
    relinked: list[str] = field(default_factory=list)  # other notes whose links now resolve anew
    paths_changed: bool = False  # some vault path (note or attachment) appeared or vanished
    reused: int = 0  # note upserts not re-parsed: same bytes (times maybe updated)
    reparsed: int = 0  # note upserts parsed (including ones skipped as binary)

    @property
    def empty(self) -> bool:
        """Nothing a query could see changed (no record, no path)."""
        return not (self.changed or self.removed or self.relinked or self.paths_changed)

    @property
    def records_changed(self) -> list[str]:
        """Every note whose record object was replaced: ``changed`` then ``relinked``."""
        return [*self.changed, *self.relinked]
