"""Type names, truthiness, the total comparator, string conversion and the operator table."""

from __future__ import annotations

import functools
import math
from zoneinfo import ZoneInfo

import pytest

from query.errors import EvaluationError
from query.semantics import (
    Env,
    Settings,
    binary_op,
    compare,
    equals,
    number_to_string,
    to_string,
    truthy,
    type_name,
)
from query.temporal.dates import date_to_corpus, parse_date, parse_duration
from query.values import Date, Duration, Function, Link, Value, Widget

UTC = ZoneInfo("UTC")


def d(text: str) -> Date:
    parsed = parse_date(text, UTC)
    assert parsed is not None, text
    return parsed


def dur(text: str) -> Duration:
    parsed = parse_duration(text)
    assert parsed is not None, text
    return parsed


ENV = Env(now=d("2024-03-17T13:45:30.250"), local=UTC)


def op(a: Value, operator: str, b: Value) -> Value:
    return binary_op(operator, a, b, ENV)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (0, "number"),
        (18.4, "number"),
        (math.nan, "number"),
        ("x", "string"),
        ([1, 2, 3], "array"),
        ({"a": 1}, "object"),
        (Link("a"), "link"),
        (d("2020-01-01"), "date"),
        (dur("8 minutes"), "duration"),
        (Function(lambda args: None), "function"),
        (Widget("external-link", {"url": "u"}), "widget"),
    ],
)
def test_type_name(value: Value, name: str) -> None:
    assert type_name(value) == name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        (math.nan, True),
        (-1, True),
        ("", False),
        ("no", True),
        ([], False),
        ([None], True),
        ({}, False),
        ({"a": None}, True),
        (Link(""), False),
        (Link("x"), True),
        (d("1970-01-01T00:00:00Z"), False),
        (d("1970-01-01T00:00:01Z"), True),
        (dur("0 s"), False),
        (dur("1 s"), True),
        (Function(lambda args: None), True),
    ],
)
def test_truthy(value: Value, expected: bool) -> None:
    assert truthy(value) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, 0),
        (None, 0, -1),
        (0, None, 1),
        (1, "1", -1),  # number < string by type name
        (True, 1, -1),  # boolean < number
        ([1], True, -1),  # array < boolean
        (d("2020-01-01"), dur("1 s"), -1),  # date < duration
        (Link("a"), 1, -1),
        ({"a": 1}, "a", -1),
        (1, 2, -1),
        (2, 2.0, 0),
        (False, True, -1),
        ("a", "b", -1),
        ("a", "B", -1),
        ("B", "a", 1),
        ("a", "A", -1),
        ("A", "a", 1),
        ("10", "9", -1),
        ("a", "aa", -1),
        ("", "a", -1),
        ("café", "cafe", 1),
        ("cafe\u0301", "café", 0),  # canonically equivalent
        ([1, 2], [1, 3], -1),
        ([1, 2], [1, 2, 0], -1),
        ([1, 2], [1, 2], 0),
        ({"a": 1}, {"a": 1}, 0),
        ({"a": 1}, {"b": 1}, -1),
        ({"a": 2}, {"a": 1}, 1),
        (Link("Books/Dune.md"), Link("Books/Dune.md", display="x", embed=True), 0),
        (Link("a", subpath="h", type="header"), Link("a"), 1),
        (Link("a", subpath="b", type="block"), Link("a", subpath="b", type="header"), -1),
        (d("2021-01-14"), d("2021-01-14"), 0),
        (d("2021-01-01"), d("2021-01-02"), -1),
        (dur("1 day"), dur("2 days"), -1),
        (dur("90 minutes"), dur("90 minutes"), 0),
        (Function(lambda args: 1), Function(lambda args: 2), 0),
    ],
)
def test_compare(a: Value, b: Value, expected: int) -> None:
    assert compare(a, b) == expected


def test_dates_equal_only_in_the_same_zone() -> None:
    local = d("2021-01-01")
    utc = d("2021-01-01T00:00:00Z")
    assert local.epoch_ms == utc.epoch_ms
    assert not equals(local, utc)
    # Luxon's `<` is false both ways and `equals` fails, so each compares greater.
    assert op(local, ">", utc) is True
    assert op(utc, ">", local) is True


def test_durations_equal_only_unit_wise() -> None:
    assert op(dur("1 day"), "=", dur("24 hours")) is False
    assert op(dur("1 day"), ">", dur("24 hours")) is True
    assert op(dur("90 minutes"), "=", dur("1 hour 30 minutes")) is False
    normalised = op(dur("90 minutes"), "+", dur("0 s"))
    assert op(normalised, "=", dur("1 hour 30 minutes")) is True


def test_sort_uses_the_comparator() -> None:
    values: list[Value] = [2, "a", True, None]
    assert sorted(values, key=functools.cmp_to_key(compare)) == [None, True, 2, "a"]
    words = ["b", "B", "a", "A", "aa"]
    assert sorted(words, key=functools.cmp_to_key(compare)) == ["a", "A", "aa", "b", "B"]


