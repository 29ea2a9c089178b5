"""Collecting a page's or an item's fields under raw and canonical keys (SPEC §9.5, §11.4).

Every key collects its occurrences, one element per occurrence, as Dataview does
(``addInlineField``, ``mergeFieldGroups``, ``finalizeInlineFields``): a key seen once holds that
value; a key seen again holds the list of its occurrences. An occurrence whose value is a list
stays one element, so ``names: [a, b]`` then ``names:: c`` gives ``[[a, b], "c"]``, not a flat
list. Every raw key is also stored under its canonical form unless that form is empty or itself
a raw key; raw keys sharing a canonical form pool their occurrences there.
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
        for key, occurrences in self._raw.items():
            out[key] = _finish(occurrences)
            canon = canonicalize_key(key)
            if canon and canon != key:
                canonical.setdefault(canon, []).extend(occurrences)
        for canon, pooled in canonical.items():
            if canon not in self._raw:
                out[canon] = _finish(pooled)
        return out


def _finish(occurrences: list[Value]) -> Value:
    """One occurrence is its value; several are the list of them, each one element."""
    return occurrences[0] if len(occurrences) == 1 else list(occurrences)
