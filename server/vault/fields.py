"""Inline fields, keys, tags and aliases exactly as Dataview reads them (SPEC §9.3, §10, §11).

* extraction: bracketed ``[key:: value]`` / parenthesised ``(key:: value)`` fields anywhere in a
  line, full-line ``Key:: value`` fields, and the Tasks emoji shorthands on task lines;
* keys: the canonical (lower-case, dashed) form every field is also stored under;
* tags found in list-item text, tags and aliases named in frontmatter;
* task write-back helpers (``[completion:: …]`` / ``✅ …``) for the completion-tracking feature.

Value parsing lives in :mod:`server.vault.field_values`; it is re-exported here so callers (and the
conformance runner) find the whole field API in one module. Nothing here touches the file system.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import lru_cache
from typing import Any

from query.links import EMOJI_RANGES, is_emoji_char, normalize_header
from query.positional import positional_constructor
from query.values import Value
from server.vault.field_values import (
    cached_date,
    file_day_from_name,
    file_folder,
    file_title,
    frontmatter_value,
    parse_inline_value,
)

__all__ = [
    "InlineField",
    "canonicalize_key",
    "extract_full_line_field",
    "extract_inline_fields",
    "extract_item_tags",
    "extract_task_inline_fields",
    "file_day_from_name",
    "file_folder",
    "file_title",
    "frontmatter_aliases",
    "frontmatter_tags",
    "frontmatter_value",
    "normalize_header",
    "parse_inline_value",
    "set_emoji_completion",
    "set_inline_field",
]


@dataclass(frozen=True, slots=True)
class InlineField:
    """One extracted field.

    ``start``, ``start_value`` and ``end`` are offsets in UTF-16 code units, as Dataview
    (JavaScript) reports them; ``span`` is the same field as Python string indices
    ``(start, end)``. Emoji and full-line fields have no positions.
    """

    key: str
    value: str
    parsed: Value
    wrapping: str  # "[", "(", "full-line" or "emoji-shorthand"
    start: int | None = None
    start_value: int | None = None
    end: int | None = None
    span: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The conformance corpus shape: key, value, start, startValue, end, wrapping, parsed."""
        out: dict[str, Any] = {"key": self.key, "value": self.value}
        if self.start is not None:
            out["start"] = self.start
            out["startValue"] = self.start_value
            out["end"] = self.end
        out["wrapping"] = self.wrapping
        out["parsed"] = self.parsed
        return out


_make_field = positional_constructor(InlineField)  # InlineField(...) by position, no __init__

_CLOSERS = {"[": "]", "(": ")"}
_MAX_UNCLOSED = 64
_OPENER = re.compile(r"[\[(]")


def _find_closer(
    line: str, pos: int, opener: str, nested: dict[str, _NestedCloser] | None = None
) -> int:
    """Index of the closer matching ``opener`` from ``pos`` (nesting, backslash escapes), or -1.

    ``nested`` (for a ``pos`` just after "::") keeps the line's :class:`_NestedCloser` tables
    between calls; without it, nesting is scanned character by character."""
    closer = _CLOSERS[opener]
    close = line.find(closer, pos)
    if close < 0:
        return -1  # escapes only skip characters: without a closer there is no match
    if line.find(opener, pos, close) < 0 and line.find("\\", pos, close) < 0:
        return close  # nothing nested or escaped before the first closer (the usual case)
    if nested is None:
        return _find_closer_scan(line, pos, opener, closer)
    table = nested.get(opener)
    if table is None:
        table = nested[opener] = _NestedCloser(line, opener)
    return table.find(pos)


def _find_closer_scan(line: str, pos: int, opener: str, closer: str) -> int:
    """:func:`_find_closer` character by character."""
    depth = 0
    n = len(line)
    i = pos
    while i < n:
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch == opener:
            depth += 1
        elif ch == closer:
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _utf16(line: str, index: int) -> int:
    """The UTF-16 offset of a Python string index (astral characters count twice)."""
    if line.isascii():
        return index
    # Two bytes per UTF-16 code unit, counted in C (surrogatepass: a lone surrogate is one unit).
    return len(line[:index].encode("utf-16-le", "surrogatepass")) // 2


class _Utf16Cursor:
    """:func:`_utf16` for increasing indices of one line, each counted from the previous one
    (a line of thousands of fields would otherwise re-encode its prefix for every offset)."""

    __slots__ = ("index", "line", "units")

    def __init__(self, line: str) -> None:
        self.line = line
        self.index = 0
        self.units = 0

    def at(self, index: int) -> int:
        if index < self.index:
            self.index = self.units = 0
        piece = self.line[self.index : index]
        self.units += len(piece.encode("utf-16-le", "surrogatepass")) // 2
        self.index = index
        return self.units


_BRACKET_EVENTS = {
    "[": re.compile(r"\\.|[\[\]]", re.DOTALL),
    "(": re.compile(r"\\.|[()]", re.DOTALL),
}


