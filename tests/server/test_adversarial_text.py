"""Issue #12 (8): no regex or scan over note text is super-linear.

Each timed case is about 1 MB built against one pattern's weakness (an unclosed construct, a
long run of one character, thousands of brackets or fields on one line, blank runs inside a
value...), fed through the real entry point: the Markdown parser, the dashboards' word counter,
the masks and words of related notes and mentions, the chunker, the keyword analyzer and
snippets, field values and dates. Linear work takes well under a second here; the bound is
generous for a shared machine, and the failure mode was minutes. The matchers rewritten to be
linear are also compared with the patterns they replaced, on random text, so that no answer
changed; ``tests/query/test_remove_markdown.py`` does the same for ``display()``.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from query.index import VaultIndex
from query.temporal.dates import local_date, parse_date, parse_duration
from server.dashboards.word_counts import _without_comments, _without_fences, count_words
from server.related.mentions import NameTable, _Lines, mentions_in, mentions_of
from server.related.related_text import (
    _fenced,
    _inline_code,
    body_start,
    line_key,
    masked_ranges,
    strip_links,
    terms,
)
from server.search.bm25 import analyze
from server.search.chunker import chunk_note
from server.search.snippets import snippet
from server.vault.catalog import Catalog
from server.vault.field_map import FieldMap
from server.vault.fields import (
    _find_closer_scan,
    _utf16,
    extract_inline_fields,
    frontmatter_value,
    parse_inline_value,
)
from server.vault.lists import MAX_FIELD_LINE
from server.vault.markdown import parse_note
from server.vault.yaml_reader import _FAST_ITEM, _FAST_KEY, read_frontmatter
from tests.conftest import ROOT
from tests.server.served import HealthProbe, served

BOUND = 5.0  # seconds; linear work takes well under one
MB = 1_000_000
DAY = local_date(2024, 1, 1, local=UTC)
INF = float("inf")


def _fill(piece: str, size: int = MB) -> str:
    """``piece`` repeated up to about ``size`` characters."""
    return piece * max(1, size // len(piece))


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND, f"took {elapsed:.1f} s (bound {BOUND} s)"
    return elapsed


def _parse(text: str) -> Any:
    return parse_note(
        "note.md", text, local=UTC, size=len(text), ctime=DAY, mtime=DAY, content_hash="x"
    )


# -- the Markdown parser (server.vault.markdown, fields, lists, frontmatter) --------------------

NOTES: dict[str, str] = {
    "unclosed html comments": _fill("<!--\n"),
    "obsidian comments": _fill("%%\n"),
    "one long line of brackets": _fill("["),
    "unclosed wikilinks with a tag": _fill("[[") + " #tag",
    "markdown links on one line": _fill("[a](b) "),
    "markdown links after code and a tag": _fill("[a](b) `x` #t "),
    "wikilinks and markdown links on one line": _fill("[[a]] [b](c) "),
    "nested link text": _fill("[a[b]") + "](c)",
    "unclosed link targets": _fill("[a]("),
    "unclosed nested link targets": _fill("[a](b(c"),
    "a backtick run before a tag": _fill("`") + " #tag",
    "backtick pairs before a tag": _fill("`a``") + " #tag",
    "hash runs": _fill("#a#"),
    "numeric tags": _fill(" #1"),
    "a thematic break that is not one": _fill("- ") + "x -",
    "a setext underline that is not one": "a\n" + _fill("=") + " x",
    "blockquote markers": _fill(" >") + "x",
    "an unclosed fence opener": "```" + _fill("a") + "`",
    "a hash run": _fill("#"),
    "an ATX heading of blanks": "# " + _fill(" ") + "###x",
    "field keys full of brackets": _fill("[" * 30_000 + "::]\n"),
    "unclosed parenthesised fields": _fill("(a::" * 8_000 + ")\n"),
    "thousands of fields on non-ASCII lines": _fill("[a::b]" * 5_000 + "é\n"),
    "thousands of fields after emoji": _fill("😀[a::b]" * 4_000 + "\n"),
    "escapes in a field": _fill("[a::" + "\\" * 30_000 + "]\n"),
    "colon runs": _fill(":" * 32_000 + "\n"),
    "a full-line field of blanks": _fill("a" * 16_000 + "::" + " " * 16_000 + "\n"),
    "tasks": _fill("- [ ] a\n"),
    "continuation lines with block ids": "- a\n" + _fill("  b ^x\n"),
    "block id lookalikes": "- a" + _fill(" ^a") + " !",
    "task emoji without dates": "- [ ] " + _fill("📅"),
    "headings": _fill("# a\n"),
    "a frontmatter value with a blank run": "---\nk: a" + _fill(" ") + "b\n---\n",
    "a frontmatter item with a blank run": "---\nk:\n- a" + _fill(" ") + "b\n---\n",
    "a quoted duration with a blank run": '---\nk: "1d' + _fill(" ") + 'x"\n---\n',
    "many frontmatter keys": "---\n" + "".join(f"k{i}: v{i}\n" for i in range(90_000)) + "---\n",
    "a frontmatter date with a long zone": '---\nk: "2024-01-01T00:00:00['
    + _fill("a")
    + '"\n---\n',
    "a frontmatter link full of brackets": '---\nk: "[[' + _fill("a]") + '"\n---\n',
    "carriage returns": _fill("a\r\n"),
    "blank lines": _fill("\n"),
}


@pytest.mark.parametrize("text", list(NOTES.values()), ids=list(NOTES))
def test_parsing_a_hostile_note_is_linear(text: str) -> None:
    _timed(lambda: _parse(text))


def test_a_key_repeated_a_hundred_thousand_times_is_collected_in_linear_time() -> None:
    text = _fill("key:: 1\n", 2 * MB)
    record = None

    def parse() -> None:
        nonlocal record
        record = _parse(text)

    _timed(parse)
    assert record is not None and len(record.fields["key"]) == len(text) // 8


def test_markdown_links_inside_wikilinks_are_still_skipped() -> None:
    record = _parse("[[a]](b) [c](d) ![[e]] [f](g) [[h|i]](j)\n")
    assert sorted(link.path for link in record.outlinks) == ["a", "d", "e", "g", "h"]


# -- the word counter of the Zettelkasten dashboard -------------------------------------------

WORDS: dict[str, str] = {
    "html comment lines": _fill("<!--\n"),
    "fence lines": _fill("```a\n"),
    "tilde fence lines": _fill("~~~a\n"),
    "an unclosed obsidian comment": "%%" + _fill("a"),
    "comment markers": _fill("%%<!--"),
    "frontmatter without an end": "---\n" + _fill("a: b\n"),
    "frontmatter fence lookalikes": "---\n" + _fill("---   x\n"),
}


@pytest.mark.parametrize("text", list(WORDS.values()), ids=list(WORDS))
def test_counting_words_of_a_hostile_note_is_linear(text: str) -> None:
    _timed(lambda: count_words(text))


_OLD_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
_OLD_COMMENT = re.compile(r"%%.*?%%|<!--.*?-->", re.DOTALL)
_WORD_TOKENS = ["`", "```", "~~~", "\n", " ", "\t", "a", "%", "%%", "<!--", "-->", "-", "\r"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WORD_TOKENS), max_size=24).map("".join))
def test_fences_and_comments_are_removed_as_the_patterns_did(text: str) -> None:
    assert _without_fences(text) == _OLD_FENCE.sub("", text)
    assert _without_comments(text) == _OLD_COMMENT.sub("", text)


def test_unclosed_comments_and_fences_stay_text() -> None:
    assert count_words("x <!-- a --> y\n```\nb c\n```\n%% d") == 3  # x, y, d
    assert count_words("a <!-- b\n```\nc") == 3


# -- related notes, mentions, duplicates (server.related.related_text, mentions) -----------------

MASKED: dict[str, str] = {
    "unclosed comments": _fill("<!--"),
    "a backtick run before unclosed text": "`" * 2_000 + _fill("a"),
    "backtick runs of falling length": "".join("`" * k + "a" for k in range(1_400, 0, -1)),
    "one long line of brackets": _fill("["),
    "unclosed link targets": _fill("[a]("),
    "unclosed html tags": _fill("<a"),
    "tags": _fill("#a"),
    "bare schemes": _fill("http://"),
    "fence lines": _fill("```\n"),
    "fences of rising length": "".join("`" * (3 + i) + "\n" for i in range(1_400)),
    "tilde fence lines": _fill("~~~a\n"),
}


@pytest.mark.parametrize("text", list(MASKED.values()), ids=list(MASKED))
def test_masking_a_hostile_note_is_linear(text: str) -> None:
    _timed(lambda: masked_ranges(text))


@pytest.mark.parametrize(
    "text",
    [_fill("[["), _fill("[a]("), _fill("![[a|"), _fill("a'"), _fill("a-")],
    ids=["unclosed wikilinks", "unclosed links", "unclosed aliased embeds", "quotes", "dashes"],
)
def test_terms_of_a_hostile_passage_are_linear(text: str) -> None:
    _timed(lambda: terms(text))


@pytest.mark.parametrize(
    "text",
    [_fill("> "), _fill(" ") + "x", "- [x] " + _fill("1 ")],
    ids=["quote markers", "blanks", "digits"],
)
def test_line_keys_of_a_hostile_note_are_linear(text: str) -> None:
    _timed(lambda: [line_key(line) for line in text.split("\n")])


def _index(root: Path) -> VaultIndex:
    catalog = Catalog.scan(root, local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


@pytest.mark.parametrize(
    "body", [_fill("Ada Lovelace "), _fill("Ada Lovelace\n")], ids=["one line", "many lines"]
)
def test_a_hundred_thousand_mentions_are_found_in_linear_time(tmp_path: Path, body: str) -> None:
    (tmp_path / "Ada Lovelace.md").write_text("# Ada\n")
    (tmp_path / "Essay.md").write_text(body)
    index = _index(tmp_path)
    texts = {"Essay.md": body, "Ada Lovelace.md": "# Ada\n"}
    found: list[Any] = []
    _timed(lambda: found.extend(mentions_of(index, "Ada Lovelace.md", texts.get)))
    _timed(lambda: found.extend(mentions_in(index, "Essay.md", body, NameTable(index))))
    assert len(found) == 2 * (len(body) // 13)
    last = found[-1]
    assert body[last.start : last.end] == "Ada Lovelace"
    assert last.line == body.count("\n", 0, last.start)


_OLD_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def _old_fenced(text: str, start: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    while (opening := re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M).search(text, pos)) is not None:
        marker = opening.group(1)
        fence = re.escape(marker[0]) + "{" + str(len(marker)) + ",}"
        closer = re.compile(r"^ {0,3}" + fence + r"[ \t]*\r?$", re.MULTILINE)
        line_end = text.find("\n", opening.end())
        if line_end < 0:
            return [*out, (opening.start(), len(text))]
        closing = closer.search(text, line_end + 1)
        end = len(text) if closing is None else closing.end()
        out.append((opening.start(), end))
        pos = end
    return out


_CODE_TOKENS = ["`", "``", "```", "````", "~~~", "a", "\n", " ", "\t"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_CODE_TOKENS), max_size=24).map("".join), st.integers(0, 30))
def test_code_spans_and_fences_are_found_as_the_patterns_did(text: str, start: int) -> None:
    start = min(start, len(text))
    assert _inline_code(text, start) == [m.span() for m in _OLD_INLINE_CODE.finditer(text, start)]
    assert _fenced(text, start) == _old_fenced(text, start)


_OLD_WIKILINK = re.compile(r"\[\[[^\]\n]*\]\]")
_OLD_MD_LINK = re.compile(r"\[[^\]\n]*\]\([^)\n]*\)")
_OLD_URL = re.compile(r"(?:https?|file|obsidian)://[^\s<>)\]]+|www\.[^\s<>)\]]+")
_OLD_MASKS = [
    re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL),
    re.compile(r"%%.*?(?:%%|\Z)", re.DOTALL),
    _OLD_INLINE_CODE,
    _OLD_WIKILINK,
    _OLD_MD_LINK,
    _OLD_URL,
    re.compile(r"</?[A-Za-z][^>\n]*>"),
    re.compile(r"(?<![^\s(\[])#[^\s#,;:!?()\[\]{}\"'`]+"),
]
_OLD_WIKI_DISPLAY = re.compile(r"!?\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]")
_OLD_MD_DISPLAY = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")


def _old_masked(text: str) -> list[tuple[int, int]]:
    start = body_start(text)
    ranges = [(0, start)] if start else []
    ranges.extend(_old_fenced(text, start))
    for pattern in _OLD_MASKS:
        for match in pattern.finditer(text, start):
            begin = match.start()
            link = pattern is _OLD_WIKILINK or pattern is _OLD_MD_LINK
            if link and begin and text[begin - 1] == "!":
                begin -= 1
            ranges.append((begin, match.end()))
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(ranges):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def _old_strip_links(text: str) -> str:
    text = _OLD_WIKI_DISPLAY.sub(lambda m: m.group(2) or m.group(1).split("#")[0], text)
    text = _OLD_MD_DISPLAY.sub(lambda m: m.group(1), text)
    return _OLD_URL.sub(" ", text)


_PROSE_TOKENS = ["[", "]", "(", ")", "!", "|", "#", "<", ">", "a", "/", "`", "\n", " ", "%", "-"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PROSE_TOKENS), max_size=30).map("".join))
def test_masks_and_link_text_are_found_as_the_patterns_did(text: str) -> None:
    assert masked_ranges(text) == _old_masked(text)
    assert strip_links(text) == _old_strip_links(text)


def _old_mention_place(text: str, start: int, end: int) -> tuple[int, int, str]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    context = text[line_start : len(text) if line_end < 0 else line_end].rstrip("\r")
    return text.count("\n", 0, start), start - line_start, context


@settings(max_examples=500, deadline=None)
@given(
    st.text(st.sampled_from("ab\n\r "), max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 5)), max_size=8),
)
def test_mention_lines_are_placed_as_before(text: str, spans: list[tuple[int, int]]) -> None:
    lines = _Lines(text)
    for offset, width in spans:
        start = min(offset, len(text))
        end = min(start + width, len(text))
        found = lines.mention(start, end, "p", "t", "n", False)
        assert (found.line, found.column, found.context) == _old_mention_place(text, start, end)


# -- the chunker, the keyword analyzer and snippets ---------------------------------------------

CHUNKED: dict[str, str] = {
    "fence lines": _fill("```\n"),
    "sentences": _fill("a. "),
    "one word": _fill("a"),
    "punctuation": _fill("!"),
    "blanks": _fill(" ") + "a",
    "unclosed comments": _fill("<!--\n"),
}


@pytest.mark.parametrize("text", list(CHUNKED.values()), ids=list(CHUNKED))
def test_chunking_a_hostile_note_is_linear(text: str) -> None:
    _timed(lambda: chunk_note("note.md", text))


@pytest.mark.parametrize(
    "text",
    [_fill("a"), _fill("a."), _fill("a.."), _fill("a." * 30 + "."), _fill("*a*"), _fill("é")],
    ids=["one word", "dotted words", "double dots", "dotted runs", "emphasis", "non-ASCII"],
)
def test_analyzing_and_snippets_of_a_hostile_passage_are_linear(text: str) -> None:
    _timed(lambda: analyze(text))
    _timed(lambda: snippet(text, {"a", "foo"}))


# -- field values and dates -----------------------------------------------------------------------

VALUES: dict[str, str] = {
    "a date with a long zone": "2024-01-01T00:00:00[" + _fill("a"),
    "digits": _fill("1"),
    "a duration list": _fill("1 d, ") + "x",
    "a duration then blanks": "1d" + _fill(" ") + "x",
    "a duration, a blank run, a comma, a blank run": "1d" + _fill(" ") + "," + _fill(" ") + "x",
    "an unclosed quote of escapes": '"' + _fill("\\a"),
    "an unclosed link": "[[" + _fill("]a"),
    "commas inside links": _fill("[[a, "),
    "a long tag": "#" + _fill("a") + "!",
    "a long number": "-" + _fill("1") + "x",
}


@pytest.mark.parametrize("text", list(VALUES.values()), ids=list(VALUES))
def test_reading_a_hostile_field_value_is_linear(text: str) -> None:
    # Frontmatter strings have no length limit; an inline value ends with its line (32 kB).
    _timed(lambda: (frontmatter_value(text, UTC), parse_date(text, UTC), parse_duration(text)))
    _timed(lambda: parse_inline_value(text[:MAX_FIELD_LINE], UTC))


def test_numbers_over_pythons_digit_limit_are_infinite_not_an_error() -> None:
    digits = "1" * 5_000  # int() refuses more than 4,300 digits; JavaScript gives Infinity
    note = f"---\na: {digits}\nb: [-{digits}]\n---\nc:: {digits}\n- [ ] t [d:: {digits}]\n"
    record = _parse(note)
    assert record.errors == ()
    assert (record.fields["a"], record.fields["b"], record.fields["c"]) == (INF, [-INF], INF)
    assert record.tasks[0].fields["d"] == INF


_FIELD_TEXT = st.lists(st.sampled_from(["[", "]", "(", ")", "\\", ":", "::", "a", " ", "é", "😀"]))


def _old_inline_fields(line: str) -> list[tuple[Any, ...]]:
    """The field loop as it was: a scan per opener, UTF-16 offsets from the line's start."""
    out: list[tuple[Any, ...]] = []
    pos = failures = 0
    while failures < 64 and (match := re.compile(r"[\[(]").search(line, pos)) is not None:
        start = match.start()
        sep = line.find("::", start + 1)
        if sep < 0:
            break
        key = line[start + 1 : sep]
        if any(bracket in key for bracket in "[]()"):
            pos = start + 1
            continue
        close = _find_closer_scan(line, sep + 2, line[start], {"[": "]", "(": ")"}[line[start]])
        if close < 0:
            failures += 1
            pos = start + 1
            continue
        offsets = (_utf16(line, start), _utf16(line, sep + 2), _utf16(line, close + 1))
        out.append((key.strip(), line[sep + 2 : close].strip(), *offsets, (start, close + 1)))
        pos = close + 1
    return out


