"""The read-only structures related notes and duplicates are computed from, built per snapshot.

A :class:`Corpus` is built from a vault snapshot (:class:`~query.index.VaultIndex`) and each note's
chunks and chunk vectors (from the search service). It holds, with notes numbered in path order:

* **boilerplate**: a chunk is boilerplate when most of its countable lines (normalised by
  :func:`~server.related.related_text.line_key`) recur in at least ``boilerplate_min_notes`` notes
  (exact copies counted once) — template sections, standard footers, repeated callouts.
  Boilerplate chunks take no part in the semantic signal, the shared terms, or the whole-note
  vectors of semantic duplicates.
* **semantic**: one matrix of the non-boilerplate chunk vectors, rows grouped by note, with the
  offsets ``numpy.maximum.reduceat`` needs to reduce chunk scores to note scores in one call.
* **sparse signals** as postings: term → notes, tag → notes, and the link graph, each with
  weights (inverse document frequency for terms and tags; hubs count less in the graph) and each
  note's norm, so a cosine against every note is one ``bincount``.

What depends on one note only (its chunks' line keys and terms, its vectors) is kept in
:class:`NoteFeatures`, which callers cache by content hash between snapshots; the cross-note parts
are rebuilt in well under a second at 10k notes. Immutable after construction.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from query.index import VaultIndex
from server.related.related_text import line_key, terms
from server.search.chunker import Chunk

__all__ = ["Corpus", "NoteFeatures", "Postings", "note_features"]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

BOILERPLATE_SHARE = 0.7  # a chunk is boilerplate when this share of its countable text recurs
MAX_TERM_SHARE = 0.1  # terms in more than this share of notes are not "rare"


@dataclass(frozen=True, slots=True)
class NoteFeatures:
    """What is derived from one note alone (cache it by ``content_hash``)."""

    path: str
    content_hash: str
    chunks: tuple[Chunk, ...]
    vectors: F32 | None  # one row per embedded chunk (chunk order), None until embedded
    line_keys: tuple[tuple[tuple[str, int], ...], ...]  # per chunk: (key, letters) pairs
    chunk_terms: tuple[frozenset[str], ...]
    all_terms: frozenset[str]


def note_features(
    path: str, content_hash: str, chunks: Iterable[Chunk], vectors: F32 | None
) -> NoteFeatures:
    chunk_list = tuple(chunks)
    keys: list[tuple[tuple[str, int], ...]] = []
    words: list[frozenset[str]] = []
    for chunk in chunk_list:
        body = chunk.text[chunk.overlap :]
        found = []
        for line in body.split("\n"):
            key = line_key(line)
            if key is not None:
                found.append((key, len(key)))
        keys.append(tuple(found))
        words.append(frozenset(terms(body)))
    every = frozenset().union(*words) if words else frozenset()
    return NoteFeatures(path, content_hash, chunk_list, vectors, tuple(keys), tuple(words), every)


class Postings:
    """A sparse signal: item → notes carrying it, a weight per item, a norm per note.

    Postings are one sorted array (``_sorted_notes``) sliced by ``_bounds``: building it is a few
    numpy calls even for a million (note, item) pairs.
    """

    def __init__(self, note_items: list[list[int]], weights: F32, n_notes: int) -> None:
        self.note_items = note_items
        self.weights = weights
        self.n_notes = n_notes
        counts = [len(items) for items in note_items]
        flat = np.fromiter(itertools.chain.from_iterable(note_items), np.int64, sum(counts))
        owner = np.repeat(np.arange(len(note_items), dtype=np.int64), counts)
        order = np.argsort(flat, kind="stable")
        self._sorted_notes: I64 = owner[order]
        self._bounds: I64 = np.searchsorted(flat[order], np.arange(len(weights) + 1))
        sq = weights.astype(np.float64) ** 2
        self.norms = np.sqrt(np.bincount(owner, weights=sq[flat], minlength=n_notes))

    def notes_of(self, item: int) -> I64:
        return self._sorted_notes[self._bounds[item] : self._bounds[item + 1]]

    def cosine(
        self, items: Iterable[int], exclude_item: Callable[[int], bool] | None = None
    ) -> npt.NDArray[np.float64]:
        """Weighted cosine between a set of ``items`` and every note's items."""
        chosen = [i for i in items if exclude_item is None or not exclude_item(i)]
        out = np.zeros(self.n_notes, dtype=np.float64)
        if not chosen:
            return out
        sq = self.weights.astype(np.float64)[chosen] ** 2
        norm = math.sqrt(float(sq.sum()))
        lists = [self.notes_of(i) for i in chosen]
        sizes = [len(x) for x in lists]
        if not sum(sizes):
            return out
        ids = np.concatenate(lists)
        weights = np.repeat(sq, sizes)
        numer = np.bincount(ids, weights=weights, minlength=self.n_notes)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(self.norms > 0, numer / (norm * self.norms), 0.0)
        return out


