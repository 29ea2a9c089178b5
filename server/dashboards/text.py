"""Word counts for the "too long to be atomic" check: the one place the dashboards read files.

Records carry no text, so :class:`WordCounter` reads a note through the scanner
(:func:`server.vault.scanner.read_note`, read-only) and caches the count by path and content
hash, so a dashboard refresh only re-reads notes that changed. Paths come from the index, which
holds only files the scanner found inside the vault.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from query.records import NoteRecord
from server.vault.scanner import read_note

__all__ = ["WordCounter", "count_words"]

_FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
_COMMENT = re.compile(r"%%.*?%%|<!--.*?-->", re.DOTALL)


def count_words(text: str) -> int:
    """Words of prose: frontmatter, fenced code and comments left out; a word is a
    whitespace-separated token holding at least one letter or digit (so list markers,
    ``#`` and ``>`` do not count)."""
    text = _FRONTMATTER.sub("", text, count=1)
    text = _FENCE.sub("", text)
    text = _COMMENT.sub("", text)
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


class WordCounter:
    """``counter(record)`` -> the note's word count; 0 when the file cannot be read."""

    def __init__(self, vault_root: Path) -> None:
        self.root = Path(vault_root)
        self._cache: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def __call__(self, record: NoteRecord) -> int:
        with self._lock:
            cached = self._cache.get(record.path)
        if cached is not None and cached[0] == record.content_hash:
            return cached[1]
        try:
            data = read_note(self.root / record.path).data
        except OSError:
            return 0
        count = count_words(data.decode("utf-8", "replace"))
        with self._lock:
            self._cache[record.path] = (record.content_hash, count)
        return count
