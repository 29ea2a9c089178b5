"""What one query may cost (``query.limits``): size caps, the work meter, time, memory, depth.

Each attack here once froze or killed the server (issue 12). In the engine they must end in a
:class:`QueryLimitError`, soon; the same attacks against a real server, with ``/health`` polled
while they run, are in ``tests/server/test_hostile_queries.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from query.engine import Limits, execute
from query.errors import QueryError, QueryLimitError, QuerySyntaxError
from query.limits import MAX_DEPTH, MAX_LIST, MAX_STRING, Guard
from query.parsing.parser import parse_expression, parse_query
from query.results import QueryResult
from tests.query.engine_vault import ENV, build_index

INDEX = build_index()
ONE_PAGE = 'FROM "Tolkien.md" '


def run(text: str, limits: Limits | None = None) -> QueryResult:
    return execute(text, INDEX, env=ENV, limits=limits or Limits(clock=time.perf_counter))


def value(expr: str) -> object:
    result = run(f"TABLE WITHOUT ID {expr} {ONE_PAGE}")
    assert len(result.rows) == 1
    return result.rows[0][0]


def limit_error(text: str, limits: Limits | None = None) -> QueryLimitError:
    with pytest.raises(QueryLimitError) as caught:
        run(text, limits)
    return caught.value


# -- sizes ------------------------------------------------------------------------------------

BOMBS = {
    "repeat": '"a" * 500000000',
    "padleft": 'padleft("x", 536870888, "€")',
    "padright": 'padright("x", 20000000)',
    "doubling reduce": 'reduce(split("a" * 30, ""), (acc, x) => acc + acc)',
    "concat": 'padleft("", 9000000) + padleft("", 9000000)',
    "regexreplace backtick": 'regexreplace(padleft("", 20000, "a"), "a", "$`")',
    "regexreplace template": (
        'regexreplace(padleft("", 40000, "a"), "a", "$&" + padleft("", 1000, "x"))'
    ),
    "replace": 'replace(padleft("", 9000000, "a"), "a", "bb")',
    "replace empty": 'replace(padleft("", 9000000, "a"), "", "b")',
    "join": 'join(map(split(padleft("", 1000, "a"), ""), (x) => padleft("", 20000)))',
    "string of a list": 'string(map(split(padleft("", 1000, "a"), ""), (x) => padleft("", 20000)))',
    "list concat": 'split(padleft("", 600000), "") + split(padleft("", 600000), "")',
    "flat": 'flat([split(padleft("", 600000), ""), split(padleft("", 600000), "")])',
    "split": 'split(padleft("", 2000000), "")',
    "sum of strings": 'sum(map(split(padleft("", 20, "a"), ""), (x) => padleft("", 1000000)))',
}


@pytest.mark.parametrize("expr", BOMBS.values(), ids=BOMBS.keys())
def test_value_bombs_end_in_a_limit_error_before_they_are_built(expr: str) -> None:
    start = time.perf_counter()
    error = limit_error(f"TABLE WITHOUT ID {expr} {ONE_PAGE}")
    assert "over the limit" in error.message
    assert error.code == "limit"
    assert time.perf_counter() - start < 5  # it is refused, not built and then measured


def test_values_up_to_the_caps_are_built() -> None:
    assert value(f'length(padleft("", {MAX_STRING}))') == MAX_STRING
    assert value(f'length(split(padleft("", {MAX_LIST - 1}), ""))') == MAX_LIST - 1
    assert value('length("ab" * 1000)') == 2000


def test_javascript_range_errors_stay_evaluation_errors() -> None:
    """Beyond V8's own limits Dataview throws and drops the row; that is not our limit."""
    for expr in ('"a" * 1000000000000', 'padleft("x", 1000000000000)'):
        with pytest.raises(QueryError) as caught:
            run(f"TABLE WITHOUT ID {expr} {ONE_PAGE}")
        assert caught.value.code == "execution"
        assert "Invalid" in caught.value.message


# -- time -------------------------------------------------------------------------------------

