"""The vocabulary of catalog batches: files given in memory, and what a batch changed."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ChangeSet", "SourceFile"]


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
    attachments_changed: list[str] = field(default_factory=list)  # edited (size or times)
    reused: int = 0  # note upserts not re-parsed: same bytes (times maybe updated)
    reparsed: int = 0  # note upserts parsed (including ones skipped as binary)

    @property
    def empty(self) -> bool:
        """Nothing a query could see changed (no record, no path)."""
        return not (
            self.changed
            or self.removed
            or self.relinked
            or self.paths_changed
            or self.attachments_changed
        )

    @property
    def records_changed(self) -> list[str]:
        """Every note whose record object was replaced: ``changed`` then ``relinked``."""
        return [*self.changed, *self.relinked]

    def merge(self, later: ChangeSet) -> None:
        """Fold in what a later batch changed: this set then says what both did together (a
        note changed then removed is removed; removed then created again is changed)."""
        gone, fresh = set(later.removed), set(later.changed)
        self.changed = sorted({p for p in self.changed if p not in gone} | fresh)
        self.removed = sorted({p for p in self.removed if p not in fresh} | gone)
        moved = gone | fresh
        self.relinked = [
            *(p for p in self.relinked if p not in moved),
            *(p for p in later.relinked if p not in moved and p not in self.relinked),
        ]
        self.paths_changed = self.paths_changed or later.paths_changed
        self.attachments_changed = sorted({*self.attachments_changed, *later.attachments_changed})
        self.reused += later.reused
        self.reparsed += later.reparsed
