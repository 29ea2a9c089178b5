"""The keyword index: Whoosh BM25 over one combined field per note. The only Whoosh importer.

One document per note. Everything searchable — title, aliases, headings, body — goes into the one
``content`` field: measured on SciFact, one combined field beat separate BM25F fields by 2 nDCG
points. ``path``, ``heading``-free display data (tags, folder) and the note's content hash are
stored for filters, display and for skipping unchanged notes after a restart.

The analyzer is a stemming analyzer (Snowball English) with an explicit tokenizer pattern:
whoosh-reloaded 2.7.5's default pattern treats ``*`` as a letter, so ``**bold**``, ``*italic*``
and ``footnote*`` would index as themselves and never match ``bold``, ``italic``, ``footnote``.

Segments are written as separate files, not Whoosh's default compound file: a compound segment is
read through an mmap whose sub-files Whoosh copies into memory, and at 10k notes that held
150 MB more RSS, after a build and after a restart alike, for 0.5–0.9 ms faster queries. A bulk
build is one writer and one commit, so it leaves one segment — searching five segments cost 1.5 ms
more per query than one, and merging them afterwards (``optimize``) took 42 s.

Queries are built from analysed terms, not parsed with Whoosh's query language (a claim such as
``"IL-6: a role?"`` must not become a field query or a wildcard); ``"quoted words"`` become phrases.
Interactive searches try AND first (2–4× faster than OR in Whoosh, PERFORMANCE.md rule 6) and
fall back to OR when AND finds fewer than ``enough`` notes — sentence-long queries nearly always
do, so they keep OR's recall. A note holding every term scores the same either way (BM25 sums the
terms), so AND only drops notes that miss a term. The searcher is guarded by one lock and the
writer by another. One searcher is kept open between queries and reopened after each commit.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index  # type: ignore[import-untyped]
from whoosh import query as wq
from whoosh.analysis import StemmingAnalyzer  # type: ignore[import-untyped]
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema  # type: ignore[import-untyped]
from whoosh.filedb.filestore import RamStorage  # type: ignore[import-untyped]
from whoosh.lang import porter2  # type: ignore[import-untyped]

__all__ = ["TOKEN_PATTERN", "KeywordDoc", "KeywordIndex"]

TOKEN_PATTERN = r"\w+(\.?\w+)*"
# Porter2 (Snowball English): whoosh's Porter stems "running" to "runn", missing "run".
_ANALYZER: Any = StemmingAnalyzer(expression=re.compile(TOKEN_PATTERN), stemfn=porter2.stem)
_PHRASE = re.compile(r'"([^"]+)"')
_INDEX_NAME = "notes"


@dataclass(frozen=True, slots=True)
class KeywordDoc:
    path: str
    content_hash: str
    text: str  # the combined field
    tags: tuple[str, ...] = ()


def _schema() -> Any:
    return Schema(
        # sortable: a column, so a hit's path is read in µs instead of unpickling its stored
        # fields (100 hits: 6 ms → 0.1 ms at 10k notes).
        path=ID(stored=True, unique=True, sortable=True),
        folder=ID(stored=True),
        tags=KEYWORD(stored=True, lowercase=True, commas=True),
        content_hash=STORED(),
        content=TEXT(analyzer=_ANALYZER, phrase=True),
    )


def analyze(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of every indexed token in ``text`` — for highlighting."""
    return [(t.text, t.startchar, t.endchar) for t in _ANALYZER(text, chars=True)]


def query_terms(text: str) -> list[str]:
    """The distinct stems a query searches for, in order."""
    return list(dict.fromkeys(stem for stem, _, _ in analyze(text)))


class _PrivateRamStorage(RamStorage):  # type: ignore[misc]
    """RamStorage whose commit scratch space is private to this process.

    Whoosh names it after the index (``/tmp/notes.tmp``) and deletes the whole directory after each
    commit, so two processes committing in-memory indexes at once broke each other's commits
    (FileNotFoundError on a ``.ctmp`` file, seen with a test run beside the benchmark).
    """

    def temp_storage(self, name: str | None = None) -> Any:
        return super().temp_storage(None)  # None: a random directory name


