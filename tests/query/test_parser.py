"""The DQL parser against Dataview's own parse results (the conformance corpus) and its quirks."""

from __future__ import annotations

from typing import Any

import pytest

from query import ast
from query.errors import QuerySyntaxError
from query.parsing.parser import parse_expression, parse_query, parse_rule, parse_source
from query.values import Date, Duration, Link
from tests.query.corpus import NOW, cases
from tools.conformance.encoding import ast_to_corpus


def _encode_expected_rule(value: Any) -> Any:
    return ast_to_corpus(ast.Literal(value))["lit"]


@pytest.mark.parametrize("case", cases(lambda c: c["kind"] == "query" and c["mode"] == "parse"))
def test_query_parses_like_dataview(case: dict[str, Any]) -> None:
    assert ast_to_corpus(parse_query(case["input"]), now=NOW) == case["expected"]["ast"]


@pytest.mark.parametrize("case", cases(lambda c: c["kind"] == "source" and c["mode"] == "parse"))
def test_source_parses_like_dataview(case: dict[str, Any]) -> None:
    assert ast_to_corpus(parse_source(case["input"])) == case["expected"]["ast"]


@pytest.mark.parametrize("case", cases(lambda c: c["kind"] == "parse-error"))
def test_rejected_like_dataview(case: dict[str, Any]) -> None:
    parse = {"query": parse_query, "source": parse_source, "expression": parse_expression}
    with pytest.raises(QuerySyntaxError) as info:
        if "rule" in case:
            parse_rule(case["rule"], case["input"], now=NOW)
        else:
            parse[case["parser"]](case["input"])
    assert info.value.line is not None and info.value.line >= 1
    assert info.value.column is not None and info.value.column >= 1
    assert info.value.context is not None and "^" in info.value.context


@pytest.mark.parametrize("case", cases(lambda c: c["kind"] == "expression" and "rule" in c))
def test_rule_values(case: dict[str, Any]) -> None:
    value = parse_rule(case["rule"], case["input"], now=NOW)
    assert _encode_expected_rule(value) == case["expected"]


@pytest.mark.parametrize(
    "case", cases(lambda c: c["kind"] == "expression" and "rule" not in c and "ast" not in c)
)
def test_every_corpus_expression_parses(case: dict[str, Any]) -> None:
    # Their values are checked by test_compile; here: Dataview parsed them, so must we.
    parse_expression(case["input"])


def tree(text: str) -> Any:
    return ast_to_corpus(parse_expression(text), now=NOW)


def var(name: str) -> dict[str, str]:
    return {"var": name}


def lit(value: Any) -> dict[str, Any]:
    return {"lit": value}


def op(symbol: str, left: Any, right: Any) -> dict[str, Any]:
    return {"op": symbol, "left": left, "right": right}


class TestPrecedence:
    def test_and_or_share_one_level(self) -> None:
        assert tree("a or b and c") == op("&", op("|", var("a"), var("b")), var("c"))

    def test_comparisons_chain_left(self) -> None:
        assert tree("1 < 2 < 3") == op("<", op("<", lit(1), lit(2)), lit(3))

    def test_bang_binds_to_the_postfix_chain(self) -> None:
        assert tree("!a.b") == {"not": {"index": [var("a"), lit("b")]}}
        assert tree("!1 = 2") == op("=", {"not": lit(1)}, lit(2))

    def test_multiplicative_is_left_assoc(self) -> None:
        assert tree("7 % 4 * 2") == op("*", op("%", lit(7), lit(4)), lit(2))

    def test_lambda_body_extends_as_far_as_possible(self) -> None:
        assert tree("(x) => x + 1 > 2") == {
            "lambda": ["x"],
            "body": op(">", op("+", var("x"), lit(1)), lit(2)),
        }

    def test_call_on_call_and_on_parenthesised_lambda(self) -> None:
        assert tree("((a) => a)(1)(2)") == {
            "call": {"call": {"lambda": ["a"], "body": var("a")}, "args": [lit(1)]},
            "args": [lit(2)],
        }


