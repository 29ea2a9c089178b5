"""JavaScript regex emulation (query.functions.js_regex) and numeric/formatting edge cases."""

from __future__ import annotations

from typing import Any

import pytest

from query.errors import EvaluationError
from query.functions.js_regex import compile_js, js_replace_all, js_split, js_test
from query.functions.utility import currency_format, cyrb53, normalize_markdown
from query.values import Value
from tests.query.test_functions import ERR, run


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"\d+", "abc٣٤", False),  # JS \d is ASCII only
        (r"\w", "é", False),
        (r"\bword\b", "a word.", True),
        (r"\Bor\B", "word", True),
        (r"^a.c$", "a\nc", False),  # "." excludes line terminators
        (r"^a.c$", "a\u2028c", False),
        (r"a$", "a\n", False),  # "$" only at the very end
        (r"[^]", "\n", True),
        (r"[]", "a", False),
        (r"(?<year>\d{4})", "in 2021", True),
        (r"(?<w>a)\k<w>", "aa", True),
        (r"(?:a|b)+", "zab", True),
        (r"(?=a)a", "a", True),
        (r"(?<=a)b", "ab", True),
        (r"(?<!a)b", "ab", False),
        (r"a{,2}", "a{,2}", True),  # not a quantifier in JS: literal braces
        (r"\e\/\-", "e/-", True),  # identity escapes
        (r"[\d-]", "-", True),
        (r"[!--]", ",", True),  # a range ending at "-"
        (r"[a&&b]", "&", True),
        (r"\x41\u0042", "AB", True),
        (r"\cJ", "\n", True),
        (r"a*?b", "aab", True),
    ],
)
def test_js_regex_semantics(pattern: str, text: str, expected: bool) -> None:
    assert js_test(pattern, text) is expected


@pytest.mark.parametrize(
    "pattern", ["(?i)a", "(?P<n>a)", "(?>a)", "a*+", "a++", "a{2}+", "(", "[a", "a)", "\\", "*a"]
)
def test_syntax_javascript_rejects_is_an_error(pattern: str) -> None:
    with pytest.raises(EvaluationError):
        compile_js(pattern)


@pytest.mark.parametrize(
    ("text", "pattern", "replacement", "expected"),
    [
        ("John Smith", r"(\w+)\s(\w+)", "$2 $1", "Smith John"),
        ("abc", "b", "<$&>", "a<b>c"),
        ("abc", "b", "<$`|$'>", "a<a|c>c"),
        ("abc", "b", "$$", "a$c"),
        ("abc", "b", "$1", "a$1c"),  # no such group: literal
        ("abc", "(b)", "$01", "abc"),
        ("abc", "(b)", "$10", "ab0c"),  # only group 1 exists: "$1" then "0"
        ("abc", "(x)?b", "[$1]", "a[]c"),  # unmatched group: empty
        ("abc", "(?<n>b)", "$<n>$<m>", "abc"),
        ("abc", "b", "$<n>", "a$<n>c"),  # no named groups: literal
        ("baaac", "a*", "-", "-b--c-"),
        ("aaa", "a", "b", "bbb"),
    ],
)
def test_js_replacement_templates(text: str, pattern: str, replacement: str, expected: str) -> None:
    assert js_replace_all(text, pattern, replacement) == expected


@pytest.mark.parametrize(
    ("text", "pattern", "limit", "expected"),
    [
        ("a,b,,c", ",", None, ["a", "b", "", "c"]),
        ("abc", "x*", None, ["a", "b", "c"]),
        ("abc", "", 2, ["a", "b"]),
        ("a1b", r"(\d)", None, ["a", "1", "b"]),
        ("ab", "(x)?", None, ["a", "", "b"]),
        ("", "", None, []),
        ("", "x", None, [""]),
        ("a b c", " ", -1, ["a", "b", "c"]),  # ToUint32(-1) is huge
        ("a b c", " ", 1.9, ["a"]),
    ],
)
def test_js_split(text: str, pattern: str, limit: float | None, expected: list[str]) -> None:
    assert js_split(text, pattern, limit) == expected


EDGE_CASES: list[tuple[str, list[Value], Any]] = [
    ("round", [1.5, 101], ERR),
    ("round", [1.23456, 3.9], 1.235),
    ("round", [-1.005, 2], -1),
    ("round", [1e21, 2], 1e21),
    ("round", [float("nan")], float("nan")),
    ("padleft", ["a", 1e12], ERR),
    ("padleft", ["a", 1e12, ""], "a"),
    ("padleft", ["a", float("-inf")], "a"),
    ("substring", ["hello", float("inf")], ""),
    ("substring", ["hello", float("nan"), 2], "he"),
    ("truncate", ["Hello", 5.5], "He..."),
    ("flat", [[1, [2, [3]]], float("inf")], [1, 2, 3]),
    ("slice", [[1, 2, 3], float("-inf"), float("inf")], [1, 2, 3]),
    ("slice", [[1, 2, 3], float("nan")], [1, 2, 3]),
    ("length", ["a😀b"], 4),
    ("padleft", ["😀", 4, "x"], "xx😀"),
]


@pytest.mark.parametrize(("name", "args", "expected"), EDGE_CASES)
def test_js_number_edge_cases(name: str, args: list[Value], expected: Any) -> None:
    run(name, args, expected)


@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        (0, "USD", "$0.00"),
        (-0.001, "USD", "-$0.00"),
        (1234567.891, "USD", "$1,234,567.89"),
        (0.125, "GBP", "£0.13"),
        (1e21, "USD", "$1,000,000,000,000,000,000,000.00"),
        (5.5, "KWD", "KWD\u00a05.500"),
        (12, "usd", "$12.00"),
    ],
)
def test_currency_format(amount: float, code: str, expected: str) -> None:
    assert currency_format(amount, code) == expected


def test_cyrb53_counts_utf16_code_units_and_truncates_the_seed() -> None:
    assert cyrb53("😀") != cyrb53("\ud83d")
    assert cyrb53("x", 1.9) == cyrb53("x", 1)
    assert cyrb53("x", 2**32 + 1) == cyrb53("x", 1)
    assert 0 <= cyrb53("any text") < 2**53


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Title", "Title"),
        ("> quoted", "quoted"),
        ("- item", "item"),
        ("`code` and ~~gone~~", "code and gone"),
        ("_em_ and __strong__", "em and strong"),
        ("![alt](img.png)", "alt"),
        ("<b>bold</b>", "bold"),
        ("[[a|b]] and [[c|d]]", "b and [[c|d]]"),  # Dataview strips only the first aliased link
    ],
)
def test_normalize_markdown(text: str, expected: str) -> None:
    assert normalize_markdown(text) == expected