@pytest.mark.parametrize(
    ("a", "operator", "b", "expected"),
    [
        (2, "+", 4, 6),
        (2, "-", 4, -2),
        (2, "*", 4, 8),
        (8, "<", 4, False),
        (-2, "=", -2, True),
        (16, "/", 8, 2),
        (39 / 3, "<=", 14, True),
        (14, "/", 2, 7),
        (31, "/", 9.0, 3.4444444444444446),
        (14, "%", 2, 0),
        (31, "%", 9.0, 4),
        (-5, "%", 3, -2),
        (5.5, "%", -2, 1.5),
        (0.1, "+", 0.2, 0.30000000000000004),
        ("a", "+", "b", "ab"),
        ("a", "+", 12, "a12"),
        (16, "+", "what", "16what"),
        ("x", "+", None, "x\\-"),
        (None, "+", "x", "\\-x"),
        ("a", "*", 6, "aaaaaa"),
        (3, "*", "ab", "ababab"),
        ("a", "*", 2.7, "aa"),
        ("a", "*", -1, ""),
        ("a", "=", "a", True),
        ("xyz", "=", "xyz", True),
        ("1", "=", 1, False),
        (1, "<", "1", True),
        (True, "<", 3, True),
        ("", "|", "yes", True),
        (True, "&", 0, False),
        (True, "and", 1, True),
        ([1], "+", [2, 3], [1, 2, 3]),
        ({"a": 1, "b": 1}, "+", {"b": 2}, {"a": 1, "b": 2}),
        (None, "+", None, None),
        (None, "%", None, None),
        (d("2021-01-01"), "+", None, None),
        (None, "-", d("2021-01-01"), None),
        (None, "<", d("2021-01-01"), True),
    ],
)
def test_binary_op(a: Value, operator: str, b: Value, expected: Value) -> None:
    result = op(a, operator, b)
    assert result == expected
    assert type(result) is type(expected) or {type(result), type(expected)} <= {int, float}


@pytest.mark.parametrize(
    ("a", "operator", "b"),
    [
        (1, "/", 0),
        (-1, "/", 0),
        (0, "/", 0),
        (1, "%", 0),
    ],
)
def test_js_division_edge_cases(a: float, operator: str, b: float) -> None:
    result = op(a, operator, b)
    expected = {(1, "/"): math.inf, (-1, "/"): -math.inf}.get((a, operator))
    if expected is None:
        assert math.isnan(result)
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("a", "operator", "b"),
    [
        (None, "+", 1),
        (1, "+", None),
        (None, "*", 2),
        (dur("1 s"), "+", None),
        ("a", "-", 1),
        (True, "+", True),
        ([1], "-", [1]),
        ({"a": 1}, "+", [1]),
        (d("2021-01-01"), "*", 2),
        (dur("1 s"), "*", dur("1 s")),
        ("a", "*", math.inf),
    ],
)
def test_binary_op_errors(a: Value, operator: str, b: Value) -> None:
    with pytest.raises(EvaluationError):
        op(a, operator, b)


def test_error_message_names_the_types() -> None:
    with pytest.raises(EvaluationError, match="No implementation found for 'string - number'"):
        op("x", "-", 1)


def test_date_and_duration_arithmetic() -> None:
    diff = op(d("2021-05-04"), "-", d("1997-05-17"))
    assert diff.units() == {"years": 23, "months": 11, "weeks": 2, "days": 3}
    assert date_to_corpus(op(d("2024-03-17"), "-", dur("1 day"))) == "2024-03-16"
    assert date_to_corpus(op(dur("1 month"), "+", d("2021-01-31"))) == "2021-02-28"
    assert op(dur("90 minutes"), "*", 2).units() == {"hours": 3}
    assert op(2, "*", dur("90 minutes")).units() == {"hours": 3}
    assert op(dur("3 hours"), "/", 2).units() == {"hours": 1, "minutes": 30}
    assert op(dur("1 hour"), "-", dur("90 minutes")).units() == {"minutes": -30}
    assert op(dur("8 hours"), "-", dur("8 h")).units() == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (18, "18"),
        (1000.0, "1000"),
        (-123.18, "-123.18"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (-0.0, "0"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (123456789012345680000.0, "123456789012345680000"),
    ],
)
def test_number_to_string(value: float, expected: str) -> None:
    assert number_to_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "\\-"),
        ("text", "text"),
        (True, "true"),
        (18, "18"),
        ([1, 2, 3], "1, 2, 3"),
        ([1, [2, 3]], "1, [2, 3]"),
        ([], ""),
        ({"a": 1, "b": [1, 2]}, "{ a: 1, b: [1, 2] }"),
        ({}, "{  }"),
        (Link("Books/Dune.md"), "[[Books/Dune.md|Dune]]"),
        (Link("x", display="Shown"), "[[x|Shown]]"),
        (Link("Note.md", subpath="Heading", type="header"), "[[Note.md#Heading|Note > Heading]]"),
        (Link("Note", subpath="abc", type="block", embed=True), "![[Note#^abc|Note > abc]]"),
        (d("2024-11-18"), "November 18, 2024"),
        (d("2021-08-05"), "August 05, 2021"),
        (d("2021-08-15T10:30"), "10:30 AM - August 15, 2021"),
        (d("2021-08-15T10:30:00+05:00"), "10:30 AM - August 15, 2021"),
        (dur("8 hours"), "8 hours"),
        (dur("7 hours"), "7 hours"),
        (dur("90 minutes"), "1 hour, 30 minutes"),
        (dur("0 s"), ""),
        (Function(lambda args: None), "<function>"),
        (
            Widget("external-link", {"url": "www.google.com", "display": "Google"}),
            "[Google](www.google.com)",
        ),
        (Widget("list-pair", {"key": "k", "value": None}), "k: \\-"),
    ],
)
def test_to_string(value: Value, expected: str) -> None:
    assert to_string(value, ENV) == expected


def test_to_string_uses_settings() -> None:
    env = Env(
        now=ENV.now,
        local=UTC,
        settings=Settings(render_null_as="null!", default_date_format="yyyy-MM-dd"),
    )
    assert to_string(None, env) == "null!"
    assert to_string([None], env) == "null!"
    assert to_string(d("2021-08-05"), env) == "2021-08-05"
    assert binary_op("+", "x", None, env) == "xnull!"