class _NestedCloser:
    """:func:`_find_closer_scan` for every value start of one line, in O(log n) each.

    A value starts just after "::", so never inside a backslash pair: the scan from there meets
    the same brackets as one scan from the line's start. With the nesting depth after each
    bracket, the closer is the first later bracket where the depth falls below its value at
    the start, a "next smaller element" found for every bracket at once with a stack. Without
    this, each unclosed field rescans the rest of a line that may hold thousands of brackets.
    """

    __slots__ = ("after", "positions")

    def __init__(self, line: str, opener: str) -> None:
        closer = _CLOSERS[opener]
        positions: list[int] = []
        depths: list[int] = []
        depth = 0
        for match in _BRACKET_EVENTS[opener].finditer(line):
            char = match.group()
            if char == opener:
                depth += 1
            elif char == closer:
                depth -= 1
            else:
                continue  # a backslash and the character it escapes
            positions.append(match.start())
            depths.append(depth)
        # after[k + 1]: the first bracket after bracket k (k = -1: the line's start, depth 0)
        # with a lower depth, or -1.
        after = [-1] * (len(depths) + 1)
        stack: list[int] = []
        for k in range(len(depths) - 1, -2, -1):
            value = depths[k] if k >= 0 else 0
            while stack and depths[stack[-1]] >= value:
                stack.pop()
            after[k + 1] = stack[-1] if stack else -1
            if k >= 0:
                stack.append(k)
        self.positions = positions
        self.after = after

    def find(self, pos: int) -> int:
        """The closer for a value starting at ``pos`` (just after "::"), or -1."""
        found = self.after[bisect_left(self.positions, pos)]
        return self.positions[found] if found >= 0 else -1


def extract_inline_fields(line: str, local: tzinfo) -> list[InlineField]:
    """Every ``[key:: value]`` and ``(key:: value)`` field in ``line``, left to right."""
    out: list[InlineField] = []
    if "::" not in line:
        return out
    pos = 0
    failures = 0  # unclosed openers; bounded so a pathological line stays linear-ish
    nested: dict[str, _NestedCloser] = {}
    offsets = None if line.isascii() else _Utf16Cursor(line)
    while failures < _MAX_UNCLOSED:
        match = _OPENER.search(line, pos)
        if match is None:
            return out
        start = match.start()
        sep = line.find("::", start + 1)
        if sep < 0:
            return out
        raw_key = line[start + 1 : sep]
        if "[" in raw_key or "]" in raw_key or "(" in raw_key or ")" in raw_key:
            # Every opener up to the key's last bracket has that bracket in its key as well.
            pos = start + 1 + max(raw_key.rfind(bracket) for bracket in "[]()")
            continue
        opener = line[start]
        close = _find_closer(line, sep + 2, opener, nested)
        if close < 0:
            failures += 1
            pos = start + 1
            continue
        value = line[sep + 2 : close].strip()
        out.append(
            _make_field(
                raw_key.strip(),
                value,
                parse_inline_value(value, local),
                opener,
                start if offsets is None else offsets.at(start),
                sep + 2 if offsets is None else offsets.at(sep + 2),
                close + 1 if offsets is None else offsets.at(close + 1),
                (start, close + 1),
            )
        )
        pos = close + 1
    return out


# Dataview's order of the Tasks emoji shorthands; only the first occurrence of each counts.
_EMOJI_SHORTHANDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("created", re.compile(r"\u2795\s*(\d{4}-\d{2}-\d{2})")),
    ("start", re.compile(r"\U0001F6EB\s*(\d{4}-\d{2}-\d{2})")),
    ("scheduled", re.compile(r"[\u23F3\u231B]\s*(\d{4}-\d{2}-\d{2})")),
    ("due", re.compile(r"(?:\U0001F4C5|\U0001F4C6|\U0001F5D3\uFE0F?)\s*(\d{4}-\d{2}-\d{2})")),
    ("completion", re.compile(r"\u2705\s*(\d{4}-\d{2}-\d{2})")),
)
_EMOJI_FIRST = re.compile("[\u2795\U0001f6eb\u23f3\u231b\U0001f4c5\U0001f4c6\U0001f5d3\u2705]")


def extract_emoji_fields(line: str, local: tzinfo) -> list[InlineField]:
    """The Tasks emoji shorthand fields of a task line (due, scheduled, …)."""
    out: list[InlineField] = []
    if _EMOJI_FIRST.search(line) is None:
        return out
    for key, pattern in _EMOJI_SHORTHANDS:
        match = pattern.search(line)
        if match is None:
            continue
        text = match.group(1)
        parsed = cached_date(text, local)
        if parsed is not None:
            out.append(_make_field(key, text, parsed, "emoji-shorthand", None, None, None, None))
    return out


def extract_task_inline_fields(line: str, local: tzinfo) -> list[InlineField]:
    """Bracketed and parenthesised fields of a task line, then its emoji shorthands."""
    return extract_inline_fields(line, local) + extract_emoji_fields(line, local)


