"""Dataview's value semantics: type names, truthiness, the total comparator, string conversion and
the binary-operator table (SPEC §6, §7.4 and §8 ``string``).

Everything here is a pure function of its arguments; "now", the local zone and the rendering
settings arrive in an :class:`Env`. Numbers follow JavaScript: ``1/0`` is Infinity, ``%`` keeps the
dividend's sign, and numbers print the way ``Number.prototype.toString`` prints them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal

from query.collation import locale_compare
from query.errors import EvaluationError
from query.limits import check_list_size, check_string_size
from query.temporal.dates import (
    add_duration,
    duration_millis,
    epoch_us,
    format_date,
    human_duration,
    negate_duration,
    normalize_duration,
    plus_durations,
    scale_duration,
    subtract_dates,
)
from query.values import Date, Duration, Function, Link, Value, Widget


@dataclass(frozen=True)
class Settings:
    """The Dataview settings that change values or how they render (SPEC §13), with Dataview's
    defaults; the server reads a vault's own from Dataview's ``data.json``.

    ``table_group_column_name`` is carried for completeness: Dataview heads a grouped table's id
    column with the GROUP BY's name, never with this setting (``select.py`` does the same)."""

    render_null_as: str = "\\-"
    default_date_format: str = "MMMM dd, yyyy"
    default_datetime_format: str = "h:mm a - MMMM dd, yyyy"
    table_id_column_name: str = "File"
    table_group_column_name: str = "Group"
    show_result_count: bool = True  # the counts in Markdown task-group headings
    max_recursive_render_depth: float = 4  # inline renderings: deeper values show as "..."


@dataclass(frozen=True)
class Env:
    """What an evaluation may depend on besides the row: the clock, the local zone, settings."""

    now: Date
    local: tzinfo
    settings: Settings = field(default_factory=Settings)


_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    Date: "date",
    Duration: "duration",
    Link: "link",
    list: "array",
    tuple: "array",
    dict: "object",
    Function: "function",
    Widget: "widget",
}


def type_name(v: Value) -> str:
    """Dataview's ``typeof`` names."""
    name = _TYPE_NAMES.get(type(v))  # exact types first: this runs for every operator and call
    if name is not None:
        return name
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Date):
        return "date"
    if isinstance(v, Duration):
        return "duration"
    if isinstance(v, Link):
        return "link"
    if isinstance(v, list | tuple):
        return "array"
    if isinstance(v, Function) or callable(v):
        return "function"
    if isinstance(v, Widget):
        return "widget"
    if isinstance(v, dict):
        return "object"
    return "unknown"


def truthy(v: Value) -> bool:
    """SPEC §6.1. NaN is truthy (the test is ``!= 0``); a date at epoch 0 is falsy."""
    exact = type(v)
    if exact is bool:
        return v  # type: ignore[no-any-return]
    if v is None:
        return False
    if exact is str or exact is list or exact is dict:
        return len(v) > 0
    if exact is Date:
        return v.invalid is not None or epoch_us(v.dt) != 0
    if exact is int or exact is float:
        return bool(v != 0)
    kind = type_name(v)
    if kind == "number":
        return bool(v != 0)
    if kind in ("string", "array", "object"):
        return len(v) > 0
    if kind == "boolean":
        return bool(v)
    if kind == "link":
        return bool(v.path)
    if kind == "date":
        return v.invalid is not None or epoch_us(v.dt) != 0
    if kind == "duration":
        return duration_millis(v) != 0
    return kind in ("function", "widget")


def _sign(n: float) -> int:
    return -1 if n < 0 else (1 if n > 0 else 0)


def _compare_links(a: Link, b: Link) -> int:
    by_path = locale_compare(a.path, b.path)
    if by_path:
        return by_path
    by_type = locale_compare(a.type, b.type)
    if by_type:
        return by_type
    if a.subpath and not b.subpath:
        return 1
    if not a.subpath and b.subpath:
        return -1
    if not a.subpath and not b.subpath:
        return 0
    return locale_compare(a.subpath or "", b.subpath or "")


