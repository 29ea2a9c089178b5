"""The Markdown reader: tags, links, lists, sections and fields as Obsidian and Dataview see."""

from __future__ import annotations

import time
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from query.records import NoteRecord
from query.temporal.dates import local_date
from query.values import Date, Link
from server.vault.markdown import parse_note

_EPOCH = local_date(2024, 1, 1, local=UTC)


def note(text: str, path: str = "Folder/Note.md") -> NoteRecord:
    return parse_note(
        path, text, local=UTC, size=len(text), ctime=_EPOCH, mtime=_EPOCH, content_hash="h"
    )


def test_body_tags_follow_obsidian_rules() -> None:
    record = note(
        "---\ntags: [fm, a/b]\n---\n"
        "# Heading #intitle\n"
        "Text #one and #two/three, not#four, #123 but #y2024 and `#code` and [[N#h]].\n"
        "A url https://x.com/#frag and [x](http://y.com/#z) and [[Note|see #alias]].\n"
        "```\n#fenced\n```\n"
        "- item #item 😀 #emoji📷\n"
    )
    assert record.etags == (
        "#intitle",
        "#one",
        "#two/three",
        "#y2024",
        "#item",
        "#emoji📷",
        "#fm",
        "#a/b",
    )
    assert record.tags == (
        "#intitle",
        "#one",
        "#two/three",
        "#two",
        "#y2024",
        "#item",
        "#emoji📷",
        "#fm",
        "#a/b",
        "#a",
    )


def test_inline_code_spans_hide_tags_and_links() -> None:
    record = note("``code with ` #no`` #yes `[[NoLink]]` ``` #unclosed [[Link]]\n")
    assert record.etags == ("#yes", "#unclosed")
    assert [link.path for link in record.outlinks] == ["Link"]


def test_links_of_every_form() -> None:
    record = note(
        "[[Plain]] [[Aliased|shown]] [[Note#Some Header!]] [[Note#^blk]] ![[pic.png]]\n"
        "[md](Other%20Note.md) [rel](../Up.md#Part) ![img](a.png) [web](https://e.com) [[]]\n"
        "`[[in code]]`\n"
    )
    assert record.outlinks == (
        Link("Plain", "Plain"),
        Link("Aliased", "shown"),
        Link("Note", "Note > Some Header!", "Some Header", "header"),
        Link("Note", "Note > ^blk", "blk", "block"),
        Link("Other Note.md", "md"),
        Link("../Up.md", "rel", "Part", "header"),
        Link("pic.png", "pic.png", embed=True),
        Link("a.png", "img", embed=True),
    )


def test_wikilink_only_lines_read_like_any_other() -> None:
    # A line with wikilinks alone takes a shortcut; a tag or an embed on it takes the general
    # path, which must find the same links (on a list item too).
    def links(text: str) -> list[tuple[object, ...]]:
        record = note(text)
        found = [*record.outlinks, *(link for item in record.lists for link in item.outlinks)]
        return [(x.path, x.display, x.subpath, x.type, x.embed) for x in found if not x.embed]

    for line in ["a [[One]] b [[Two|2]] [[]] [[ ]] [[Three#H]] [x] [[a[b]]", "- [[Item]] [[I|2]]"]:
        plain = links(line + "\n")
        assert plain and links(line + " #tag\n") == plain
        assert links(line + " ![[pic.png]]\n") == plain


def test_frontmatter_links_are_outlinks_and_fields() -> None:
    record = note('---\nowner: "[[Alice|Al]]"\nrefs: ["[[A]]", "[[B]]"]\n---\nBody [[C]]')
    assert [link.path for link in record.outlinks] == ["C", "Alice", "A", "B"]
    assert record.fields["owner"] == Link("Alice", "Al")


def test_list_nesting_tasks_and_continuations() -> None:
    text = (
        "# Top\n"  # 0
        "- a\n"  # 1
        "\t- [ ] b 📅 2024-01-02\n"  # 2
        "\t\t- [x] c ^blk\n"  # 3
        "    - d\n"  # 4 (four spaces = one tab)
        "- e\n"  # 5
        "  continued\n"  # 6
        "\n"  # 7
        "1. one\n"  # 8
        "2) [-] two\n"  # 9
        "\n"  # 10
        "Paragraph ends it.\n"  # 11
        "> - quoted item\n"  # 12
    )
    items = {item.line: item for item in note(text).lists}
    assert sorted(items) == [1, 2, 3, 4, 5, 8, 9, 12]
    assert [child.line for child in items[1].children] == [2, 4]
    assert items[2].parent == 1 and items[3].parent == 2 and items[4].parent == 1
    assert items[2].task and items[2].status == " " and isinstance(items[2].fields["due"], Date)
    assert items[3].completed and items[3].block_id == "blk"
    assert items[3].link == Link("Folder/Note.md", None, "blk", "block")
    assert items[5].text == "e\ncontinued" and items[5].line_count == 2
    assert items[8].symbol == "1." and items[9].symbol == "2)" and items[9].status == "-"
    assert items[8].list_line == 1 and items[12].list_line == 12
    assert items[1].section == Link("Folder/Note.md", None, "Top", "header")
    assert not items[2].fully_completed and items[3].fully_completed


