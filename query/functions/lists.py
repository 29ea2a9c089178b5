"""Container built-ins (SPEC §8 "Containers and strings", the list and object half).

``contains icontains econtains extract sort reverse length nonnull firstvalue all any none join
filter map flat slice unique``. Equality and ordering come from ``query.semantics`` (the one §6.2
comparator); lambdas are called through ``CallContext.call_value`` with the element only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from query.errors import EvaluationError
from query.functions.dispatch import (
    BuiltinFunction,
    CallContext,
    PlainFunction,
    clamp_index,
    to_integer,
    u16,
)
from query.limits import check_list_size, check_string_size
from query.semantics import compare, equals, to_string, truthy
from query.values import Function, Link, Value

_CONTAINER_TYPES = (list, tuple, str, dict)


def _contains_family(name: str, *, fold_case: bool, recursive: bool) -> BuiltinFunction:
    fn = BuiltinFunction(name)

    def in_list(ctx: CallContext, items: list[Value], needle: Value) -> bool:
        ctx.guard.tick(len(items))
        if recursive:
            # Each element "contains" the needle by the same function (substring, nested list…).
            # Elements that are not arrays, strings or objects can only reach the ("*", "*")
            # variant, which is plain equality: take it directly (this is the hot path for
            # contains(file.outlinks, [[x]])).
            plain_path = (
                needle.path
                if type(needle) is Link and needle.path.isascii() and needle.path.isprintable()
                else None
            )
            for item in items:
                if isinstance(item, _CONTAINER_TYPES):
                    if fn(ctx, [item, needle]):
                        return True
                elif plain_path is not None and type(item) is Link:
                    # Unequal printable-ASCII paths never collate equal: skip without comparing.
                    path = item.path
                    maybe_equal = path == plain_path or not (path.isascii() and path.isprintable())
                    if maybe_equal and equals(needle, item):
                        return True
                elif equals(needle, item):
                    return True
            return False
        return any(equals(needle, item) for item in items)

    def in_string(_ctx: CallContext, hay: str, needle: str) -> bool:
        if fold_case:
            return needle.lower() in hay.lower()
        return needle in hay

    return (
        fn.variant(("array", "*"), in_list)
        .variant(("string", "string"), in_string)
        .variant(("object", "string"), lambda _c, obj, key: key in obj)
        .variant(("*", "*"), lambda _c, a, b: equals(a, b))
        .vectorize(2, (1,))
    )


CONTAINS = _contains_family("contains", fold_case=False, recursive=True)
ICONTAINS = _contains_family("icontains", fold_case=True, recursive=True)
ECONTAINS = _contains_family("econtains", fold_case=False, recursive=False)


def _index(ctx: CallContext, obj: Value, key: str) -> Value:
    """``obj[key]`` for a string key (SPEC §5.5), via the evaluator when it provides indexing."""
    if ctx.index_value is not None:
        return ctx.index_value(obj, key)
    if isinstance(obj, dict):
        return obj.get(key)
    if isinstance(obj, Link):
        page = ctx.resolve_link(obj)
        return None if page is None else page.get(key)
    if isinstance(obj, list):
        out: list[Value] = []
        for item in obj:
            try:
                out.append(_index(ctx, item, key))
            except EvaluationError:
                continue  # swizzling skips elements that cannot be indexed
        return out
    if isinstance(obj, str):
        raise EvaluationError(f"Cannot index a string with '{key}'")
    return None


def _extract(ctx: CallContext, *args: Value) -> Value:
    if not args:
        # Dataview returns (not raises) this message.
        return "extract(object, key1, ...) requires at least 1 argument"
    target, keys = args[0], args[1:]
    if isinstance(target, list):
        return [_extract(ctx, item, *keys) for item in target]
    out: dict[str, Value] = {}
    for key in keys:
        if not isinstance(key, str):
            raise EvaluationError("extract(object, key1, ...) must be called with string keys")
        out[key] = _index(ctx, target, key)
    return out


EXTRACT = PlainFunction("extract", _extract, lambda n: True)


def _sort(ctx: CallContext, items: list[Value], key: Value = None) -> Value:
    if len(items) < 2:
        return list(items)
    ctx.guard.tick(len(items))
    keyed: list[tuple[Value, Value]]
    if key is None:
        keyed = [(item, item) for item in items]
    else:
        keyed = [(ctx.call_value(key, [item]), item) for item in items]
    metered = _metered(ctx, compare)

    def by_key(a: tuple[Value, Value], b: tuple[Value, Value]) -> int:
        return metered(a[0], b[0])

    keyed.sort(key=functools.cmp_to_key(by_key))
    return [item for _, item in keyed]


def _metered(ctx: CallContext, cmp: Callable[[Value, Value], int]) -> Callable[[Value, Value], int]:
    """``cmp`` ticking the query's guard every 4,096 comparisons: a sort of a million values
    makes twenty million of them, and must still stop at the time limit."""
    count = 0
    guard = ctx.guard

    def counted(a: Value, b: Value) -> int:
        nonlocal count
        count += 1
        if not count & 4095:
            guard.tick(4096)
        return cmp(a, b)

    return counted


SORT = (
    BuiltinFunction("sort")
    .variant(("array",), lambda c, items: _sort(c, items))
    .variant(("array", "function"), _sort)
    .variant(("*",), lambda _c, x: x)
)

REVERSE = (
    BuiltinFunction("reverse")
    .variant(("array",), lambda _c, items: items[::-1])
    .variant(("string",), lambda _c, s: s[::-1])
    .variant(("*",), lambda _c, x: x)
)

LENGTH = (
    BuiltinFunction("length")
    .variant(("array",), lambda _c, items: len(items))
    .variant(("object",), lambda _c, obj: len(obj))
    .variant(("string",), lambda _c, s: len(u16(s)))  # JS counts UTF-16 code units
    .variant(("null",), lambda _c, _n: 0)
)

NONNULL = (
    BuiltinFunction("nonnull")
    .variant(("array",), lambda _c, items: [x for x in items if x is not None])
    .vararg(lambda _c, *items: [x for x in items if x is not None])
)


def _first_value(_ctx: CallContext, items: list[Value]) -> Value:
    return next((x for x in items if x is not None), None)


FIRSTVALUE = (
    BuiltinFunction("firstvalue")
    .variant(("array",), _first_value)
    .variant(("null",), lambda _c, _n: None)
)


Each = Callable[[Value], Value]
"""A lambda applied to one element (what ``ctx.call_value(fn, [x])`` returns)."""


def _all(ctx: CallContext, items: list[Value], each: Each) -> bool:
    ctx.guard.tick(len(items))
    for x in items:
        value = each(x)
        if not (value if type(value) is bool else truthy(value)):
            return False
    return True


def _any(ctx: CallContext, items: list[Value], each: Each) -> bool:
    ctx.guard.tick(len(items))
    for x in items:
        value = each(x)
        if value if type(value) is bool else truthy(value):
            return True
    return False


def _filter(ctx: CallContext, items: list[Value], each: Each) -> list[Value]:
    ctx.guard.tick(len(items))
    kept: list[Value] = []
    for x in items:
        value = each(x)
        if value if type(value) is bool else truthy(value):
            kept.append(x)
    return kept


def _map(ctx: CallContext, items: list[Value], each: Each) -> list[Value]:
    ctx.guard.tick(len(items))
    return [each(x) for x in items]


# The ``(array, function)`` variants of these functions, over the lambda applied per element
# (each stops where ``all``/``any`` over a generator would): the variants below call them
# through ``call_value``; compiled calls whose second argument is a lambda literal call them
# directly, with no function value per row (``query.compile``).
ELEMENTWISE: dict[str, Callable[[CallContext, list[Value], Each], Value]] = {
    "all": _all,
    "any": _any,
    "none": lambda ctx, items, each: not _any(ctx, items, each),
    "filter": _filter,
    "map": lambda ctx, items, each: _map(ctx, items, each),
}


def _with_function(name: str) -> Callable[[CallContext, list[Value], Function], Value]:
    """``name``'s ``(array, function)`` variant: :data:`ELEMENTWISE` through ``call_value``."""
    over = ELEMENTWISE[name]

    def run(ctx: CallContext, items: list[Value], fn: Function) -> Value:
        call = ctx.call_value
        return over(ctx, items, lambda x: call(fn, [x]))

    return run


