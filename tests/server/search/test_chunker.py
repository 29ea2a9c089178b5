from __future__ import annotations

from server.search.chunker import (
    MAX_CHUNKS_PER_NOTE,
    MAX_NOTE_CHARS,
    MAX_TOKENS,
    chunk_note,
    embedding_text,
    estimate_tokens,
    keyword_text,
)
from tests.server.search.helpers import records_of


def chunks_of(text: str, path: str = "n.md") -> list:  # type: ignore[type-arg]
    record = records_of({path: text})[0]
    return chunk_note(path, text, record.sections)


def test_chunks_never_cross_headings_and_keep_their_heading_path() -> None:
    text = "intro line\n# A\nalpha text\n## B\nbeta text\n# C\ngamma text\n"
    chunks = chunks_of(text)
    assert [(c.heading_path, c.text) for c in chunks] == [
        ((), "intro line"),
        (("A",), "alpha text"),
        (("A", "B"), "beta text"),
        (("C",), "gamma text"),
    ]
    assert chunks[2].heading == "B"
    assert chunks[2].line_start == 3


def test_frontmatter_is_never_chunked() -> None:
    text = "---\ntitle: secret-yaml-value\ntags: [x]\n---\nbody words\n"
    chunks = chunks_of(text)
    assert [c.text for c in chunks] == ["body words"]


def test_long_section_splits_on_paragraphs_within_the_window_with_overlap() -> None:
    paragraphs = [" ".join(f"w{p}x{i}" for i in range(60)) for p in range(10)]
    text = "# Long\n" + "\n\n".join(paragraphs) + "\n"
    chunks = chunks_of(text)
    assert len(chunks) > 1
    assert all(estimate_tokens(c.text) <= MAX_TOKENS for c in chunks)
    assert all(c.heading_path == ("Long",) for c in chunks)
    # The second chunk starts with the tail of the first (overlap), flagged by ``overlap``.
    second = chunks[1]
    assert second.overlap > 0
    assert chunks[0].text.endswith(second.text[: second.overlap].strip())
    # Without overlap every paragraph is present exactly once.
    body = "".join(c.text[c.overlap :] for c in chunks)
    for paragraph in paragraphs:
        assert body.count(paragraph) == 1


def test_code_blocks_stay_whole_and_dataview_blocks_are_dropped() -> None:
    code = "```python\ndef handler():\n\n    return 42\n```"
    text = f"# S\nbefore\n\n{code}\n\n```dataview\nLIST FROM #x\n```\nafter\n"
    chunks = chunks_of(text)
    joined = "\n".join(c.text for c in chunks)
    assert code in joined  # the blank line inside the fence did not split it
    assert "LIST FROM" not in joined
    assert "after" in joined


def test_heading_like_lines_inside_code_are_not_headings() -> None:
    text = "# Real\n```\n# not a heading\n```\n"
    chunks = chunks_of(text)
    assert [c.heading_path for c in chunks] == [("Real",)]


def test_empty_note_has_no_chunks() -> None:
    assert chunks_of("") == []
    assert chunks_of("---\na: 1\n---\n") == []


def test_huge_note_is_capped() -> None:
    text = ("lorem ipsum dolor sit amet " * 20 + "\n\n") * 20_000 + "needle"  # ~11 MB
    chunks = chunk_note("big.md", text, ())
    assert 100 < len(chunks) <= MAX_CHUNKS_PER_NOTE
    assert sum(len(c.text) - c.overlap for c in chunks) <= MAX_NOTE_CHARS
    assert "needle" not in chunks[-1].text


def test_a_giant_word_does_not_stall_chunking() -> None:
    chunks = chunk_note("b.md", "x" * 3_000_000, ())
    assert 1 <= len(chunks) <= MAX_CHUNKS_PER_NOTE
    assert all(len(c.text) <= 2000 for c in chunks)


def test_embedding_text_prefixes_title_and_heading_path() -> None:
    chunks = chunks_of("# A\n## B\ntext\n", path="Folder/My Note.md")
    assert embedding_text(chunks[-1]) == "My Note > A > B\ntext"
    same = chunks_of("# Topic\ntext\n", path="Topic.md")
    assert embedding_text(same[0]) == "Topic\ntext"  # H1 equal to the title is not repeated


def test_keyword_text_has_title_aliases_headings_and_body_once() -> None:
    chunks = chunks_of("# Head\nbody\n", path="dir/Title.md")
    text = keyword_text("dir/Title.md", ["Alias One"], ["Head", "Head"], chunks)
    assert text.split("\n") == ["Title", "Alias One", "Head", "body"]
