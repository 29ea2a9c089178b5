from __future__ import annotations

import pytest

from server.search.hybrid import best_chunks, fuse, min_max


def test_min_max() -> None:
    assert min_max([2.0, 4.0, 3.0]) == [0.0, 1.0, 0.5]
    assert min_max([5.0, 5.0]) == [1.0, 1.0]
    assert min_max([]) == []


def test_best_chunks_keeps_each_notes_best_chunk() -> None:
    hits = [("a", 0, 0.5), ("b", 3, 0.9), ("a", 2, 0.7), ("b", 1, 0.1)]
    assert best_chunks(hits) == [("b", 3, 0.9), ("a", 2, 0.7)]


def test_convex_combination() -> None:
    keyword = [("a", 10.0), ("b", 5.0), ("c", 0.0)]
    semantic = [("c", 4, 0.9), ("b", 1, 0.5), ("d", 0, 0.1)]
    fused = fuse(keyword, semantic, alpha=0.5)
    scores = {hit.path: hit.score for hit in fused}
    assert scores == pytest.approx({"a": 0.5, "b": 0.25 + 0.25, "c": 0.5, "d": 0.0})
    b = next(hit for hit in fused if hit.path == "b")
    assert (b.keyword, b.semantic, b.chunk) == (5.0, 0.5, 1)
    a = next(hit for hit in fused if hit.path == "a")
    assert (a.semantic, a.chunk) == (None, None)
    # Ties break by path: a, b, c all at 0.5.
    assert [hit.path for hit in fused] == ["a", "b", "c", "d"]


def test_alpha_weights_the_methods() -> None:
    keyword = [("kw", 1.0), ("sem", 0.0)]
    semantic = [("sem", 0, 1.0), ("kw", 0, 0.0)]
    assert fuse(keyword, semantic, alpha=0.8, decisive=None)[0].path == "kw"
    assert fuse(keyword, semantic, alpha=0.2, decisive=None)[0].path == "sem"


def test_a_decisive_keyword_hit_keeps_rank_one() -> None:
    # Keyword search is sure (its top score is 3× the next: an exact identifier or title); the
    # semantic leg prefers another note. The keyword note leads; the rest follow the fusion.
    keyword = [("exact.md", 9.0), ("other.md", 3.0), ("third.md", 2.5)]
    semantic = [("other.md", 0, 0.9), ("third.md", 0, 0.8), ("exact.md", 0, 0.1)]
    plain = [hit.path for hit in fuse(keyword, semantic, alpha=0.3, decisive=None)]
    assert plain[0] != "exact.md"
    ruled = [hit.path for hit in fuse(keyword, semantic, alpha=0.3, decisive=2.0)]
    assert ruled == ["exact.md", *[p for p in plain if p != "exact.md"]]


def test_a_close_keyword_race_is_not_decisive() -> None:
    keyword = [("a.md", 5.0), ("b.md", 4.0)]
    semantic = [("b.md", 0, 0.9), ("a.md", 0, 0.1)]
    assert fuse(keyword, semantic, alpha=0.3, decisive=2.0)[0].path == "b.md"


def test_rrf() -> None:
    keyword = [("a", 3.0), ("b", 2.0)]
    semantic = [("b", 0, 0.9), ("c", 0, 0.8)]
    fused = fuse(keyword, semantic, method="rrf")
    scores = {hit.path: hit.score for hit in fused}
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["c"] == pytest.approx(1 / 62)
    assert fused[0].path == "b"


def test_unknown_method() -> None:
    with pytest.raises(ValueError):
        fuse([], [], method="borda")