SLOW = {
    "catastrophic regex": 'regextest("(a|aa)+$", padleft("", 40, "a") + "!")',
    "catastrophic lazy regex": 'regextest("(.*?,){30}z", padleft("", 80, "a,"))',
    "catastrophic regexmatch": 'regexmatch("(x+x+)+y", padleft("", 5000, "x"))',
    "catastrophic regexreplace": 'regexreplace(padleft("", 40, "a") + "!", "(a|aa)+$", "")',
    "catastrophic split": 'split(padleft("", 40, "a") + "!", "(a|a)+$")',
    "slow sort in one row": 'length(sort(split(padleft("", 1000000, "ab"), "")))',
    "slow unique in one row": 'length(unique(map(split(padleft("", 1000000), ""), (x) => 1)))',
    "quadratic sum": 'length(sum(map(split(padleft("", 1000000), ""), (x) => "ab")))',
    "nested maps": 'length(map(split(padleft("", 3000), ""), (x) => '
    'map(split(padleft("", 3000), ""), (y) => x + y)))',
    "hash of a long string": 'hash(padleft("", 16000000), "x")',
}


@pytest.mark.parametrize("expr", SLOW.values(), ids=SLOW.keys())
def test_slow_expressions_stop_at_the_time_limit(expr: str) -> None:
    limits = Limits(timeout_s=0.5, clock=time.perf_counter)
    start = time.perf_counter()
    error = limit_error(f"TABLE WITHOUT ID {expr}", limits)
    took = time.perf_counter() - start
    assert "time limit of 0.5 s" in error.message
    assert took < 3.0, f"stopped after {took:.1f} s, limit 0.5 s"


def test_a_regex_time_out_does_not_hold_other_threads() -> None:
    """The regex engine releases the GIL while it matches: another thread keeps running."""
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        limit_error(
            f'TABLE WITHOUT ID regextest("(a|aa)+$", "{"a" * 40}!") {ONE_PAGE}',
            Limits(timeout_s=1.0, clock=time.perf_counter),
        )
    finally:
        stop.set()
        counter.join()
    assert ticks > 100  # about 1,000 when nothing holds the GIL for the second


def test_flatten_explosion_stops_at_the_time_limit() -> None:
    limits = Limits(timeout_s=0.5, clock=time.perf_counter)
    start = time.perf_counter()
    limit_error('TABLE x FLATTEN split(padleft("", 1000000), "") AS x LIMIT 5', limits)
    assert time.perf_counter() - start < 5


# -- memory -----------------------------------------------------------------------------------


class GrowingMemory:
    """A stand-in for the process's resident size: grows by ``step`` bytes at every reading."""

    def __init__(self, step: int) -> None:
        self.readings = 0
        self.step = step

    def __call__(self) -> int:
        self.readings += 1
        return 1_000_000_000 + self.readings * self.step


def test_the_memory_budget_is_checked_inside_a_flatten() -> None:
    memory = GrowingMemory(step=8 * 1024 * 1024)
    limits = Limits(clock=time.perf_counter, max_memory=64 * 1024 * 1024, memory=memory)
    error = limit_error('TABLE x FLATTEN split(padleft("", 1000000), "") AS x LIMIT 5', limits)
    assert "memory budget of 64 MB" in error.message
    assert memory.readings >= 9


def test_the_memory_budget_is_checked_after_large_values() -> None:
    """Built values tick the meter: a few large ones force a reading between rows."""
    memory = GrowingMemory(step=100 * 1024 * 1024)
    limits = Limits(clock=lambda: 0.0, max_memory=256 * 1024 * 1024, memory=memory)
    # The clock never moves, so only the work meter can trigger the readings.
    limit_error('TABLE WITHOUT ID length(padleft("", 1000000) + "x")', limits)


def test_ordinary_queries_stay_within_a_modest_budget() -> None:
    memory = GrowingMemory(step=0)
    limits = Limits(clock=time.perf_counter, max_memory=1, memory=memory)
    assert len(run("TABLE file.name, rating SORT file.name", limits).rows) == 7


def test_a_guard_without_a_clock_only_counts() -> None:
    guard = Guard()
    for _ in range(10):
        guard.tick(1 << 20)
    guard.check()
    assert guard.remaining() is None


# -- depth ------------------------------------------------------------------------------------

DEEP = {
    "parentheses": "(" * 500 + "1" + ")" * 500,
    "lists": "[" * 1000 + "]" * 1000,
    "plus chain": " + ".join(["1"] * 600),
    "negations": "!" * 2000 + "true",
    "calls": "length(" * 400 + "1" + ")" * 400,
    "lambdas": "((x) => " * 300 + "1" + ")" * 300,
    "objects": "{a: " * 400 + "1" + "}" * 400,
    "indexing": "x" + "[0]" * 600,
}


