"""Inline queries (`` `= expr` ``): the value with ``this`` bound to the note, and its text as
Dataview's ``renderValue`` shows an inline query (``query.inline``)."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from query.engine import Limits
from query.errors import (
    EvaluationError,
    QueryLimitError,
    QuerySemanticError,
    QuerySyntaxError,
)
from query.inline import evaluate, inline_text
from query.results import json_cell
from query.semantics import Env, Settings
from query.values import Link
from tests.query.engine_vault import ENV, build_index

INDEX = build_index()
DUNE = "Books/Dune.md"


def text_of(expression: str, origin: str | None = DUNE, env: Env = ENV) -> str:
    return inline_text(evaluate(expression, INDEX, origin=origin, env=env), env)


TEXTS = [
    ("this.file.name", "Dune"),
    ("file.name", "\\-"),  # no row: a bare field is null, as in Dataview
    ("this.rating * 2", "10"),
    ("this.rating / 4", "1.25"),
    ("1 / 0", "Infinity"),
    ("true", "true"),
    ('"**bold** [[Home]]"', "**bold** [[Home]]"),  # strings are Markdown, left as written
    ("null", "\\-"),
    ("[[Tolkien]]", "[[Tolkien.md|Tolkien]]"),
    ("this.published", "August 01, 1965"),
    ('date("2024-03-17T10:30")', "10:30 AM - March 17, 2024"),
    ('"Due " + date(2024-03-20)', "Due March 20, 2024"),
    ("dur(1 day) + dur(90 minutes)", "1 day, 1 hour, 30 minutes"),
    ('[1, "a", null, [[Tolkien]]]', "1, a, \\-, [[Tolkien.md|Tolkien]]"),
    ("[]", "<empty list>"),
    ("{}", "<empty object>"),
    ("{a: 1, b: [2, 3]}", "a: 1, b: 2, 3"),
    ("(x) => x", "<function>"),
    ("[(x) => x, 1]", "<function>, 1"),
    ('elink("https://example.org", "site")', "[site](https://example.org)"),
    ("list(list(list(list(1))))", "1"),  # the innermost value at depth 4: still shown
    ("list(list(list(list(list(1)))))", "..."),  # depth 5 > maxRecursiveRenderDepth (4)
    ("length(this.file.tasks)", "2"),
]


@pytest.mark.parametrize(("expression", "text"), TEXTS, ids=[t[0] for t in TEXTS])
def test_inline_text_is_what_dataview_shows(expression: str, text: str) -> None:
    assert text_of(expression) == text


def test_this_is_an_empty_object_without_an_origin() -> None:
    assert text_of("this", origin=None) == "<empty object>"
    assert text_of("this.file.name", origin="Nowhere.md") == "\\-"


def test_dates_show_in_the_local_zone_like_dataviews_renderer() -> None:
    tokyo = replace(ENV, local=ZoneInfo("Asia/Tokyo"))
    value = evaluate('date("2024-03-17T10:30:00Z")', INDEX, env=tokyo)
    assert inline_text(value, tokyo) == "7:30 PM - March 17, 2024"


def test_settings_change_the_text() -> None:
    settings = Settings(
        render_null_as="—",
        default_date_format="yyyy-MM-dd",
        default_datetime_format="yyyy-MM-dd HH:mm",
        max_recursive_render_depth=1,
    )
    env = replace(ENV, settings=settings)
    assert text_of("null", env=env) == "—"
    assert text_of("this.published", env=env) == "1965-08-01"
    assert text_of('date("2024-03-17T10:30")', env=env) == "2024-03-17 10:30"
    assert text_of('"Due " + date(2024-03-20)', env=env) == "Due 2024-03-20"  # string(), too
    assert text_of("[1, [2, 3]]", env=env) == "1, ..., ..."  # each deeper item is cut


def test_the_value_is_a_typed_cell() -> None:
    value = evaluate("[this.author, this.file.link, (x) => x]", INDEX, origin=DUNE, env=ENV)
    assert value[1] == Link(DUNE)
    assert json_cell(value, ENV) == [
        "Frank Herbert",
        {
            "type": "link", "path": DUNE, "display": None, "subpath": None,
            "link_type": "file", "embed": False,
        },
        {"type": "function"},
    ]  # fmt: skip


def test_errors_are_positioned_like_a_querys() -> None:
    with pytest.raises(QuerySyntaxError) as syntax:
        evaluate("this.rating +", INDEX, origin=DUNE, env=ENV)
    assert (syntax.value.line, syntax.value.column) == (1, 14)
    assert syntax.value.context == "this.rating +\n             ^"
    with pytest.raises(QuerySemanticError) as semantic:
        evaluate("1 + nosuch(2)", INDEX, env=ENV)
    assert (semantic.value.line, semantic.value.column) == (1, 5)


def test_a_failed_evaluation_is_the_answer_not_a_dropped_row() -> None:
    with pytest.raises(EvaluationError):
        evaluate("null + 1", INDEX, env=ENV)


def test_limits_apply() -> None:
    with pytest.raises(QueryLimitError):
        evaluate('padleft("x", 100000000)', INDEX, env=ENV, limits=Limits())
    nested = "[" * 250 + "]" * 250
    with pytest.raises(QueryLimitError) as deep:
        evaluate(nested, INDEX, env=ENV)
    assert deep.value.line == 1


def test_a_huge_rendering_is_refused_before_it_is_built() -> None:
    from query.limits import MAX_STRING

    value = ["x" * 1_000_000] * (MAX_STRING // 1_000_000 + 1)
    with pytest.raises(QueryLimitError):
        inline_text(value, ENV)
