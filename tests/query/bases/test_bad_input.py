# ruff: noqa: E501  (bases written inline as YAML strings read best on one line)
"""Bad input gets a positioned error or a diagnostic, never a crash (issue 17, SPEC §4.1, §16.4)."""

from __future__ import annotations

import pytest

from query.bases.parser import parse_expression
from query.errors import QueryError, QuerySemanticError, QuerySyntaxError
from server.vault.base_files import MAX_BASE_BYTES, load_base_yaml
from tests.query.bases.helpers import config, json_of, rows


def test_malformed_yaml_is_a_positioned_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        load_base_yaml("views:\n  - type: table\n    name: [unclosed\n", name="bad.base")
    error = info.value
    assert error.line is not None and error.line >= 3 and error.context and "^" in error.context


def test_expression_errors_point_into_the_yaml() -> None:
    text = "filters:\n  and:\n    - file.inFolder(\"x\")\n    - 'price >> 3'\n"
    with pytest.raises(QuerySyntaxError) as info:
        rows(text)
    error = info.value
    assert (error.line, error.column) == (4, 15)  # the second ">"
    assert "filters.and[1]" in error.message and "    - 'price >> 3'" in (error.context or "")


def test_block_scalar_formulas_report_their_own_line() -> None:
    text = "formulas:\n  f: |-\n    if(price > 3,\n      price +)\nviews:\n  - type: table\n    order: [formula.f]\n"
    body = json_of(text)
    (diagnostic,) = [d for d in body["diagnostics"] if d["code"] == "syntax"]
    assert diagnostic["line"] == 4 and diagnostic["where"] == "formulas.f"
    assert body["rows"][0]["cells"]["formula.f"] is None  # an empty cell, as in the app


def test_unknown_function_is_a_diagnostic_and_an_error_cell() -> None:
    body = json_of("formulas:\n  x: nope(1)\nviews:\n  - type: table\n    order: [formula.x]\n")
    assert body["diagnostics"][0]["code"] == "unknown-function"
    assert body["diagnostics"][0]["line"] == 2
    assert body["rows"][0]["cells"]["formula.x"]["type"] == "error"


def test_type_error_in_a_filter_drops_the_row_and_is_reported_once() -> None:
    body = json_of("filters: '\"text\" * 2'\n")
    assert body["count"] == 0
    assert [d["code"] for d in body["diagnostics"]] == ["filter-error"]


def test_unknown_view_names_the_views() -> None:
    with pytest.raises(QuerySemanticError, match="'A', 'B'"):
        rows("views:\n  - {type: table, name: A}\n  - {type: table, name: B}\n", "C")


def test_a_property_no_file_has_is_an_empty_cell() -> None:
    body = json_of("views:\n  - type: table\n    order: [nobody_has_this]\n")
    assert {row["cells"]["note.nobody_has_this"] for row in body["rows"]} == {None}


@pytest.mark.parametrize(
    "text",
    ["5.isEmpty()", "+price", '{"a": 1}', "a < b < c", "(", "'unterminated", "x.y(", "@"],
)
def test_refused_forms_are_syntax_errors_with_a_position(text: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_expression(text)
    assert info.value.line == 1 and info.value.column is not None


def test_structure_errors_are_positioned() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        config("views:\n  - type: table\n    filters:\n      and: [a]\n      or: [b]\n")
    assert info.value.line == 4
    with pytest.raises(QuerySyntaxError):
        config("views:\n  - type: table\n    limit: many\n")
    with pytest.raises(QuerySyntaxError):
        config("- just a list\n")


def test_legacy_syntax_is_reported() -> None:
    assert [d.code for d in config("display:\n  status: Status\n").diagnostics] == ["legacy_syntax"]


def test_a_base_over_the_size_limit_is_refused() -> None:
    huge = "formulas:\n" + "".join(f"  f{i}: price + {i}\n" for i in range(MAX_BASE_BYTES // 16))
    assert len(huge) > MAX_BASE_BYTES
    with pytest.raises(QuerySyntaxError, match="larger than"):
        load_base_yaml(huge)


def test_deep_nesting_is_a_limit_not_a_crash() -> None:
    with pytest.raises(QueryError):
        parse_expression("(" * 5000 + "1" + ")" * 5000)
