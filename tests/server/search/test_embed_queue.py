from __future__ import annotations

from server.search.embed_queue import EmbedQueue


def test_most_recent_first_and_prioritise() -> None:
    queue = EmbedQueue()
    queue.add("old.md", 1, mtime=1.0)
    queue.add("new.md", 1, mtime=3.0)
    queue.add("mid.md", 1, mtime=2.0)
    assert queue.take(1) == ["new.md"]
    assert queue.prioritise("old.md")
    assert queue.take(1) == ["old.md"]
    assert not queue.prioritise("never.md")


def test_taken_notes_stay_until_discarded() -> None:
    queue = EmbedQueue()
    queue.add("a.md", 2, mtime=1.0)
    assert queue.take(10) == ["a.md"]
    assert queue.take(10) == ["a.md"]  # a stop mid-batch loses nothing
    queue.discard("a.md")
    assert queue.take(10) == []
    assert len(queue) == 0


def test_batches_respect_chunk_budget_but_take_at_least_one_note() -> None:
    queue = EmbedQueue()
    queue.add("big.md", 100, mtime=5.0)
    queue.add("s1.md", 3, mtime=4.0)
    queue.add("s2.md", 3, mtime=3.0)
    assert queue.take(10) == ["big.md"]
    queue.discard("big.md")
    assert queue.take(5) == ["s1.md", "s2.md"]


def test_progress_counts_chunks_rate_and_eta() -> None:
    queue = EmbedQueue()
    queue.set_total(10)
    queue.add("a.md", 4, mtime=1.0)
    queue.add("b.md", 6, mtime=2.0)
    queue.add("a.md", 4, mtime=1.0)  # re-added (edited): not counted twice
    assert queue.snapshot()["done"] == 0
    queue.record_encoding(6, 2.0)
    queue.discard("b.md")
    snap = queue.snapshot()
    assert (snap["done"], snap["total"], snap["chunks_per_s"], snap["eta_s"]) == (6, 10, 3.0, 1.3)
    assert snap["pending_notes"] == 1
