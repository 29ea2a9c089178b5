"""Pieces of related notes and duplicates that need no model: signals, shingles, originals."""

from __future__ import annotations

from datetime import UTC
from types import SimpleNamespace

import numpy as np
import pytest

from query.index import VaultIndex
from server.related import related as related_module
from server.related.duplicates import find_duplicates, shingles
from server.related.related import related
from server.related.related_corpus import Postings
from server.related.related_service import RelatedService, build_corpus
from server.related.related_text import masked_ranges
from server.vault.catalog import Catalog, SourceFile

LONG = " ".join(f"word{i} topic{i % 7}" for i in range(120))


def _index(notes: dict[str, str], ctimes: dict[str, float] | None = None) -> VaultIndex:
    sources = [
        SourceFile(p, t.encode(), (ctimes or {}).get(p, 1000.0), 1000.0) for p, t in notes.items()
    ]
    catalog = Catalog.from_sources(sources, local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


def test_postings_cosine_matches_a_direct_computation() -> None:
    weights = np.asarray([1.0, 2.0, 0.5], dtype=np.float32)
    postings = Postings([[0, 1], [1, 2], [], [0, 1, 2]], weights, 4)
    got = postings.cosine([0, 1])
    w = weights.astype(np.float64) ** 2
    query = np.sqrt(w[[0, 1]].sum())
    expected = [
        w[[0, 1]].sum() / (query * np.sqrt(w[[0, 1]].sum())),
        w[1] / (query * np.sqrt(w[[1, 2]].sum())),
        0.0,
        w[[0, 1]].sum() / (query * np.sqrt(w.sum())),
    ]
    assert np.allclose(got, expected)


def test_masked_ranges_cover_non_prose() -> None:
    text = "---\na: 1\n---\nSee `code` and [[Link]] at https://x.y/z #tag.\n```\nfenced\n```\nok"
    masked = masked_ranges(text)
    pieces = [text[a:b] for a, b in masked]
    assert pieces[0].startswith("---\na: 1\n---\n")
    for bit in ("`code`", "[[Link]]", "https://x.y/z", "#tag.", "```\nfenced\n```"):
        assert any(bit in piece for piece in pieces), bit
    assert not any(piece == "ok" for piece in pieces) and not any("See" in p for p in pieces)


def test_near_duplicates_by_shingles_and_the_original_by_name_and_age() -> None:
    edited = LONG.replace("word50 ", "word50x ", 1)
    notes = {
        "Note.md": LONG,
        "Note 1.md": LONG,  # a copy's name
        "Later.md": edited,
        "Other.md": " ".join(f"other{i}" for i in range(200)),
        "Stub.md": "tiny",
        "Stub 2.md": "tiny",
    }
    index = _index(notes, {"Later.md": 5000.0})
    corpus = build_corpus(index, None, notes.get)
    pairs = find_duplicates(corpus, lambda p: shingles(notes[p]))
    got = {(p.kind, p.original, p.duplicate, p.why) for p in pairs}
    assert ("exact", "Note.md", "Note 1.md", "the other name looks like a copy") in got
    assert ("near", "Note.md", "Later.md", "created earlier") in got
    assert not any("Stub" in p.original or "Other" in p.original for p in pairs)
    assert len(pairs) == 3
    near = [p for p in pairs if p.kind == "near"]
    assert all(0.9 < (p.jaccard or 0) < 1 for p in near)


def test_two_stage_semantic_matches_the_full_scan(
    demo: tuple[RelatedService, VaultIndex], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = demo
    corpus = service.corpus()
    path = "vault/05_Zettelkasten/Good modelling practice.md"
    full = related(corpus, path, k=5, exclude_linked=False)
    monkeypatch.setattr(related_module, "FULL_SCAN_ROWS", 0)
    monkeypatch.setattr(related_module, "SEMANTIC_CANDIDATES", corpus.n)
    staged = related(corpus, path, k=5, exclude_linked=False)
    assert [(r.path, round(r.score, 6)) for r in staged] == [
        (r.path, round(r.score, 6)) for r in full
    ]
    assert [r.passage for r in staged] == [r.passage for r in full]
    monkeypatch.setattr(related_module, "SEMANTIC_CANDIDATES", 5)
    narrow = related(corpus, path, k=3, exclude_linked=False)
    assert narrow[0].path == full[0].path


def test_service_rebuilds_its_corpus_when_the_revision_changes() -> None:
    notes = {"A.md": "alpha levain text", "B.md": "beta levain text"}
    snap = SimpleNamespace(revision=1, index=_index(notes))
    service = RelatedService(lambda: snap, None, notes.get)
    first = service.corpus()
    assert service.corpus() is first
    notes["C.md"] = "gamma"
    snap = SimpleNamespace(revision=2, index=_index(notes))
    assert service.corpus() is not first and service.corpus().n == 3
