"""Duplicate notes: exact copies, near copies and semantic near-duplicates, each pair once.

* ``exact`` — the same file bytes (``NoteRecord.content_hash``).
* ``near`` — word 5-shingles of the body (frontmatter excluded), MinHash signatures
  (:data:`PERMUTATIONS` hash functions) and locality-sensitive hashing into :data:`BANDS` bands to
  find candidate pairs without comparing all pairs; each candidate's *exact* Jaccard similarity of
  the shingle sets is then compared with ``near_threshold`` (default 0.8).
* ``semantic`` — the cosine of whole-note vectors (the normalised mean of the note's content chunk
  vectors) above ``semantic_threshold`` (default 0.95), in blocks of rows so 10k notes need no
  10k × 10k matrix at once.

A pair is reported under its strongest kind (exact > near > semantic) with every score computed for
it. Notes with fewer than ``min_words`` words are stubs, not duplicates. Whole-note vectors leave
boilerplate chunks out, so notes that are nothing but a template are compared by text only (two
such notes *are* near-duplicates of each other, and are reported as such). For each pair,
:func:`original_of` says which note looks like the original and why: a name that looks like a copy
("Note 1", "Note (2)", "Note copy") loses, then more incoming links, then the earlier creation
time, then the earlier modification, then the shorter path. Read-only; nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from server.related.related_corpus import Corpus
from server.related.related_text import body_words
from server.search.options import DEFAULT_MIN_WORDS, DEFAULT_NEAR, DEFAULT_SEMANTIC

__all__ = [
    "DEFAULT_NEAR",
    "DEFAULT_SEMANTIC",
    "DuplicatePair",
    "Shingles",
    "find_duplicates",
    "original_of",
    "shingles",
]

SHINGLE = 5
PERMUTATIONS = 64
BANDS = 16  # 4 rows each: a pair at Jaccard 0.8 becomes a candidate with p ≈ 0.9998
MAX_BUCKET = 200  # more notes in one LSH bucket are templates; compare them once, not n² times
_BLOCK = 1024
_MASK32 = np.uint64(0xFFFFFFFF)
_PRIME = np.uint64(1_000_003)
_RNG = np.random.default_rng(20240601)  # fixed: signatures must be comparable across calls
_A = (_RNG.integers(1, 1 << 32, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)).reshape(-1, 1)
_B = _RNG.integers(0, 1 << 32, PERMUTATIONS, dtype=np.uint64).reshape(-1, 1)
_COPY_NAME = re.compile(
    r"(?:\s+\d+|\s*\(\d+\)|[\s_-]+(?:copy|kopie|copie|copia)(?:\s*\d+)?)$", re.I
)

U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class Shingles:
    words: int
    hashes: U64  # sorted distinct shingle hashes
    signature: U64  # MinHash signature (PERMUTATIONS values)


def _word_ids(words: list[str]) -> U64:
    # Python's string hash: C speed, stable within the process, which is all that is needed —
    # signatures and shingle sets live in memory only and are never compared across processes.
    return np.fromiter(map(hash, words), np.int64, len(words)).view(np.uint64)


def shingles(text: str) -> Shingles:
    """The word count, shingle hashes and MinHash signature of a note's text."""
    words = body_words(text)
    ids = _word_ids(words)
    if len(ids) <= SHINGLE:
        grams = ids[:1].copy()
        for j in range(1, len(ids)):
            grams = grams * _PRIME + ids[j : j + 1]
    else:
        count = len(ids) - SHINGLE + 1
        grams = ids[:count].copy()
        for j in range(1, SHINGLE):  # a polynomial rolling hash; wraps mod 2^64 by design
            grams = grams * _PRIME + ids[j : j + count]
    hashes = np.unique(grams)
    if not len(hashes):
        return Shingles(len(words), hashes, np.full(PERMUTATIONS, _MASK32, dtype=np.uint64))
    signature = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), 8192):
        part = hashes[start : start + 8192].reshape(1, -1)
        mixed = ((_A * part + _B) >> np.uint64(16)) & _MASK32  # wraps mod 2^64 by design
        signature = np.minimum(signature, mixed.min(axis=1))
    return Shingles(len(words), hashes, signature)


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    kind: str  # "exact", "near" or "semantic"
    original: str
    duplicate: str
    why: str  # why ``original`` looks like the original
    jaccard: float | None
    cosine: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "original": self.original,
            "duplicate": self.duplicate,
            "original_because": self.why,
            "scores": {
                "jaccard": None if self.jaccard is None else round(self.jaccard, 6),
                "cosine": None if self.cosine is None else round(self.cosine, 6),
            },
        }


