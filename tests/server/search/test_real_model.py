"""Search on the real model (all-MiniLM-L6-v2): small vaults, real rankings."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from query.index import VaultIndex
from query.parsing.parser import parse_source
from query.sources import resolve_source
from server.search.embedder import MiniLMEmbedder
from server.search.search_service import MAX_EMBEDDED_CHUNKS, SearchService
from tests.server.search.helpers import records_of

VAULT = {
    "Ops/Deploy incident.md": "---\ntags: [ops]\n---\n# Incident\n"
    "The deploy failed with error code QZX-4471 right after the database migration ran.\n",
    "Ops/Runbook.md": "---\ntags: [ops]\n---\n# Restarting services\n"
    "Drain the node, restart the service, then check the dashboards for errors.\n",
    "Home/Cat.md": "# Tom\nMy kitten sleeps curled up on the windowsill every afternoon.\n",
    "Home/Garden.md": "# Tomatoes\nWater the tomato plants early and add compost in spring.\n",
    "Science/Physics.md": "---\ntags: [physics]\n---\n# Lecture\n"
    "Quantum chromodynamics describes how quarks and gluons interact through the strong force.\n",
    "Science/Astronomy.md": "---\ntags: [physics]\n---\n# Stars\n"
    "Neutron stars form when massive stars collapse after a supernova explosion.\n",
    "Science/Biology.md": "---\ntags: [biology]\n---\n# Cells\n"
    "Mitochondria produce most of the chemical energy that powers a cell.\n",
    "Food/Bread.md": "# Baking\nMix flour, water and salt; knead the dough, let it rise.\n",
    "Travel/Japan.md": "# Kyoto\nTemples, gardens and tea houses line the old streets.\n",
    "Money/Budget.md": "# Savings\nPut a fixed share of every paycheck into an index fund.\n",
    "Sport/Running.md": "# Marathon\nLong slow runs build endurance for 42 kilometres.\n",
    "Music/Piano.md": "# Practice\nScales and arpeggios every morning help the fingers.\n",
}


def service_for(
    notes: dict[str, str], embedder: MiniLMEmbedder, index_dir: Path | None = None
) -> SearchService:
    service = SearchService(embedder, index_dir=index_dir)
    service.index_records(records_of(notes), notes.get, full=True)
    while service.embed_pending_batch():
        pass
    return service


def test_rare_identifier_ranks_first_in_hybrid(real_embedder: MiniLMEmbedder) -> None:
    service = service_for(VAULT, real_embedder)
    hits = service.search("QZX-4471", mode="hybrid")
    assert hits[0].path == "Ops/Deploy incident.md"
    assert hits[0].keyword_score is not None
    assert "QZX" in hits[0].snippet


def test_paraphrase_without_shared_keywords(real_embedder: MiniLMEmbedder) -> None:
    service = service_for(VAULT, real_embedder)
    query = "young feline napping beside a pane of glass"
    assert all(h.path != "Home/Cat.md" for h in service.search(query, mode="keyword"))
    assert service.search(query, mode="semantic")[0].path == "Home/Cat.md"
    assert service.search(query, mode="hybrid")[0].path == "Home/Cat.md"


def test_edited_note_found_by_new_text_not_by_removed_text(real_embedder: MiniLMEmbedder) -> None:
    notes = dict(VAULT)
    service = service_for(notes, real_embedder)
    assert service.search("quarks and gluons", mode="hybrid")[0].path == "Science/Physics.md"
    notes["Science/Physics.md"] = (
        "# Lecture\nSourdough starters need feeding with rye flour daily.\n"
    )
    service.index_records(records_of(notes), notes.get, full=True, urgent=True)
    assert service.search("gluons", mode="keyword") == []
    assert service.search("sourdough", mode="keyword")[0].path == "Science/Physics.md"
    service.start()
    assert service.wait_idle(60)
    service.stop()
    assert service.search("feeding a rye starter", mode="semantic")[0].path == "Science/Physics.md"
    old = service.search("quarks and gluons strong force", mode="hybrid")
    assert old[0].path != "Science/Physics.md"


def test_dql_source_filters(real_embedder: MiniLMEmbedder) -> None:
    records = records_of(VAULT)
    service = service_for(VAULT, real_embedder)
    index = VaultIndex(records)
    allowed = set(resolve_source(parse_source('#physics and "Science"'), index, None))
    assert allowed == {"Science/Physics.md", "Science/Astronomy.md"}
    for mode in ("keyword", "semantic", "hybrid"):
        hits = service.search("stars collapse", mode=mode, paths_filter=allowed)
        assert hits and {h.path for h in hits} <= allowed, mode
        assert hits[0].path == "Science/Astronomy.md", mode
    not_ops = set(resolve_source(parse_source("-#ops"), index, None))
    hits = service.search("QZX-4471 deploy error", mode="hybrid", paths_filter=not_ops)
    assert all(not h.path.startswith("Ops/") for h in hits)


def test_restart_embeds_nothing_new(real_embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    first = service_for(VAULT, real_embedder, tmp_path)
    first.close()
    calls, encoded = real_embedder.calls, real_embedder.encoded
    second = service_for(VAULT, real_embedder, tmp_path)
    assert (real_embedder.calls, real_embedder.encoded) == (calls, encoded)
    assert second.search("kitten on the windowsill", mode="semantic")[0].path == "Home/Cat.md"
    second.close()


@pytest.mark.slow
def test_empty_huge_and_non_english_notes(real_embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    big = tmp_path / "Big.md"
    line = "log line 2024-05-01 service heartbeat ok value=12345 and some filler words\n"
    with open(big, "w", encoding="utf-8") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    assert big.stat().st_size >= 50 * 1024 * 1024
    notes = {
        "Empty.md": "",
        "Only frontmatter.md": "---\ntags: [x]\n---\n",
        "Deutsch.md": "# Katzen\nDie Katze schläft den ganzen Nachmittag auf dem Sofa.\n",
        "日本語.md": "# 東京\n東京は日本の首都です。桜の季節はとても美しい。\n",
        "Big.md": big.read_text(encoding="utf-8"),
        **VAULT,
    }
    started = time.perf_counter()
    service = service_for(notes, real_embedder)
    elapsed = time.perf_counter() - started
    assert elapsed < 120, elapsed  # capped: the 50 MB note costs what a 1 MB note costs
    assert service.progress()["total"] <= len(notes) + MAX_EMBEDDED_CHUNKS + 10
    assert service.search("Katze Sofa", mode="keyword")[0].path == "Deutsch.md"
    assert service.search("schläft", mode="hybrid")[0].path == "Deutsch.md"
    assert service.search("東京は日本の首都です", mode="keyword")[0].path == "日本語.md"
    assert service.search("heartbeat", mode="keyword")[0].path == "Big.md"
    assert service.search("kitten windowsill", mode="hybrid")[0].path == "Home/Cat.md"
    assert service.search("Empty", mode="keyword")[0].path == "Empty.md"  # title only


def test_query_embedding_matches_bulk_and_is_unit_length(real_embedder: MiniLMEmbedder) -> None:
    text = "mitochondria make energy"
    single = real_embedder.encode_query(text)
    bulk = real_embedder.encode([text, "another text"])[0]
    assert single.dtype == np.float32 and single.shape == (real_embedder.dim,)
    assert abs(float(np.linalg.norm(single)) - 1.0) < 1e-3
    assert float(single @ bulk) > 0.99
    assert real_embedder.precision in ("bf16", "fp32")


def test_vectors_equal_the_sentence_transformers_pipeline(real_embedder: MiniLMEmbedder) -> None:
    # The embedder runs BERT + mean pooling + normalisation itself; the package's own pipeline
    # (modules.json, through sentence-transformers) must give the same fp32 vectors.
    from sentence_transformers import SentenceTransformer

    from server.search.embedder import model_path

    texts = ["x", "Mitochondria make energy.", "a long passage about proteins " * 80, "東京の猫"]
    reference = SentenceTransformer(model_path(), device="cpu").encode(
        texts, normalize_embeddings=True, convert_to_numpy=True
    )
    ours = real_embedder._raw(texts, False, 2)  # batches of mixed lengths: padding must not leak
    assert np.abs(ours - reference).max() < 1e-5