@pytest.mark.parametrize("expr", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_a_positioned_limit_error(expr: str) -> None:
    text = f"TABLE WITHOUT ID {expr}"
    with pytest.raises(QueryLimitError) as caught:
        parse_query(text)
    error = caught.value
    assert error.line == 1 and error.column is not None and error.column > 17
    assert error.context is not None and error.context.endswith("^")
    source, caret = error.context.split("\n")
    assert len(source) <= 162  # a window of a long line, not the whole line
    assert source[len(caret) - 1] == text[error.column - 1]
    assert f"more than {MAX_DEPTH} levels" in error.message
    with pytest.raises(QueryLimitError):
        parse_expression(expr)


SHALLOW_ENOUGH = {
    "parentheses": "(" * 190 + "1" + ")" * 190,
    "plus chain": " + ".join(['"a"'] * 190),
    "lists": "[" * 190 + "]" * 190,
    "lambdas": "((x) => " * 95 + "1" + ")" * 95,
    "calls": "string(" * 95 + "1" + ")" * 95,
    "maps": "map([" * 60 + "1" + "], (x) => x)" * 60,
    "objects": "{a: " * 95 + "1" + "}" * 95,
}


@pytest.mark.parametrize("expr", SHALLOW_ENOUGH.values(), ids=SHALLOW_ENOUGH.keys())
def test_nesting_under_the_limit_runs_in_a_worker_thread(expr: str) -> None:
    """Server queries run in a thread pool: the deepest allowed query must run there."""
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(len(run(f"TABLE WITHOUT ID {expr}").rows))
        except BaseException as exc:  # reported below, with its type
            outcome.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert outcome == [7]


DEEP_VALUES: dict[str, Callable[[str], str]] = {
    "string of": lambda deep: f"string({deep})",
    "compare": lambda deep: f"{deep} = {deep}",
    "contains": lambda deep: f"contains({deep}, 1)",
    "flat": lambda deep: f"flat({deep}, 100000)",
}


@pytest.mark.parametrize("use", DEEP_VALUES.values(), ids=DEEP_VALUES.keys())
def test_values_nested_too_deeply_are_a_query_error(use: Callable[[str], str]) -> None:
    """As in Dataview (a RangeError per row), a built-in meeting such a value fails its row."""
    deep = 'reduce(split(padleft("", 5000), ""), (acc, x) => [acc])'
    with pytest.raises(QueryError) as caught:
        run(f"TABLE WITHOUT ID {use(deep)} {ONE_PAGE}")
    assert caught.value.code in ("limit", "execution")
    assert "nest" in caught.value.message


def test_the_first_catastrophic_regex_of_the_report_is_answered_at_once() -> None:
    """``(a+)+$`` took 19 s with ``re``; the regex engine in use answers it directly."""
    start = time.perf_counter()
    assert value(f'regextest("(a+)+$", "{"a" * 40}!")') is False
    assert time.perf_counter() - start < 2


def test_a_limit_error_is_not_a_syntax_error() -> None:
    with pytest.raises(QueryLimitError) as caught:
        parse_query("LIST WHERE " + "(" * 300 + "true" + ")" * 300)
    assert not isinstance(caught.value, QuerySyntaxError)
    assert caught.value.to_dict()["code"] == "limit"


def test_a_date_format_is_matched_within_the_time_limit() -> None:
    """``date(text, format)`` turns the format into a regex: it runs under the same limit."""
    limits = Limits(timeout_s=0.5, clock=time.perf_counter)
    start = time.perf_counter()
    with pytest.raises(QueryError):
        run('TABLE WITHOUT ID date(padleft("", 20000, "ab"), "z/z/z/z!")', limits)
    assert time.perf_counter() - start < 3


def test_error_messages_quote_long_values_clipped() -> None:
    with pytest.raises(QueryError) as caught:
        run(f'TABLE WITHOUT ID date(padleft("", 100000, "ab"), "yyyy") {ONE_PAGE}')
    assert caught.value.code == "execution"
    assert len(caught.value.message) < 2000
    assert "(100,000 characters)" in caught.value.message or "characters)" in caught.value.message
