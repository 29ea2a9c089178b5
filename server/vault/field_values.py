"""Turning field text into Dataview values: inline values (SPEC §11.3) and frontmatter (§11.5).

Also the small, name-based helpers of the page model: ``file.name``, ``file.folder`` and the date
Dataview infers from a file name (§9.2). Everything here is pure string work; dates and durations
come from :mod:`query.temporal.dates` so that fields and queries agree on the grammar.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from query.links import parse_link_inner
from query.temporal.dates import (
    invalid_date,
    local_date,
    normalize_duration,
    parse_date,
    parse_duration,
)
from query.temporal.zones import identity_for
from query.values import Date, Link, Value

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_TAG_VALUE = re.compile(r"#[\w/\-]+")
_LINK_VALUE = re.compile(r"\[\[((?:[^\]]|\](?!\]))*)\]\]")
_BOOLS = {"true": True, "True": True, "false": False, "False": False}
_FIRST_DIGITISH = frozenset("0123456789-+.")


_DATE_CACHE: dict[tuple[str, tzinfo], Date | None] = {}


def cached_date(text: str, local: tzinfo) -> Date | None:
    """:func:`query.temporal.dates.parse_date`, memoised: vaults repeat the same few thousand dates,
    and
    :class:`Date` is immutable, so sharing one object per text is safe."""
    key = (text, local)
    try:
        return _DATE_CACHE[key]
    except KeyError:
        pass
    found = parse_date(text, local)
    if len(_DATE_CACHE) < 100_000:
        _DATE_CACHE[key] = found
    return found


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(1) if m.group(1) in '"\\' else m.group(0), text)


def _link_value(text: str) -> Link | None:
    embed = text.startswith("!")
    body = text[1:] if embed else text
    if not body.startswith("[[") or not body.endswith("]]"):
        return None
    match = _LINK_VALUE.fullmatch(body)
    if match is None:
        return None
    return parse_link_inner(match.group(1), embed)


def _number(text: str) -> int | float:
    if "." in text:
        return float(text)
    try:
        return int(text)
    except ValueError:  # over Python's 4,300 digits: a JavaScript number is Infinity there
        return float(text)


def _atom(text: str, local: tzinfo) -> tuple[bool, Value]:
    """One inline atom (date, duration, string, tag, link, bool, number): ``(matched, value)``."""
    if not text:
        return False, None
    first = text[0]
    if first in _FIRST_DIGITISH:
        if first.isdigit():
            date = cached_date(text, local)
            if date is not None:
                return True, date
        duration = parse_duration(text)
        if duration is not None:
            return True, normalize_duration(duration)
        if _NUMBER.fullmatch(text):
            return True, _number(text)
        return False, None
    if first == '"':
        match = _QUOTED.fullmatch(text)
        if match is not None:
            return True, _unescape(match.group(1))
        return False, None
    if first == "#":
        return (True, text) if _TAG_VALUE.fullmatch(text) else (False, None)
    if first in "[!":
        link = _link_value(text)
        return (True, link) if link is not None else (False, None)
    if text in _BOOLS:
        return True, _BOOLS[text]
    return False, None


def _split_top_level(text: str) -> list[str] | None:
    """Split on commas outside quotes and ``[[…]]``; None when there is no such comma."""
    parts: list[str] = []
    start = 0
    i = 0
    n = len(text)
    in_quote = False
    depth = 0
    while i < n:
        ch = text[i]
        if in_quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_quote = False
        elif ch == '"':
            in_quote = True
        elif text.startswith("[[", i):
            depth += 1
            i += 1
        elif depth and text.startswith("]]", i):
            depth -= 1
            i += 1
        elif ch == "," and not depth:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    if not parts:
        return None
    parts.append(text[start:])
    return parts


def parse_inline_value(text: str, local: tzinfo) -> Value:
    """Dataview's inline-field value parser (SPEC §11.3); the whole text must match an atom."""
    if not text or text.isspace():
        return None
    matched, value = _atom(text, local)
    if matched:
        return value
    if "," in text:
        parts = _split_top_level(text)
        if parts is not None:
            if not parts[-1].strip():
                parts.pop()  # a trailing comma makes a list even of one element
            values: list[Value] = []
            for part in parts:
                ok, item = _atom(part.strip(), local)
                if not ok:
                    return text
                values.append(item)
            return values
    return text


def frontmatter_value(value: Any, local: tzinfo) -> Value:
    """A YAML-decoded frontmatter value as a Dataview value (SPEC §11.5)."""
    if isinstance(value, str):  # the usual value: tested first
        return _frontmatter_string(value, local)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [frontmatter_value(item, local) for item in value]
    if isinstance(value, Mapping):
        return {str(key): frontmatter_value(item, local) for key, item in value.items()}
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            return local_date(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond // 1000,
                local=local,
            )
        return Date(value, identity_for(value.tzinfo, value, local))
    if isinstance(value, _dt.date):
        return local_date(value.year, value.month, value.day, local=local)
    return str(value)


def _frontmatter_string(text: str, local: tzinfo) -> Value:
    if not text:
        return text
    first = text[0]
    if first.isdigit():
        date = cached_date(text, local)
        if date is not None:
            return date
    if first in _FIRST_DIGITISH:
        duration = parse_duration(text)
        if duration is not None:
            return duration  # frontmatter durations are not normalised
    if first in "[!":
        link = _link_value(text)
        if link is not None:
            return link
    return text


def file_title(path: str) -> str:
    """``file.name``: the last path segment without a trailing ``.md``."""
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.endswith(".md") else name


def file_folder(path: str) -> str:
    """``file.folder``: everything before the last ``/`` (``""`` at the root)."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


_DAY_DASHED = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def file_day_from_name(name: str, local: tzinfo) -> Date | None:
    """The date in a file name (``YYYY-MM-DD`` anywhere, else ``YYYYMMDD``); invalid dates kept."""
    match = _DAY_DASHED.search(name) or _DAY_COMPACT.search(name)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        _dt.date(year, month, day)
    except ValueError:
        # Luxon returns an invalid DateTime here rather than nothing (SPEC §9.2).
        return invalid_date("unit out of range", local)
    return local_date(year, month, day, local=local)