def compare(a: Value, b: Value) -> int:
    """Dataview's single total comparator (SPEC §6.2): -1, 0 or 1."""
    exact = type(a)
    if exact is type(b):  # the common case, answered without naming types
        if exact is str:
            return locale_compare(a, b)
        if exact is int or exact is float:
            return -1 if a < b else (0 if a == b else 1)
        if exact is Link:
            return _compare_links(a, b)
        if exact is Date:
            return _compare_dates(a, b)
    if a is None and b is None:
        return 0
    if a is None:
        return -1
    if b is None:
        return 1
    kind_a, kind_b = type_name(a), type_name(b)
    if kind_a != kind_b:
        return _sign((kind_a > kind_b) - (kind_a < kind_b))
    if kind_a == "string":
        return locale_compare(a, b)
    if kind_a == "number":
        return -1 if a < b else (0 if a == b else 1)
    if kind_a == "boolean":
        return 0 if a == b else (1 if a else -1)
    if kind_a == "link":
        return _compare_links(a, b)
    if kind_a == "date":
        return _compare_dates(a, b)
    if kind_a == "duration":
        if duration_millis(a) < duration_millis(b):
            return -1
        return 0 if a.units() == b.units() else 1
    if kind_a == "array":
        for left, right in zip(a, b, strict=False):
            result = compare(left, right)
            if result:
                return result
        return _sign(len(a) - len(b))
    if kind_a == "object":
        keys_a, keys_b = sorted(a, key=_js_sort_key), sorted(b, key=_js_sort_key)
        by_keys = compare(keys_a, keys_b)
        if by_keys:
            return by_keys
        for key in keys_a:
            result = compare(a[key], b[key])
            if result:
                return result
        return 0
    return 0


def _compare_dates(a: Date, b: Date) -> int:
    # Luxon: `<` on instants, then `equals` (same instant AND same zone), else 1.
    if a.invalid or b.invalid:
        return 1
    left, right = epoch_us(a.dt), epoch_us(b.dt)
    if left < right:
        return -1
    return 0 if left == right and a.zone == b.zone else 1


def _js_sort_key(text: str) -> list[int]:
    # JavaScript's default sort compares UTF-16 code units.
    return list(text.encode("utf-16-be"))


def equals(a: Value, b: Value) -> bool:
    """``compare(a, b) == 0``, answered sooner for the common unequal strings and links."""
    exact = type(a)
    if exact is type(b):
        if exact is str:
            return a == b or _collation_equal(a, b)
        if exact is Link:
            if not (a.path == b.path or _collation_equal(a.path, b.path)):
                return False
            return compare(a, b) == 0
    return compare(a, b) == 0


def _collation_equal(a: str, b: str) -> bool:
    """Whether unequal strings still collate equal (ignorable or decomposed characters)."""
    if a.isascii() and a.isprintable() and b.isascii() and b.isprintable():
        return False  # printable ASCII has no ignorable characters and no decompositions
    return locale_compare(a, b) == 0


def number_to_string(n: float) -> str:
    """JavaScript ``Number.prototype.toString()`` for finite and special numbers."""
    if isinstance(n, bool):
        return "true" if n else "false"
    if isinstance(n, int):
        if abs(n) < 10**21:
            return str(n)
        n = float(n)
    if math.isnan(n):
        return "NaN"
    if math.isinf(n):
        return "Infinity" if n > 0 else "-Infinity"
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    decimal = Decimal(repr(abs(n))).normalize()
    _, digit_tuple, exponent = decimal.as_tuple()
    digits = "".join(str(d) for d in digit_tuple)
    k = len(digits)
    point = k + int(exponent)  # the value is 0.digits × 10^point
    if k <= point <= 21:
        body = digits + "0" * (point - k)
    elif 0 < point <= 21:
        body = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        body = "0." + "0" * (-point) + digits
    else:
        power = point - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        body = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + body


def link_markdown(link: Link) -> str:
    """Dataview's ``Link.markdown()`` (kept as a function for callers that map over links)."""
    return link.markdown()


def _widget_markdown(widget: Widget, env: Env) -> str:
    if widget.kind == "external-link":
        url = str(widget.data.get("url", ""))
        display = widget.data.get("display")
        return f"[{url if display is None else display}]({url})"
    default_env = Env(env.now, env.local)
    key = to_string(widget.data.get("key"), default_env)
    return f"{key}: {to_string(widget.data.get('value'), default_env)}"


def render_date(date: Date, settings: Settings) -> str:
    """Midnight dates use the date format, others the date-time format, in the date's own zone."""
    dt = date.dt
    if not date.invalid and dt.hour == 0 and dt.minute == 0 and dt.second == 0:
        return format_date(date, settings.default_date_format)
    return format_date(date, settings.default_datetime_format)


def to_string(v: Value, env: Env, _nested: bool = False) -> str:
    """Dataview's ``string()`` / ``Values.toString`` (SPEC §8 ``string``, §7.4)."""
    kind = type_name(v)
    if kind == "null":
        return env.settings.render_null_as
    if kind == "string":
        return str(v)
    if kind == "boolean":
        return "true" if v else "false"
    if kind == "number":
        return number_to_string(v)
    if kind == "link":
        return link_markdown(v)
    if kind == "widget":
        return _widget_markdown(v, env)
    if kind == "function":
        return "<function>"
    if kind == "array":
        inner = _joined([to_string(item, env, True) for item in v])
        return f"[{inner}]" if _nested else inner
    if kind == "object":
        entries = _joined([f"{key}: {to_string(value, env, True)}" for key, value in v.items()])
        return "{ " + entries + " }"
    if kind == "date":
        return render_date(v, env.settings)
    if kind == "duration":
        return human_duration(v)
    return str(v)