@settings(max_examples=2000, deadline=None)
@given(_FIELD_TEXT.map("".join))
def test_inline_fields_are_found_as_before(line: str) -> None:
    found = [
        (f.key, f.value, f.start, f.start_value, f.end, f.span)
        for f in extract_inline_fields(line, UTC)
    ]
    assert found == _old_inline_fields(line)


def _dataview_merge(values: list[Any]) -> Any:
    """Dataview's model: a key collects one element per occurrence; one occurrence is itself."""
    return values[0] if len(values) == 1 else list(values)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "A b", "a-b"]),
            st.integers() | st.lists(st.integers(), max_size=2),
        ),
        max_size=8,
    )
)
def test_repeated_keys_collect_one_element_per_occurrence(pairs: list[tuple[str, Any]]) -> None:
    fields = FieldMap()
    by_key: dict[str, list[Any]] = {}
    for key, value in pairs:
        fields.add(key, value)
        by_key.setdefault(key, []).append(value)
    built = fields.build()
    for key, values in by_key.items():
        assert built[key] == _dataview_merge(values)
    pooled = [value for key, value in pairs if key == "A b"]  # "a-b" as a raw key wins
    if pooled and "a-b" not in by_key:
        assert built["a-b"] == _dataview_merge(pooled)


_OLD_FAST_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_ \-./]*?):(?:[ \t]+(.*?))?[ \t]*$")
_OLD_FAST_ITEM = re.compile(r"( *)-[ \t]+(.*?)[ \t]*$")