class Corpus:
    """Cross-note structures over one snapshot (see the module docstring)."""

    def __init__(
        self,
        index: VaultIndex,
        features: dict[str, NoteFeatures],
        *,
        boilerplate_min_notes: int | None = None,
        revision: int = 0,
    ) -> None:
        self.index = index
        self.revision = revision
        self.paths: list[str] = [p for p in index.paths if p in features]
        self.ids: dict[str, int] = {p: i for i, p in enumerate(self.paths)}
        self.features = [features[p] for p in self.paths]
        n = len(self.paths)
        self.n = n
        self.boilerplate_min_notes = (
            boilerplate_min_notes
            if boilerplate_min_notes is not None
            else max(3, math.ceil(0.01 * n))
        )
        self.boilerplate: list[list[bool]] = self._find_boilerplate()
        self._build_semantic()
        self._build_terms()
        self._build_graph()
        self._build_tags()

    # -- boilerplate ---------------------------------------------------------------------------

    def _find_boilerplate(self) -> list[list[bool]]:
        df: dict[str, int] = {}
        seen: set[str] = set()
        for feat in self.features:
            if feat.content_hash in seen:
                continue  # exact copies are one text: they must not make each other boilerplate
            seen.add(feat.content_hash)
            for key in {k for chunk in feat.line_keys for k, _ in chunk}:
                df[key] = df.get(key, 0) + 1
        limit = self.boilerplate_min_notes
        out: list[list[bool]] = []
        for feat in self.features:
            flags = []
            for chunk_keys in feat.line_keys:
                total = sum(size for _, size in chunk_keys)
                common = sum(size for key, size in chunk_keys if df[key] >= limit)
                flags.append(total == 0 or common >= BOILERPLATE_SHARE * total)
            out.append(flags)
        return out

    def content_chunks(self, note: int) -> list[int]:
        """Ordinals of the note's chunks that are not boilerplate."""
        return [i for i, flag in enumerate(self.boilerplate[note]) if not flag]

    # -- semantic ------------------------------------------------------------------------------

    def _build_semantic(self) -> None:
        blocks: list[F32] = []
        row_chunk: list[I64] = []
        row_note: list[int] = []
        self.note_rows: list[tuple[int, int]] = []
        self.has_vectors = np.zeros(self.n, dtype=bool)
        starts: list[int] = []
        total = 0
        dim = 0
        for note, feat in enumerate(self.features):
            vectors = feat.vectors
            if vectors is None:
                self.note_rows.append((total, total))
                continue
            self.has_vectors[note] = True
            dim = int(vectors.shape[1])
            keep = [i for i in self.content_chunks(note) if i < len(vectors)]
            if keep:
                blocks.append(vectors[keep])
                row_chunk.append(np.asarray(keep, dtype=np.int64))
                row_note.append(note)
                starts.append(total)
            self.note_rows.append((total, total + len(keep)))
            total += len(keep)
        self.dim = dim
        self.row_bounds: I64 = np.asarray(self.note_rows, dtype=np.int64).reshape(-1, 2)
        self.matrix: F32 = (
            np.ascontiguousarray(np.concatenate(blocks)) if blocks else np.zeros((0, 1), np.float32)
        )
        self.row_chunk: I64 = np.concatenate(row_chunk) if row_chunk else np.zeros(0, np.int64)
        self.sem_notes: I64 = np.asarray(row_note, dtype=np.int64)  # notes with rows, in order
        self.sem_starts: I64 = np.asarray(starts, dtype=np.int64)
        self.sem_slot = {int(note): slot for slot, note in enumerate(self.sem_notes.tolist())}
        if len(starts):
            sums = np.add.reduceat(self.matrix, self.sem_starts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self.centroids: F32 = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
        else:
            self.centroids = np.zeros((0, max(dim, 1)), dtype=np.float32)

    def note_vector(self, note: int) -> F32 | None:
        """The normalised mean of the note's content chunk vectors (None without any)."""
        slot = self.sem_slot.get(note)
        return None if slot is None else self.centroids[slot]

    # -- sparse signals ------------------------------------------------------------------------

    def _build_terms(self) -> None:
        vocab: dict[str, int] = {}
        note_terms: list[list[int]] = []
        for note, feat in enumerate(self.features):
            flags = self.boilerplate[note]
            if not any(flags):
                words: frozenset[str] | set[str] = feat.all_terms
            else:
                words = set().union(*(feat.chunk_terms[i] for i in self.content_chunks(note)))
            note_terms.append([vocab.setdefault(w, len(vocab)) for w in words])
        df = np.zeros(len(vocab), dtype=np.int64)
        for items in note_terms:
            df[items] += 1
        self.term_names = list(vocab)
        self.term_df = df
        # Only terms two notes can share and few notes carry count: idf, zero otherwise.
        limit = max(2, int(MAX_TERM_SHARE * self.n))
        usable = (df >= 2) & (df <= limit)
        idf = np.where(usable, np.log((self.n + 1) / np.maximum(df, 1)), 0.0).astype(np.float32)
        filtered = [[t for t in items if usable[t]] for items in note_terms]
        self.terms = Postings(filtered, idf, self.n)

    def _build_graph(self) -> None:
        ids = self.ids
        out_ids = [
            sorted(ids[t] for t in self.index.linked_from(p) if t in ids and t != p)
            for p in self.paths
        ]
        in_ids = [
            sorted(ids[s] for s in self.index.linking_to(p) if s in ids and s != p)
            for p in self.paths
        ]
        self.out_ids = out_ids
        self.in_ids = in_ids
        # A target linked from many notes (an index page) says little about any one of them.
        target_w = np.asarray([1.0 / math.log2(2 + len(x)) for x in in_ids], dtype=np.float32)
        source_w = np.asarray([1.0 / math.log2(2 + len(x)) for x in out_ids], dtype=np.float32)
        # shared outgoing links: items are targets; a target's postings are the notes linking it
        self.links = Postings(out_ids, target_w, self.n)
        # co-citation: items are citing notes; a citer's postings are the notes it links to
        self.cocitation = Postings(in_ids, source_w, self.n)

    def _build_tags(self) -> None:
        vocab: dict[str, int] = {}
        note_tags: list[list[int]] = []
        for path in self.paths:
            record = self.index.get(path)
            tags = {t.lower() for t in record.tags} if record is not None else set()
            note_tags.append([vocab.setdefault(t, len(vocab)) for t in sorted(tags)])
        df = np.zeros(len(vocab), dtype=np.int64)
        for items in note_tags:
            df[items] += 1
        idf = np.log((self.n + 1) / np.maximum(df, 1)).astype(np.float32)
        self.tag_names = list(vocab)
        self.tags = Postings(note_tags, idf, self.n)

    def linked(self, note: int) -> set[int]:
        """Notes linked from or to ``note``."""
        return set(self.out_ids[note]) | set(self.in_ids[note])
