"""Related notes, mentions, link suggestions and duplicates over a live vault, as JSON-ready dicts.

:class:`RelatedService` ties the pure pieces to a running server: the vault snapshot (for
records and the link graph), the hybrid :class:`~server.search.search_service.SearchService` (for
chunks and chunk vectors — nothing is embedded twice) and a ``text_of`` reader (for mention spans
and shingles). It rebuilds its :class:`~server.related.related_corpus.Corpus` lazily when the
snapshot revision changes (or, at most every ``REBUILD_S`` seconds, the set of embedded notes),
reusing each unchanged note's features (cached by content hash), and caches shingles the same way.
Thread-safe; every method blocks (run it in a worker thread from async code). Read-only: it never
writes a note."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from query.index import VaultIndex
from server.errors import NotFoundError
from server.related.duplicates import Shingles, find_duplicates, shingles
from server.related.mentions import NameTable, mentions_in, mentions_of
from server.related.related import related, total_scores
from server.related.related_corpus import Corpus, NoteFeatures, note_features
from server.related.related_vectors import note_vectors, vectors_version
from server.related.suggest import suggest_links
from server.search.chunker import chunk_note
from server.search.options import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MIN_WORDS,
    DEFAULT_NEAR,
    DEFAULT_SEMANTIC,
)
from server.search.search_service import SearchService

__all__ = ["NoteNotFound", "RelatedService", "SnapshotLike", "build_corpus"]

REBUILD_S = 30.0  # the longest new vectors wait before related notes see them


def embedded(corpus: Corpus) -> dict[str, Any]:
    """How many of the notes that have text to embed are embedded (``done``/``total``)."""
    total = sum(1 for features in corpus.features if features.chunks)
    done = int(corpus.has_vectors.sum())
    return {"done": done, "total": total, "complete": done >= total}


class SnapshotLike(Protocol):
    @property
    def revision(self) -> int: ...

    @property
    def index(self) -> VaultIndex: ...


class NoteNotFound(NotFoundError):
    """The path names no note of the current snapshot."""


def build_corpus(
    index: VaultIndex,
    search: SearchService | None,
    text_of: Callable[[str], str | None],
    cache: dict[str, NoteFeatures] | None = None,
    *,
    revision: int = 0,
    boilerplate_min_notes: int | None = None,
) -> Corpus:
    """A corpus for ``index``; ``cache`` (path → features) is reused and updated in place."""
    cache = cache if cache is not None else {}
    features: dict[str, NoteFeatures] = {}
    for record in index:
        old = cache.get(record.path)
        if old is not None and old.content_hash == record.content_hash and old.vectors is not None:
            features[record.path] = old
            continue
        chunks, vectors = note_vectors(search, record.path) if search is not None else ([], None)
        if old is not None and old.content_hash == record.content_hash and vectors is None:
            features[record.path] = old  # still waiting for vectors: nothing new to derive
            continue
        if not chunks:
            text = text_of(record.path)
            chunks = chunk_note(record.path, text, record.sections) if text is not None else []
        features[record.path] = note_features(record.path, record.content_hash, chunks, vectors)
    cache.clear()
    cache.update(features)
    return Corpus(index, features, revision=revision, boilerplate_min_notes=boilerplate_min_notes)


class RelatedService:
    def __init__(
        self,
        snapshot: Callable[[], SnapshotLike],
        search: SearchService | None,
        text_of: Callable[[str], str | None],
    ) -> None:
        self._snapshot = snapshot
        self.search = search
        self.text_of = text_of
        self._lock = threading.Lock()
        self._features: dict[str, NoteFeatures] = {}
        self._shingles: dict[str, tuple[str, Shingles]] = {}
        self._corpus: Corpus | None = None
        self._key: tuple[int, tuple[int, int, int]] | None = None
        self._names: tuple[int, NameTable] | None = None
        self._built_at = 0.0

    def corpus(self) -> Corpus:
        snap = self._snapshot()
        key = (snap.revision, vectors_version(self.search))
        with self._lock:
            current = self._corpus
            if current is not None and self._key is not None and self._key != key:
                # While the background embedder works, vectors change every second or so; at 10k
                # notes a rebuild costs ~3 s, so take new vectors at most every REBUILD_S.
                only_vectors = self._key[0] == key[0]
                if only_vectors and time.monotonic() - self._built_at < REBUILD_S:
                    return current
            if current is None or self._key != key:
                self._corpus = build_corpus(
                    snap.index, self.search, self.text_of, self._features, revision=snap.revision
                )
                self._key = key
                self._built_at = time.monotonic()
            assert self._corpus is not None
            return self._corpus

    def _note(self, corpus: Corpus, path: str) -> None:
        if path not in corpus.ids:
            raise NoteNotFound(f"no note at {path!r}")

    def related(
        self,
        path: str,
        *,
        k: int = 10,
        min_score: float = DEFAULT_MIN_SCORE,
        exclude_linked: bool = True,
    ) -> dict[str, Any]:
        corpus = self.corpus()
        self._note(corpus, path)
        found = related(corpus, path, k=k, min_score=min_score, exclude_linked=exclude_linked)
        return {
            "path": path,
            "k": k,
            "min_score": min_score,
            "exclude_linked": exclude_linked,
            "revision": corpus.revision,
            "semantic_notes": int(corpus.has_vectors.sum()),
            "notes": corpus.n,
            # While the vault is embedding: how much is, and whether this note's answer used
            # its meaning or (not embedded yet) only its links, tags and shared rare terms.
            "embedded": embedded(corpus),
            "note_embedded": bool(corpus.has_vectors[corpus.ids[path]]),
            "results": [note.to_dict() for note in found],
        }

    def mentions(self, path: str) -> dict[str, Any]:
        corpus = self.corpus()
        self._note(corpus, path)
        index = corpus.index
        incoming = mentions_of(index, path, self.text_of)
        text = self.text_of(path) or ""
        outgoing = mentions_in(index, path, text, self._name_table(corpus))
        return {
            "path": path,
            "revision": corpus.revision,
            "mentions": [m.to_dict() for m in incoming],
            "mentions_in_note": [m.to_dict() for m in outgoing],
        }

    def _name_table(self, corpus: Corpus) -> NameTable:
        with self._lock:
            if self._names is None or self._names[0] != corpus.revision:
                self._names = (corpus.revision, NameTable(corpus.index))
            return self._names[1]

    def suggest_links(self, path: str, *, k: int = 20) -> dict[str, Any]:
        corpus = self.corpus()
        self._note(corpus, path)
        index = corpus.index
        text = self.text_of(path) or ""
        found = mentions_in(index, path, text, self._name_table(corpus))
        scores = total_scores(corpus, path)
        neighbours = related(corpus, path, k=k, exclude_linked=True)
        linked = set(index.linked_from(path))
        suggestions = suggest_links(found, neighbours, scores, linked=linked, k=k)
        return {
            "path": path,
            "revision": corpus.revision,
            "suggestions": [s.to_dict() for s in suggestions],
        }

    def _shingles_of(self, corpus: Corpus) -> Callable[[str], Shingles | None]:
        def get(path: str) -> Shingles | None:
            record = corpus.index.get(path)
            if record is None:
                return None
            cached = self._shingles.get(path)
            if cached is not None and cached[0] == record.content_hash:
                return cached[1]
            text = self.text_of(path)
            if text is None:
                return None
            made = shingles(text)
            self._shingles[path] = (record.content_hash, made)
            return made

        return get

    def duplicates(
        self,
        *,
        near_threshold: float = DEFAULT_NEAR,
        semantic_threshold: float = DEFAULT_SEMANTIC,
        min_words: int = DEFAULT_MIN_WORDS,
    ) -> dict[str, Any]:
        corpus = self.corpus()
        pairs = find_duplicates(
            corpus,
            self._shingles_of(corpus),
            near_threshold=near_threshold,
            semantic_threshold=semantic_threshold,
            min_words=min_words,
        )
        live = set(corpus.paths)
        for path in [p for p in self._shingles if p not in live]:
            del self._shingles[path]
        return {
            "revision": corpus.revision,
            "near_threshold": near_threshold,
            "semantic_threshold": semantic_threshold,
            "min_words": min_words,
            "semantic_notes": int(corpus.has_vectors.sum()),
            "embedded": embedded(corpus),
            "pairs": [pair.to_dict() for pair in pairs],
        }
