"""Table-driven tests for the built-in function library (query.functions), SPEC §8.

Argument values are hand-translated from the conformance corpus's expression cases (and from the
SPEC's stated behaviour); dates are compared through the corpus's ``$date`` text form and
durations through their unit maps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import pytest

from query.errors import EvaluationError
from query.functions import FUNCTIONS, CallContext, call_function, function_arity_ok
from query.semantics import Env
from query.temporal.dates import date_to_corpus, local_date, parse_date
from query.values import Date, Duration, Function, Link, Value, Widget

NOW = Date(parse_date("2024-03-17T13:45:30.250Z", UTC).dt, "local")  # type: ignore[union-attr]


@dataclass(frozen=True)
class D:
    """Expected date, in the corpus's ``$date`` text."""

    text: str


@dataclass(frozen=True)
class Dur:
    """Expected duration unit map."""

    units: dict[str, float]


class Err:
    """Expected evaluation error."""


ERR = Err()


def lam(fn: Any) -> Function:
    return Function(lambda args: fn(*args))


PAGES: dict[str, dict[str, Value]] = {
    "Daily/Notes.md": {"file": {"day": local_date(2021, 4, 18, local=UTC)}},
    "Books/Dune.md": {"file": {"name": "Dune"}, "rating": 5, "tags": ["#sf"]},
}


def make_ctx(pages: Mapping[str, dict[str, Value]] = PAGES) -> CallContext:
    def call_value(fn: Value, args: list[Value]) -> Value:
        if not isinstance(fn, Function):
            raise EvaluationError("not a function")
        return fn.call(args)

    return CallContext(
        env=Env(now=NOW, local=UTC),
        resolve_link=lambda link: pages.get(link.path),
        normalize_link=lambda path: "Books/Dune.md" if path == "Dune" else path,
        call_value=call_value,
    )


def check(result: Value, expected: Any) -> None:
    if isinstance(expected, D):
        assert isinstance(result, Date), result
        assert date_to_corpus(result) == expected.text
    elif isinstance(expected, Dur):
        assert isinstance(result, Duration), result
        assert result.units() == expected.units
    elif isinstance(expected, list):
        assert isinstance(result, list), result
        assert len(result) == len(expected), (result, expected)
        for r, e in zip(result, expected, strict=True):
            check(r, e)
    elif isinstance(expected, dict):
        assert isinstance(result, dict), result
        assert result.keys() == expected.keys()
        for key, e in expected.items():
            check(result[key], e)
    elif isinstance(expected, float) and math.isnan(expected):
        assert isinstance(result, float) and math.isnan(result)
    else:
        assert type(result) is type(expected) or (
            isinstance(result, int | float)
            and isinstance(expected, int | float)
            and not isinstance(result, bool)
            and not isinstance(expected, bool)
        ), (result, expected)
        assert result == expected


def run(name: str, args: list[Value], expected: Any) -> None:
    ctx = make_ctx()
    if isinstance(expected, Err):
        with pytest.raises(EvaluationError):
            call_function(name, args, ctx)
        return
    check(call_function(name, args, ctx), expected)


def date(text: str) -> Date:
    parsed = parse_date(text, UTC)
    assert parsed is not None
    return parsed


