"""A small vault, as data, for the engine tests: built through the real vault model."""

from __future__ import annotations

from datetime import UTC

from query.index import VaultIndex
from server.vault.catalog import Catalog, SourceFile

DAY_MS = 86_400_000
BASE_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z

FILES: dict[str, str] = {
    "Home.md": "# Home\n\nReading: [[Books/Dune]] and [[Tolkien]].\n",
    "Books/Dune.md": (
        "---\nauthor: Frank Herbert\nrating: 5\ntags: [book, scifi]\npublished: 1965-08-01\n---\n"
        "# Dune\n\n- [ ] reread chapter 1 [due:: 2024-03-20]\n- [x] buy a copy\n"
    ),
    "Books/The Hobbit.md": (
        '---\nauthor: "[[Tolkien]]"\nrating: 4\ntags: [book, fantasy]\n---\n'
        "- [ ] lend to Sam [due:: 2024-02-01]\n    - [ ] ask Sam first\n"
    ),
    "Books/Unrated.md": "---\nauthor: Anonymous\ntags: [book]\n---\nNo rating yet.\n",
    "Tolkien.md": "born:: 1892-01-03\nWrote [[Books/The Hobbit]].\n",
    "Daily/2024-03-15.md": "mood:: good\n\n- [ ] call mum #family\n",
    "Inbox.md": "- [ ] triage the inbox\n- not a task\n",
}


def build_index() -> VaultIndex:
    sources = [
        SourceFile(path, text.encode("utf-8"), BASE_MS, BASE_MS + (i + 1) * DAY_MS)
        for i, (path, text) in enumerate(FILES.items())
    ]
    return VaultIndex(Catalog.from_sources(sources, local=UTC).records())