def _quantifier(name: str, combine: Any) -> BuiltinFunction:
    """``all``/``any``/``none``: over one list, a list plus predicate, or the arguments."""
    return (
        BuiltinFunction(name)
        .variant(("array",), lambda _c, items: bool(combine(truthy(x) for x in items)))
        .variant(("array", "function"), _with_function(name))
        .vararg(lambda _c, *items: bool(combine(truthy(x) for x in items)))
    )


ALL = _quantifier("all", all)
ANY = _quantifier("any", any)
NONE = _quantifier("none", lambda it: not any(it))


def _join(ctx: CallContext, items: list[Value], sep: str = ", ") -> str:
    ctx.guard.tick(len(items))
    parts = [to_string(x, ctx.env) for x in items]
    size = sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0)
    check_string_size(size)  # the same long string joined many times
    ctx.guard.tick(size)
    return sep.join(parts)


JOIN = (
    BuiltinFunction("join")
    .variant(("array", "string"), _join)
    .variant(("array", "null"), lambda c, items, _n: _join(c, items))
    .variant(("*", "string"), lambda c, x, _s: to_string(x, c.env))
    .variant(("array",), lambda c, items: _join(c, items))
    .variant(("*",), lambda c, x: to_string(x, c.env))
    .vectorize(2, (1,))
)

