from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query as wq  # type: ignore[import-untyped]

from server.search.bm25 import KeywordDoc, KeywordIndex, analyze, query_terms
from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.vault.catalog import Catalog
from tests.conftest import SHARED, require_shared


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
    import gc
    import tempfile

    from server.search.bm25 import _PrivateRamStorage

    first, second = _PrivateRamStorage(), _PrivateRamStorage()
    one, two = first.temp_storage("notes.tmp"), second.temp_storage("notes.tmp")
    shared = str(Path(tempfile.gettempdir()) / "notes.tmp")
    assert one.folder != shared and two.folder != shared and one.folder != two.folder
    first.close()
    assert not Path(first.scratch).exists()  # closed: its scratch root is gone
    scratch = Path(second.scratch)
    del second, two
    gc.collect()
    assert not scratch.exists()  # collected: likewise


def test_commits_leave_no_scratch_folders_behind() -> None:
    index = index_of({"a.md": "alpha"})
    for i in range(3):
        index.update([KeywordDoc(f"n{i}.md", "h", f"note {i}")], remove=["a.md"])
    scratch = Path(index._ix.storage.scratch)
    assert list(scratch.iterdir()) == []  # every commit cleaned up after itself
    assert len(index) == 3


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


# -- the analyzer for notes (issue 15) -------------------------------------------------------


def test_identifiers_are_found_whole_and_by_their_parts() -> None:
    index = index_of(
        {
            "exact.md": "Use tasks-group-count to count groups.",
            "words.md": "Tasks in a group: count them. Tasks, groups, counts everywhere. Tasks!",
            "dotted.md": "Call query.searchCache() first.",
            "snake.md": "The value ERR_CONN_42 and someCamelName appear here.",
        }
    )
    assert index.search("tasks-group-count", 10)[0][0] == "exact.md"
    assert {p for p, _ in index.search("group", 10)} >= {"exact.md", "words.md"}
    assert index.search("query.searchCache", 10)[0][0] == "dotted.md"
    assert [p for p, _ in index.search("cache", 10)] == ["dotted.md"]
    assert index.search("err_conn_42", 10)[0][0] == "snake.md"
    assert [p for p, _ in index.search("camel name", 10)] == ["snake.md"]


def test_an_identifier_inside_a_longer_one_is_found_whole() -> None:
    # ``bios32`` in ``arch/x86/kernel/bios32.c``: the piece between dots is an identifier too.
    index = index_of(
        {
            "linux.md": "PCI BIOS code lives in `arch/x86/kernel/bios32.c`. " + "Kernel. " * 30,
            "stm32.md": "The STM32 has a BIOS-like boot ROM; 32 bit, 32 pins, 32 KB, BIOS.",
        }
    )
    assert index.search("bios32", 10)[0][0] == "linux.md"
    assert [t for t, _, _ in analyze("bios32.c")] == ["bio", "32", "bios32", "c", "bios32.c"]
    assert [t for t, _, _ in analyze("camelCase")] == ["camel", "case", "camelcas"]  # once


def test_emoji_and_symbols_are_tokens() -> None:
    index = index_of(
        {"due.md": "- [ ] pay rent 📅 2024-01-05", "done.md": "- [x] rent ✅ 2024-01-02"}
    )
    assert [p for p, _ in index.search("📅", 10)] == ["due.md"]
    assert [p for p, _ in index.search("✅", 10)] == ["done.md"]
    assert index.search("2024-01-05", 10)[0][0] == "due.md"  # the whole date ranks first


def test_accents_fold_and_cjk_is_kept() -> None:
    index = index_of({"fr.md": "Un café à Paris", "jp.md": "東京タワーの夜景", "en.md": "coffee"})
    assert [p for p, _ in index.search("cafe", 10)] == ["fr.md"]
    assert [p for p, _ in index.search("café", 10)] == ["fr.md"]
    assert [p for p, _ in index.search("東京", 10)] == ["jp.md"]