class TestLexicalQuirks:
    def test_dash_is_part_of_identifiers(self) -> None:
        assert tree("time-played + 1") == op("+", var("time-played"), lit(1))
        assert tree("x -1") == op("-", var("x"), lit(1))
        assert tree("5-3") == op("-", lit(5), lit(3))

    def test_minus_belongs_to_number_literals_only(self) -> None:
        assert tree("-2 = -2") == op("=", lit(-2), lit(-2))
        with pytest.raises(QuerySyntaxError):
            parse_expression("-x")

    def test_booleans_and_null_have_no_word_boundary(self) -> None:
        for text in ("trueish", "falsehood", "nullable"):
            with pytest.raises(QuerySyntaxError):
                parse_expression(text)
        assert tree("TRUE") == var("TRUE")
        assert tree("True") == lit(True)

    def test_string_escapes(self) -> None:
        assert tree(r'"a\"b\\c\w"') == lit('a"b\\c\\w')

    def test_link_wins_over_list(self) -> None:
        assert tree('[["a","b"]]') == lit({"$link": '"a","b"'})
        assert tree("[[[1]]]") == {"list": [lit({"$link": "1"})]}
        assert tree("![[x]]") == lit({"$link": "x", "embed": True})

    def test_header_subpath_is_normalised(self) -> None:
        link = parse_expression("[[Note#Some Header!]]")
        assert isinstance(link, ast.Literal)
        assert link.value == Link("Note", None, "Some Header", "header")

    def test_invalid_date_content_is_a_call(self) -> None:
        assert tree("date(2021-13-01)") == {
            "call": var("date"),
            "args": [op("-", op("-", lit(2021), lit(13)), lit(1))],
        }
        inner = lit({"$dur": {"minutes": 8}})
        assert tree("dur(dur(8 minutes))") == {"call": var("dur"), "args": [inner]}

    def test_date_and_duration_literals(self) -> None:
        assert tree("date( 2021-04-18 )") == lit({"$date": "2021-04-18"})
        assert tree("date(today)") == lit({"$date": "2024-03-17"})
        assert tree("dur(1h30m)") == lit({"$dur": {"hours": 1, "minutes": 30}})

    def test_postfix_needs_no_space(self) -> None:
        for text in ("f (1)", "a .b", "a [0]"):
            with pytest.raises(QuerySyntaxError):
                parse_expression(text)

    def test_reserved_words_only_as_bare_variables(self) -> None:
        assert tree("row.where") == {"index": [var("row"), lit("where")]}
        assert tree("{where: 1}") == {"object": {"where": lit(1)}}
        assert tree("fromage") == var("fromage")
        with pytest.raises(QuerySyntaxError):
            parse_expression("where")

    def test_emoji_and_unicode_identifiers(self) -> None:
        assert tree("📷 + Статус") == op("+", var("📷"), var("Статус"))


class TestQueries:
    def test_column_names_are_trimmed_source_lines(self) -> None:
        query = parse_query("TABLE a +\n  b, lower( a )")
        assert isinstance(query.header, ast.TableHeader)
        assert [f.name for f in query.header.fields] == ["a +b", "lower( a )"]

    def test_commands_repeat_in_any_order(self) -> None:
        query = parse_query("LIST WHERE a LIMIT 1 WHERE b SORT c DESC, d")
        kinds = [type(op).__name__ for op in query.ops]
        assert kinds == ["Where", "Limit", "Where", "Sort"]

    def test_late_from_is_an_unknown_operation(self) -> None:
        query = parse_query('LIST WHERE x FROM "a" or #b')
        assert isinstance(query.ops[-1], ast.UnknownOp)
        assert ast.source_kind(query.ops[-1].source) == "binaryop"

    def test_keywords_are_case_insensitive_and_whitespace_tolerant(self) -> None:
        query = parse_query("lIsT   WiThOuT\n ID  x\ngroup by y AS z")
        assert isinstance(query.header, ast.ListHeader) and query.header.without_id
        assert isinstance(query.ops[0], ast.GroupBy) and query.ops[0].field.name == "z"

    def test_group_by_needs_exactly_one_space(self) -> None:
        with pytest.raises(QuerySyntaxError):
            parse_query("LIST GROUP  BY x")

    def test_parse_cache_returns_equal_trees(self) -> None:
        assert parse_query("LIST x") is parse_query("LIST x")


class TestErrorMessages:
    def message(self, text: str, parse: Any = parse_query) -> QuerySyntaxError:
        with pytest.raises(QuerySyntaxError) as info:
            parse(text)
        return info.value

    def test_missing_expression_after_keyword(self) -> None:
        error = self.message("TASK\nSORT ")
        assert "expected a field or expression after SORT" in error.message
        assert (error.line, error.column) == (2, 6)

    def test_list_sort_quirk_is_explained(self) -> None:
        error = self.message("LIST\nSORT file.name")
        assert "#1569" in error.message and error.line == 2
        assert error.context == "SORT file.name\n     ^"

    def test_missing_comma_between_table_fields(self) -> None:
        assert "','" in self.message("TABLE a b").message

    def test_unclosed_string(self) -> None:
        assert "never closed" in self.message('LIST "abc').message

    def test_double_equals(self) -> None:
        assert "'=='" in self.message("LIST WHERE a == b").message

    def test_space_before_call(self) -> None:
        assert "space" in self.message("f (1)", parse_expression).message


def test_rule_values_have_dataview_types() -> None:
    assert parse_rule("number", "-1.5") == -1.5
    assert parse_rule("identifier", "a-b_c9") == "a-b_c9"
    assert isinstance(parse_rule("date", "2021-02-30"), Date)
    assert parse_rule("duration", "4yr6w") == Duration(years=4, weeks=6)
    assert parse_rule("tag", "#a/b") == "#a/b"
