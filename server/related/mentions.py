"""Unlinked mentions: a note's title or aliases written as plain text in other notes, and back.

A mention is a case-insensitive occurrence of a name (the file name without ``.md``, or an alias)
at word boundaries, in prose: never inside frontmatter, code, links, embeds, URLs, comments, HTML
tags or ``#tags`` (:func:`~server.related.related_text.masked_ranges`). Each mention carries the
exact character span in the note's text (``text[start:end]`` is the mentioned text), its 0-based
line and column, and the line for context (a window of it when long) — enough for a client to
replace the span with ``[[Target|text]]``.

* :func:`mentions_of` — where other notes mention this note (Obsidian's "unlinked mentions").
* :func:`mentions_in` — which other notes this note mentions (the reverse direction), found with
  a first-word table so thousands of names cost one pass over the note, not one regex each.

Names shorter than ``min_chars`` (default 3) are ignored: a note called "A" is not mentioned by
every article. Pure functions over texts; the caller reads the files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from query.index import VaultIndex
from server.related.related_text import inside, masked_ranges

__all__ = ["Mention", "NameTable", "mentions_in", "mentions_of", "names_of"]

MIN_CHARS = 3
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Mention:
    path: str  # the note the text is in
    target: str  # the note mentioned
    name: str  # the title or alias that matched (as the target spells it)
    text: str  # the text as written in ``path`` (== file text[start:end])
    start: int
    end: int
    line: int  # 0-based
    column: int  # 0-based, in characters
    context: str  # the line (a window of it around the mention, when long: ``_window``)
    linked: bool  # ``path`` already links to ``target`` elsewhere

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "target": self.target,
            "name": self.name,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "context": self.context,
            "already_linked": self.linked,
        }


def names_of(index: VaultIndex, path: str, min_chars: int = MIN_CHARS) -> list[str]:
    """The note's title and aliases usable as names, longest first, distinct ignoring case."""
    record = index.get(path)
    if record is None:
        return []
    seen: dict[str, str] = {}
    for name in (record.name, *record.aliases):
        clean = name.strip()
        if len(clean) >= min_chars and clean.lower() not in seen:
            seen[clean.lower()] = clean
    return sorted(seen.values(), key=lambda s: (-len(s), s.lower()))


