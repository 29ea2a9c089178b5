"""A small vault, as data, for the engine tests: built through the real vault model; and the
helpers tests with vaults of their own use (:func:`index_of`, :func:`outcome`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from query.engine import execute
from query.errors import QueryError
from query.index import VaultIndex
from query.semantics import Env
from query.temporal.dates import date_from_epoch_ms
from server.vault.catalog import Catalog, SourceFile

DAY_MS = 86_400_000
BASE_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
ENV = Env(date_from_epoch_ms(1_710_683_130_250, UTC), UTC)  # "now": 2024-03-17, in UTC

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
    return index_of(FILES, [BASE_MS + (i + 1) * DAY_MS for i in range(len(FILES))])


def index_of(files: dict[str, str], mtimes_ms: Sequence[int] | None = None) -> VaultIndex:
    """The index of ``files``, created at ``BASE_MS``; the i-th modified at ``mtimes_ms[i]``
    (default: ``i`` days after ``BASE_MS``). Files not ending in ``.md`` are attachments; links
    resolve against every file, with the catalog's resolver, as the server's index does."""
    sources = [
        SourceFile(
            path,
            text.encode("utf-8"),
            BASE_MS,
            mtimes_ms[i] if mtimes_ms is not None else BASE_MS + DAY_MS * i,
        )
        for i, (path, text) in enumerate(files.items())
    ]
    catalog = Catalog.from_sources(sources, local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


def outcome(query: str, index: VaultIndex, origin: str | None = None) -> Any:
    """What ``query`` gives at :data:`ENV`, run from the note ``origin``: (type, headers, rows),
    or ("error", class, message)."""
    try:
        result = execute(query, index, origin=origin, env=ENV)
    except QueryError as exc:
        return ("error", type(exc).__name__, exc.message)
    return (result.type, result.headers, result.rows)
