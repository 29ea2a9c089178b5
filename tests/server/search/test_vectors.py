from __future__ import annotations

import numpy as np

from server.search.vectors import VectorIndex


def unit_rows(count: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_float16_scores_stay_within_1e_3_of_exact() -> None:
    index = VectorIndex(32)
    rows = unit_rows(200, 32, 1)
    for i in range(0, 200, 10):
        index.replace(f"n{i // 10}.md", rows[i : i + 10])
    query = unit_rows(1, 32, 2)[0]
    hits = index.search(query, 50)
    exact = rows @ query
    assert len(hits) == 50
    for path, ordinal, score in hits:
        row = int(path[1:-3]) * 10 + ordinal
        assert abs(score - float(exact[row])) < 1e-3
    best = int(np.argmax(exact))
    assert (hits[0][0], hits[0][1]) == (f"n{best // 10}.md", best % 10)


def test_replace_remove_and_filter() -> None:
    index = VectorIndex(8)
    rows = unit_rows(6, 8, 3)
    index.replace("a.md", rows[:3])
    index.replace("b.md", rows[3:])
    index.replace("a.md", rows[:1])  # the note shrank to one chunk
    assert len(index) == 4
    assert {path for path, _, _ in index.search(rows[4], 10, allowed={"b.md"})} == {"b.md"}
    index.remove(["b.md"])
    assert index.search(rows[4], 10, allowed={"b.md"}) == []
    stored = index.vectors_of("a.md")
    assert stored is not None and stored.shape == (1, 8)
    assert np.allclose(stored[0], rows[0], atol=1e-3)
