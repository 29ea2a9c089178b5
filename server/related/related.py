"""Related notes: semantic neighbours and graph signals combined, one entry per note, with reasons.

For a note Q and every other note N, five signals, each in [0, 1]:

* ``semantic`` — chunk-to-chunk cosine: for each content chunk of Q its best match among N's
  content chunks; the note score is half the best pair and half the mean over Q's chunks (so both
  "one passage is about the same thing" and "the notes overlap broadly" count), then rescaled from
  [``SEMANTIC_FLOOR``, 1] to [0, 1] — MiniLM puts unrelated notes around 0.1–0.3. Above
  ``FULL_SCAN_ROWS`` content chunks, only the ``SEMANTIC_CANDIDATES`` notes nearest by whole-note
  vector are compared chunk by chunk (the rest score 0 on this signal).
* ``shared_links`` — weighted cosine of outgoing-link sets (targets linked from many notes count
  less), ``co_citation`` — of incoming-link sets (notes linking to everything count less),
  ``shared_tags`` and ``shared_terms`` — of tag and rare-term sets (inverse document frequency).

The score is their weighted sum (:class:`Weights`); each reason reports its part of the score.
Boilerplate chunks (see :mod:`server.related.related_corpus`) never contribute. Notes already linked
either way are hidden (``exclude_linked``) or flagged ``linked``. ``ignore_outlinks`` computes the
graph signals as if Q had no outgoing links (link-prediction benchmarks).

Pure computation over a :class:`~server.related.related_corpus.Corpus`; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from server.related.related_corpus import Corpus
from server.search.bm25 import query_terms
from server.search.chunker import Chunk
from server.search.options import DEFAULT_MIN_SCORE
from server.search.snippets import snippet

__all__ = [
    "DEFAULT_MIN_SCORE",
    "SIGNALS",
    "RelatedNote",
    "Weights",
    "related",
    "signal_scores",
    "total_scores",
]

SIGNALS = ("semantic", "shared_links", "co_citation", "shared_tags", "shared_terms")
SEMANTIC_FLOOR = 0.3
MAX_QUERY_CHUNKS = 48  # a long note's first content chunks stand for it (bounded latency)
FULL_SCAN_ROWS = 20_000  # above this many content chunks, compare chunks of the nearest notes
SEMANTIC_CANDIDATES = 200
_DETAIL_ITEMS = 8

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Weights:
    semantic: float = 0.5
    shared_links: float = 0.1
    co_citation: float = 0.2
    shared_tags: float = 0.05
    shared_terms: float = 0.15

    def of(self, signal: str) -> float:
        value: float = getattr(self, signal)
        return value

    def without(self, signal: str) -> Weights:
        """These weights with ``signal`` dropped and the others scaled to the same sum: a note
        not embedded yet is related by its links, tags and shared rare terms alone, on the
        same scale, instead of losing half its score to a missing signal."""
        total = sum(self.of(name) for name in SIGNALS)
        rest = total - self.of(signal)
        scale = total / rest if rest > 0 else 0.0
        return Weights(
            **{name: 0.0 if name == signal else self.of(name) * scale for name in SIGNALS}
        )

    @classmethod
    def only(cls, *signals: str) -> Weights:
        """Weights using just ``signals`` (benchmarks: one signal at a time)."""
        return cls(**{name: (cls().of(name) if name in signals else 0.0) for name in SIGNALS})


@dataclass(frozen=True, slots=True)
class Passage:
    heading: str
    heading_path: tuple[str, ...]
    line: int
    snippet: str
    highlights: list[list[int]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "heading_path": list(self.heading_path),
            "line": self.line,
            "snippet": self.snippet,
            "highlights": self.highlights,
        }


@dataclass(frozen=True, slots=True)
class RelatedNote:
    path: str
    score: float
    linked: str | None  # "out" (this note links it), "in", "both", or None
    passage: Passage | None
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "score": round(self.score, 6),
            "linked": self.linked,
            "passage": self.passage.to_dict() if self.passage is not None else None,
            "reasons": self.reasons,
        }


@dataclass(slots=True)
class _Signals:
    parts: dict[str, F64]
    semantic_raw: F64
    chunk_scores: npt.NDArray[np.float32] | None  # (query chunks × compared rows) cosines
    query_chunks: list[int]
    columns: dict[int, tuple[int, int]] | None  # note → its columns; None: corpus.note_rows


def signal_scores(corpus: Corpus, note: int, *, ignore_outlinks: bool = False) -> dict[str, F64]:
    """Each signal's [0, 1] score of ``note`` against every note (index = note id)."""
    return _signals(corpus, note, ignore_outlinks).parts