CONSTRUCTOR_CASES: list[tuple[str, list[Value], Any]] = [
    ("object", [], {}),
    ("object", ["a", 1, "b", 2], {"a": 1, "b": 2}),
    ("object", ["a", 1, "a", 2], {"a": 2}),
    ("object", ["a"], ERR),
    ("object", [1, 2], ERR),
    ("list", [], []),
    ("list", [None, "b", 3, Link("4")], [None, "b", 3, Link("4")]),
    ("array", ["a", "b", "c"], ["a", "b", "c"]),
    ("date", ["2020-04-18"], D("2020-04-18")),
    ("date", ["today"], D("2024-03-17")),
    ("date", [" 2021-04-18"], None),
    ("date", ["20210418"], None),
    ("date", [None], None),
    ("date", [18], ERR),
    ("date", [date("2021-01-14")], D("2021-01-14")),
    ("date", [Link("2021-04-16")], D("2021-04-16")),
    ("date", [Link("Place", display="2021-04")], D("2021-04-01")),
    ("date", [Link("Daily/Notes.md")], D("2021-04-18")),
    ("date", [Link("Daily/2021-04-18 Notes")], None),
    ("date", [["2021-01-01", None]], [D("2021-01-01"), None]),
    ("date", ["210313", "yyMMdd"], D("2021-03-13")),
    ("date", ["946778645012", "x"], D("2000-01-02T02:04:05.012")),
    ("date", ["at 946778645 s", "X"], D("2000-01-02T02:04:05")),
    ("date", ["none", "x"], ERR),
    ("date", [None, "MM/dd/yyyy"], None),
    ("date", [None, 5], ERR),
    ("date", [], ERR),
    ("dur", ["8 minutes"], Dur({"minutes": 8})),
    ("dur", ["  3 hrs "], Dur({"hours": 3})),
    ("dur", ["2 days, 6 minutes"], Dur({"days": 2, "minutes": 6})),
    ("dur", ["null"], None),
    ("dur", [None], None),
    ("dur", [Duration(minutes=8)], Dur({"minutes": 8})),
    ("dur", [8], ERR),
    ("number", [34], 34),
    ("number", ["34"], 34),
    ("number", ["-19"], -19),
    ("number", ["hmm"], None),
    ("number", ["1,234"], 1),
    ("number", ["abc12.5xyz"], 12.5),
    ("number", [".5"], 5),
    ("number", ["1e3"], 1),
    ("number", [None], None),
    ("number", [True], ERR),
    ("number", [["1", "x"]], [1, None]),
    ("string", [18], "18"),
    ("string", [None], "\\-"),
    ("string", [Duration(hours=8)], "8 hours"),
    ("link", ["Hello"], Link("Hello")),
    ("link", ["Dune"], Link("Books/Dune.md")),
    ("link", ["Hello", "Goodbye"], Link("Hello", display="Goodbye")),
    ("link", ["Hello", None], Link("Hello")),
    ("link", [Link("a"), "b"], Link("a", display="b")),
    ("link", [None], None),
    ("link", [None, "x"], None),
    ("link", [["a", "b"]], [Link("a"), Link("b")]),
    ("link", [["a", "b"], ["x"]], [Link("a", display="x")]),
    ("link", ["a", "b", True], Link("a", display="b", embed=True)),
    ("link", [3], ERR),
    ("embed", [Link("Hello.png")], Link("Hello.png", embed=True)),
    ("embed", [Link("x", embed=True), False], Link("x")),
    ("embed", [None], None),
    ("embed", ["x"], ERR),
    (
        "elink",
        ["www.google.com"],
        Widget("external-link", {"url": "www.google.com", "display": "www.google.com"}),
    ),
    ("elink", ["u", "Google"], Widget("external-link", {"url": "u", "display": "Google"})),
    ("elink", ["u", None], Widget("external-link", {"url": "u", "display": "u"})),
    ("elink", [None], None),
    ("elink", [5], ERR),
    ("typeof", [8], "number"),
    ("typeof", [18.4], "number"),
    ("typeof", ["s"], "string"),
    ("typeof", [[1, 2, 3]], "array"),
    ("typeof", [{"a": 1}], "object"),
    ("typeof", [date("2020-01-01")], "date"),
    ("typeof", [Duration(minutes=8)], "duration"),
    ("typeof", [None], "null"),
    ("typeof", [True], "boolean"),
    ("typeof", [Link("x")], "link"),
    ("typeof", [lam(lambda: 1)], "function"),
    ("typeof", [Widget("external-link", {})], "widget"),
    (
        "meta",
        [Link("2021-11-01")],
        {"display": None, "embed": False, "path": "2021-11-01", "subpath": None, "type": "file"},
    ),
    (
        "meta",
        [Link("My Project", subpath="9bcbe8", type="block", embed=True)],
        {
            "display": None,
            "embed": True,
            "path": "My Project",
            "subpath": "9bcbe8",
            "type": "block",
        },
    ),
    ("meta", ["My Project"], ERR),
]

