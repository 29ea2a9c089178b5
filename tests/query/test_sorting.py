"""Key-based sorting and the comparison fast paths give exactly the §6.2 comparator's answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cmp_to_key
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from query.collation import _slow_key, collation_key, locale_compare
from query.functions.dispatch import BuiltinFunction
from query.semantics import compare, equals
from query.sorting import keys_for, sort_by_values
from query.values import Date, Duration, Link

_CHARS = st.sampled_from([*list("aAbB zZ09_-.,é́ßÆ\t\x01İ😀"), "é", "ﬁ"])
texts = st.lists(_CHARS, max_size=5).map("".join)
_ZONES = [(UTC, "UTC"), (timezone(timedelta(hours=5)), "UTC+5")]


@st.composite
def dates(draw: st.DrawFn) -> Date:
    hour = draw(st.integers(0, 3))
    zone, name = draw(st.sampled_from(_ZONES)) if draw(st.booleans()) else (UTC, "local")
    return Date(datetime(2024, 1, 1, hour, tzinfo=UTC).astimezone(zone), name)


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -1.5, 2.0, float("nan"), float("inf")]),
    texts,
    st.builds(Link, st.sampled_from(["a.md", "A.md", "b.md", "é.md"]),
              subpath=st.sampled_from([None, "", "x", "X"]),
              type=st.sampled_from(["file", "header", "block"])),
    dates(),
    st.builds(Duration, days=st.integers(0, 2), hours=st.sampled_from([0, 24, 48])),
)  # fmt: skip


@settings(deadline=None, max_examples=400)
@given(st.lists(values, max_size=12), st.booleans())
def test_sort_matches_the_comparator(items: list[Any], descending: bool) -> None:
    tagged = list(enumerate(items))  # positions make stability visible
    direction = -1 if descending else 1
    want = sorted(tagged, key=cmp_to_key(lambda a, b: compare(a[1], b[1]) * direction))
    assert sort_by_values(tagged, [items], [descending]) == want


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(values, values), max_size=10), st.booleans(), st.booleans())
def test_multi_key_sort_is_lexicographic(
    pairs: list[tuple[Any, Any]], first_down: bool, second_down: bool
) -> None:
    tagged = list(enumerate(pairs))
    got = sort_by_values(
        tagged, [[p[0] for p in pairs], [p[1] for p in pairs]], [first_down, second_down]
    )

    def order(a: tuple[int, tuple[Any, Any]], b: tuple[int, tuple[Any, Any]]) -> int:
        first = compare(a[1][0], b[1][0]) * (-1 if first_down else 1)
        return first or compare(a[1][1], b[1][1]) * (-1 if second_down else 1)

    assert got == sorted(tagged, key=cmp_to_key(order))


def test_keys_exist_only_where_the_comparator_is_consistent() -> None:
    assert keys_for([1, 2.5, None, "a", True]) is not None
    assert keys_for([float("nan")]) is None
    assert keys_for([Duration(days=1)]) is None
    assert keys_for([[1]]) is None
    utc = Date(datetime(2024, 1, 1, tzinfo=UTC), "UTC")
    assert keys_for([utc, Date(utc.dt, "local")]) is None
    assert keys_for([utc, utc]) is not None


@settings(deadline=None, max_examples=400)
@given(values, values)
def test_equals_is_compare_zero(a: Any, b: Any) -> None:
    assert equals(a, b) == (compare(a, b) == 0)


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=12))
def test_ascii_collation_fast_path_matches_the_general_rules(text: str) -> None:
    assert collation_key(text) == _slow_key(text)


def test_collation_levels() -> None:
    assert locale_compare("a", "B") == -1  # letters before case
    assert locale_compare("a", "A") == -1  # lowercase first at the third level
    assert locale_compare("10", "9") == -1  # digits compare as characters
    assert locale_compare("e\u0301", "é") == 0  # canonically equivalent
    assert locale_compare("a\tb", "ab") == 0  # control characters are ignorable
    assert locale_compare("_", "a") == -1 and locale_compare(" ", "_") == -1


def test_dispatch_cache_keeps_first_matching_variant_per_signature() -> None:
    fn = BuiltinFunction("probe")
    fn.variant(("number",), lambda _ctx, x: "number")
    fn.variant(("*",), lambda _ctx, x: "any")
    ctx: Any = None
    assert [fn(ctx, [1]), fn(ctx, ["s"]), fn(ctx, [True]), fn(ctx, [2.5])] == [
        "number", "any", "any", "number",
    ]  # fmt: skip
    fn.variant(("string",), lambda _ctx, x: "string")  # adding a variant resets the cache
    assert fn(ctx, ["s"]) == "any"
