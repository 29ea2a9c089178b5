from __future__ import annotations

from pathlib import Path

import numpy as np

from server.search.embed_cache import EmbedCache


def test_roundtrip_persistence_and_model_keying(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "e.sqlite3"
    cache = EmbedCache(path, "model-a", 3)
    cache.put_many(
        [("h1", np.array([1, 0, 0], np.float32)), ("h2", np.array([0, 1, 0], np.float32))]
    )
    cache.close()
    again = EmbedCache(path, "model-a", 3)
    found = again.get_many(["h1", "h2", "h3", "h1"])
    assert set(found) == {"h1", "h2"}
    assert found["h2"].tolist() == [0.0, 1.0, 0.0]
    assert len(again) == 2
    again.close()
    other = EmbedCache(path, "model-b", 3)
    assert other.get_many(["h1"]) == {}
    other.close()


def test_prune_keeps_live_hashes() -> None:
    cache = EmbedCache(None, "m", 2)
    cache.put_many([(f"h{i}", np.ones(2, np.float32)) for i in range(5)])
    assert cache.prune(["h1", "h3"]) == 3
    assert set(cache.get_many([f"h{i}" for i in range(5)])) == {"h1", "h3"}


def test_many_keys_in_one_lookup() -> None:
    cache = EmbedCache(None, "m", 2)
    cache.put_many([(f"k{i}", np.full(2, i, np.float32)) for i in range(1500)])
    found = cache.get_many([f"k{i}" for i in range(1500)])
    assert len(found) == 1500 and found["k1499"][0] == 1499.0
