"""Documented examples of functions and methods, each citing the SPEC section it pins."""

from __future__ import annotations

from typing import Any

import pytest

from query.bases.moment import format_moment, humanize, moment_string, parse_moment, parse_span
from query.bases.semantics import to_text
from query.bases.values import BaseLink, ErrorValue, Moment, Span
from tests.query.bases.helpers import LOCAL, evaluate

EXAMPLES: list[tuple[str, str, Any]] = [
    # §4.4 precedence, §4.5 typing
    ("§4.4", "1 + 2 * 3", 7),
    ("§4.5", "10/5/2", 1),
    ("§4.5", '"Todo " + 50', "Todo 50"),
    ("§4.5", "[1] + [2, 3]", [1, 2, 3]),
    ("§4.6", '"".isTruthy()', False),
    ("§4.6", "[].isTruthy()", True),
    ("§4.6", "(0).isTruthy()", False),
    # §5 global functions
    ("§5 if", 'if(price > 5, "big", "small")', "big"),
    ("§5 if", 'if(false, "x")', None),
    ("§5 number", 'number("3.4")', 3.4),
    ("§5 number", "number(true)", 1),
    ("§5 list", 'list("a")', ["a"]),
    ("§5 max", "max(1, 5, 3)", 5),
    ("§5 min", "min(3, 1, 2)", 1),
    ("§5 escapeHTML", 'escapeHTML("<x>&")', "&lt;x&gt;&amp;"),
    ("§5 link", 'link("Some Note", "Shown").toString()', "[[Some Note|Shown]]"),
    ("§5 file", 'file("Beta").path', "Projects/Beta.md"),
    ("§5 today", 'today().format("YYYY-MM-DD")', "2024-03-17"),
    # §6.2 strings
    ("§6.2", '"hello".contains("ell")', True),
    ("§6.2", '"hello".containsAll("h", "o")', True),
    ("§6.2", '"hello world".title()', "Hello World"),
    ("§6.2", '"a-b-c".replace("-", "+")', "a+b+c"),
    ("§6.2", '"a:b:c".replace(/:/, "-")', "a-b:c"),
    ("§6.2", '"a:b:c".replace(/:/g, "-")', "a-b-c"),
    ("§6.2", '"2024-01".replace(/(\\d+)-(\\d+)/, "$2/$1")', "01/2024"),
    ("§6.2", '"hello".slice(-3)', "llo"),
    ("§6.2", '"a,b,c".split(",", 2)', ["a", "b"]),
    ("§6.2", '"ab".repeat(3)', "ababab"),
    # §6.3 numbers
    ("§6.3", "(2.5).round()", 3),
    ("§6.3", "(2.3333).round(2)", 2.33),
    ("§6.3", "(3.14159).toFixed(2)", "3.14"),
    ("§6.3", "(-5).abs()", 5),
    # §6.4 dates
    ("§6.4", 'date("2026-06-10 12:34:56").month', 6),
    ("§6.4", 'date("2026-06-10 12:34:56").time()', "12:34:56"),
    ("§6.4", 'date("2026-06-10").isEmpty()', False),
    ("§6.4", 'date("2024-03-18").relative()', "in 10 hours"),
    ("§6.4", 'date("2024-03-10").relative()', "8 days ago"),  # 7.6 days round up
    # §6.5 durations
    ("§6.5", '(date("2024-03-20") - date("2024-03-17")).days', 3),
    ("§6.5", '(date("2024-03-17 12:00:00") - date("2024-03-17 09:30:00")).hours', 2),
    ("§6.5", '(duration("1h") * 2).toString()', "2 hours"),
    # §6.6 lists (and the withdrawn aggregates)
    ("§6.6", "[1,2,3].map(value + index)", [1, 3, 5]),
    ("§6.6", "[1,2,3,4].reduce(acc + value, 0)", 10),
    ("§6.6", "[3,1,2].sort()", [1, 2, 3]),
    ("§6.6", "[1,2,2,3].unique()", [1, 2, 3]),
    ("§6.6", "[1,[2,[3]]].flat()", [1, 2, [3]]),
    ("§6.6", "[1,2,3,4,5,6].mean()", 3.5),
    ("§6.6", "[1,2,3,4,5,6,7].median()", 4),
    ("§6.6", "[2,2,4,5,5,8].median()", 4.5),
    ("§6.6", "[1,7,3,11,22,5].stddev().round(2)", 6.94),
    ("§6.6", 'tags.contains("work")', True),  # hierarchical: work/a
    # §6.8 file methods, §7 file properties
    ("§6.8", 'file.hasTag("#PROJECT")', True),
    ("§6.8", 'file.hasTag("work")', True),
    ("§6.8", 'file.inFolder("Projects")', True),
    ("§6.8", 'file.hasProperty("due")', True),
    ("§6.8", 'file.hasLink("Beta")', True),
    ("§6.8", 'file.hasLink("Missing")', True),
    ("§6.8", "file.asLink().toString()", "[[Projects/Alpha.md]]"),
    ("§7", "file.name", "Alpha"),
    ("§7", "file.folder", "Projects"),
    ("§7", "file.ext", "md"),
    ("§7", "file.links.length", 3),
    ("§7", "file.backlinks.length", 3),
    ("§7", "file.tags", ["#project", "#work/a", "#inline"]),
    ("§4.2", "note.price * note.quantity", 30),
    ("§4.2", 'note["status"]', "active"),
    ("§6.7", "owner.asFile().role", "lead"),
    ("§6.7", "owner.asFile().properties.role", "lead"),
]


