"""Nothing but query errors escape: arbitrary text to the parsers, generated expressions to the
evaluator and to whole queries (issue 3: "Nothing else escapes").

The expression generator follows the grammar: literals of every type, variables and field paths,
every operator, calls of every built-in with random arguments, lambdas, indexing, lists and
objects. Numbers stay small so that legal programs stay cheap (``"x" * 1e8`` is legal DQL).
"""

from __future__ import annotations

import contextlib
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from query.compile import compile_expression, make_scope
from query.engine import Limits, execute
from query.errors import QueryError
from query.functions import FUNCTIONS
from query.index import VaultIndex
from query.parsing.parser import parse_expression, parse_query, parse_source
from query.semantics import Env
from query.temporal.dates import date_from_epoch_ms
from tests.query.engine_vault import build_index

ENV = Env(date_from_epoch_ms(1_710_683_130_250, UTC), UTC)
FAST = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])

# -- arbitrary text ---------------------------------------------------------------------------

_DQL_WORDS = [
    "LIST", "TABLE", "TASK", "CALENDAR", "WITHOUT", "ID", "FROM", "WHERE", "SORT", "GROUP", "BY",
    "FLATTEN", "LIMIT", "AS", "ASC", "DESC", "and", "or", "-", "#tag", '"Books"', "[[Dune]]",
    "outgoing(", "(", ")", "[", "]", "{", "}", ",", ".", "=", "!=", "<", ">=", "+", "*", "/", "%",
    "!", "=>", "file.name", "rating", "this", "row", '"str', "'", "date(", "dur(", "1", "-2.5",
    "true", "null", "\n", " ", ":", "\\", "\"", "[[", "]]", "#", "^",
]  # fmt: skip
dql_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_DQL_WORDS), max_size=14).map(" ".join),
    st.lists(st.sampled_from(_DQL_WORDS), max_size=14).map("".join),
)


@FAST
@given(dql_text)
def test_parse_query_raises_only_query_errors(text: str) -> None:
    with contextlib.suppress(QueryError):
        parse_query(text)


@FAST
@given(dql_text)
def test_parse_expression_raises_only_query_errors(text: str) -> None:
    with contextlib.suppress(QueryError):
        parse_expression(text)


@FAST
@given(dql_text)
def test_parse_source_raises_only_query_errors(text: str) -> None:
    with contextlib.suppress(QueryError):
        parse_source(text)


# -- generated expressions --------------------------------------------------------------------

_OPERATORS = ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "&", "|"]
_VARIABLES = [
    "rating", "author", "tags", "file", "file.name", "file.tasks", "file.outlinks", "file.day",
    "file.mtime", "file.lists", "file.frontmatter", "due", "completed", "text", "this",
    "this.file.name", "row", "x", "missing", "status",
]  # fmt: skip
_LITERALS = [
    "0", "1", "-1", "2.5", "7", "-0.5", '""', '"abc"', '"Dune"', '"a,b"', '"\\\\d+"', "true",
    "false", "null", "date(2024-03-01)", "date(today)", "date(2021-02-30T25:00)", "dur(1 day)",
    "dur(3 hours 2 minutes)", "[[Dune]]", "[[Books/Dune#Plot]]", "[[nowhere]]", "[]", "{}",
    '"YYYY-MM-dd"', '"yyyy"', '"(a|b)*"', '"["', '"e"', "(1/0)", "(0/0)", "(-1/0)",
    "99999999999999999999", "(dur(1 day) / 0)", "(dur(1 year) * 99999999999)", '"\\u{1F600}é"',
]  # fmt: skip


def _expressions() -> st.SearchStrategy[str]:
    leaves = st.sampled_from(_LITERALS + _VARIABLES)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        call = st.tuples(st.sampled_from(sorted(FUNCTIONS)), st.lists(inner, max_size=3)).map(
            lambda pair: f"{pair[0]}({', '.join(pair[1])})"
        )
        return st.one_of(
            st.tuples(inner, st.sampled_from(_OPERATORS), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda e: f"!{e}"),
            inner.map(lambda e: f"-{e}"),
            call,
            call,
            st.tuples(inner, inner).map(lambda t: f"({t[0]})[{t[1]}]"),
            st.tuples(inner, st.sampled_from(["name", "year", "path", "day", "x", "length"])).map(
                lambda t: f"({t[0]}).{t[1]}"
            ),
            st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
            st.lists(st.tuples(st.sampled_from(["a", "b"]), inner), max_size=2).map(
                lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
            ),
            inner.map(lambda body: f"(x) => {body}"),
            st.tuples(
                st.sampled_from(["map", "filter", "any", "all", "sort", "none"]), inner, inner
            ).map(lambda t: f"{t[0]}({t[1]}, (x) => {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"reduce({t[0]}, (a, b) => {t[1]})"),
        )

    return st.recursive(leaves, extend, max_leaves=12)


expressions = _expressions()
INDEX: VaultIndex = build_index()


def _scope(origin: str) -> object:
    page = INDEX.page(origin)
    assert page is not None
    return make_scope(
        env=ENV,
        this=page,
        resolve_link=lambda link: INDEX.page(link.path),
        normalize_link=lambda target: INDEX.normalize_path(target, origin),
    )


ROWS = [INDEX.page(path) for path in INDEX.paths]


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, st.sampled_from(range(len(ROWS))))
def test_evaluator_raises_only_query_errors(source: str, which: int) -> None:
    scope = _scope("Home.md")
    try:
        compiled = compile_expression(parse_expression(source), source)
        row = ROWS[which]
        assert row is not None
        compiled(row, scope)  # type: ignore[arg-type]
    except QueryError:
        pass


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["TABLE {0}", "LIST {0}", "TASK", "CALENDAR {0}", "TABLE WITHOUT ID {0}, {1}"]),
    expressions,
    expressions,
    st.lists(
        st.sampled_from(
            ["WHERE {0}", "SORT {1} DESC", "GROUP BY {0}", "FLATTEN {1}", "LIMIT 3", "LIMIT {0}"]
        ),
        max_size=3,
    ),
)
def test_queries_raise_only_query_errors(
    header: str, first: str, second: str, commands: list[str]
) -> None:
    text = "\n".join([header, *commands]).format(first, second)
    with contextlib.suppress(QueryError):
        execute(text, INDEX, origin="Home.md", env=ENV, limits=Limits(max_rows=10_000))


def test_parts_of_an_infinite_duration_are_not_an_internal_error() -> None:
    """Found by the evaluator test above: ``(dur(1 day) / 0).year`` raised a KeyError."""
    for part in ("year", "years", "day", "minutes"):
        result = execute(f"TABLE WITHOUT ID (dur(1 day) / 0).{part}", build_index(), env=ENV)
        assert len(result.rows) == 7
