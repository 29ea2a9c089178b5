"""The expression compiler: unit behaviour, and every corpus expression evaluated end to end."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC
from typing import Any

import pytest

from query.compile import Scope, compile_expression, make_scope
from query.errors import EvaluationError, QueryError, QuerySemanticError
from query.parsing.parser import parse_expression
from query.semantics import Env
from query.temporal.dates import parse_date
from query.values import Duration, Function, Link, Value, Widget
from tests.query.corpus import NOW, cases
from tools.conformance.encoding import value_to_corpus

ENV = Env(NOW, UTC)


def decode(value: Any) -> Value:
    """A corpus-tagged value (``context``) as a Dataview value."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$link" in value:
        kind = value.get("type", "file")
        embed = value.get("embed", False)
        return Link(value["$link"], value.get("display"), value.get("subpath"), kind, embed)
    if "$date" in value:
        text = value["$date"]
        parsed = parse_date(text.replace("Z", "+00:00") if text.endswith("Z") else text, UTC)
        assert parsed is not None, text
        return parsed
    if "$dur" in value:
        return Duration(**value["$dur"])
    if "$number" in value:
        return float(value["$number"].replace("Infinity", "inf"))
    if "$object" in value:
        return {k: decode(v) for k, v in value["$object"].items()}
    return {k: decode(v) for k, v in value.items()}


def scope_for(context: Mapping[str, Any]) -> Scope:
    pages = {path: decode(page) for path, page in context.get("pages", {}).items()}
    return make_scope(
        env=ENV,
        this=decode(context.get("this", {})),
        resolve_link=lambda link: pages.get(link.path),
        normalize_link=lambda path: path,
    )


def evaluate(
    text: str, row: Mapping[str, Value] | None = None, scope: Scope | None = None
) -> Value:
    return compile_expression(parse_expression(text))(row or {}, scope or scope_for({}))


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        if isinstance(actual, bool) or isinstance(expected, bool):
            return actual is expected
        return isinstance(actual, (int, float)) and math.isclose(actual, expected, rel_tol=1e-12)
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same(actual[k], expected[k]) for k in expected)
        )
    return (type(actual) is type(expected) and actual == expected) or (
        isinstance(actual, (int, float))
        and not isinstance(actual, bool)
        and isinstance(expected, (int, float))
        and actual == expected
    )


@pytest.mark.parametrize("case", cases(lambda c: c["kind"] == "expression" and "rule" not in c))
def test_corpus_expression(case: dict[str, Any]) -> None:
    context = case.get("context", {})
    expected = case["expected"]
    try:
        compiled = compile_expression(parse_expression(case["input"]))
        actual = value_to_corpus(compiled(decode(context.get("vars", {})), scope_for(context)))
    except (EvaluationError, QuerySemanticError) as exc:
        assert isinstance(expected, dict) and "$error" in expected, f"unexpected error: {exc}"
        return
    wanted_error = isinstance(expected, dict) and "$error" in expected
    assert not wanted_error, f"expected an error, got {actual!r}"
    assert same(actual, expected), f"{actual!r} != {expected!r}"


class TestLookup:
    def test_row_then_this_then_null(self) -> None:
        scope = make_scope(env=ENV, this={"x": 1}, resolve_link=lambda _: None, normalize_link=str)
        assert evaluate("this.x", {}, scope) == 1
        assert evaluate("x", {}, scope) is None  # bare names read the row only
        assert evaluate("this", {"this": 5}, scope) == 5

    def test_row_pseudo_variable_only_when_indexed(self) -> None:
        scope = make_scope(env=ENV, this={"t": 1}, resolve_link=lambda _: None, normalize_link=str)
        assert evaluate('row["a b"]', {"a b": 2}, scope) == 2
        assert evaluate("row.where", {"where": 3}, scope) == 3
        assert evaluate("row.this", {}, scope) == {"t": 1}
        assert evaluate("row", {}, scope) is None

    def test_link_receivers_resolve_through_the_scope(self) -> None:
        pages = {"Books/Dune.md": {"rating": 8}}
        scope = make_scope(
            env=ENV,
            this={},
            resolve_link=lambda link: pages.get(link.path),
            normalize_link=lambda path: "Books/Dune.md" if path == "Dune" else path,
        )
        assert evaluate("[[Dune]].rating", {}, scope) == 8
        assert evaluate("[[Dune]]", {}, scope) == Link("Books/Dune.md")
        assert evaluate("b.rating", {"b": Link("Books/Dune.md")}, scope) == 8
        assert evaluate("[[Nope]].rating", {}, scope) is None


