"""What Bases values mean: string forms, truthiness, emptiness, equality, ordering, operators.

The app's semantics, not Dataview's (SPEC §4.5–4.7, §6.10): ``null`` prints as ``""``; an empty
list is truthy; errors are values that operators propagate; a string compared with a date is read
as a date; links are equal when they reach the same file (unresolved ones when their text is the
same); ``number * duration`` is an error while ``duration * number`` scales. Pure.
"""

from __future__ import annotations

import json
import math
import re
from datetime import tzinfo
from typing import Any

from query.bases.moment import (
    add_span,
    add_spans,
    diff,
    humanize,
    moment_string,
    parse_moment,
    parse_span,
    scale_span,
    span_millis,
)
from query.bases.values import (
    BaseLink,
    ErrorValue,
    FileRef,
    Html,
    Icon,
    Image,
    Moment,
    Pattern,
    Span,
    Tag,
    Value,
)
from query.limits import check_list_size, check_string_size
from query.semantics import number_to_string

__all__ = [
    "arithmetic",
    "compare_values",
    "equal",
    "is_blank",
    "is_empty",
    "shift",
    "sort_key",
    "to_text",
    "truthy",
    "type_name",
]


def type_name(value: Value) -> str:
    """The app's type names: ``Null String Number Boolean Date Duration List Object Link File``…"""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "List"
    if isinstance(value, dict):
        return "Object"
    names = {
        Moment: "Date",
        Span: "Duration",
        BaseLink: "Link",
        FileRef: "File",
        Pattern: "RegExp",
        Html: "HTML",
        Icon: "Icon",
        Image: "Image",
        ErrorValue: "Error",
    }
    return names.get(type(value), type(value).__name__)


def to_text(value: Value) -> str:
    """``toString()`` (SPEC §6.10)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    if isinstance(value, list):
        parts = [to_text(item) for item in value]
        check_string_size(sum(len(p) + 2 for p in parts))
        return ", ".join(parts)
    if isinstance(value, dict):
        return json.dumps(_plain(value), ensure_ascii=False)
    if isinstance(value, Moment):
        return moment_string(value)
    if isinstance(value, Span):
        return humanize(value)
    if isinstance(value, BaseLink):
        if value.display is None:
            return f"[[{value.text}]]"
        return f"[[{value.text}|{value.display}]]"
    if isinstance(value, FileRef):
        return value.path
    if isinstance(value, Pattern):
        return f"/{value.source}/{value.flags}"
    if isinstance(value, Html):
        return value.text
    if isinstance(value, Icon):
        return value.name
    if isinstance(value, Image):
        return f"![]({value.src})"
    if isinstance(value, ErrorValue):
        return value.message
    return str(value)


def _plain(value: Value) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return to_text(value)


def truthy(value: Value) -> bool:
    """Falsy: null, false, 0, NaN, ``""``, an error, an empty object, a zero duration."""
    if value is None or value is False:
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    if isinstance(value, ErrorValue):
        return False
    if isinstance(value, dict):
        return bool(value)
    if isinstance(value, Span):
        return span_millis(value) != 0
    return True  # lists (even empty ones, as in JavaScript), dates, links, files…


def is_empty(value: Value) -> bool:
    """``isEmpty()``: null; ``""``; an empty list or object. Numbers, dates: never."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, list | dict):
        return not value
    return False


# -- equality -------------------------------------------------------------------------------------


def _link_key(link: BaseLink) -> tuple[bool, str]:
    if link.resolved is not None:
        return True, link.resolved
    return False, link.target.lower()


