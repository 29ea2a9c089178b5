"""Sorting by Dataview's comparator, with Python sort keys wherever they give the same order.

Dataview sorts with its §6.2 comparator (``query.semantics.compare``) in a stable sort. Calling
that comparator through ``cmp_to_key`` costs a Python call per comparison, about n·log n of them.
For the value kinds whose comparator is a consistent total preorder (null, booleans, numbers
other than NaN, strings, links, valid dates that all share one zone) an equivalent sort key
exists: ``(type rank, value key)``, where equal keys are exactly the pairs the comparator calls
equal. Those sorts run on keys, computed once per row; anything else (NaN, durations, arrays,
objects, dates in several zones, invalid dates, where the comparator is not even consistent)
falls back to the comparator itself, so the order is always the comparator's.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any, TypeVar, cast

from query.collation import collation_key
from query.semantics import compare
from query.temporal.dates import epoch_us
from query.values import Date, Link, Value

T = TypeVar("T")

# Dataview orders different types by their type names; null sorts before everything.
_RANK_NULL, _RANK_BOOLEAN, _RANK_DATE, _RANK_LINK, _RANK_NUMBER, _RANK_STRING = range(6)


class _NotKeyable(Exception):
    """This value's comparator order cannot be expressed by a key."""


def _link_key(link: Link) -> tuple[Any, ...]:
    subpath: tuple[Any, ...] = (1, collation_key(link.subpath)) if link.subpath else (0,)
    return (collation_key(link.path), collation_key(link.type), subpath)


def value_key(value: Value, zones: set[str]) -> tuple[int, Any]:
    """``value``'s sort key; records each date's zone in ``zones``; raises _NotKeyable."""
    kind = type(value)
    if kind is str:
        return (_RANK_STRING, collation_key(value))
    if kind is int:
        return (_RANK_NUMBER, value)
    if kind is float:
        if math.isnan(value):
            raise _NotKeyable
        return (_RANK_NUMBER, value)
    if value is None:
        return (_RANK_NULL, 0)
    if kind is bool:
        return (_RANK_BOOLEAN, int(value))
    if kind is Date:
        if value.invalid is not None:
            raise _NotKeyable
        zones.add(value.zone)
        return (_RANK_DATE, epoch_us(value.dt))
    if kind is Link:
        return (_RANK_LINK, _link_key(value))
    raise _NotKeyable


def keys_for(values: Sequence[Value]) -> list[Any] | None:
    """Sort keys for ``values`` ordering them as ``compare`` does, or None when none exist."""
    kinds = set(map(type, values))
    if len(kinds) == 1:
        # One type: no rank needed, and the per-type key is computed without dispatch.
        kind = kinds.pop()
        if kind is str:
            return list(map(collation_key, values))
        if kind is int or kind is bool:
            return list(values)
        if kind is float:
            return None if any(math.isnan(value) for value in values) else list(values)
        if kind is Date:
            zone = values[0].zone
            keys: list[Any] = []
            for value in values:  # one pass: at 50k rows, every pass over the dates shows
                if value.zone != zone or value.invalid is not None:
                    return None
                keys.append(epoch_us(value.dt))
            return keys
        if kind is Link:
            return list(map(_link_key, values))
    zones: set[str] = set()
    try:
        keys = [value_key(value, zones) for value in values]
    except _NotKeyable:
        return None
    # Dates at the same instant in different zones compare unequal both ways: no key for that.
    return keys if len(zones) <= 1 else None


def sort_by_values(
    items: list[T],
    values: Sequence[Sequence[Value]],
    descending: Sequence[bool],
    limit: int | None = None,
    keys: Sequence[list[Any] | None] | None = None,
) -> list[T]:
    """``items`` stably sorted by their key values (one list per sort key), as Dataview does.

    ``values[k][i]`` is item ``i``'s value for sort key ``k``; ``descending[k]`` its direction.
    With ``limit``, only the first ``limit`` items of that order are returned (found without a
    full sort where keys exist). ``keys`` may hold precomputed ``keys_for`` results per column.
    """
    columns = (
        [keys_for(column) for column in values]
        if keys is None
        else [
            key if key is not None else keys_for(column)
            for key, column in zip(keys, values, strict=True)
        ]
    )
    if all(column is not None for column in columns):
        if limit is not None and limit < len(items) and len(set(descending)) == 1:
            return _top(items, cast(list[list[Any]], columns), descending[0], limit)
        order = list(range(len(items)))
        # Stable sorts from the last key to the first give the lexicographic order; reverse=True
        # keeps equal items in their original order, just as negating the comparator does.
        for column, down in zip(reversed(columns), reversed(descending), strict=True):
            assert column is not None
            order.sort(key=column.__getitem__, reverse=down)
        return [items[i] for i in order[:limit]]
    return _sort_by_comparator(items, values, descending)[:limit]


def _top(items: list[T], columns: list[list[Any]], down: bool, limit: int) -> list[T]:
    """The first ``limit`` items of the stable sort, by a heap: ``heapq.nsmallest`` and
    ``nlargest`` are documented to equal ``sorted(..., reverse=down)[:limit]``, ties included."""
    if limit <= 0:
        return []
    key = (
        columns[0].__getitem__
        if len(columns) == 1
        else list(zip(*columns, strict=True)).__getitem__
    )
    pick = heapq.nlargest if down else heapq.nsmallest
    return [items[i] for i in pick(limit, range(len(items)), key=key)]


def _sort_by_comparator(
    items: list[T], values: Sequence[Sequence[Value]], descending: Sequence[bool]
) -> list[T]:
    directions = [-1 if down else 1 for down in descending]
    rows = [[column[i] for column in values] for i in range(len(items))]

    def order(a: int, b: int) -> int:
        for left, right, direction in zip(rows[a], rows[b], directions, strict=True):
            result = compare(left, right)
            if result:
                return result * direction
        return 0

    positions = sorted(range(len(items)), key=cmp_to_key(order))  # stable, as Dataview's sort
    return [items[i] for i in positions]


def sort_values(values: list[Value], key: Callable[[Value], Value] | None = None) -> list[Value]:
    """``values`` sorted ascending by ``compare`` (of ``key(value)`` when given)."""
    keyed = [key(value) for value in values] if key is not None else values
    return sort_by_values(values, [keyed], [False])
