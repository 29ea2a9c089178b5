"""Sections, blocks and windows of a note's text (``server.vault.note_text``), and naming a note
by path, wikilink or alias (``server.vault.targets``)."""

from __future__ import annotations

from datetime import UTC

import pytest

from query.index import VaultIndex
from server.errors import BadPathError, NotFoundError, UnknownTargetError
from server.vault.catalog import Catalog, SourceFile
from server.vault.note_text import find_block, find_section, page
from server.vault.targets import resolve_target

NOTE = """---
aliases: [Plan B]
---
# Plan

Intro line.

## Tasks
- [ ] first ^t1
    - [ ] child
- [ ] second

A paragraph that
ends with an id ^para

| a | b |
|---|---|
^table

## Notes
### Deep
text
"""


@pytest.fixture(scope="module")
def index() -> VaultIndex:
    sources = [
        SourceFile("Projects/Plan.md", NOTE.encode(), 0.0, 0.0),
        SourceFile("Archive/Plan.md", b"# old\n", 0.0, 0.0),
        SourceFile("Other.md", b"see [[Plan]]\n", 0.0, 0.0),
        SourceFile("Attachments/pic.png", b"\x89PNG", 0.0, 0.0),
    ]
    catalog = Catalog.from_sources(sources, local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


def _lines(index: VaultIndex) -> list[str]:
    return NOTE.split("\n")


def test_sections_by_heading_path(index: VaultIndex) -> None:
    record = index.get("Projects/Plan.md")
    assert record is not None
    tasks = find_section(record, "Tasks")
    assert (tasks.start, tasks.heading_path) == (7, ("Plan", "Tasks"))
    assert find_section(record, "Plan > Notes > Deep").heading_path == ("Plan", "Notes", "Deep")
    assert find_section(record, "## notes#deep").start == find_section(record, "Deep").start
    with pytest.raises(NotFoundError, match="Tasks"):
        find_section(record, "Taks")


def test_headings_holding_hash_or_angle_bracket_are_found_whole() -> None:
    text = "# C# tips\nsharp\n# A > B\narrow\n# A\n## B\nnested\n"
    catalog = Catalog.from_sources([SourceFile("N.md", text.encode(), 0.0, 0.0)], local=UTC)
    record = catalog.records()[0]
    assert find_section(record, "C# tips").heading_path == ("C# tips",)
    assert find_section(record, "A > B").heading_path == ("A > B",)  # the heading itself
    assert find_section(record, "A#B").heading_path == ("A", "B")  # the path


@pytest.mark.parametrize(
    ("block", "first", "last"),
    [
        ("t1", "- [ ] first ^t1", "    - [ ] child"),  # a list item with its children
        ("^para", "A paragraph that", "ends with an id ^para"),  # the paragraph it ends
        ("#^table", "| a | b |", "^table"),  # the id alone marks the block above
    ],
)
def test_blocks(index: VaultIndex, block: str, first: str, last: str) -> None:
    record = index.get("Projects/Plan.md")
    assert record is not None
    span = find_block(record, _lines(index), block)
    text = span.text(_lines(index))
    assert text.splitlines()[0] == first and text.splitlines()[-1] == last


def test_unknown_and_malformed_blocks(index: VaultIndex) -> None:
    record = index.get("Projects/Plan.md")
    assert record is not None
    with pytest.raises(NotFoundError):
        find_block(record, _lines(index), "nope")
    with pytest.raises(Exception, match="not a block id"):
        find_block(record, _lines(index), "a b")


def test_windows_end_at_line_breaks_and_cover_the_text() -> None:
    text = "".join(f"line {n}\n" for n in range(1000))
    first = page(text, 0, 100)
    assert first.content.endswith("\n") and len(first.content) <= 100
    assert first.next_offset == len(first.content) and first.truncated
    pieces, offset = [], 0
    while offset is not None:
        window = page(text, offset, 333)
        pieces.append(window.content)
        offset = window.next_offset
    assert "".join(pieces) == text
    assert page(text, len(text), 10).content == ""
    with pytest.raises(Exception, match="offset"):
        page(text, len(text) + 1, 10)


def test_targets_resolve_like_obsidian_links(index: VaultIndex) -> None:
    exact = resolve_target(index, "Archive/Plan.md")
    assert (exact.path, exact.via, exact.resolved_from) == ("Archive/Plan.md", "path", None)
    link = resolve_target(index, "[[Plan#Tasks|the tasks]]")
    # two notes named Plan at the same depth: resolved as the vault root's [[Plan]] is, the
    # same one whatever order the files were read in (the first path in sort order)
    assert link.path == "Archive/Plan.md" and link.heading == "Tasks"
    assert resolve_target(index, "projects/plan").path == "Projects/Plan.md"
    alias = resolve_target(index, "plan b")
    assert (alias.path, alias.via) == ("Projects/Plan.md", "alias")
    block = resolve_target(index, "![[Projects/Plan#^t1]]")
    assert (block.path, block.block) == ("Projects/Plan.md", "t1")


@pytest.mark.parametrize("target", ["../Plan.md", "/etc/passwd", "a\\b.md", "[[../x]]", "a\x00"])
def test_unsafe_targets_are_bad_paths(index: VaultIndex, target: str) -> None:
    with pytest.raises(BadPathError):
        resolve_target(index, target)


def test_unknown_targets_suggest(index: VaultIndex) -> None:
    with pytest.raises(UnknownTargetError) as caught:
        resolve_target(index, "Plam")
    assert set(caught.value.candidates) == {"Archive/Plan.md", "Projects/Plan.md"}
    with pytest.raises(UnknownTargetError, match="not a note"):
        resolve_target(index, "Attachments/pic.png")