@pytest.mark.parametrize(("section", "expression", "expected"), EXAMPLES)
def test_documented_example(section: str, expression: str, expected: Any) -> None:
    value = evaluate(expression)
    assert value == expected, f"{section}: {expression}"


def test_section_4_3_missing_member_is_an_error_value_and_null_member_is_null() -> None:
    assert isinstance(evaluate('link("x").path'), ErrorValue)
    assert evaluate("missing.anything") is None
    assert evaluate("missing.isEmpty()") is True
    assert isinstance(evaluate("doesNotExist()"), ErrorValue)


def test_section_4_5_number_times_duration_is_an_error() -> None:
    assert isinstance(evaluate('2 * duration("1h")'), ErrorValue)
    assert isinstance(evaluate('"text" * 2'), ErrorValue)


def test_section_9_date_arithmetic_chains_and_clamps_month_ends() -> None:
    value = evaluate('date("2024-12-01") + "1M" + "4h" + "3m"')
    assert isinstance(value, Moment) and moment_string(value) == "2025-01-01T04:03:00"
    end = evaluate('date("2024-01-31") + "1M"')
    assert moment_string(end) == "2024-02-29" and end.date_only


def test_section_9_moment_tokens() -> None:
    moment = parse_moment("2024-03-05 14:07:09", LOCAL)
    assert moment is not None
    assert (
        format_moment(moment, "YYYY YY MMMM MMM MM M DD D Do") == "2024 24 March Mar 03 3 05 5 5th"
    )
    assert (
        format_moment(moment, "dddd ddd HH H hh h mm ss A a")
        == "Tuesday Tue 14 14 02 2 07 09 PM pm"
    )
    assert format_moment(moment, "W Q [week] ww") == "10 1 week 10"
    assert format_moment(moment, "X").isdigit() and format_moment(moment, "x").endswith("000")


@pytest.mark.parametrize(
    ("text", "shown"),
    [("1y", "a year"), ("1M", "a month"), ("2w", "14 days"), ("1d", "a day"), ("1h", "an hour"),
     ("30m", "30 minutes"), ("45s", "a minute"), ("3 days", "3 days"), ("P1DT2H", "a day")],
)  # fmt: skip
def test_section_6_5_durations_humanise_like_moment(text: str, shown: str) -> None:
    span = parse_span(text)
    assert isinstance(span, Span) and humanize(span) == shown


def test_section_6_10_string_forms() -> None:
    assert to_text(None) == ""
    assert to_text([1, "a", True]) == "1, a, true"
    assert to_text(BaseLink("Other", "Alias")) == "[[Other|Alias]]"
    assert to_text(BaseLink("Other")) == "[[Other]]"
    assert evaluate("owner.toString()") == "[[People/Ann]]"
