from __future__ import annotations

import threading
from collections.abc import Iterator
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


def test_and_first_then_or_when_too_few() -> None:
    docs = {f"both{i}.md": "apple banana" for i in range(3)}
    docs.update({"apple.md": "apple apple apple apple", "banana.md": "banana"})
    index = index_of(docs)
    # Three notes hold both words: enough=3 keeps AND, the one-word notes drop out.
    assert {p for p, _ in index.search("apple banana", 10, enough=3)} == {
        "both0.md",
        "both1.md",
        "both2.md",
    }
    # Asking for four: AND is not enough, OR brings the one-word notes back.
    assert len(index.search("apple banana", 10, enough=4)) == 5
    assert len(index.search("apple banana", 10)) == 5  # the default is OR
    # A note scores the same under AND and OR (BM25 sums the terms).
    with_and = dict(index.search("apple banana", 10, enough=3))
    with_or = dict(index.search("apple banana", 10))
    for path, score in with_and.items():
        assert abs(score - with_or[path]) < 1e-9


def test_in_memory_commits_use_private_scratch_space() -> None:
    import tempfile

    from server.search.bm25 import _PrivateRamStorage

    first = _PrivateRamStorage().temp_storage("notes.tmp")
    second = _PrivateRamStorage().temp_storage("notes.tmp")
    try:
        shared = str(Path(tempfile.gettempdir()) / "notes.tmp")
        assert first.folder != shared and second.folder != shared
        assert first.folder != second.folder
    finally:
        first.destroy()
        second.destroy()


def test_an_index_without_the_path_column_is_rebuilt(tmp_path: Path) -> None:
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, STORED, TEXT, Schema

    old = Schema(path=ID(stored=True, unique=True), content_hash=STORED(), content=TEXT())
    ix = whoosh_index.create_in(str(tmp_path), old, indexname="notes")
    writer = ix.writer()
    writer.add_document(path="old.md", content_hash="h", content="apple")
    writer.commit()
    ix.close()
    index = KeywordIndex(tmp_path)
    assert index.stored_hashes() == {}  # so the service indexes every note again
    index.update([KeywordDoc("Café/ünï.md", "h1", "apple pie")])
    assert index.search("apple", 10) == [("Café/ünï.md", index.search("apple", 10)[0][1])]
    index.close()
    reopened = KeywordIndex(tmp_path)
    assert reopened.stored_hashes() == {"Café/ünï.md": "h1"}
    reopened.close()


def test_a_bulk_build_streams_into_one_segment_of_plain_files(tmp_path: Path) -> None:
    from whoosh import index as whoosh_index

    consumed: list[int] = []

    def docs() -> Iterator[KeywordDoc]:
        for n in range(300):
            consumed.append(n)
            yield KeywordDoc(f"n{n}.md", f"h{n}", f"note number {n} about zebrafish")

    index = KeywordIndex(tmp_path)
    assert index.update(docs()) == 300 and len(consumed) == 300
    assert len(index.search("zebrafish", 1000)) == 300
    index.close()
    ix = whoosh_index.open_dir(str(tmp_path), indexname="notes")
    assert len(ix._segments()) == 1
    ix.close()
    # Separate files, not a compound .seg: Whoosh copies a compound segment's parts into memory.
    assert not list(tmp_path.glob("*.seg")) and list(tmp_path.glob("*.pst"))


def test_searches_are_answered_while_a_writer_runs() -> None:
    index = index_of({"old.md": "zebrafish tracker"})
    started, release = threading.Event(), threading.Event()

    def slow_docs() -> Iterator[KeywordDoc]:
        yield KeywordDoc("new.md", "h", "zebrafish tank")
        started.set()
        release.wait(10)

    writer = threading.Thread(target=index.update, args=(slow_docs(),))
    writer.start()
    try:
        assert started.wait(10)
        assert [p for p, _ in index.search("zebrafish", 10)] == ["old.md"]  # not blocked
    finally:
        release.set()
        writer.join(10)
    assert sorted(p for p, _ in index.search("zebrafish", 10)) == ["new.md", "old.md"]
    index.close()
