from __future__ import annotations

from pathlib import Path

from server.search.bm25 import KeywordDoc, KeywordIndex, analyze, query_terms


def index_of(docs: dict[str, str], directory: Path | None = None) -> KeywordIndex:
    index = KeywordIndex(directory)
    index.update([KeywordDoc(path, f"h-{path}", text) for path, text in docs.items()])
    return index


def test_markdown_emphasis_does_not_glue_to_words() -> None:
    index = index_of({"a.md": "**bold** and *italic* and footnote* here", "b.md": "nothing"})
    for word in ("bold", "italic", "footnote"):
        assert [path for path, _ in index.search(word, 10)] == ["a.md"], word


def test_stemming_and_identifiers() -> None:
    index = index_of({"a.md": "The runners were running; ERR_CONN_42 failed.", "b.md": "other"})
    assert [p for p, _ in index.search("run", 10)] == ["a.md"]
    assert [p for p, _ in index.search("err_conn_42", 10)] == ["a.md"]
    assert query_terms("Running, runs!") == ["run"]
    assert [(s, b, e) for s, b, e in analyze("a *Cells*")] == [("cell", 3, 8)]


def test_query_syntax_characters_are_just_text() -> None:
    index = index_of({"a.md": "interleukin role in sepsis", "b.md": "other"})
    assert index.search('IL: "role" (sepsis)? title:x*', 10)[0][0] == "a.md"
    assert index.search("", 10) == []
    assert index.search("!!! ---", 10) == []


def test_phrases() -> None:
    index = index_of({"a.md": "new york city", "b.md": "york is new"})
    assert [p for p, _ in index.search('"new york"', 10)] == ["a.md"]


def test_filter_update_remove_and_persistence(tmp_path: Path) -> None:
    index = index_of({"a.md": "apple pie", "b.md": "apple tart"}, tmp_path)
    assert {p for p, _ in index.search("apple", 10)} == {"a.md", "b.md"}
    assert [p for p, _ in index.search("apple", 10, allowed={"b.md"})] == ["b.md"]
    assert index.search("apple", 10, allowed={"zzz.md"}) == []
    index.update([KeywordDoc("a.md", "h2", "banana split")], remove=["b.md"])
    assert index.search("apple", 10) == []
    assert [p for p, _ in index.search("banana", 10)] == ["a.md"]
    index.close()
    reopened = KeywordIndex(tmp_path)
    assert reopened.stored_hashes() == {"a.md": "h2"}
    assert len(reopened) == 1
    reopened.close()