def test_code_spans_and_wikilink_text_are_searchable() -> None:
    index = index_of({"a.md": "Run `npm run build` then see [[Release Notes|notes]].", "b.md": "x"})
    assert [p for p, _ in index.search("npm build", 10)] == ["a.md"]
    assert [p for p, _ in index.search("release notes", 10)] == ["a.md"]


def test_a_title_match_outranks_a_body_mention() -> None:
    index = KeywordIndex()
    body = "Some words about status types and other things. " + "Filler text here. " * 10
    index.update(
        [
            KeywordDoc(
                "Status Types.md", "h1", "Status Types\nA short note.", title="Status Types"
            ),
            KeywordDoc("Other.md", "h2", f"Other\n{body}", title="Other"),
        ]
    )
    assert index.search("status types", 10)[0][0] == "Status Types.md"


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("recurring tasks", "Recurring Tasks.md"),  # first only with the title weight
        ("status types", "Status Types.md"),  # the example
        ("custom statuses", "Custom Statuses.md"),
        ("dates", "Dates.md"),
    ],
)
def test_a_note_named_like_the_query_comes_first_in_the_tasks_docs(query: str, note: str) -> None:
    # The Tasks plugin's documentation (not part of the judged sets): pages that mention
    # "recurring tasks" more often used to outrank the page named so.
    service = _tasks_docs()
    assert service.search(query, mode="keyword", k=3)[0].path.endswith("/" + note)


@functools.cache
def _tasks_docs() -> SearchService:
    root = require_shared(SHARED / "vaults" / "obsidian-tasks" / "docs")
    service = SearchService(HashEmbedder())
    service.index_records(Catalog.scan(root).records(), vault_text_reader(root), full=True)
    return service


def test_highlights_cover_a_whole_identifier() -> None:
    from server.search.snippets import snippet

    text, highlights = snippet("It failed with ERR_77Q today.", set(query_terms("ERR_77Q")))
    assert [text[s:e] for s, e in highlights] == ["ERR_77Q"]


def test_match_says_how_much_of_the_query_the_best_note_holds() -> None:
    index = index_of(
        {
            "iguana.md": "Marine iguanas bask on black lava after diving for algae.",
            "common.md": "The animals and the sea, and the day, and the things they do.",
            "other.md": "Lava flows and volcanic rock.",
        }
    )
    hits, coverage = index.match("marine iguanas diving algae", 10, enough=1)
    assert hits[0][0] == "iguana.md" and coverage == 1.0
    # A paraphrase: the best keyword note shares only a common word with it.
    hits, coverage = index.match("reptiles that feed underwater in the sea", 10, enough=1)
    assert hits[0][0] == "common.md" and 0.0 < coverage < 0.3
    assert index.match("zebrafish", 10) == ([], 0.0)


def test_a_quoted_single_word_is_searched_beside_a_phrase() -> None:
    index = index_of({"a.md": "alpha beta here", "b.md": "gamma only", "c.md": "nothing"})
    found = {path for path, _ in index.search('"alpha beta" "gamma"', 10)}
    assert found == {"a.md", "b.md"}


def test_a_long_query_is_bounded() -> None:
    from server.search import bm25

    text = " ".join(f"x{i}y-part{i}" for i in range(200))  # 200 identifiers of 3 parts each
    clauses = bm25._clauses(text)
    assert len(clauses) == bm25.MAX_QUERY_TERMS
    split = [c for c in clauses if len(c.subqueries) > 1 and isinstance(c.subqueries[0], wq.Or)]
    assert len(split) == bm25.MAX_SPLIT_IDENTIFIERS  # only the first ones also match by parts
    index = index_of({"a.md": "x3y-part3 and more", "b.md": "other"})
    assert index.search(text, 10, enough=10)[0][0] == "a.md"  # OR straight away: still found