def test_sections_atx_setext_and_fences() -> None:
    text = "# A\ntext\n```\n# not a heading\n```\n## B ##\nSetext\n---\n### C#\nend\nTitle\n===\n"
    sections = note(text).sections
    assert [(s.heading, s.level, s.line_start, s.line_end) for s in sections] == [
        ("A", 1, 0, 9),
        ("B", 2, 5, 5),
        ("Setext", 2, 6, 9),
        ("C#", 3, 8, 9),
        ("Title", 1, 10, 12),
    ]
    assert sections[3].heading_path == ("A", "Setext", "C#")


def test_page_fields_from_lines_code_items_but_not_tasks() -> None:
    record = note(
        "---\nRating: 3\n---\n"
        "rating:: 4\n"
        "```\ncode:: 1\n```\n"
        "- met [with:: [[Bob]]]\n"
        "- [ ] task [due:: 2024-01-01] [rating:: 9]\n"
        "> quoted:: yes\n"
    )
    fields = record.fields
    assert fields["Rating"] == 3 and fields["rating"] == 4  # raw keys differ
    assert fields["code"] == 1 and fields["with"] == Link("Bob") and fields["quoted"] == "yes"
    assert "due" not in fields
    repeated = note("a:: 1\nb:: x\na:: 2\n- a:: 3\n").fields
    assert repeated["a"] == [1, 2, 3]


def test_canonical_key_pools_raw_keys() -> None:
    fields = note("Read On:: 1\nread on:: 2\n").fields
    assert fields["Read On"] == 1 and fields["read on"] == 2 and fields["read-on"] == [1, 2]


def test_file_day_from_field_or_name() -> None:
    assert note("x", "Daily/2024-03-15.md").day == local_date(2024, 3, 15, local=UTC)
    assert note("---\nDAY: 2021-01-02\n---\n", "Daily/2024-03-15.md").day == local_date(
        2021, 1, 2, local=UTC
    )
    invalid = note("x", "Meeting 20211345.md").day
    assert invalid is not None and invalid.invalid
    assert note("x", "Plain.md").day is None


def test_overlong_lines_are_not_scanned_for_fields() -> None:
    long_line = "k:: " + "v" * 40_000
    assert "k" not in note(long_line).fields
    assert note("k:: v").fields["k"] == "v"


def test_pathological_lines_stay_fast() -> None:
    started = time.perf_counter()
    note("`a " * 30_000 + "#tag\n" + "[[" * 30_000 + "\n" + "[x](" * 20_000 + "\n")
    note("`" * 30_000 + "a #tag\n" + "``x`" * 10_000 + "\n")
    note("[x](" + "a" * 30_000 + "\n" + "# a" + " " * 30_000 + "x #\n" + "(k:: " * 6_000 + "\n")
    assert time.perf_counter() - started < 5.0


def test_crlf_and_broken_yaml_still_index_the_body() -> None:
    record = note("---\r\na: [\r\n---\r\n# H\r\nx:: 1\r\n#tag [[L]]\r\n")
    assert record.errors and "invalid YAML" in record.errors[0]
    assert record.fields == {"x": 1} and record.etags == ("#tag",)
    assert record.sections[0].heading == "H" and record.outlinks[0].path == "L"


_PIECES = [*"#-*+>[]()!|:^`~=_ \t\n\r\\/.,0123456789ax✅📅", "::", "[[", "]]", "---\n", "- [ ] "]
_MARKDOWNISH = st.lists(st.sampled_from([*_PIECES, "```\n", "\t- ", "1. "]), max_size=200).map(
    "".join
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), _MARKDOWNISH))
def test_parser_never_raises(text: str) -> None:
    record = note(text)
    assert record.path == "Folder/Note.md"
    for item in record.lists:
        assert 0 <= item.line < max(1, text.count("\n") + 1)
