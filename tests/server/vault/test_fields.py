"""Inline fields, keys, tags and aliases beyond the corpus cases (SPEC §9.3, §10, §11)."""

from __future__ import annotations

import random
from datetime import tzinfo

import pytest

from query.values import Date, Duration, Link
from server.vault.fields import (
    _find_closer,
    _find_closer_scan,
    canonicalize_key,
    extract_full_line_field,
    extract_inline_fields,
    extract_item_tags,
    extract_task_inline_fields,
    frontmatter_aliases,
    frontmatter_tags,
    frontmatter_value,
    parse_inline_value,
    set_emoji_completion,
    set_inline_field,
)


@pytest.mark.parametrize(
    ("frontmatter", "expected"),
    [
        ({"tags": ["book", "#fantasy/classic"]}, ["#book", "#fantasy/classic"]),
        ({"tags": "book, fantasy"}, ["#book", "#fantasy"]),
        ({"tags": "book fantasy  #scifi"}, ["#book", "#fantasy", "#scifi"]),
        ({"Tags": "a"}, ["#a"]),
        ({"TAG": ["x y", "z"]}, ["#x", "#y", "#z"]),
        ({"tags": [2024, None, "", "ok"]}, ["#2024", "#ok"]),
        ({"tags": True}, ["#true"]),
        ({"tags": []}, []),
        ({"tagged": "no"}, []),
    ],
)
def test_frontmatter_tags_in_every_spelling(frontmatter: dict, expected: list[str]) -> None:
    assert frontmatter_tags(frontmatter) == expected


def test_frontmatter_aliases_list_string_and_key_case() -> None:
    assert frontmatter_aliases({"Aliases": "One, Two ,Three"}) == ["One", "Two", "Three"]
    assert frontmatter_aliases({"alias": ["A B", " C "]}) == ["A B", "C"]
    assert frontmatter_aliases({"aliases": None}) == []


def test_inline_durations_are_normalised_but_frontmatter_ones_are_not(utc: tzinfo) -> None:
    assert parse_inline_value("90 minutes", utc) == Duration(hours=1, minutes=30)
    assert frontmatter_value("90 minutes", utc) == Duration(minutes=90)


def test_frontmatter_strings_never_become_numbers_or_booleans(utc: tzinfo) -> None:
    assert frontmatter_value("5", utc) == "5"
    assert frontmatter_value("true", utc) == "true"
    assert frontmatter_value(5, utc) == 5
    assert frontmatter_value(None, utc) is None


def test_frontmatter_date_strings_become_local_dates(utc: tzinfo) -> None:
    value = frontmatter_value("2024-03-15", utc)
    assert isinstance(value, Date)
    assert (value.dt.year, value.dt.month, value.dt.day, value.zone) == (2024, 3, 15, "local")
    assert frontmatter_value({"due": ["2024-03-15", "text"]}, utc)["due"][1] == "text"


def test_inline_value_links_and_embeds(utc: tzinfo) -> None:
    assert parse_inline_value("[[Note#Some Header!|shown]]", utc) == Link(
        "Note", "shown", "Some Header", "header"
    )
    assert parse_inline_value("[[Note#^abc]]", utc) == Link("Note", None, "abc", "block")
    assert parse_inline_value("![[pic.png]]", utc) == Link("pic.png", embed=True)


def test_bracketed_fields_beat_full_line_and_positions_are_utf16(utc: tzinfo) -> None:
    found = extract_inline_fields("🎄 [a:: 1] (b:: two)", utc)
    assert [(f.key, f.parsed, f.wrapping) for f in found] == [("a", 1, "["), ("b", "two", "(")]
    assert found[0].start == 3 and found[0].span == (2, 9)


def test_full_line_keys(utc: tzinfo) -> None:
    found = extract_full_line_field("## Status:: done", utc)
    assert found is not None and (found.key, found.parsed) == ("Status", "done")
    assert extract_full_line_field("no separator here", utc) is None
    assert extract_full_line_field("a [b] c:: d", utc) is None


def test_closer_search_shortcut_agrees_with_the_scan() -> None:
    # _find_closer answers most fields with str.find; the character scan is the reference.
    rng = random.Random(7)
    for _ in range(5000):
        line = "".join(rng.choice("ab[]()\\: ") for _ in range(rng.randint(0, 14)))
        for opener, closer in (("[", "]"), ("(", ")")):
            for pos in range(len(line) + 1):
                expected = _find_closer_scan(line, pos, opener, closer)
                assert _find_closer(line, pos, opener) == expected, (line, pos, opener)


def test_full_line_key_shortcut_agrees_with_the_scan(utc: tzinfo) -> None:
    for key in ["status", "Due2", "été", "x_y", "a b", "**bold**", "🎉 party", "a[b]", ""]:
        found = extract_full_line_field(f"{key}:: v", utc)
        spaced = extract_full_line_field(f" {key}:: v", utc)  # never takes the shortcut
        assert (found and found.key) == (spaced and spaced.key), key


def test_task_emoji_only_first_of_each_kind_and_only_with_a_date(utc: tzinfo) -> None:
    found = extract_task_inline_fields(
        "- [ ] x 📅 2024-01-02 📅 2024-02-02 ⏳ soon ✅2024-01-03", utc
    )
    assert [(f.key, f.value) for f in found] == [
        ("due", "2024-01-02"),
        ("completion", "2024-01-03"),
    ]


def test_canonical_keys() -> None:
    assert canonicalize_key("Read on") == "read-on"
    assert canonicalize_key("Статус") == "статус"
    assert canonicalize_key("a#b*c") == "abc"


def test_item_tags_validation() -> None:
    assert extract_item_tags("see [[Note#^block]] and #ok/sub and #a#b") == ["#ok/sub", "#a", "#b"]
    assert extract_item_tags("no tags") == []


def test_write_back_helpers() -> None:
    line = "- [ ] task [completion:: 2021-01-01] tail"
    assert set_inline_field(line, "completion", "2022-02-02") == (
        "- [ ] task [completion:: 2022-02-02] tail"
    )
    assert set_inline_field("- [ ] x", "due", None) == "- [ ] x"
    assert set_emoji_completion("- [x] t ✅ 2020-01-01", "2024-05-05") == "- [x] t ✅ 2024-05-05"