def equal(a: Value, b: Value, local: tzinfo | None = None) -> bool:
    """Loose, type-aware equality (SPEC §4.7)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, ErrorValue) or isinstance(b, ErrorValue):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, Tag) and isinstance(b, str) and not isinstance(b, Tag):
        return a.bare == b.lstrip("#").lower()
    if isinstance(b, Tag) and isinstance(a, str) and not isinstance(a, Tag):
        return b.bare == a.lstrip("#").lower()
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, BaseLink) or isinstance(b, BaseLink):
        return _link_equal(a, b)
    if isinstance(a, FileRef) and isinstance(b, FileRef):
        return a.path == b.path
    if isinstance(a, Moment) or isinstance(b, Moment):
        left, right = _as_moment(a, local), _as_moment(b, local)
        if left is None or right is None:
            return False
        return left.epoch_ms == right.epoch_ms
    if isinstance(a, Span) and isinstance(b, Span):
        return span_millis(a) == span_millis(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y, local) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k], local) for k in a)
    return type(a) is type(b) and bool(a == b)


def _link_equal(a: Value, b: Value) -> bool:
    if isinstance(a, BaseLink) and isinstance(b, BaseLink):
        return _link_key(a) == _link_key(b)
    link, other = (a, b) if isinstance(a, BaseLink) else (b, a)
    assert isinstance(link, BaseLink)
    if isinstance(other, FileRef):
        return link.resolved == other.path
    if isinstance(other, str):
        return link.resolved == other or link.target == other
    return False


def _as_moment(value: Value, local: tzinfo | None) -> Moment | None:
    if isinstance(value, Moment):
        return value
    if isinstance(value, str) and local is not None:
        return parse_moment(value, local)
    return None


# -- ordering -------------------------------------------------------------------------------------


def compare_values(a: Value, b: Value, local: tzinfo | None = None) -> int | None:
    """-1, 0 or 1 for ``< > <= >=``; None when the two cannot be ordered (the comparison is
    false)."""
    if isinstance(a, ErrorValue) or isinstance(b, ErrorValue) or a is None or b is None:
        return None
    if isinstance(a, Moment) or isinstance(b, Moment):
        left, right = _as_moment(a, local), _as_moment(b, local)
        if left is None or right is None:
            return None
        return _sign(left.epoch_ms - right.epoch_ms)
    if isinstance(a, int | float) and isinstance(b, int | float):
        if (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
            return None
        return _sign(a - b)
    if isinstance(a, str) and isinstance(b, str):
        return _sign((a > b) - (a < b))
    if isinstance(a, Span) and isinstance(b, Span):
        return _sign(span_millis(a) - span_millis(b))
    if isinstance(a, Span) and isinstance(b, str):
        parsed = parse_span(b)
        return None if parsed is None else _sign(span_millis(a) - span_millis(parsed))
    if isinstance(a, BaseLink | FileRef) and isinstance(b, BaseLink | FileRef):
        return _sign((to_text(a) > to_text(b)) - (to_text(a) < to_text(b)))
    return None


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


_RANKS = {"Boolean": 0, "Number": 1, "Date": 2, "Duration": 3, "String": 4, "Link": 5, "File": 5}


def sort_key(value: Value) -> tuple[Any, ...]:
    """A key ordering values as a view sorts them ascending (SPEC §3.4): numbers numerically,
    dates by instant, strings case-insensitively with numbers inside compared as numbers,
    booleans false before true, lists by their text; empties (null, ``""``, ``[]``) are
    handled by the caller (last ascending, first descending)."""
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (1, -math.inf if math.isnan(value) else value)
    if isinstance(value, Moment):
        return (2, value.epoch_ms)
    if isinstance(value, Span):
        return (3, span_millis(value))
    text = to_text(value)
    return (4, _natural(text), text)


_DIGIT_RUNS = re.compile(r"([0-9]+)")


def _natural(text: str) -> tuple[Any, ...]:
    """Text as alternating words and numbers, numbers compared by value: a run of ASCII digits
    is keyed by its length without leading zeros, then its digits — the order of the integers
    without converting them (``"²"`` is not a digit; a 5,000-digit run is no integer to build)."""
    parts: list[Any] = []
    for i, piece in enumerate(_DIGIT_RUNS.split(text.casefold())):
        if not piece:
            continue
        if i % 2:
            digits = piece.lstrip("0")
            parts.append((0, len(digits), digits))
        else:
            parts.append((1, piece))
    return tuple(parts)


def is_blank(value: Value) -> bool:
    """Empty for sorting and the Empty/Filled summaries: null, ``""``, an empty list."""
    return value is None or value == "" or (isinstance(value, list) and not value)


# -- operators ------------------------------------------------------------------------------------


def _invalid(op: str, a: Value, b: Value) -> ErrorValue:
    return ErrorValue(f"Invalid operator between {type_name(a)} and {type_name(b)}")


def arithmetic(op: str, a: Value, b: Value, local: tzinfo) -> Value:
    """``+ - * / %`` (SPEC §4.5)."""
    if isinstance(a, ErrorValue):
        return a
    if isinstance(b, ErrorValue):
        return b
    if op == "+":
        if (isinstance(a, str) and not isinstance(b, Moment)) or (
            isinstance(b, str) and not isinstance(a, Moment | Span)
        ):
            left, right = to_text(a), to_text(b)
            check_string_size(len(left) + len(right))
            return left + right
        if isinstance(a, list) and isinstance(b, list):
            check_list_size(len(a) + len(b))
            return [*a, *b]
    if a is None or b is None:
        return None
    if _is_number(a) and _is_number(b):
        return _number_op(op, float(a) if isinstance(a, float) else a, b)
    if isinstance(a, Moment):
        if op in "+-" and isinstance(b, Span | str | int | float):
            span = _as_span(b)
            if span is None:
                return ErrorValue(f'Unable to parse "{to_text(b)}" as a duration.')
            return shift(a, span, 1 if op == "+" else -1)
        if op == "-" and isinstance(b, Moment):
            return diff(a, b)
        if op == "-" and isinstance(b, str):
            other = parse_moment(b, local)
            if other is not None:
                return diff(a, other)
        return _invalid(op, a, b)
    if isinstance(a, Span):
        if op in "+-" and isinstance(b, Span | str):
            span = _as_span(b)
            if span is None:
                return _invalid(op, a, b)
            return add_spans(a, span, 1 if op == "+" else -1)
        if op in "+" and isinstance(b, Moment):
            return shift(b, a)
        if op in "*/" and _is_number(b):
            if op == "/" and b == 0:
                return ErrorValue("Division by zero")
            return scale_span(a, b if op == "*" else 1 / b)
        return _invalid(op, a, b)
    return _invalid(op, a, b)


def shift(moment: Moment, span: Span, sign: int = 1) -> Value:
    """``moment ± span``; an error value (Moment's "Invalid date") past the dates a date-time
    can hold (years 1 to 9999) or for a span that is not a finite number."""
    try:
        return add_span(moment, span, sign)
    except (ValueError, OverflowError, ArithmeticError):
        return ErrorValue("Invalid date: the result is out of the range of dates")


def _is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_span(value: Value) -> Span | None:
    if isinstance(value, Span):
        return value
    if isinstance(value, str):
        return parse_span(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Span(0, 0, value)  # a number is milliseconds, as Moment reads it
    return None


def _number_op(op: str, a: float, b: float) -> float:
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if b == 0:
            result = (
                math.nan
                if a == 0 or math.isnan(a)
                else math.copysign(math.inf, a) * (-1 if math.copysign(1, b) < 0 else 1)
            )
        else:
            result = a / b
    else:
        if b == 0 or math.isinf(a):
            result = math.nan
        elif math.isinf(b):
            result = a
        else:
            result = math.fmod(a, b)
    if isinstance(result, float) and result.is_integer() and abs(result) < 2**53:
        return int(result)
    if isinstance(result, int) and not -(2**53) <= result <= 2**53:
        return float(result)  # a JavaScript number is a double: no integer grows without bound
    return result