FILTER = (
    BuiltinFunction("filter")
    .variant(("array", "function"), _with_function("filter"))
    .variant(("null", "*"), lambda _c, _n, _f: None)
)

MAP = (
    BuiltinFunction("map")
    .variant(("array", "function"), _with_function("map"))
    .variant(("null", "*"), lambda _c, _n, _f: None)
)


def _flat(ctx: CallContext, items: list[Value], depth: float) -> list[Value]:
    ctx.guard.tick(len(items))
    out: list[Value] = []
    for item in items:
        if isinstance(item, list) and depth >= 1:
            out.extend(_flat(ctx, item, depth - 1))
            check_list_size(len(out))  # the same long list flattened many times
        else:
            out.append(item)
    return out


FLAT = (
    BuiltinFunction("flat")
    .variant(("array",), lambda c, items: _flat(c, items, 1))
    .variant(("array", "number"), lambda c, items, n: _flat(c, items, to_integer(n)))
    .variant(("null",), lambda _c, _n: None)
)


def _slice_bound(x: float, length: int) -> int:
    rel = to_integer(x)
    if rel < 0:
        return clamp_index(length + rel if not math.isinf(rel) else 0, length)
    return clamp_index(rel, length)


def _slice(
    _ctx: CallContext, items: list[Value], start: float = 0, end: float | None = None
) -> Value:
    lo = _slice_bound(start, len(items))
    hi = len(items) if end is None else _slice_bound(end, len(items))
    return items[lo:hi] if hi > lo else []


SLICE = (
    BuiltinFunction("slice")
    .variant(("array",), lambda c, items: _slice(c, items))
    .variant(("array", "number"), _slice)
    .variant(("array", "number", "number"), _slice)
    .variant(("null",), lambda _c, _n: None)
)


def _unique(ctx: CallContext, items: list[Value]) -> list[Value]:
    # Dataview's DataArray.distinct: stable sort by the comparator, keep the first of each run.
    ctx.guard.tick(len(items))
    ordered = sorted(items, key=functools.cmp_to_key(_metered(ctx, compare)))
    out: list[Value] = []
    for item in ordered:
        if not out or compare(out[-1], item) != 0:
            out.append(item)
    return out


UNIQUE = (
    BuiltinFunction("unique").variant(("array",), _unique).variant(("null",), lambda _c, _n: None)
)

LISTS: dict[str, BuiltinFunction] = {
    "contains": CONTAINS,
    "icontains": ICONTAINS,
    "econtains": ECONTAINS,
    "extract": EXTRACT,
    "sort": SORT,
    "reverse": REVERSE,
    "length": LENGTH,
    "nonnull": NONNULL,
    "firstvalue": FIRSTVALUE,
    "all": ALL,
    "any": ANY,
    "none": NONE,
    "join": JOIN,
    "filter": FILTER,
    "map": MAP,
    "flat": FLAT,
    "slice": SLICE,
    "unique": UNIQUE,
}