def original_of(corpus: Corpus, a: str, b: str) -> tuple[str, str, str]:
    """(original, duplicate, reason) for two notes of ``corpus``."""
    ra, rb = corpus.index.get(a), corpus.index.get(b)
    stem_a = a.rsplit("/", 1)[-1].removesuffix(".md")
    stem_b = b.rsplit("/", 1)[-1].removesuffix(".md")
    copy_a, copy_b = bool(_COPY_NAME.search(stem_a)), bool(_COPY_NAME.search(stem_b))
    if copy_a != copy_b:
        return (
            (b, a, "the other name looks like a copy")
            if copy_a
            else (a, b, "the other name looks like a copy")
        )
    in_a, in_b = len(corpus.index.linking_to(a)), len(corpus.index.linking_to(b))
    if in_a != in_b:
        return (a, b, "more incoming links") if in_a > in_b else (b, a, "more incoming links")
    if ra is not None and rb is not None:
        for attr, reason in (("ctime", "created earlier"), ("mtime", "modified earlier")):
            ta, tb = getattr(ra, attr).epoch_ms, getattr(rb, attr).epoch_ms
            if ta != tb:
                return (a, b, reason) if ta < tb else (b, a, reason)
    if len(a) != len(b):
        return (a, b, "shorter path") if len(a) < len(b) else (b, a, "shorter path")
    return (a, b, "first by path") if a < b else (b, a, "first by path")


def find_duplicates(
    corpus: Corpus,
    shingles_of: Callable[[str], Shingles | None],
    *,
    near_threshold: float = DEFAULT_NEAR,
    semantic_threshold: float = DEFAULT_SEMANTIC,
    min_words: int = DEFAULT_MIN_WORDS,
) -> list[DuplicatePair]:
    """Every duplicate pair of the corpus, exact first, then by score."""
    sh: dict[int, Shingles] = {}
    for note, path in enumerate(corpus.paths):
        found = shingles_of(path)
        if found is not None and found.words >= min_words:
            sh[note] = found
    pairs: dict[tuple[int, int], tuple[str, float | None, float | None]] = {}
    # exact
    by_hash: dict[str, list[int]] = {}
    for note in sh:
        by_hash.setdefault(corpus.features[note].content_hash, []).append(note)
    for group in by_hash.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pairs[(a, b)] = ("exact", 1.0, None)
    content = set(sh)
    # near: LSH candidates, exact Jaccard
    rows = PERMUTATIONS // BANDS
    candidates: set[tuple[int, int]] = set()
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = {}
        for note in content:
            key = sh[note].signature[band * rows : (band + 1) * rows].tobytes()
            buckets.setdefault(key, []).append(note)
        for members in buckets.values():
            members = sorted(members)[:MAX_BUCKET]
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    candidates.add((a, b))
    for a, b in sorted(candidates):
        if (a, b) in pairs:
            continue
        ha, hb = sh[a].hashes, sh[b].hashes
        inter = len(np.intersect1d(ha, hb, assume_unique=True))
        jaccard = inter / (len(ha) + len(hb) - inter) if len(ha) + len(hb) else 0.0
        if jaccard >= near_threshold:
            pairs[(a, b)] = ("near", jaccard, None)
    # semantic: whole-note vectors, blocked all-pairs
    kept = [
        note
        for note in sorted(content)
        if note in corpus.sem_slot and not all(corpus.boilerplate[note])
    ]
    if len(kept) > 1:
        ids = np.asarray(kept, dtype=np.int64)
        matrix = corpus.centroids[[corpus.sem_slot[note] for note in kept]]
        for start in range(0, len(kept), _BLOCK):
            block = matrix[start : start + _BLOCK] @ matrix.T
            rows_i, cols_j = np.nonzero(block >= semantic_threshold)
            for r, c in zip(rows_i.tolist(), cols_j.tolist(), strict=True):
                i = start + r
                if c <= i:
                    continue
                pair = (int(ids[i]), int(ids[c]))
                similarity = float(block[r, c])
                known = pairs.get(pair)
                if known is not None:
                    pairs[pair] = (known[0], known[1], similarity)
                else:
                    pairs[pair] = ("semantic", None, similarity)
    out = []
    for (a, b), (kind, jac, cos) in pairs.items():
        original, duplicate, why = original_of(corpus, corpus.paths[a], corpus.paths[b])
        out.append(DuplicatePair(kind, original, duplicate, why, jac, cos))
    rank = {"exact": 0, "near": 1, "semantic": 2}
    out.sort(key=lambda p: (rank[p.kind], -(p.jaccard or 0.0), -(p.cosine or 0.0), p.original))
    return out