class KeywordIndex:
    """Whoosh in a directory (persistent) or in memory (``directory=None``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._lock = threading.RLock()  # the searcher
        self._write_lock = threading.Lock()  # one writer at a time (Whoosh's lock would raise)
        if directory is None:
            self._ix: Any = _PrivateRamStorage().create_index(_schema(), indexname=_INDEX_NAME)
        else:
            directory.mkdir(parents=True, exist_ok=True)
            ix = None
            if whoosh_index.exists_in(str(directory), indexname=_INDEX_NAME):
                ix = whoosh_index.open_dir(str(directory), indexname=_INDEX_NAME)
                if ix.schema["path"].column_type is None:  # built before the path column
                    ix.close()
                    ix = None  # start afresh: every note is indexed again, once
            if ix is None:
                ix = whoosh_index.create_in(str(directory), _schema(), indexname=_INDEX_NAME)
            self._ix = ix
        self._open_searcher()

    def _open_searcher(self) -> None:
        self._searcher: Any = self._ix.searcher()
        try:
            self._paths: Any = self._searcher.reader().column_reader("path")
        except NotImplementedError:  # an empty index has no columns (and no hits)
            self._paths = None
        self._docnums: dict[str, int] | None = None

    # -- writing ------------------------------------------------------------------------------

    def stored_hashes(self) -> dict[str, str]:
        """path → content hash of every indexed note (to skip unchanged notes after a restart)."""
        with self._lock:
            return {
                fields["path"]: fields.get("content_hash", "")
                for _, fields in self._searcher.reader().iter_docs()
            }

    def update(self, docs: Iterable[KeywordDoc], remove: Iterable[str] = ()) -> int:
        """Delete ``remove``, then add or replace ``docs``, in one commit; how many changed.

        ``docs`` may be a generator: a bulk build streams through one writer into one segment
        (Whoosh's pool spills to disk past ``limitmb``), so it is never held in memory at once,
        and searches keep being answered from the previous segments while it runs.
        """
        with self._write_lock:
            writer = self._ix.writer(limitmb=32, compound=False)
            changed = 0
            try:
                for path in remove:
                    writer.delete_by_term("path", path)
                    changed += 1
                for doc in docs:
                    folder = doc.path.rsplit("/", 1)[0] if "/" in doc.path else ""
                    writer.update_document(
                        path=doc.path,
                        folder=folder,
                        tags=",".join(doc.tags),
                        content_hash=doc.content_hash,
                        content=doc.text,
                    )
                    changed += 1
            except BaseException:
                writer.cancel()
                raise
            if not changed:
                writer.cancel()
                return 0
            writer.commit()
            with self._lock:
                # Searcher.refresh() fails on an index that was empty (whoosh-reloaded 2.7.5).
                self._searcher.close()
                self._open_searcher()
            return changed

    # -- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return int(self._searcher.doc_count())

    def _allowed_docnums(self, allowed: set[str]) -> set[int]:
        if self._docnums is None:
            self._docnums = {
                fields["path"]: docnum for docnum, fields in self._searcher.reader().iter_docs()
            }
        docnums = self._docnums
        return {docnums[path] for path in allowed if path in docnums}

    def search(
        self, text: str, limit: int, allowed: set[str] | None = None, enough: int = 0
    ) -> list[tuple[str, float]]:
        """The best ``limit`` notes for ``text`` as (path, BM25 score), best first.

        With ``enough`` > 0 the terms are first combined with AND, and with OR only when AND
        finds fewer than ``enough`` notes; with 0 (the default) they are combined with OR.
        """
        clauses = _clauses(text)
        if not clauses or limit <= 0:
            return []
        with self._lock:
            filter_set = self._allowed_docnums(allowed) if allowed is not None else None
            if filter_set is not None and not filter_set:
                return []
            if len(clauses) == 1:
                return self._run(clauses[0], limit, filter_set)
            if enough > 0:
                found = self._run(wq.And(clauses), limit, filter_set)
                if len(found) >= min(enough, limit):
                    return found
            return self._run(wq.Or(clauses), limit, filter_set)

    def _run(self, query: Any, limit: int, filter_set: set[int] | None) -> list[tuple[str, float]]:
        results = self._searcher.search(query, limit=limit, filter=filter_set)
        paths = self._paths
        if paths is None:
            return [(hit["path"], float(hit.score)) for hit in results]
        return [(paths[docnum], float(score)) for score, docnum in results.top_n]

    def close(self) -> None:
        with self._lock:
            self._searcher.close()


def _clauses(text: str) -> list[Any]:
    """One Whoosh clause per quoted phrase and per distinct stem outside the quotes."""
    clauses: list[Any] = []
    for phrase in _PHRASE.findall(text):
        words = [stem for stem, _, _ in analyze(phrase)]
        if len(words) > 1:
            clauses.append(wq.Phrase("content", words))
    rest = _PHRASE.sub(" ", text) if clauses else text
    clauses.extend(wq.Term("content", term) for term in query_terms(rest))
    return clauses