class TestIndexing:
    def test_swizzle_keeps_nulls_and_skips_errors(self) -> None:
        rows = [{"a": 1}, {"b": 2}, "text", None]
        assert evaluate("xs.a", {"xs": rows}) == [1, None, None]

    def test_positions(self) -> None:
        assert evaluate("[1, 2][5]") is None
        assert evaluate("[1, 2][-1]") is None
        assert evaluate('"abc"[1]') == "b"
        assert evaluate("x[null]", {"x": [1]}) is None

    def test_errors(self) -> None:
        for text in ('"abc".length', "{a: 1}[0]", "[1][true]", "date(2021-01-01)[1]"):
            with pytest.raises(EvaluationError):
                evaluate(text)

    def test_date_and_duration_parts(self) -> None:
        assert evaluate("date(2021-04-18T10:30:00).weekday") == 7
        assert evaluate("date(2021-04-18).weekyear") == 15
        assert evaluate("date(2021-04-18).week") == 3
        assert evaluate("date(2021-04-18).nonsense") is None
        assert evaluate("dur(90 minutes).hours") == 1.5
        assert evaluate("dur(1 week).week") is None
        assert evaluate("x.y.z", {"x": 3}) is None


class TestCalls:
    def test_lambdas_see_the_row_and_missing_params_are_null(self) -> None:
        assert evaluate("((a, b) => [a, b, c])(1)", {"c": 3}) == [1, None, 3]
        assert evaluate("map([1, 2], (x) => x + k)", {"k": 10}) == [11, 12]

    def test_lambda_is_a_function_value(self) -> None:
        assert isinstance(evaluate("(x) => x"), Function)

    def test_variables_holding_lambdas_cannot_be_called_by_name(self) -> None:
        with pytest.raises(QuerySemanticError) as info:
            compile_expression(parse_expression("1 + f(1)"))
        assert "Unrecognized function name 'f'" in info.value.message
        assert (info.value.line, info.value.column) == (1, 5)

    def test_names_are_case_sensitive(self) -> None:
        with pytest.raises(QuerySemanticError):
            compile_expression(parse_expression('LOWER("x")'))

    def test_calling_a_non_function_errors_per_row(self) -> None:
        with pytest.raises(EvaluationError):
            evaluate("(1)(2)")


class TestOperators:
    def test_and_or_evaluate_both_sides(self) -> None:
        with pytest.raises(QueryError):
            evaluate("true or (null + 1)")

    def test_comparisons_chain_and_mix_types(self) -> None:
        assert evaluate("1 < 2 < 3") is True
        assert evaluate("3 > 2 > 1") is False
        assert evaluate('1 < "1"') is True

    def test_nan_goes_through_the_comparator(self) -> None:
        nan = float("nan")
        assert evaluate("x = x", {"x": nan}) == evaluate("x = y", {"x": nan, "y": nan})


def test_compiled_closures_are_reused() -> None:
    expr = parse_expression("a + 1")
    assert compile_expression(expr) is compile_expression(expr)


def test_widget_values_encode() -> None:
    widget = Widget("external-link", {"url": "u", "display": "d"})
    assert value_to_corpus(widget) == {"$widget": "external-link", "url": "u", "display": "d"}
