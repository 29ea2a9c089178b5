"""Word counts for the "too long to be atomic" check: the one place the dashboards read files.

Records carry no text, so :class:`WordCounter` reads a note with
:func:`server.vault.reading.read_file` (read-only, and never outside the vault: a note swapped for
a symlink leaving it since it was indexed counts 0 words) and caches the count by path and content
hash, so a dashboard refresh only re-reads notes that changed.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from query.records import NoteRecord
from server.vault.reading import read_file

__all__ = ["WordCounter", "count_words"]

_FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Fenced code is a ``` or ~~~ line start up to the next line holding only that marker; comments
# run from %% or <!-- to the next %% or -->. An unclosed one is left as text. Each closer is
# sought once with a search, not by a lazy regex from every opener: that rescanned the rest of
# the note for each unclosed one (22 s for 150 KB of "<!--" lines, the server frozen).
_FENCE_OPEN = re.compile(r"^(?:```|~~~)", re.MULTILINE)
_FENCE_CLOSE = {
    "```": re.compile(r"^```[ \t]*$", re.MULTILINE),
    "~~~": re.compile(r"^~~~[ \t]*$", re.MULTILINE),
}
_COMMENT_OPEN = re.compile(r"%%|<!--")
_COMMENT_CLOSE = {"%%": "%%", "<!--": "-->"}


def count_words(text: str) -> int:
    """Words of prose: frontmatter, fenced code and comments left out; a word is a
    whitespace-separated token holding at least one letter or digit (so list markers,
    ``#`` and ``>`` do not count)."""
    text = _FRONTMATTER.sub("", text, count=1)
    text = _without_fences(text)
    text = _without_comments(text)
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def _without_fences(text: str) -> str:
    """``re.sub(r"^(```|~~~).*?^\\1[ \\t]*$", "", text)`` (dot-all, multi-line), linear."""
    pieces: list[str] = []
    last = pos = 0
    unclosed: set[str] = set()  # no closer after one opener: none after a later one either
    while (opening := _FENCE_OPEN.search(text, pos)) is not None:
        marker = opening.group()
        closing = None
        if marker not in unclosed:
            closing = _FENCE_CLOSE[marker].search(text, opening.end())
        if closing is None:
            unclosed.add(marker)
            pos = opening.end()
            continue
        pieces.append(text[last : opening.start()])
        last = pos = closing.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _without_comments(text: str) -> str:
    """``re.sub(r"%%.*?%%|<!--.*?-->", "", text)`` (dot-all), in linear time."""
    pieces: list[str] = []
    last = pos = 0
    unclosed: set[str] = set()
    while (opening := _COMMENT_OPEN.search(text, pos)) is not None:
        marker = opening.group()
        end = -1 if marker in unclosed else text.find(_COMMENT_CLOSE[marker], opening.end())
        if end < 0:
            unclosed.add(marker)
            pos = opening.start() + 1
            continue
        pieces.append(text[last : opening.start()])
        last = pos = end + len(_COMMENT_CLOSE[marker])
    pieces.append(text[last:])
    return "".join(pieces)


class WordCounter:
    """``counter(record)`` -> the note's word count; 0 when the file cannot be read."""

    def __init__(self, vault_root: Path) -> None:
        self.root = Path(vault_root)
        self._real_root = os.path.realpath(self.root)
        self._cache: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def __call__(self, record: NoteRecord) -> int:
        with self._lock:
            cached = self._cache.get(record.path)
        if cached is not None and cached[0] == record.content_hash:
            return cached[1]
        try:
            data = read_file(self.root / record.path, self._real_root).data
        except OSError:
            return 0
        count = count_words(data.decode("utf-8", "replace"))
        with self._lock:
            self._cache[record.path] = (record.content_hash, count)
        return count
