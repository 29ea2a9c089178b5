"""``display()``'s markdown stripping (``query.functions.remove_markdown``): the same answers as the
``remove-markdown`` patterns it replaces, in linear time (issue #12, 8).

The patterns are kept here as the reference, exactly as they were run before: each step is
compared with its pattern on random text built from the characters that pattern cares about,
then the whole function on mixed text. The timed cases are about 1 MB aimed at each pattern's
weakness; they took minutes (one of them, a 3 kB heading) and now take well under a second.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from query.functions import call_function
from query.functions.remove_markdown import _STEPS, link_label, normalize_markdown
from query.functions.utility import dataview_link_markdown
from query.values import Link
from tests.query.test_functions import make_ctx

_NW = "[^A-Za-z0-9_]"
REFERENCE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(-\s*?|\*\s*?|_\s*?){3,}\s*", re.M), ""),
    (re.compile(r"^([\s\t]*)([\*\-\+]|\d+\.)\s+", re.M), r"\1"),
    (re.compile(r"\n={2,}"), "\n"),
    (re.compile(r"~{3}.*\n"), ""),
    (re.compile(r"~~"), ""),
    (re.compile(r"`{3}.*\n"), ""),
    (re.compile(r"<[^>]*>"), ""),
    (re.compile(r"<[^>]*>"), ""),
    (re.compile(r"\A[=\-]{2,}\s*\Z"), ""),
    (re.compile(r"\[\^.+?\](: .*?\Z)?"), ""),
    (re.compile(r"\s{0,2}\[.*?\]: .*?\Z"), ""),
    (re.compile(r"!\[(.*?)\][\[\(].*?[\]\)]"), r"\1"),
    (re.compile(r"\[([^\]]*?)\][\[\(].*[\]\)]"), r"\1"),
    (re.compile(r"^(\n)?\s{0,3}>\s?", re.M), r"\1"),
    (re.compile(r"\A\s{1,2}\[(.*?)\]: (\S+)( \".*?\")?\s*\Z"), ""),
    (
        re.compile(r"^(\n)?\s*#{1,6}\s*( (.+))? +#+$|^(\n)?\s*#{1,6}\s*( (.+))?$", re.M),
        r"\1\3\4\6",
    ),
    (re.compile(r"([\*]+)(\S)(.*?\S)??\1"), r"\2\3"),
    (re.compile(rf"(^|{_NW})([_]+)(\S)(.*?\S)??\2($|{_NW})"), r"\1\3\4\5"),
    (re.compile(r"(`{3,})(.*?)\1", re.M), r"\2"),
    (re.compile(r"`(.+?)`"), r"\1"),
    (re.compile(r"~(.*?)~"), r"\1"),
]
_PLAIN = re.compile(r"\[\[([^\|]*?)\]\]")
_ALIASED = re.compile(r"\[\[.*?\|(.*?)\]\]")
_LABEL = re.compile(r"\[\[.*\|(.*)\]\]")


def reference(text: str) -> str:
    text = _ALIASED.sub(r"\1", _PLAIN.sub(r"\1", text), count=1)
    for pattern, repl in REFERENCE:
        text = pattern.sub(repl, text)
    return text


_BLANKS = [" ", "\t", "\n", "\r", "\x0b", "\x1c", "\xa0", "\u2028", "\u3000"]
# For each step, the pieces its pattern cares about (blanks of every kind included).
TOKENS: list[list[str]] = [
    ["-", "*", "_", " ", "\n", "a", "\t"],
    [" ", "\t", "\n", "-", "*", "+", "1", "12.", ".", "a", "\n\n", "\xa0"],
    ["=", "==", "\n", "a"],
    ["~~~", "~", "a", "\n"],
    ["~~", "~", "a"],
    ["```", "`", "a", "\n"],
    ["<", ">", "a", "\n", "/"],
    ["<", ">", "a", "\n", "/"],
    ["=", "-", "==", " ", "\n", "a", "\u2028"],
    ["[^", "]", ": ", "a", "\n", "^", "[", "]]", " "],
    ["[", "]: ", "a", "\n", "]", ":", "  [", *_BLANKS],
    ["![", "](", "][", "]", ")", "a", "\n", "[", "(", "!", " "],
    ["[", "](", "][", "]", ")", "a", "\n", "(", " "],
    [">", " ", "\n", "a", "\t", "\n>"],
    ["  [", " [", "[", "a", "]: ", "b", ' "', '"', "]", ":", "x y", *_BLANKS],
    ["#", "###", " ", "  ", "\n", "a", "\t", " #", "##", "\n\n", "#######", "\r", "\xa0"],
    ["*", "**", "***", " ", "a", "\n", "\t", "\x1c", "\xa0"],
    ["_", "__", "___", " ", "a", "\n", ".", "é", "\t", "b_", "_b", "\xa0"],
    ["```", "``", "`", "a", "\n", "````", "`````"],
    ["`", "a", "\n", "``"],
    ["~", "a", "\n", "~~"],
]
_MIXED = sorted({token for tokens in TOKENS for token in tokens} | {"[[", "]]", "|", "[[a|"})


def _text(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=14).map("".join)


@pytest.mark.parametrize("index", range(len(REFERENCE)))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_each_step_answers_as_its_pattern(index: int, data: st.DataObject) -> None:
    text = data.draw(_text(TOKENS[index]))
    pattern, repl = REFERENCE[index]
    assert _STEPS[index](text) == pattern.sub(repl, text)


@settings(max_examples=1500, deadline=None)
@given(_text(_MIXED))
def test_display_answers_as_the_patterns(text: str) -> None:
    assert normalize_markdown(text) == reference(text)
    assert link_label(text) == _LABEL.sub(r"\1", text, count=1)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["", " ", "  ", "\n", " \n", "\xa0\t"]),
    st.text(st.sampled_from('a"]: '), max_size=6),
    st.text(st.sampled_from('b"]:'), max_size=3),
    st.sampled_from(["", ' ""', ' "a"', ' "]: "', ' "']),
    st.sampled_from(["", " ", "\n", "\n x", " \u2028\n"]),
)
def test_a_whole_reference_definition_answers_as_its_pattern(
    lead: str, label: str, target: str, title: str, tail: str
) -> None:
    text = f"{lead}[{label}]: {target}{title}{tail}"
    pattern, repl = REFERENCE[14]
    assert _STEPS[14](text) == pattern.sub(repl, text)


def _fill(piece: str, size: int = 1_000_000) -> str:
    return piece * max(1, size // len(piece))


HOSTILE: dict[str, str] = {
    "blank lines": _fill("\n") + "x",
    "blank lines of spaces": _fill("  \n") + "x",
    "tildes": _fill("~"),
    "backtick triples": _fill("```"),
    "a backtick run": _fill("`", 500_000) + _fill("a", 500_000),
    "backtick pairs": _fill("``a"),
    "unclosed html tags": _fill("<"),
    "unclosed footnotes": _fill("[^"),
    "footnote definitions on one line": _fill("[^a]: ") + "\nx",
    "brackets": _fill("["),
    "unclosed images": _fill("!["),
    "unclosed image targets": _fill("![a]("),
    "reference definition lookalikes": "  [" + _fill(']: b "x') + "\n",
    "a heading of blanks": "#" + _fill(" ") + "a",
    "a heading of blanks and tabs": "#" + _fill(" \t") + "\n#",
    "blank lines before a heading": _fill("\n") + "#x",
    "closed headings": _fill("# a ##\n"),
    "star emphasis openers": _fill("*a "),
    "stars and blanks": _fill("* "),
    "underscore emphasis openers": _fill(" _a"),
    "underscores after punctuation": _fill("._a_"),
    "unclosed wikilinks": _fill("[["),
    "unclosed aliased wikilinks": _fill("[[a|"),
    "list leaders": _fill("\n1") + ".",
    "blockquotes": _fill("\n>"),
    "setext lines": _fill("\n="),
    "everything": _fill("[^*_`~<!#>|-\n "),
}


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_display_of_a_hostile_value_is_linear(text: str) -> None:
    started = time.perf_counter()
    call_function("display", [text], make_ctx())
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"display() took {elapsed:.1f} s"


def test_display_of_a_link_with_a_hostile_path_is_linear() -> None:
    # A frontmatter link's path may hold newlines: "[[" + path + "|" + name + "]]" is then
    # searched line by line for its label.
    small = Link("[[[[\na|b", None, None, "file", False)
    expected = _LABEL.sub(r"\1", dataview_link_markdown(small), count=1)
    assert call_function("display", [small], make_ctx()) == expected
    link = Link("[" * 1_000_000 + "\n|", None, None, "file", False)
    started = time.perf_counter()
    call_function("display", [link], make_ctx())
    assert time.perf_counter() - started < 5.0
