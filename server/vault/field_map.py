"""Collecting a page's or an item's fields under raw and canonical keys (SPEC §9.5, §11.4).

A key seen once holds its value; a key seen again becomes the list of all its values (Dataview
appends to an existing list). Every raw key is also stored under its canonical form unless that
form is itself a raw key; raw keys sharing a canonical key pool their values there.
"""

from __future__ import annotations

from query.values import Value
from server.vault.fields import canonicalize_key


class FieldMap:
    """An ordered bag of ``key -> value`` additions, finished into a plain dict by :meth:`build`."""

    __slots__ = ("_raw",)

    def __init__(self) -> None:
        self._raw: dict[str, list[Value]] = {}

    def add(self, key: str, value: Value) -> None:
        previous = self._raw.get(key)
        if previous is None:
            self._raw[key] = [value]
        else:
            previous.append(value)  # in place: a key repeated 100k times stays linear

    def __bool__(self) -> bool:
        return bool(self._raw)

    def __contains__(self, key: str) -> bool:
        return key in self._raw

    def build(self) -> dict[str, Value]:
        out: dict[str, Value] = {}
        canonical: dict[str, list[Value]] = {}
        for key, values in self._raw.items():
            out[key] = values[0] if len(values) == 1 else _collapse(values)
            canon = canonicalize_key(key)
            if canon != key:
                canonical.setdefault(canon, []).extend(values)
        for canon, pooled in canonical.items():
            if canon not in self._raw:
                out[canon] = _collapse(pooled)
        return out


def _collapse(values: list[Value]) -> Value:
    """Dataview's repeated appends in one step: the first value, if a list, is extended by the
    others (as elements, lists included); otherwise all values make the list."""
    first = values[0]
    if len(values) == 1:
        return first
    if isinstance(first, list):
        return [*first, *values[1:]]
    return list(values)
