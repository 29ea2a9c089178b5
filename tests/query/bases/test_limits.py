# ruff: noqa: E501  (bases written inline as YAML strings read best on one line)
"""A base is hostile until proven otherwise: the guard is consulted inside every row loop and
every quadratic method, deep or huge input is a QueryLimitError, odd values are error values —
never a crash (issue 17 review; ``query.limits``)."""

from __future__ import annotations

from typing import Any

import pytest

from query.bases.compile import compile_expression
from query.bases.context import Clock, Context
from query.bases.formulas import FormulaTable
from query.bases.parser import (
    CACHED_EXPRESSION_CHARS,
    MAX_EXPRESSION_CHARS,
    _parse_cached,
    parse_expression,
)
from query.bases.semantics import sort_key
from query.bases.values import ErrorValue
from query.bases.view import run_view
from query.errors import QueryLimitError, QuerySyntaxError
from query.limits import MAX_DEPTH, Guard, Limits
from tests.query.bases.helpers import clock, config, evaluate, make_vault, rows

ROW_NOTES = {f"N{i:03d}.md": f"---\nx: {i}\n---\n" for i in range(300)}


class _Ticking:
    """A fake clock: one second passes each time ``random()`` is evaluated (a stand-in for a
    slow formula); ``calls`` counts the evaluations."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls = 0

    def clock(self) -> float:
        return self.now

    def random(self) -> float:
        self.calls += 1
        self.now += 1.0
        return 0.5


def _slow_run(yaml_text: str) -> _Ticking:
    ticking = _Ticking()
    guard = Guard(Limits(timeout_s=3.0, clock=ticking.clock))
    base = clock()
    slow = Clock(base.now, base.local, ticking.random)
    with pytest.raises(QueryLimitError, match="time limit"):
        run_view(config(yaml_text), None, make_vault(ROW_NOTES), slow, guard=guard)
    return ticking


@pytest.mark.parametrize(
    "yaml_text",
    [
        "formulas:\n  slow: random()\nviews:\n  - type: table\n    order: [formula.slow]\n",  # cells
        "formulas:\n  slow: random()\nviews:\n  - type: table\n    sort: [{property: formula.slow, direction: ASC}]\n",
        "formulas:\n  slow: random()\nviews:\n  - type: table\n    groupBy: {property: formula.slow, direction: ASC}\n",
        "formulas:\n  slow: random()\nviews:\n  - type: table\n    summaries: {formula.slow: Sum}\n",
        "filters: random() > 0\nviews:\n  - type: table\n",
    ],
    ids=["cells", "sort", "group", "summary", "filter"],
)
def test_the_time_limit_is_checked_at_every_row_of_every_loop(yaml_text: str) -> None:
    # A 3 s limit and one second per row: the view stops within a few rows, not after all 300.
    ticking = _slow_run(yaml_text)
    assert ticking.calls <= 5


def _guarded_value(texts: dict[str, str], name: str) -> Any:
    ticks = iter(range(10**9))
    guard = Guard(Limits(timeout_s=3.0, clock=lambda: float(next(ticks))))  # 1 s per check
    table = FormulaTable(
        {k: compile_expression(parse_expression(v)) for k, v in texts.items()}, texts
    )
    ctx = Context(make_vault(), clock(), path="Projects/Alpha.md", guard=guard, formulas=table)
    return table.value(name, ctx)


@pytest.mark.parametrize(
    "texts",
    [
        {
            "l": "list(1).map([index])",
            "m": '"x".repeat(1500).split("").map([index]).unique().length',
        },
        {
            "l": '"x".repeat(1500).split("").map(index)',
            "m": "formula.l.filter(formula.l.contains(-1)).length",
        },
        {
            "l": '"x".repeat(1500).split("").map(index)',
            "m": "formula.l.filter(formula.l.containsAny(-1, -2)).length",
        },
        {
            "l": '"x".repeat(600).split("").map(index)',
            "m": "formula.l.map(formula.l.sort().length).length",
        },
        {
            "l": '"x".repeat(600).split("").map(index)',
            "m": 'formula.l.map(formula.l.join(",").length).length',
        },
        {
            "l": '"x".repeat(600).split("").map("2024-01-01")',
            "m": "formula.l.map(formula.l.earliest()).length",
        },
    ],
    ids=["unique", "contains", "containsAny", "sort", "join", "earliest"],
)
def test_quadratic_list_work_is_metered(texts: dict[str, str]) -> None:
    with pytest.raises(QueryLimitError, match="time limit"):
        _guarded_value(texts, "m")


# -- crashes that are now values or limit errors ---------------------------------------------


@pytest.mark.parametrize("text", ["x²", "x²y", "1" * 5000, "a" + "9" * 4400 + "b", "٣"])
def test_natural_sort_keys_never_convert_odd_digits(text: str) -> None:
    key = sort_key(text)
    assert key[0] == 4
    assert sort_key("file10") > sort_key("file9") and sort_key("a01") < sort_key("a2")
    assert sort_key("1" * 5000) > sort_key("9" * 4999)


def test_sorting_and_grouping_by_odd_digit_strings() -> None:
    text = 'formulas:\n  s: \'if(file.name == "Alpha", "x²", if(file.name == "Beta", "1".repeat(5000), "y"))\'\nviews:\n  - type: table\n    sort: [{property: formula.s}]\n    groupBy: {property: formula.s}\n'
    assert rows(text)[:2] == ["Projects/Beta.md", "Projects/Alpha.md"]  # "1…1" < "x²" < "y"


@pytest.mark.parametrize(
    "expression",
    [
        "1" + "+1" * 250,
        "(" * 250 + "1" + ")" * 250,
        "[1" + ",[1" * 150 + "]" * 151,
        "a" + ".b" * 250,
        "!" * 300 + "true",
    ],
    ids=["sum", "parens", "lists", "members", "nots"],
)
def test_deep_expressions_are_a_limit_error_not_a_crash(expression: str) -> None:
    with pytest.raises(QueryLimitError, match=f"more than {MAX_DEPTH} levels") as info:
        parse_expression(expression)
    assert info.value.line == 1 and info.value.column is not None
    with pytest.raises(QueryLimitError):
        rows(f"filters: '{expression}'\nviews: []\n")
    with pytest.raises(QueryLimitError):
        rows(f"formulas:\n  f: '{expression}'\nviews: []\n")


def test_the_deepest_allowed_expression_compiles_and_runs() -> None:
    n = MAX_DEPTH - 1
    assert evaluate("1" + "+1" * (n - 1)) == n
    assert evaluate("(" * (n - 1) + "2" + ")" * (n - 1)) == 2


def test_values_nested_too_deeply_are_a_limit_error() -> None:
    text = 'formulas:\n  deep: \'"x".repeat(50000).split("").reduce([acc], []).toString()\'\nviews:\n  - type: table\n    order: [formula.deep]\n'
    with pytest.raises(QueryLimitError, match="nests too deeply"):
        rows(text)


@pytest.mark.parametrize("limit", [".inf", "-.inf", ".nan", "1e400"])
def test_a_limit_must_be_a_finite_number(limit: str) -> None:
    with pytest.raises(QuerySyntaxError, match="limit must be a whole number") as info:
        rows(f"views:\n  - type: table\n    limit: {limit}\n")
    assert info.value.line == 3


@pytest.mark.parametrize(
    "expression",
    [
        'date("2024-01-01") + duration("99999999 years")',
        'date("2024-01-01") + "99999999y"',
        'date("2024-01-01") - "99999999y"',
        'date("2024-01-01") + 1e300',
        'duration("99999999 years") + date("2024-01-01")',
        "date(1e300)",
        "date(-1e300)",
        'date("2024-01-01") + (1/0)',
    ],
)
def test_dates_out_of_range_are_error_values(expression: str) -> None:
    assert isinstance(evaluate(expression), ErrorValue)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(1.5).toFixed(50)", "1." + "5" + "0" * 49),
        ("(1.5).toFixed(100)", "1." + "5" + "0" * 99),
        ("(1.5).toFixed(1e300)", "1." + "5" + "0" * 99),
        ("(1e21).toFixed(2)", "1e+21"),
        ("(2.5e-300).toFixed(3)", "0.000"),
        ("(1.5).round(1e9)", 1.5),
        ("(1.5).round(-1e9)", 0),
        ("(1234.5678).round(-2)", 1200),
        ("(2.345).round(2)", 2.35),
        ("(1e300).round(2)", 1e300),
    ],
)
def test_rounding_never_runs_out_of_decimal_precision(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_integers_stay_javascript_numbers() -> None:
    big = evaluate("99999999999999999999 * 99999999999999999999")
    assert isinstance(big, float) and big == pytest.approx(1e40)
    assert isinstance(evaluate("9007199254740993"), float)


# -- parsing: bounded, and only short texts cached -------------------------------------------


def test_expressions_are_capped_and_long_ones_are_not_cached() -> None:
    assert MAX_EXPRESSION_CHARS <= 20_000
    with pytest.raises(QueryLimitError, match="longer than"):
        parse_expression("[" + "1," * MAX_EXPRESSION_CHARS + "1]")
    before = _parse_cached.cache_info().currsize
    long_text = "[" + ",".join(["1"] * (CACHED_EXPRESSION_CHARS // 2 + 10)) + "]"
    assert len(long_text) > CACHED_EXPRESSION_CHARS
    parse_expression(long_text)
    assert _parse_cached.cache_info().currsize == before
    parse_expression("1 + 2 + 3 + 41")
    assert _parse_cached.cache_info().currsize == before + 1
