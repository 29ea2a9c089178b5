"""Indexing: ``a.b`` and ``a[i]`` on every value type (SPEC §5.5).

Objects give their field; links resolve to the linked page first; lists *swizzle* a string index
over their elements (errors skipped, nulls kept, never flattened) and take a number index as a
position; strings take a number; dates and durations expose their parts; everything else gives
null, so ``x.y.z`` is null-safe. An index that is not a string, number or null is an error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from query.errors import EvaluationError
from query.temporal.durations import duration_as
from query.values import Date, Duration, Link, Value

ResolveLink = Callable[[Link], Mapping[str, Value] | None]

_DURATION_UNITS = {
    "year": "years", "years": "years", "month": "months", "months": "months", "weeks": "weeks",
    "day": "days", "days": "days", "hour": "hours", "hours": "hours", "minute": "minutes",
    "minutes": "minutes", "second": "seconds", "seconds": "seconds",
    "millisecond": "milliseconds", "milliseconds": "milliseconds",
}  # fmt: skip


def _date_part(date: Date, key: str) -> Value:
    if date.invalid is not None:
        return math.nan if key in _DATE_PARTS else None
    getter = _DATE_PARTS.get(key)
    return getter(date) if getter is not None else None


_DATE_PARTS: dict[str, Callable[[Date], Value]] = {
    "year": lambda d: d.dt.year,
    "month": lambda d: d.dt.month,
    "day": lambda d: d.dt.day,
    "hour": lambda d: d.dt.hour,
    "minute": lambda d: d.dt.minute,
    "second": lambda d: d.dt.second,
    "millisecond": lambda d: d.dt.microsecond // 1000,
    "weekday": lambda d: d.dt.isoweekday(),
    "weekyear": lambda d: d.dt.isocalendar()[1],  # Luxon's weekNumber: the ISO week
    "week": lambda d: d.dt.day // 7 + 1,  # week of the month, as Dataview computes it
}


def _position(items: Any, index: float) -> Value:
    if isinstance(index, float) and not index.is_integer():
        return None
    position = int(index)
    if position < 0 or position >= len(items):
        return None
    return items[position]


def index_value(obj: Value, index: Value, resolve_link: ResolveLink) -> Value:
    """``obj[index]`` with Dataview's rules; raises :class:`EvaluationError` where it errors."""
    if index is None:
        return None
    if isinstance(index, str):
        return field_value(obj, index, resolve_link)
    if isinstance(index, bool) or not isinstance(index, (int, float)):
        raise EvaluationError("Can only index with a string, variable, or number")
    if isinstance(obj, list):
        return _position(obj, index)
    if isinstance(obj, str):
        return _position(obj, index)
    if isinstance(obj, dict):
        raise EvaluationError('can only index into objects with strings (a.b or a["b"])')
    if isinstance(obj, Link):
        raise EvaluationError('can only index into links with strings (a.b or a["b"])')
    if isinstance(obj, Date):
        raise EvaluationError("date indexing requires a string representing the unit")
    if isinstance(obj, Duration):
        raise EvaluationError("duration indexing requires a string representing the unit")
    return None


def field_value(obj: Value, key: str, resolve_link: ResolveLink) -> Value:
    """``obj.key`` (a string index)."""
    if type(obj) is dict:
        return obj.get(key)
    if obj is None:
        return None
    if isinstance(obj, Link):
        page = resolve_link(obj)
        return None if page is None else page.get(key)
    if isinstance(obj, list):
        out: list[Value] = []
        for item in obj:
            try:
                out.append(field_value(item, key, resolve_link))
            except EvaluationError:
                continue  # Dataview skips elements that cannot be indexed
        return out
    if isinstance(obj, Mapping):
        return obj.get(key)
    if isinstance(obj, str):
        raise EvaluationError("string indexing requires a numeric index (string[index])")
    if isinstance(obj, Date):
        return _date_part(obj, key)
    if isinstance(obj, Duration):
        unit = _DURATION_UNITS.get(key)
        return duration_as(obj, unit) if unit is not None else None
    return None
