"""Search and related notes while the vault is still embedding (issue 15, item 6).

They answer from what is embedded, say how much is (``embedded: done/total``), embed the note the
user opened first, and relate a note that is not embedded yet by its links, tags and shared rare
terms on the full scale instead of silently losing the semantic half of its score.
"""

from __future__ import annotations

from datetime import UTC
from types import SimpleNamespace

import pytest

from query.index import VaultIndex
from server.related.related import SIGNALS, Weights
from server.related.related_service import RelatedService
from server.search.embedder import HashEmbedder, MiniLMEmbedder
from server.search.search_service import SearchService
from server.vault.catalog import Catalog, SourceFile
from tests.server.search.helpers import records_of

NOTES = {
    # The oldest note: the background queue (newest first) reaches it last.
    "Notes/Bees.md": "# Bees\nThe hive swarmed in May: the old queen left with half the colony.\n"
}
NOTES |= {
    f"Notes/N{i:02d}.md": f"---\ntags: [garden]\n---\n# Note {i}\nTomatoes and basil, bed {i}.\n"
    for i in range(12)
}
NOTES["Notes/Hub.md"] = "# Hub\nLinks: [[N01]] [[N02]] [[N03]]. Compost and mulch for the beds.\n"
NOTES["Notes/Mulch.md"] = "---\ntags: [garden]\n---\n# Mulch\nCompost and mulch; see [[N01]].\n"


def _service(embedder: object, notes: dict[str, str] = NOTES) -> SearchService:
    # One note's chunks per batch: the test decides how far embedding has got.
    service = SearchService(embedder, batch_chunks=1)  # type: ignore[arg-type]
    service.index_records(records_of(notes), notes.get, full=True)
    return service


def test_search_says_how_much_is_embedded_and_answers_from_it() -> None:
    service = _service(HashEmbedder())
    total = len(NOTES)
    assert service.embedded() == {"done": 0, "total": total, "complete": False}
    assert service.search("compost mulch", mode="semantic") == []  # nothing embedded: no guesses
    assert service.embed_pending_batch()
    after_one = service.embedded()
    assert 0 < after_one["done"] < total and not after_one["complete"]
    semantic = {hit.path for hit in service.search("tomatoes basil", mode="semantic", k=50)}
    assert 0 < len(semantic) <= after_one["done"]  # only embedded notes answer semantically
    keyword = {hit.path for hit in service.search("tomatoes", mode="keyword", k=50)}
    assert len(keyword) == 12  # keyword search covers every note from the start
    assert keyword <= {hit.path for hit in service.search("tomatoes", mode="hybrid", k=50)}
    while service.embed_pending_batch():
        pass
    assert service.embedded() == {"done": total, "total": total, "complete": True}
    service.remove(["Notes/Hub.md"])
    assert service.embedded() == {"done": total - 1, "total": total - 1, "complete": True}
    empty = {**NOTES, "Empty.md": "", "Notes/Hub.md": NOTES["Notes/Hub.md"] + "more\n"}
    service.index_records(records_of(empty), empty.get, full=True)  # an empty note: no chunks
    assert service.embedded()["total"] == total


def test_the_note_the_user_opens_is_embedded_next() -> None:
    service = _service(HashEmbedder())
    service.embed_pending_batch()
    assert service.note_vectors("Notes/Bees.md")[1] is None
    assert service.prioritise("Notes/Bees.md")
    service.embed_pending_batch()
    assert service.note_vectors("Notes/Bees.md")[1] is not None
    assert service.embedded()["done"] == 2


def _index(notes: dict[str, str]) -> VaultIndex:
    sources = [SourceFile(p, t.encode(), 1000.0, 1000.0) for p, t in notes.items()]
    catalog = Catalog.from_sources(sources, local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


def _related(search: SearchService) -> RelatedService:
    snapshot = SimpleNamespace(revision=1, index=_index(NOTES))
    return RelatedService(lambda: snapshot, search, NOTES.get)


def test_related_for_a_note_not_embedded_yet_uses_links_tags_and_terms() -> None:
    search = _service(HashEmbedder())
    body = _related(search).related("Notes/Mulch.md", exclude_linked=False)
    assert body["note_embedded"] is False
    assert body["embedded"] == {"done": 0, "total": len(NOTES), "complete": False}
    assert body["results"], "links, tags and shared terms still relate the note"
    top = body["results"][0]
    kinds = {reason["kind"] for reason in top["reasons"]}
    assert "semantic" not in kinds and kinds <= set(SIGNALS) - {"semantic"}
    # On the full scale: the same neighbour scores as it would with the semantic weight spread
    # over the other signals, not half of that.
    weights = Weights().without("semantic")
    expected = sum(weights.of(r["kind"]) * r["signal"] for r in top["reasons"])
    assert top["score"] == pytest.approx(expected, abs=1e-5)


def test_related_once_embedded_uses_meaning_and_says_so() -> None:
    search = _service(HashEmbedder())
    while search.embed_pending_batch():
        pass
    body = _related(search).related("Notes/Mulch.md", exclude_linked=False)
    assert body["note_embedded"] is True and body["embedded"]["complete"] is True
    assert any(r["kind"] == "semantic" for hit in body["results"] for r in hit["reasons"])


def test_weights_without_a_signal_keep_their_sum() -> None:
    weights = Weights()
    spread = weights.without("semantic")
    assert spread.semantic == 0.0
    assert sum(spread.of(s) for s in SIGNALS) == pytest.approx(sum(weights.of(s) for s in SIGNALS))
    ratio = spread.shared_links / weights.shared_links
    assert spread.shared_tags / weights.shared_tags == pytest.approx(ratio)


def test_partial_answers_on_the_real_model(real_embedder: MiniLMEmbedder) -> None:
    service = _service(real_embedder)
    service.embed_pending_batch()
    assert service.prioritise("Notes/Bees.md")
    service.embed_pending_batch()
    state = service.embedded()
    assert state["done"] == 2 and not state["complete"]
    hits = service.search("insects leaving their nest with a new queen", mode="hybrid", k=5)
    assert hits and hits[0].path == "Notes/Bees.md"
    assert len([hit for hit in hits if hit.semantic_score is not None]) <= 2