def _full_line_key(text: str) -> str | None:
    """The key of a full-line field from the text before ``::``, or None if it is not one."""
    if text.isalnum():
        return text  # the common ``key:: value`` (what the loops below would find)
    n = len(text)
    i = 0
    # Leading markdown (``**``, ``>``, ``~~``, backticks, emoji) is skipped: not letter/digit/_.
    while i < n and not (text[i].isalnum() or text[i] == "_"):
        i += 1
    start = i
    while i < n:
        ch = text[i]
        if ch.isalnum() or ch in "_/- \t" or ch.isspace() or is_emoji_char(ch):
            i += 1
        else:
            break
    key = text[start:i]
    while i < n and text[i] in "_*~`":
        i += 1
    if i != n:
        return None
    return key.strip()


def extract_full_line_field(line: str, local: tzinfo) -> InlineField | None:
    """A whole-line ``Key:: value`` field (SPEC §11.2), or None."""
    sep = line.find("::")
    if sep < 0:
        return None
    key = _full_line_key(line[:sep])
    if key is None:
        return None
    value = line[sep + 2 :].strip()
    parsed = parse_inline_value(value, local)
    return _make_field(key, value, parsed, "full-line", None, None, None, None)


@lru_cache(maxsize=8192)
def canonicalize_key(key: str) -> str:
    """Lower-case letters/digits/``_``/``-``/emoji; whitespace runs become ``-``; drop the rest."""
    out: list[str] = []
    in_space = False
    for ch in key:
        if ch.isspace():
            if not in_space:
                out.append("-")
            in_space = True
            continue
        in_space = False
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower())
        elif is_emoji_char(ch):
            out.append(ch)
    return "".join(out)


_ITEM_TAG = re.compile(r"#[^\s,;.:!?'\"`()\[\]{}#]+")
# What Dataview accepts as a tag once found: letters, digits, "_", "/", "-" and emoji.
_VALID_TAG = re.compile(f"#[\\w/\\-{EMOJI_RANGES}]+")


def extract_item_tags(text: str) -> list[str]:
    """Tags in a list item's text (Dataview's regex: numeric tags such as ``#123`` count)."""
    if "#" not in text:
        return []
    seen: dict[str, None] = {}
    for match in _ITEM_TAG.finditer(text):
        tag = match.group(0)
        if _VALID_TAG.fullmatch(tag):
            seen.setdefault(tag, None)
    return list(seen)


def _js_string(value: Any) -> str:
    """JavaScript's ``"" + value`` for YAML scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split_tag_or_alias(data: Any, separator: re.Pattern[str]) -> list[str]:
    if data is None:
        return []
    if isinstance(data, list | tuple):
        out: list[str] = []
        for item in data:
            if item or isinstance(item, list | tuple):
                # JavaScript drops falsy items: 0, "", false, null.
                out.extend(_split_tag_or_alias(item, separator))
        return out
    parts = (part.strip() for part in separator.split(_js_string(data)))
    return [part for part in parts if part]


_TAG_SEPARATOR = re.compile(r"[,\s]+")
_ALIAS_SEPARATOR = re.compile(r",")


def frontmatter_tags(frontmatter: Mapping[str, Any]) -> list[str]:
    """Tags named by frontmatter ``tags``/``tag`` keys (any case), each with a leading ``#``."""
    out: list[str] = []
    for key, value in frontmatter.items():
        if str(key).lower() in ("tags", "tag"):
            for tag in _split_tag_or_alias(value, _TAG_SEPARATOR):
                out.append(tag if tag.startswith("#") else "#" + tag)
    return out


def frontmatter_aliases(frontmatter: Mapping[str, Any]) -> list[str]:
    """Aliases from frontmatter ``aliases``/``alias`` keys: a list or a comma-separated string."""
    out: list[str] = []
    for key, value in frontmatter.items():
        if str(key).lower() in ("aliases", "alias"):
            out.extend(_split_tag_or_alias(value, _ALIAS_SEPARATOR))
    return out


def _without_span(line: str, start: int, end: int) -> str:
    before = line[:start].rstrip()
    after = line[end:].lstrip()
    if before and after:
        return f"{before} {after}"
    return before or after


def set_inline_field(line: str, key: str, value: str | None) -> str:
    """Set, replace or (with ``None``) remove the bracketed ``[key:: value]`` field of a line."""
    spans = [
        field.span
        for field in extract_inline_fields(line, UTC)
        if field.key == key and field.span is not None
    ]
    if spans:
        start, end = spans[0]
        if value is None:
            return _without_span(line, start, end)
        return f"{line[:start]}[{key}:: {value}]{line[end:]}"
    if value is None:
        return line
    return f"{line.rstrip()} [{key}:: {value}]"


_COMPLETION_EMOJI = re.compile(r"\u2705\s*\d{4}-\d{2}-\d{2}")


def set_emoji_completion(line: str, value: str | None) -> str:
    """Remove any ``✅ date`` from a task line, then append ``✅ value`` unless it is None."""
    match = _COMPLETION_EMOJI.search(line)
    if match is not None:
        line = _without_span(line, match.start(), match.end())
    if value is None:
        return line
    return f"{line.rstrip()} \u2705 {value}"
