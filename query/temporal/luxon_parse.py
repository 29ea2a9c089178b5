"""Luxon ``DateTime.fromFormat`` for Dataview's two-argument ``date(text, format)``.

Luxon builds one regular expression from the format's tokens and *searches* the text with it
(case-insensitively, unanchored), then validates the parsed units like ``DateTime.fromObject``.
Dataview adds ``x`` (epoch milliseconds) and ``X`` (epoch seconds) as whole formats. Unparseable
text raises :class:`query.errors.EvaluationError`; it never returns an invalid date.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

import regex

from query.errors import EvaluationError
from query.limits import MAX_PATTERN, UNLIMITED, Guard, within_time
from query.temporal.luxon_format import MONTHS, WEEKDAYS, parse_format
from query.temporal.zones import fixed_zone, fixed_zone_name, resolve_zone
from query.values import Date

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Deser = Callable[[list[str]], object]


def _int(text: str) -> int:
    return int(text)


def _untruncate_year(year: int) -> int:
    # Luxon's two-digit cutoff year is 60.
    if year > 99:
        return year
    return 1900 + year if year > 60 else 2000 + year


def _one_of(names: list[str], start: int) -> tuple[str, Deser]:
    pattern = "|".join(re.escape(n) for n in names)
    lowered = [n.lower() for n in names]
    return f"({pattern})", lambda groups: lowered.index(groups[0].lower()) + start


def _int_unit(digits: str, post: Callable[[int], int] = lambda x: x) -> tuple[str, Deser]:
    return f"(\\d{digits})", lambda groups: post(int(groups[0]))


_MONTHS_SHORT = [m[:3] for m in MONTHS]
_DAYS_SHORT = [d[:3] for d in WEEKDAYS]


def _unit_for(token: str) -> tuple[str, Deser] | None:
    table: dict[str, tuple[str, Deser]] = {
        "y": _int_unit("{1,6}"),
        "yy": _int_unit("{2,4}", _untruncate_year),
        "yyyy": _int_unit("{4}"),
        "yyyyy": _int_unit("{4,6}"),
        "yyyyyy": _int_unit("{6}"),
        "M": _int_unit("{1,2}"),
        "MM": _int_unit("{2}"),
        "L": _int_unit("{1,2}"),
        "LL": _int_unit("{2}"),
        "MMM": _one_of(_MONTHS_SHORT, 1),
        "LLL": _one_of(_MONTHS_SHORT, 1),
        "MMMM": _one_of(list(MONTHS), 1),
        "LLLL": _one_of(list(MONTHS), 1),
        "d": _int_unit("{1,2}"),
        "dd": _int_unit("{2}"),
        "o": _int_unit("{1,3}"),
        "ooo": _int_unit("{3}"),
        "H": _int_unit("{1,2}"),
        "HH": _int_unit("{2}"),
        "h": _int_unit("{1,2}"),
        "hh": _int_unit("{2}"),
        "m": _int_unit("{1,2}"),
        "mm": _int_unit("{2}"),
        "s": _int_unit("{1,2}"),
        "ss": _int_unit("{2}"),
        "S": _int_unit("{1,3}"),
        "SSS": _int_unit("{3}"),
        "q": _int_unit("{1,2}"),
        "qq": _int_unit("{2}"),
        "a": _one_of(["AM", "PM"], 0),
        "kkkk": _int_unit("{4}"),
        "kk": _int_unit("{2,4}", _untruncate_year),
        "W": _int_unit("{1,2}"),
        "WW": _int_unit("{2}"),
        "E": _int_unit("{1}"),
        "c": _int_unit("{1}"),
        "EEE": _one_of(_DAYS_SHORT, 1),
        "ccc": _one_of(_DAYS_SHORT, 1),
        "EEEE": _one_of(list(WEEKDAYS), 1),
        "cccc": _one_of(list(WEEKDAYS), 1),
        "G": _one_of(["BC", "AD"], 0),
        "GG": _one_of(["Before Christ", "Anno Domini"], 0),
    }
    if token in table:
        return table[token]
    if token in ("Z", "ZZ"):
        return r"([+-]\d{1,2})(?::(\d{2}))?", _offset
    if token == "ZZZ":
        return r"([+-]\d{1,2})(\d{2})?", _offset
    if token == "z":
        return r"([a-z_+\-/]{1,256}?)", lambda groups: groups[0]
    return None


def _offset(groups: list[str]) -> int:
    hours = int(groups[0])
    minutes = int(groups[1]) if groups[1] else 0
    return hours * 60 + (-minutes if groups[0].startswith("-") else minutes)


def _epoch(text: str, fmt: str, local: tzinfo) -> Date:
    match = re.search(r"-?\d+", text)
    if match is None:
        raise EvaluationError(f"could not parse '{text}' with format '{fmt}'")
    try:
        amount: float = int(match.group())
    except ValueError:  # over Python's 4,300-digit limit: out of range, as in JavaScript
        amount = float(match.group())
    millis = amount if fmt == "x" else amount * 1000
    try:
        return Date((_EPOCH + timedelta(milliseconds=millis)).astimezone(local), "local")
    except OverflowError as exc:
        raise EvaluationError(f"timestamp out of range: {text}") from exc


@lru_cache(maxsize=256)
def _format_regex(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)


def parse_date_with_format(
    text: str, fmt: str, local: tzinfo, *, now: Date | None = None, guard: Guard = UNLIMITED
) -> Date:
    """Luxon ``DateTime.fromFormat(text, fmt)`` in en-US; raises EvaluationError if it fails.

    Units larger than the largest parsed unit default to ``now`` (Luxon's rule); without ``now``
    they default to 1970-01-01. The format becomes a regular expression whose cost can grow
    exponentially with the format (``z/z!``), so it is matched within the query's time limit.
    """
    if fmt in ("x", "X"):
        return _epoch(text, fmt, local)
    pattern = ""
    handlers: list[tuple[str, int, Deser]] = []
    for literal, val in parse_format(fmt):
        unit = None if literal else _unit_for(val)
        if unit is None:
            pattern += re.escape(val)
            continue
        regex, deser = unit
        pattern += regex
        handlers.append((val[0], re.compile(regex).groups, deser))
    if len(pattern) > MAX_PATTERN:
        raise EvaluationError(f"could not parse '{text}' with format '{fmt}': format too long")
    compiled = _format_regex(pattern)
    match = within_time(guard, lambda timeout: compiled.search(text, timeout=timeout))
    if match is None or not handlers:
        raise EvaluationError(f"could not parse '{text}' with format '{fmt}'")
    found: dict[str, object] = {}
    index = 1
    for key, groups, deser in handlers:
        found[key] = deser([match.group(i) or "" for i in range(index, index + groups)])
        index += groups
    result = _build(found, local, now)
    if result is None:
        raise EvaluationError(f"could not parse '{text}' with format '{fmt}': unit out of range")
    return result


def _build(found: dict[str, object], local: tzinfo, now: Date | None) -> Date | None:
    values = {k: v for k, v in found.items() if isinstance(v, int)}
    if "h" in values and "a" in values:
        if values["h"] < 12 and values["a"] == 1:
            values["h"] += 12
        elif values["h"] == 12 and values["a"] == 0:
            values["h"] = 0
    if values.get("G") == 0 and "y" in values:
        values["y"] = -values["y"]
    if "q" in values and "M" not in values and "L" not in values:
        values["M"] = (values["q"] - 1) * 3 + 1
    tz, zone = local, "local"
    if isinstance(found.get("z"), str):
        resolved = resolve_zone(str(found["z"]), local)
        if resolved is None:
            return None
        tz, zone = resolved
    if "Z" in values:
        fixed = fixed_zone(values["Z"])
        if fixed is None:
            return None
        tz, zone = fixed, fixed_zone_name(values["Z"])
    fields = {
        "year": values.get("y"),
        "month": values.get("M", values.get("L")),
        "day": values.get("d"),
        "hour": values.get("H", values.get("h")),
        "minute": values.get("m"),
        "second": values.get("s"),
        "millisecond": values.get("S"),
    }
    base = now.dt.astimezone(tz) if now is not None else datetime(1970, 1, 1)
    defaults = {
        "year": base.year, "month": base.month, "day": base.day, "hour": base.hour,
        "minute": base.minute, "second": base.second, "millisecond": base.microsecond // 1000,
    }  # fmt: skip
    minimum = {"month": 1, "day": 1}
    found_first = False
    resolved_fields: dict[str, int] = {}
    for unit, value in fields.items():
        if value is not None:
            found_first = True
            resolved_fields[unit] = value
        else:
            resolved_fields[unit] = minimum.get(unit, 0) if found_first else defaults[unit]
    y, mo, d = resolved_fields["year"], resolved_fields["month"], resolved_fields["day"]
    h, mi, s, ms = (resolved_fields[u] for u in ("hour", "minute", "second", "millisecond"))
    if not (1 <= y <= 9999 and 1 <= mo <= 12 and 1 <= d <= monthrange(y, mo)[1]):
        return None
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 59 and 0 <= ms <= 999):
        return None
    weekday = values.get("E", values.get("c"))
    naive = datetime(y, mo, d, h, mi, s, ms * 1000)
    if weekday is not None and naive.isoweekday() != weekday:
        return None
    dt = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    if zone != "local":
        # Luxon's fromFormat interprets in the parsed zone, then converts to the default zone.
        return Date(dt.astimezone(local), "local")
    return Date(dt, zone)