@settings(max_examples=2000, deadline=None)
@given(st.text(st.sampled_from("aa  -:\t_./\r'#[1é"), max_size=16))
def test_frontmatter_lines_are_read_as_the_patterns_did(line: str) -> None:
    for new, old in ((_FAST_KEY, _OLD_FAST_KEY), (_FAST_ITEM, _OLD_FAST_ITEM)):
        a, b = new.match(line), old.match(line)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


def test_a_frontmatter_value_with_a_blank_run_is_still_read() -> None:
    front = read_frontmatter(["---", "k: a" + " " * 10 + "b  ", "l:", "-  x \t", "---"])
    assert front.data == {"k": "a" + " " * 10 + "b", "l": ["x"]}


# -- the finding itself, against a real server -------------------------------------------------


def test_a_note_of_unclosed_comments_neither_slows_nor_freezes_the_dashboard(
    tmp_path: Path,
) -> None:
    vault = Path(
        shutil.copytree(ROOT / "fixtures" / "demo-vault", tmp_path / "vault", symlinks=True)
    )
    (vault / "Zettelkasten" / "Comments.md").write_text(_fill("<!--\n", 150_000))
    with served(vault, tmp_path) as server, HealthProbe(server.url) as probe:
        with server.client(timeout=30) as client:
            started = time.perf_counter()
            response = client.get("/api/v1/dashboards/zettelkasten")
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        assert elapsed < BOUND, f"the dashboard took {elapsed:.1f} s"
    probe.assert_responsive(1.0)


def test_mention_contexts_of_a_long_line_are_windows_around_the_mention() -> None:
    from server.related.mentions import CONTEXT_CHARS, _Lines

    line = ("filler " * 50_000) + "Alpha here " + ("tail " * 50_000)
    start = line.index("Alpha")
    mention = _Lines(line + "\n").mention(start, start + 5, "a.md", "Alpha.md", "Alpha", False)
    assert mention.text == "Alpha" and mention.column == start
    assert "Alpha here" in mention.context
    assert len(mention.context) <= CONTEXT_CHARS + 2
    assert mention.context.startswith("…") and mention.context.endswith("…")
    short = _Lines("see Alpha\n").mention(4, 9, "a.md", "Alpha.md", "Alpha", False)
    assert short.context == "see Alpha"
    last = _Lines("x" * 1000 + " Alpha").mention(1001, 1006, "a.md", "Alpha.md", "Alpha", False)
    assert last.context.endswith("Alpha") and len(last.context) == CONTEXT_CHARS + 1