class _Lines:
    """Line number, line start and context line of a text's mentions, each found from the one
    before (counting from the start, or searching to the line's end, for every mention was
    quadratic on a long note full of them). Offsets usually come in increasing order; a smaller
    one starts again from the top."""

    __slots__ = ("_context", "_end", "_end_from", "_line", "_line_start", "_offset", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._reset()

    def _reset(self) -> None:
        self._offset = 0  # the last mention's start
        self._line = 0  # its line number
        self._line_start = 0
        self._end_from = -1  # the newline search below started here...
        self._end = -1  # ...and found the next newline here (-1: none up to the end)
        self._context = ""

    def mention(
        self, start: int, end: int, path: str, target: str, name: str, linked: bool
    ) -> Mention:
        text = self.text
        if start < self._offset:
            self._reset()
        newlines = text.count("\n", self._offset, start)
        if newlines:
            self._line += newlines
            self._line_start = text.rfind("\n", self._offset, start) + 1
        self._offset = start
        # The newline found earlier is still the first one from ``end`` if the search began
        # at or before ``end`` and found none before it.
        stale = self._end_from < 0 or end < self._end_from or 0 <= self._end < end
        if stale:
            self._end_from = end
            self._end = text.find("\n", end)
        if stale or newlines:
            line_end = len(text) if self._end < 0 else self._end
            self._context = text[self._line_start : line_end].rstrip("\r")
        column = start - self._line_start
        return Mention(
            path,
            target,
            name,
            text[start:end],
            start,
            end,
            self._line,
            column,
            _window(self._context, column, end - start),
            linked,
        )


CONTEXT_CHARS = 240
"""The longest context shown whole; a longer line is cut to this much around the mention."""


def _window(line: str, column: int, length: int) -> str:
    """``line``, or a window of it around ``line[column:column + length]`` cut with "…" (a
    1 MB line with many mentions would otherwise be sent once per mention)."""
    if len(line) <= CONTEXT_CHARS:
        return line
    room = max(CONTEXT_CHARS - length, 0) // 2
    lo = max(min(column - room, len(line) - CONTEXT_CHARS), 0)
    hi = max(column + length + room, lo + CONTEXT_CHARS)
    return ("…" if lo > 0 else "") + line[lo:hi] + ("…" if hi < len(line) else "")


def _pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = "|".join(re.escape(name) for name in names)
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mentions_of(
    index: VaultIndex,
    path: str,
    text_of: Callable[[str], str | None],
    *,
    min_chars: int = MIN_CHARS,
) -> list[Mention]:
    """Unlinked mentions of ``path``'s title and aliases in every other note, in path order."""
    names = names_of(index, path, min_chars)
    pattern = _pattern(names)
    if pattern is None:
        return []
    by_lower = {name.lower(): name for name in names}
    lowered = list(by_lower)
    linking = index.linking_to(path)
    out: list[Mention] = []
    for other in index.paths:
        if other == path:
            continue
        text = text_of(other)
        if not text:
            continue
        lower = text.lower()
        if not any(name in lower for name in lowered):  # cheap prefilter: most notes skip here
            continue
        masked = masked_ranges(text)
        lines = _Lines(text)
        for match in pattern.finditer(text):
            if inside(masked, match.start(), match.end()):
                continue
            name = by_lower.get(match.group(0).lower(), match.group(0))
            out.append(
                lines.mention(match.start(), match.end(), other, path, name, other in linking)
            )
    return out


class NameTable:
    """Every note's mention names, keyed by first word, for :func:`mentions_in`."""

    def __init__(self, index: VaultIndex, min_chars: int = MIN_CHARS) -> None:
        self.by_first: dict[str, list[tuple[str, str]]] = {}  # first word → (name, path)
        self.odd: list[tuple[str, str]] = []  # names not starting with a word character
        self.ambiguous: set[str] = set()
        owners: dict[str, str] = {}
        for path in index.paths:
            for name in names_of(index, path, min_chars):
                key = name.lower()
                if key in owners and owners[key] != path:
                    self.ambiguous.add(key)  # two notes share the name: the link would be a guess
                    continue
                owners[key] = path
                first = _WORD.match(key)
                if first is None:
                    self.odd.append((name, path))
                else:
                    self.by_first.setdefault(first.group(0), []).append((name, path))
        for entries in self.by_first.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest name wins at a position


def mentions_in(index: VaultIndex, path: str, text: str, table: NameTable) -> list[Mention]:
    """Plain-text mentions inside ``path`` (whose text is ``text``) of other notes' names."""
    masked = masked_ranges(text)
    linked = index.linked_from(path)
    lines = _Lines(text)
    out: list[Mention] = []
    taken_until = -1
    for word in _WORD.finditer(text):
        start = word.start()  # maximal runs: the character before is never a word character
        if start < taken_until:
            continue
        entries = table.by_first.get(word.group(0).lower())
        if not entries:
            continue
        for name, target in entries:
            end = start + len(name)
            if target == path or name.lower() in table.ambiguous:
                continue
            if text[start:end].lower() != name.lower():
                continue
            if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                continue
            if inside(masked, start, end):
                continue
            out.append(lines.mention(start, end, path, target, name, target in linked))
            taken_until = end
            break
    for name, target in table.odd:
        if target == path:
            continue
        pattern = _pattern([name])
        assert pattern is not None
        for match in pattern.finditer(text):
            if not inside(masked, match.start(), match.end()):
                out.append(
                    lines.mention(match.start(), match.end(), path, target, name, target in linked)
                )
    out.sort(key=lambda m: (m.start, m.target))
    return out