def _signals(corpus: Corpus, note: int, ignore_outlinks: bool) -> _Signals:
    n = corpus.n
    semantic = np.zeros(n, dtype=np.float64)
    raw = np.zeros(n, dtype=np.float64)
    chunk_scores = None
    columns: dict[int, tuple[int, int]] | None = None
    start, end = corpus.note_rows[note]
    end = min(end, start + MAX_QUERY_CHUNKS)
    query_chunks = corpus.row_chunk[start:end].tolist()
    if end > start and len(corpus.sem_starts):
        query = corpus.matrix[start:end]
        if corpus.matrix.shape[0] <= FULL_SCAN_ROWS:
            chunk_scores = query @ corpus.matrix.T
            starts, notes = corpus.sem_starts, corpus.sem_notes
        else:
            chunk_scores, starts, notes, columns = _candidate_scores(corpus, note, query)
        best = np.maximum.reduceat(chunk_scores, starts, axis=1)
        raw[notes] = 0.5 * best.max(axis=0) + 0.5 * best.mean(axis=0)
        semantic = np.clip((raw - SEMANTIC_FLOOR) / (1.0 - SEMANTIC_FLOOR), 0.0, 1.0)
    parts = {
        "semantic": semantic,
        "shared_links": corpus.links.cosine([] if ignore_outlinks else corpus.out_ids[note]),
        "co_citation": corpus.cocitation.cosine(corpus.in_ids[note]),
        "shared_tags": corpus.tags.cosine(corpus.tags.note_items[note]),
        "shared_terms": corpus.terms.cosine(corpus.terms.note_items[note]),
    }
    return _Signals(parts, raw, chunk_scores, query_chunks, columns)


def _candidate_scores(
    corpus: Corpus, note: int, query: npt.NDArray[np.float32]
) -> tuple[
    npt.NDArray[np.float32],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    dict[int, tuple[int, int]],
]:
    """Chunk scores against the notes whose whole-note vectors are nearest (large vaults).

    Comparing every chunk with every chunk costs ~70 ms at 72k rows; the notes a chunk-level
    comparison could rank in the top are, in practice, among the nearest by whole-note vector.
    """
    slot = corpus.sem_slot[note]
    near = corpus.centroids @ corpus.centroids[slot]
    take = min(SEMANTIC_CANDIDATES, len(near))
    slots = np.sort(np.argpartition(-near, take - 1)[:take])
    notes = corpus.sem_notes[slots]
    firsts = corpus.row_bounds[notes, 0]
    sizes = corpus.row_bounds[notes, 1] - firsts
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    rows = np.repeat(firsts - starts, sizes) + np.arange(int(sizes.sum()))
    columns = {
        n: (s0, s0 + size)
        for n, s0, size in zip(notes.tolist(), starts.tolist(), sizes.tolist(), strict=True)
    }
    return query @ corpus.matrix[rows].T, starts, notes, columns


def total_scores(
    corpus: Corpus, path: str, weights: Weights | None = None, *, ignore_outlinks: bool = False
) -> dict[str, float]:
    """The combined score of every other note with a positive score (no reasons, no passages)."""
    note = corpus.ids[path]
    weights = weights or Weights()
    if not corpus.has_vectors[note]:
        weights = weights.without("semantic")
    total = np.zeros(corpus.n, dtype=np.float64)
    for name, part in _signals(corpus, note, ignore_outlinks).parts.items():
        total += weights.of(name) * part
    return {corpus.paths[i]: float(total[i]) for i in np.flatnonzero(total > 0) if i != note}


def related(
    corpus: Corpus,
    path: str,
    *,
    k: int = 10,
    min_score: float = DEFAULT_MIN_SCORE,
    exclude_linked: bool = True,
    weights: Weights | None = None,
    ignore_outlinks: bool = False,
) -> list[RelatedNote]:
    """The ``k`` notes most related to ``path``, best first (KeyError for an unknown note)."""
    note = corpus.ids[path]
    weights = weights or Weights()
    if not corpus.has_vectors[note]:
        weights = weights.without("semantic")
    signals = _signals(corpus, note, ignore_outlinks)
    total = np.zeros(corpus.n, dtype=np.float64)
    for name, part in signals.parts.items():
        total += weights.of(name) * part
    total[note] = -1.0
    out_set = set() if ignore_outlinks else set(corpus.out_ids[note])
    in_set = set(corpus.in_ids[note])
    if exclude_linked:
        for other in out_set | in_set:
            total[other] = -1.0
    eligible = np.flatnonzero(total >= max(min_score, 1e-9))
    if not len(eligible):
        return []
    order = eligible[np.lexsort((eligible, -total[eligible]))][:k]
    results = []
    for other in order.tolist():
        linked = _direction(other in out_set, other in in_set)
        reasons = _reasons(corpus, note, other, signals, weights, ignore_outlinks)
        results.append(
            RelatedNote(
                path=corpus.paths[other],
                score=float(total[other]),
                linked=linked,
                passage=_passage(corpus, other, signals, reasons),
                reasons=reasons,
            )
        )
    return results