NUMERIC_CASES: list[tuple[str, list[Value], Any]] = [
    ("round", [16.555555, 2], 16.56),
    ("round", [1.005, 2], 1),
    ("round", [-2.5], -2),
    ("round", [2.5], 3),
    ("round", [0.49999999999999994], 0),
    ("round", [2.567, 0], 3),
    ("round", [2.567, -1], 3),
    ("round", [2.567, None], 3),
    ("round", [None], None),
    ("round", [None, 2], None),
    ("round", [[1.4, 1.6]], [1, 2]),
    ("round", ["1"], ERR),
    ("trunc", [12.937], 12),
    ("trunc", [-93.33333], -93),
    ("trunc", [-0.837764], 0),
    ("floor", [12.937], 12),
    ("floor", [-93.33333], -94),
    ("ceil", [-93.33333], -93),
    ("ceil", [-0.837764], 0),
    ("ceil", [None], None),
    ("floor", [[1.5, None]], [1, None]),
    ("floor", [math.inf], math.inf),
    ("min", [], None),
    ("min", [6], 6),
    ("min", [6, 9, 12], 6),
    ("min", [1, 2, 3], 1),
    ("min", ["a", "ab", "abc"], "a"),
    ("min", [3, None, 1], 1),
    ("min", [None], None),
    ("min", [[3, 1, 2]], 1),
    ("max", [], None),
    ("max", [[]], None),
    ("max", [[1, 2, 3]], 3),
    ("max", [1, 2, 3], 3),
    ("max", ["a", "ab", "abc"], "abc"),
    ("max", ["a", 1], "a"),
    ("max", [None, 4, None], 4),
    ("sum", [[2, 3, 1]], 6),
    ("sum", [["a", "b", "c"]], "abc"),
    ("sum", [[]], None),
    ("sum", [[1, None]], ERR),
    ("sum", [5], 5),
    ("sum", [None], None),
    ("sum", [[Duration(hours=1), Duration(minutes=30)]], Dur({"hours": 1, "minutes": 30})),
    ("product", [[]], None),
    ("product", [[1, 2, 4]], 8),
    ("average", [[2, 3, 1]], 2),
    ("average", [[1, 2]], 1.5),
    ("average", [[]], None),
    ("average", [[None]], None),
    ("reduce", [[200, 10, 2], "/"], 10),
    ("reduce", [["⭐", 3], "*"], "⭐⭐⭐"),
    ("reduce", [[1], "+"], 1),
    ("reduce", [[], "+"], None),
    ("reduce", [[1, 2], "^"], ERR),
    ("reduce", [[1, 0], "&"], False),
    ("reduce", [[1, 2], ["+", "*"]], [3, 2]),
    ("reduce", [None, "+"], None),
    ("reduce", [[1, None, 2], lam(lambda a, b: a + b)], 3),
    ("reduce", [[1, 2], 3], ERR),
    ("minby", [[], lam(lambda k: k)], None),
    ("minby", [[1], lam(lambda k: k)], 1),
    ("minby", [[1, 2, 3], lam(lambda k: 0 - k)], 3),
    ("minby", [[1, 2, 3], lam(lambda k: k)], 1),
    ("minby", [[1, 2], lam(lambda k: None)], 1),
    ("minby", [[3, 1, 2], lam(lambda k: None if k == 1 else k)], 2),
    ("minby", [None, lam(lambda k: k)], None),
    ("maxby", [[], lam(lambda k: k)], None),
    ("maxby", [[1, 2, 3], lam(lambda k: 0 - k)], 1),
    ("maxby", [[1, 2], 3], ERR),
]


@pytest.mark.parametrize(("name", "args", "expected"), CONSTRUCTOR_CASES + NUMERIC_CASES)
def test_constructors_and_numeric(name: str, args: list[Value], expected: Any) -> None:
    run(name, args, expected)


def test_every_spec_function_is_registered() -> None:
    spec = [
        "object",
        "list",
        "array",
        "date",
        "dur",
        "number",
        "string",
        "link",
        "embed",
        "elink",
        "typeof",
        "round",
        "trunc",
        "floor",
        "ceil",
        "min",
        "max",
        "sum",
        "product",
        "average",
        "reduce",
        "minby",
        "maxby",
        "contains",
        "icontains",
        "econtains",
        "containsword",
        "extract",
        "sort",
        "reverse",
        "length",
        "nonnull",
        "firstvalue",
        "all",
        "any",
        "none",
        "join",
        "filter",
        "map",
        "flat",
        "slice",
        "unique",
        "regextest",
        "regexmatch",
        "regexreplace",
        "replace",
        "lower",
        "upper",
        "split",
        "startswith",
        "endswith",
        "padleft",
        "padright",
        "substring",
        "truncate",
        "default",
        "ldefault",
        "choice",
        "display",
        "striptime",
        "dateformat",
        "durationformat",
        "currencyformat",
        "localtime",
        "meta",
        "hash",
    ]
    assert sorted(FUNCTIONS) == sorted(spec)


def test_names_are_case_sensitive_and_unknown_names_error() -> None:
    with pytest.raises(EvaluationError, match="Unrecognized function name 'LOWER'"):
        call_function("LOWER", ["x"], make_ctx())


def test_unlisted_argument_types_name_the_function_and_types() -> None:
    with pytest.raises(EvaluationError) as info:
        call_function("lower", [5], make_ctx())
    assert info.value.message == "No implementation of 'lower' found for arguments: number"


@pytest.mark.parametrize(
    ("name", "nargs", "ok"),
    [
        ("choice", 3, True),
        ("choice", 2, False),
        ("date", 1, True),
        ("date", 2, True),
        ("date", 3, False),
        ("list", 0, True),
        ("min", 7, True),
        ("split", 3, True),
        ("split", 4, False),
        ("lower", 0, False),
        ("nosuch", 1, False),
        ("extract", 0, True),
    ],
)
def test_function_arity_ok(name: str, nargs: int, ok: bool) -> None:
    assert function_arity_ok(name, nargs) is ok


def test_hash_matches_the_corpus_exactly() -> None:
    ctx = make_ctx()
    assert call_function("hash", ["2024-03-17", ""], ctx) == 3259376374957153
    assert call_function("hash", ["2024-03-17", 2], ctx) == 271608741894590
    assert call_function("hash", ["2024-03-17", "Home"], ctx) == 3041844187830523
    assert call_function("hash", ["2024-03-17", "note a1", 21], ctx) == 1143088188331616
    with pytest.raises(EvaluationError):
        call_function("hash", [1, "x"], ctx)