def _joined(parts: list[str]) -> str:
    """``", ".join(parts)``, refused before it is built when over ``query.limits.MAX_STRING``
    (a list holding one large string many times would otherwise multiply it)."""
    check_string_size(sum(map(len, parts)) + 2 * len(parts))
    return ", ".join(parts)


def js_number(value: float) -> float:
    """A Python arithmetic result as a JavaScript double, with integral results kept as ints."""
    if isinstance(value, int):
        if abs(value) <= 2**53:
            return value
        try:
            value = float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if math.isfinite(value) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        negative = (a < 0) != (math.copysign(1.0, float(b)) < 0)
        return -math.inf if negative else math.inf
    return a / b


def _modulo(a: float, b: float) -> float:
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    if math.isinf(b):
        return a
    if isinstance(a, int) and isinstance(b, int):
        return int(math.copysign(abs(a) % abs(b), a))
    return math.fmod(a, b)


def _number_op(op: str, a: float, b: float) -> float:
    try:
        if op == "+":
            return js_number(a + b)
        if op == "-":
            return js_number(a - b)
        if op == "*":
            return js_number(a * b)
        if op == "/":
            return js_number(_divide(a, b))
        return js_number(_modulo(a, b))
    except OverflowError:
        return math.nan


def _repeat(text: str, count: float) -> str:
    if count < 0:
        return ""
    if math.isnan(count):
        return ""
    if math.isinf(count) or len(text) * count > 2**29:
        raise EvaluationError("Invalid count value: string repetition is too long")
    check_string_size(len(text) * math.trunc(count))
    return text * math.trunc(count)


_ARITHMETIC = ("+", "-", "*", "/", "%")


def _arithmetic(op: str, a: Value, b: Value, env: Env) -> tuple[bool, Value]:
    """The §6.4 table as ``(found, result)``, with Dataview's wildcard lookup order."""
    ta, tb = type_name(a), type_name(b)
    if ta == tb == "number":
        return True, _number_op(op, a, b)
    if op == "+" and (ta == "string" or tb == "string"):
        left = a if ta == "string" else to_string(a, env)
        right = b if tb == "string" else to_string(b, env)
        check_string_size(len(left) + len(right))
        return True, left + right
    if op == "*" and {ta, tb} == {"string", "number"}:
        text, count = (a, b) if ta == "string" else (b, a)
        return True, _repeat(text, count)
    if ta == "date" and tb == "date" and op == "-":
        return True, subtract_dates(a, b)
    if ta == "date" and tb == "duration" and op in ("+", "-"):
        return True, add_duration(a, b, 1 if op == "+" else -1)
    if ta == "duration" and tb == "date" and op == "+":
        return True, add_duration(b, a)
    if ta == tb == "duration" and op in ("+", "-"):
        right = b if op == "+" else negate_duration(b)
        return True, normalize_duration(plus_durations(a, right))
    if ta == "duration" and tb == "number" and op in ("*", "/"):
        scaled = scale_duration(a, b) if op == "*" else _scale_divide(a, b)
        return True, normalize_duration(scaled)
    if ta == "number" and tb == "duration" and op == "*":
        return True, normalize_duration(scale_duration(b, a))
    if ta == tb == "array" and op == "+":
        check_list_size(len(a) + len(b))
        return True, [*a, *b]
    if ta == tb == "object" and op == "+":
        return True, {**a, **b}
    if ta == tb == "null":
        return True, None
    if op in ("+", "-") and {ta, tb} == {"date", "null"}:
        return True, None
    return False, None


def _scale_divide(d: Duration, divisor: float) -> Duration:
    units = {unit: _divide(amount, divisor) for unit, amount in d.units().items()}
    return Duration(**units)


COMPARISON_TESTS: dict[str, Callable[[int], bool]] = {
    "=": lambda result: result == 0,
    "!=": lambda result: result != 0,
    "<": lambda result: result < 0,
    "<=": lambda result: result <= 0,
    ">": lambda result: result > 0,
    ">=": lambda result: result >= 0,
}


def binary_op(op: str, a: Value, b: Value, env: Env) -> Value:
    """Evaluate ``a op b`` with Dataview's semantics (SPEC §6.4); raises EvaluationError."""
    if op in ("&", "and"):
        return truthy(a) and truthy(b)
    if op in ("|", "or"):
        return truthy(a) or truthy(b)
    test = COMPARISON_TESTS.get(op)
    if test is not None:
        return test(compare(a, b))
    if op in _ARITHMETIC:
        found, value = _arithmetic(op, a, b, env)
        if found:
            return value
    raise EvaluationError(f"No implementation found for '{type_name(a)} {op} {type_name(b)}'")
