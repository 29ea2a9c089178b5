"""SearchService with the deterministic hash embedder: indexing, updates, filters, restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from tests.server.search.helpers import records_of

NOTES = {
    "Projects/Alpha.md": "---\ntags: [project]\naliases: [Codename Falcon]\n---\n"
    "# Plan\nShip the zebrafish tracker.\n## Risks\nThe ERR_ZX81 error appears.\n",
    "Areas/Health.md": "# Sleep\nEight hours of sleep a night helps memory.\n",
    "Empty.md": "",
}


def make(
    notes: dict[str, str], index_dir: Path | None = None, embedder: HashEmbedder | None = None
) -> SearchService:
    service = SearchService(embedder or HashEmbedder(), index_dir=index_dir)
    service.index_records(records_of(notes), notes.get, full=True)
    while service.embed_pending_batch():
        pass
    return service


def test_keyword_hit_has_heading_line_snippet_and_highlights() -> None:
    service = make(NOTES)
    hits = service.search("ERR_ZX81", mode="keyword")
    assert [h.path for h in hits] == ["Projects/Alpha.md"]
    hit = hits[0]
    assert hit.heading_path == ("Plan", "Risks") and hit.heading == "Risks"
    assert hit.line == 6
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "ERR_ZX81"
    assert hit.keyword_score is not None and hit.semantic_score is None
    body = hit.to_dict()
    assert body["scores"]["semantic"] is None and body["heading_path"] == ["Plan", "Risks"]


def test_aliases_and_title_are_searchable() -> None:
    service = make(NOTES)
    assert service.search("falcon", mode="keyword")[0].path == "Projects/Alpha.md"
    assert service.search("health", mode="keyword")[0].path == "Areas/Health.md"


def test_modes_and_semantic_scores() -> None:
    service = make(NOTES)
    for mode in ("semantic", "hybrid"):
        top = service.search("zebrafish tracker", mode=mode)[0]
        assert top.path == "Projects/Alpha.md"
        assert top.semantic_score is not None and top.semantic_score > 0


def test_edit_and_remove() -> None:
    notes = dict(NOTES)
    service = make(notes)
    notes["Areas/Health.md"] = "# Sleep\nNaps with a quokka.\n"
    assert service.index_records(records_of(notes), notes.get, full=True) == 1
    assert [h.path for h in service.search("quokka", mode="keyword")] == ["Areas/Health.md"]
    assert service.search("memory", mode="keyword") == []
    while service.embed_pending_batch():
        pass
    assert service.search("naps quokka", mode="semantic")[0].path == "Areas/Health.md"
    service.remove(["Areas/Health.md"])
    assert all(h.path != "Areas/Health.md" for h in service.search("quokka", mode="hybrid"))
    del notes["Areas/Health.md"]
    del notes["Empty.md"]
    service.index_records(records_of(notes), notes.get, full=True)  # full: Empty.md goes
    assert service.progress()["notes"] == 1


def test_paths_filter() -> None:
    service = make(NOTES)
    for mode in ("keyword", "semantic", "hybrid"):
        hits = service.search("sleep zebrafish", mode=mode, paths_filter={"Areas/Health.md"})
        assert [h.path for h in hits] == ["Areas/Health.md"], mode
        assert service.search("sleep", mode=mode, paths_filter=set()) == []


def test_restart_embeds_nothing_and_skips_unchanged_keyword_docs(tmp_path: Path) -> None:
    first = make(NOTES, tmp_path)
    first.close()
    embedder = HashEmbedder()
    second = SearchService(embedder, index_dir=tmp_path)
    second.index_records(records_of(NOTES), NOTES.get, full=True)
    while second.embed_pending_batch():
        pass
    assert embedder.calls == 0
    assert second.search("zebrafish", mode="semantic")[0].path == "Projects/Alpha.md"
    second.close()


def test_moves_reuse_cached_vectors_and_renames_re_embed_only_the_title() -> None:
    embedder = HashEmbedder()
    notes = {"a.md": "# T\nunique words about lighthouses\n"}
    service = make(notes, embedder=embedder)
    before = embedder.encoded
    moved = {"Archive/a.md": notes["a.md"]}  # same title: same chunk texts
    service.index_records(records_of(moved), moved.get, full=True)
    while service.embed_pending_batch():
        pass
    assert embedder.encoded == before
    assert [h.path for h in service.search("lighthouses", mode="semantic")] == ["Archive/a.md"]
    renamed = {"Archive/b.md": notes["a.md"]}  # the title is part of what is embedded
    service.index_records(records_of(renamed), renamed.get, full=True)
    while service.embed_pending_batch():
        pass
    assert embedder.encoded == before + 1
    assert [h.path for h in service.search("lighthouses", mode="hybrid")] == ["Archive/b.md"]


def test_background_worker_prioritises_and_stops(tmp_path: Path) -> None:
    notes = {f"n{i}.md": f"note number {i} about topic{i}" for i in range(30)}
    service = SearchService(HashEmbedder(), index_dir=tmp_path)
    service.index_records(records_of(notes), notes.get, full=True)
    assert service.prioritise("n3.md")
    assert service.search("topic3", mode="keyword")[0].path == "n3.md"  # before any embedding
    service.start()
    assert service.wait_idle(10)
    assert service.progress()["done"] == service.progress()["total"] == 30
    service.stop()
    assert not service.prioritise("n3.md")
    service.close()


def test_vault_text_reader(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\xef\xbb\xbfhello \xff")
    read = vault_text_reader(tmp_path)
    assert read("a.md") == "hello \ufffd"
    assert read("missing.md") is None


def test_bad_mode_and_empty_query() -> None:
    service = make(NOTES)
    assert service.search("   ") == []
    try:
        service.search("x", mode="fuzzy")
    except ValueError as exc:
        assert "mode" in str(exc)
    else:
        raise AssertionError("no error for a bad mode")


def test_note_vectors_follow_chunk_order() -> None:
    embedder = HashEmbedder()
    service = make(NOTES, embedder=embedder)
    chunks, vectors = service.note_vectors("Projects/Alpha.md")
    assert [c.heading for c in chunks] == ["Plan", "Risks"]
    assert vectors is not None and vectors.shape == (2, embedder.dim)
    from server.search.chunker import embedding_text

    expected = embedder.encode([embedding_text(c) for c in chunks])
    # Stored as float16: each component within float16's rounding of the float32 value.
    assert (abs(vectors - expected) < 1e-3).all()
    assert service.note_vectors("Nope.md") == ([], None)


def test_hits_in_huge_notes_stay_fast() -> None:
    import time

    filler = "\n\n".join(f"paragraph {i} with ordinary filler words" for i in range(30_000))
    notes = {"big.md": filler + "\n\nthe quetzal appears at the very end\n", "small.md": "quetzal"}
    service = make(notes)
    started = time.perf_counter()
    hits = service.search("quetzal filler", mode="hybrid")
    assert time.perf_counter() - started < 0.5
    assert {h.path for h in hits} == {"big.md", "small.md"}


def test_model_loads_lazily_in_the_worker_while_keyword_search_serves() -> None:
    loaded: list[HashEmbedder] = []

    def factory() -> HashEmbedder:
        loaded.append(HashEmbedder())
        return loaded[-1]

    service = SearchService(embedder_factory=factory)
    service.index_records(records_of(NOTES), NOTES.get, full=True)
    assert service.progress()["model_loaded"] is False
    assert service.search("zebrafish", mode="semantic") == []  # no model yet: nothing, no error
    assert service.search("zebrafish", mode="hybrid")[0].path == "Projects/Alpha.md"
    service.start()
    assert service.wait_idle(10)
    assert len(loaded) == 1 and service.progress()["model_loaded"] is True
    assert service.search("zebrafish", mode="semantic")[0].path == "Projects/Alpha.md"
    service.close()


def test_a_failed_keyword_commit_leaves_the_notes_to_index_again() -> None:
    service = SearchService(HashEmbedder())

    def failing(path: str) -> str | None:
        if path == "Empty.md":
            raise OSError("disk went away")
        return NOTES.get(path)

    records = records_of(NOTES)
    with pytest.raises(OSError, match="disk went away"):
        service.index_records(records, failing, full=True)
    assert service.search("zebrafish", mode="keyword") == []
    assert service.index_records(records, NOTES.get, full=True) == len(NOTES)
    assert service.search("zebrafish", mode="keyword")[0].path == "Projects/Alpha.md"
    service.close()
