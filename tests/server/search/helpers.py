"""Building in-memory vaults for the search tests."""

from __future__ import annotations

from datetime import UTC

from query.records import NoteRecord
from server.vault.catalog import Catalog, SourceFile


def records_of(notes: dict[str, str], mtimes: dict[str, float] | None = None) -> list[NoteRecord]:
    """Parse ``notes`` (path → text) with the real vault model."""
    sources = [
        SourceFile(path, text.encode("utf-8"), 0.0, (mtimes or {}).get(path, 1000.0 * i))
        for i, (path, text) in enumerate(notes.items())
    ]
    return Catalog.from_sources(sources, local=UTC).records()