def _direction(out: bool, incoming: bool) -> str | None:
    if out and incoming:
        return "both"
    return "out" if out else ("in" if incoming else None)


def _reasons(
    corpus: Corpus,
    note: int,
    other: int,
    signals: _Signals,
    weights: Weights,
    ignore_outlinks: bool,
) -> list[dict[str, Any]]:
    reasons: list[dict[str, Any]] = []
    for name in SIGNALS:
        value = float(signals.parts[name][other])
        part = weights.of(name) * value
        if part <= 0.0:
            continue
        reason: dict[str, Any] = {"kind": name, "score": round(part, 6), "signal": round(value, 6)}
        if name == "semantic":
            reason["similarity"] = round(float(signals.semantic_raw[other]), 6)
            source = _best_pair(corpus, other, signals)
            if source is not None:
                chunk = corpus.features[note].chunks[source[0]]
                reason["from_heading"] = chunk.heading
                reason["chunk_similarity"] = round(source[2], 6)
        elif name == "shared_links":
            mine = set([] if ignore_outlinks else corpus.out_ids[note])
            reason["notes"] = _names(corpus, mine & set(corpus.out_ids[other]))
        elif name == "co_citation":
            reason["notes"] = _names(corpus, set(corpus.in_ids[note]) & set(corpus.in_ids[other]))
        elif name == "shared_tags":
            shared = set(corpus.tags.note_items[note]) & set(corpus.tags.note_items[other])
            reason["tags"] = sorted(corpus.tag_names[t] for t in shared)
        else:
            reason["terms"] = shared_terms(corpus, note, other)
        reasons.append(reason)
    reasons.sort(key=lambda r: -float(r["score"]))
    return reasons


def shared_terms(corpus: Corpus, note: int, other: int) -> list[str]:
    """The rarest terms both notes use (most specific first)."""
    shared = set(corpus.terms.note_items[note]) & set(corpus.terms.note_items[other])
    ranked = sorted(shared, key=lambda t: (int(corpus.term_df[t]), corpus.term_names[t]))
    return [corpus.term_names[t] for t in ranked[:_DETAIL_ITEMS]]


def _names(corpus: Corpus, notes: set[int]) -> list[str]:
    return sorted(corpus.paths[i] for i in notes)[:_DETAIL_ITEMS]


def _best_pair(corpus: Corpus, other: int, signals: _Signals) -> tuple[int, int, float] | None:
    """(query chunk ordinal, other's chunk ordinal, cosine) of the best matching pair."""
    scores = signals.chunk_scores
    start, end = corpus.note_rows[other]
    if scores is None or end <= start:
        return None
    cols = (start, end) if signals.columns is None else signals.columns.get(other)
    if cols is None:
        return None
    block = scores[:, cols[0] : cols[1]]
    flat = int(np.argmax(block))
    qi, oi = divmod(flat, end - start)
    return (
        int(signals.query_chunks[qi]),
        int(corpus.row_chunk[start + oi]),
        float(block[qi, oi]),
    )


def _passage(
    corpus: Corpus, other: int, signals: _Signals, reasons: list[dict[str, Any]]
) -> Passage | None:
    chunks = corpus.features[other].chunks
    if not chunks:
        return None
    words: list[str] = next((r["terms"] for r in reasons if r["kind"] == "shared_terms"), [])
    stems = set(query_terms(" ".join(words))) if words else set()
    pair = _best_pair(corpus, other, signals)
    chunk: Chunk | None = chunks[pair[1]] if pair is not None else None
    if chunk is None and words:
        term_sets = corpus.features[other].chunk_terms
        scored = [(len(term_sets[i] & set(words)), -i) for i in corpus.content_chunks(other)]
        if scored and max(scored)[0] > 0:
            chunk = chunks[-max(scored)[1]]
    if chunk is None:
        content = corpus.content_chunks(other)
        chunk = chunks[content[0]] if content else chunks[0]
    text, highlights = snippet(chunk.text[chunk.overlap :], stems)
    return Passage(chunk.heading, chunk.heading_path, chunk.line_start, text, highlights)
