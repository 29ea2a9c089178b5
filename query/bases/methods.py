"""Methods of every Bases type (SPEC §6): Any, String, Number, Date, Duration, List, Link, File,
Object, RegExp — the 52 documented ones plus the list aggregates the summaries need.

``call_method(target, name, args, ctx)``: ``args`` are evaluated values, except for ``filter``,
``map`` and ``reduce``, whose arguments are compiled expressions run once per element with
``value``, ``index`` (and ``acc``) bound. A method the type lacks is an error value
(``Cannot find function "x" on type String``). On null every method gives null, except
``isEmpty`` (true), ``isTruthy`` (false), ``isType`` and ``toString``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, DecimalException
from decimal import Context as DecimalContext
from typing import TYPE_CHECKING, Any

from query.bases.functions import as_file
from query.bases.moment import format_moment, moment_string, parse_moment, relative, start_of_day
from query.bases.semantics import (
    equal,
    is_empty,
    sort_key,
    to_text,
    truthy,
    type_name,
)
from query.bases.values import (
    BaseLink,
    ErrorValue,
    FileRef,
    Moment,
    Pattern,
    Span,
    Tag,
    Value,
)
from query.errors import QueryError
from query.functions.js_regex import js_replace_compiled, js_split, js_split_compiled
from query.limits import check_list_size, check_string_size, within_time
from query.semantics import number_to_string

if TYPE_CHECKING:
    from query.bases.context import Context

__all__ = ["METHOD_NAMES", "call_method"]

Method = Callable[[Any, list[Any], "Context"], Value]

_TYPE_NAMES = {
    "null": "Null",
    "string": "String",
    "number": "Number",
    "boolean": "Boolean",
    "date": "Date",
    "duration": "Duration",
    "list": "List",
    "array": "List",
    "object": "Object",
    "link": "Link",
    "file": "File",
    "regexp": "RegExp",
    "html": "HTML",
    "icon": "Icon",
    "image": "Image",
    "error": "Error",
}


def _error(name: str, value: Value) -> ErrorValue:
    return ErrorValue(f'Cannot find function "{name}" on type {type_name(value)}')


def _arg(args: list[Any], i: int) -> Any:
    return args[i] if len(args) > i else None


def _int(value: Any, default: int) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return int(value)
    return default


# -- Any ------------------------------------------------------------------------------------------


def _is_type(value: Value, args: list[Any], ctx: Context) -> Value:
    wanted = to_text(_arg(args, 0)).lower()
    return _TYPE_NAMES.get(wanted) == type_name(value)


_ANY: dict[str, Method] = {
    "isTruthy": lambda v, a, c: truthy(v),
    "isType": _is_type,
    "toString": lambda v, a, c: to_text(v),
    "isEmpty": lambda v, a, c: is_empty(v),
}

# -- String ---------------------------------------------------------------------------------------


def _strings(args: list[Any]) -> list[str]:
    return [to_text(a) for a in args]


def _title(text: str) -> str:
    out: list[str] = []
    start = True
    for ch in text:
        out.append(ch.upper() if start else ch)
        start = ch.isspace()
    return "".join(out)


def _replace(text: str, args: list[Any], ctx: Context) -> Value:
    pattern, repl = _arg(args, 0), to_text(_arg(args, 1))
    if isinstance(pattern, Pattern):
        count = 0 if "g" in pattern.flags else 1
        return js_replace_compiled(text, pattern.compiled, repl, ctx.guard, count=count)
    needle = to_text(pattern)
    if needle:
        check_string_size(len(text) + text.count(needle) * max(len(repl) - len(needle), 0))
    return text.replace(needle, repl)


def _repeat(text: str, args: list[Any], ctx: Context) -> Value:
    count = _int(_arg(args, 0), 0)
    if count < 0:
        return ErrorValue("Invalid count value")
    check_string_size(len(text) * count)
    ctx.guard.tick(len(text) * count)
    return text * count


def _js_slice(length: int, args: list[Any]) -> slice:
    start = _int(_arg(args, 0), 0)
    end_arg = _arg(args, 1)
    end = length if end_arg is None else _int(end_arg, length)
    return slice(
        start if start >= 0 else max(length + start, 0), end if end >= 0 else max(length + end, 0)
    )


def _split(text: str, args: list[Any], ctx: Context) -> Value:
    separator, limit = _arg(args, 0), _arg(args, 1)
    lim = None if limit is None else _int(limit, 0)
    if isinstance(separator, Pattern):
        parts = js_split_compiled(text, separator.compiled, None, ctx.guard)
    elif separator is None:
        parts = [text]
    else:
        parts = js_split(text, _escape_pattern(to_text(separator)), None, ctx.guard)
    check_list_size(len(parts))
    return parts if lim is None else parts[: max(lim, 0)]


def _escape_pattern(text: str) -> str:
    return "".join("\\" + ch if ch in "\\^$.|?*+()[]{}/" else ch for ch in text)


_STRING: dict[str, Method] = {
    "contains": lambda s, a, c: to_text(_arg(a, 0)) in s,
    "containsAll": lambda s, a, c: all(x in s for x in _strings(a)),
    "containsAny": lambda s, a, c: any(x in s for x in _strings(a)),
    "startsWith": lambda s, a, c: s.startswith(to_text(_arg(a, 0))),
    "endsWith": lambda s, a, c: s.endswith(to_text(_arg(a, 0))),
    "lower": lambda s, a, c: s.lower(),
    "upper": lambda s, a, c: s.upper(),
    "title": lambda s, a, c: _title(s),
    "trim": lambda s, a, c: s.strip(),
    "replace": _replace,
    "repeat": _repeat,
    "reverse": lambda s, a, c: s[::-1],
    "slice": lambda s, a, c: s[_js_slice(len(s), a)],
    "split": _split,
}

# -- Number ---------------------------------------------------------------------------------------


def _tidy_number(value: float) -> float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


_DECIMAL = DecimalContext(prec=800, rounding=ROUND_HALF_UP, Emax=999_999, Emin=-999_999)
"""Room for any double written out in full (``repr`` has at most 17 significant digits and
exponents within ±324), so rounding never runs out of precision."""
_MAX_DIGITS = 400  # rounding a double at more decimals than this changes nothing


def _round(n: float, args: list[Any], ctx: Context) -> Value:
    digits = _int(_arg(args, 0), 0)
    if not math.isfinite(n):
        return n
    if digits > _MAX_DIGITS:
        return n
    if digits < -_MAX_DIGITS:
        return 0
    quantum = Decimal(1).scaleb(-digits, _DECIMAL)
    try:
        rounded = _DECIMAL.quantize(Decimal(repr(float(n))), quantum)
    except DecimalException as exc:
        return ErrorValue(f"round(): cannot round {number_to_string(n)}: {type(exc).__name__}")
    return _tidy_number(float(rounded))


def _to_fixed(n: float, args: list[Any], ctx: Context) -> Value:
    digits = min(max(_int(_arg(args, 0), 0), 0), 100)
    if not math.isfinite(n) or abs(n) >= 1e21:
        return number_to_string(n)  # JavaScript prints these as String(n)
    try:
        fixed = _DECIMAL.quantize(Decimal(repr(float(n))), Decimal(1).scaleb(-digits, _DECIMAL))
    except DecimalException as exc:
        return ErrorValue(f"toFixed(): cannot format {number_to_string(n)}: {type(exc).__name__}")
    return format(fixed, "f")


_NUMBER: dict[str, Method] = {
    "abs": lambda n, a, c: abs(n),
    "ceil": lambda n, a, c: _tidy_number(math.ceil(n)) if math.isfinite(n) else n,
    "floor": lambda n, a, c: _tidy_number(math.floor(n)) if math.isfinite(n) else n,
    "round": _round,
    "toFixed": _to_fixed,
}

# -- Date -----------------------------------------------------------------------------------------

_DATE: dict[str, Method] = {
    "date": lambda d, a, c: start_of_day(d),
    "time": lambda d, a, c: d.dt.strftime("%H:%M:%S"),
    "format": lambda d, a, c: format_moment(d, to_text(_arg(a, 0)) or "YYYY-MM-DDTHH:mm:ssZ"),
    "relative": lambda d, a, c: relative(d, c.clock.now),
    "isEmpty": lambda d, a, c: False,
    "toString": lambda d, a, c: moment_string(d),
}

# -- List -----------------------------------------------------------------------------------------


def _contains(items: list[Any], wanted: Value, ctx: Context) -> bool:
    ctx.guard.tick(len(items))
    local = ctx.clock.local
    for item in items:
        if isinstance(item, Tag) and isinstance(wanted, str) and not isinstance(wanted, Tag):
            if item.matches(wanted):
                return True
        elif equal(item, wanted, local):
            return True
    return False


def _each(items: list[Any], bodies: list[Any], ctx: Context, extra: dict[str, Value]) -> Any:
    ctx.guard.tick(len(items))
    for index, item in enumerate(items):
        yield index, item, ctx.child({"value": item, "index": index, **extra})


def _filter(items: list[Any], bodies: list[Any], ctx: Context) -> Value:
    if not bodies:
        return ErrorValue("filter() needs an expression")
    body = bodies[0]
    out = []
    for _, item, inner in _each(items, bodies, ctx, {}):
        if truthy(body(inner)):
            out.append(item)
    return out


def _map(items: list[Any], bodies: list[Any], ctx: Context) -> Value:
    if not bodies:
        return ErrorValue("map() needs an expression")
    body = bodies[0]
    return [body(inner) for _, _, inner in _each(items, bodies, ctx, {})]


def _reduce(items: list[Any], bodies: list[Any], ctx: Context) -> Value:
    if not bodies:
        return ErrorValue("reduce() needs an expression")
    body = bodies[0]
    acc = bodies[1](ctx) if len(bodies) > 1 else None
    ctx.guard.tick(len(items))
    for index, item in enumerate(items):
        acc = body(ctx.child({"value": item, "index": index, "acc": acc}))
        if isinstance(acc, str):
            check_string_size(len(acc))
        elif isinstance(acc, list):
            check_list_size(len(acc))
    return acc


def _flat(items: list[Any], args: list[Any], ctx: Context) -> Value:
    depth = _int(_arg(args, 0), 1)
    out: list[Any] = []

    def push(values: list[Any], level: int) -> None:
        for value in values:
            if isinstance(value, list) and level > 0:
                push(value, level - 1)
            else:
                out.append(value)
                if len(out) % 4096 == 0:
                    check_list_size(len(out))

    push(items, depth)
    check_list_size(len(out))
    return out


def _join(items: list[Any], args: list[Any], ctx: Context) -> Value:
    separator = "," if _arg(args, 0) is None else to_text(_arg(args, 0))
    parts = [to_text(item) for item in items]
    size = sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)
    check_string_size(size)
    ctx.guard.tick(size)
    return separator.join(parts)


def _unique(items: list[Any], args: list[Any], ctx: Context) -> Value:
    out: list[Any] = []
    seen: set[Any] = set()
    for item in items:
        key = _unique_key(item)
        if key is None:
            ctx.guard.tick(len(out))  # compared with every value kept so far
            if not any(equal(item, other, ctx.clock.local) for other in out):
                out.append(item)
        elif key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _unique_key(item: Value) -> Any:
    if item is None or isinstance(item, bool | int | float | str):
        return (type(item) is bool, item)
    if isinstance(item, BaseLink):
        return ("link", to_text(item))  # by rendered form (SPEC §6.6)
    if isinstance(item, Moment):
        return ("date", item.epoch_ms)
    if isinstance(item, FileRef):
        return ("file", item.path)
    return None


def _sort(items: list[Any], args: list[Any], ctx: Context) -> Value:
    ctx.guard.tick(len(items) * max(len(items).bit_length(), 1))
    return sorted(items, key=_list_sort_key)


def _list_sort_key(item: Value) -> tuple[Any, ...]:
    if item is None:
        return (9,)
    if isinstance(item, str):
        return (4, item)  # JavaScript's default order: by code unit, not case-folded
    return sort_key(item)


def _numbers(items: list[Any]) -> list[float]:
    return [i for i in items if isinstance(i, int | float) and not isinstance(i, bool)]


def _aggregate(fn: Callable[[list[float]], float]) -> Method:
    def run(items: list[Any], args: list[Any], ctx: Context) -> Value:
        numbers = _numbers(items)
        if not numbers:
            return None
        return _tidy_number(fn(numbers))

    return run


def _moments(items: list[Any], ctx: Context) -> list[Moment]:
    ctx.guard.tick(len(items))
    out = []
    for item in items:
        if isinstance(item, Moment):
            out.append(item)
        elif isinstance(item, str):
            parsed = parse_moment(item, ctx.clock.local)
            if parsed is not None:
                out.append(parsed)
    return out


def _median(numbers: list[float]) -> float:
    return float(statistics.median(numbers))


def _stddev(numbers: list[float]) -> float:
    return float(statistics.pstdev(numbers))


_LIST: dict[str, Method] = {
    "contains": lambda xs, a, c: _contains(xs, _arg(a, 0), c),
    "containsAll": lambda xs, a, c: all(_contains(xs, x, c) for x in a),
    "containsAny": lambda xs, a, c: any(_contains(xs, x, c) for x in a),
    "filter": _filter,
    "map": _map,
    "reduce": _reduce,
    "flat": _flat,
    "join": _join,
    "reverse": lambda xs, a, c: xs[::-1],
    "slice": lambda xs, a, c: xs[_js_slice(len(xs), a)],
    "sort": _sort,
    "unique": _unique,
    "isEmpty": lambda xs, a, c: not xs,
    "mean": _aggregate(lambda n: sum(n) / len(n)),
    "average": _aggregate(lambda n: sum(n) / len(n)),
    "median": _aggregate(_median),
    "stddev": _aggregate(_stddev),
    "sum": _aggregate(sum),
    "min": _aggregate(min),
    "max": _aggregate(max),
    "earliest": lambda xs, a, c: min(_moments(xs, c), key=lambda m: m.epoch_ms, default=None),
    "latest": lambda xs, a, c: max(_moments(xs, c), key=lambda m: m.epoch_ms, default=None),
}

# -- Link, File, Object, RegExp -------------------------------------------------------------------


def _links_to(link: BaseLink, args: list[Any], ctx: Context) -> Value:
    if link.resolved is None:
        return False
    return _has_link(FileRef(link.resolved), args, ctx)


def _has_tag(file: FileRef, args: list[Any], ctx: Context) -> Value:
    tags = ctx.vault.tags(file.path)
    return any(tag.matches(to_text(wanted)) for wanted in args for tag in tags)


def _has_link(file: FileRef, args: list[Any], ctx: Context) -> Value:
    target = _arg(args, 0)
    if isinstance(target, ErrorValue):
        return target
    if target is None:
        return False
    if isinstance(target, FileRef):
        return ctx.vault.has_link(file.path, target.path, target.path)
    if isinstance(target, BaseLink):
        return ctx.vault.has_link(file.path, target.text, target.resolved)
    text = to_text(target).strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].split("|", 1)[0]
    if "://" in text:
        return False
    return ctx.vault.has_link(file.path, text, ctx.vault.resolve(text, file.path))


def _in_folder(file: FileRef, args: list[Any], ctx: Context) -> Value:
    folder = to_text(_arg(args, 0)).strip().strip("/")
    if not folder:
        return True
    return file.path.startswith(folder + "/")


def _has_property(file: FileRef, args: list[Any], ctx: Context) -> Value:
    record = ctx.vault.record(file.path)
    return record is not None and to_text(_arg(args, 0)) in record.frontmatter


def _as_link(file: FileRef, args: list[Any], ctx: Context) -> Value:
    display = _arg(args, 0)
    return BaseLink(file.path, None if display is None else to_text(display), file.path)


_LINK: dict[str, Method] = {
    "asFile": lambda xs, a, c: as_file(xs, c),
    "linksTo": _links_to,
}
_FILE: dict[str, Method] = {
    "hasTag": _has_tag,
    "hasLink": _has_link,
    "inFolder": _in_folder,
    "hasProperty": _has_property,
    "asLink": _as_link,
}
_OBJECT: dict[str, Method] = {
    "keys": lambda o, a, c: list(o.keys()),
    "values": lambda o, a, c: list(o.values()),
    "isEmpty": lambda o, a, c: not o,
}


def _matches(pattern: Pattern, args: list[Any], ctx: Context) -> Value:
    text = to_text(_arg(args, 0))
    compiled = pattern.compiled
    return (
        within_time(ctx.guard, lambda t: compiled.search(text, timeout=t, concurrent=True))
        is not None
    )


_REGEXP: dict[str, Method] = {"matches": _matches}
_SPAN: dict[str, Method] = {}

_TABLES: list[tuple[type | tuple[type, ...], dict[str, Method]]] = [
    (str, _STRING),
    (list, _LIST),
    (Moment, _DATE),
    (Span, _SPAN),
    (BaseLink, _LINK),
    (FileRef, _FILE),
    (dict, _OBJECT),
    (Pattern, _REGEXP),
]

METHOD_NAMES = frozenset(
    {*_ANY, *_STRING, *_NUMBER, *_DATE, *_LIST, *_LINK, *_FILE, *_OBJECT, *_REGEXP}
)
_LAMBDAS = frozenset({"filter", "map", "reduce"})


def call_method(target: Value, name: str, args: list[Any], ctx: Context) -> Value:
    if isinstance(target, ErrorValue):
        return target
    if name not in _LAMBDAS:
        for arg in args:
            if isinstance(arg, ErrorValue):
                return arg
    if target is None:
        if name in ("isEmpty", "isTruthy", "isType", "toString"):
            return _ANY[name](None, args, ctx)
        return None
    if isinstance(target, FileRef) and target.context:
        target = FileRef(target.path)  # ``this.hasTag(…)`` and friends: the file's methods
    table: dict[str, Method] | None = None
    if isinstance(target, int | float) and not isinstance(target, bool):
        table = _NUMBER
    else:
        for kind, methods in _TABLES:
            if isinstance(target, kind):
                table = methods
                break
    method = table.get(name) if table is not None else None
    if method is None:
        method = _ANY.get(name)
    if method is None:
        return _error(name, target)
    if isinstance(target, str | list):
        ctx.guard.tick(len(target))  # every method may touch each element or character once
    try:
        return method(target, args, ctx)
    except QueryError as exc:
        if exc.code == "limit":
            raise
        return ErrorValue(exc.message)
    except (TypeError, ValueError, OverflowError) as exc:
        return ErrorValue(f"{name}(): {exc}")
