"""The keyword index: Whoosh BM25 over one combined field per note. The only Whoosh importer.

One document per note. Everything searchable — title, aliases, headings, body — goes into the one
``content`` field: measured on SciFact, one combined field beat separate BM25F fields by 2 nDCG
points. ``path``, ``heading``-free display data (tags, folder) and the note's content hash are
stored for filters, display and for skipping unchanged notes after a restart.

The analyzer is a stemming analyzer (Snowball English) with an explicit tokenizer pattern:
whoosh-reloaded 2.7.5's default pattern treats ``*`` as a letter, so ``**bold**``, ``*italic*``
and ``footnote*`` would index as themselves and never match ``bold``, ``italic``, ``footnote``.

Queries are built from analysed terms, not parsed with Whoosh's query language (a claim such as
``"IL-6: a role?"`` must not become a field query or a wildcard); ``"quoted words"`` become phrases.
Terms combine with OR (ranking decides); AND would be faster but drops most relevant documents
for sentence-long queries. Access is serialised by a lock; commits are batched by the caller.
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
        path=ID(stored=True, unique=True),
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


class KeywordIndex:
    """Whoosh in a directory (persistent) or in memory (``directory=None``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._lock = threading.RLock()
        if directory is None:
            self._ix: Any = RamStorage().create_index(_schema(), indexname=_INDEX_NAME)
        else:
            directory.mkdir(parents=True, exist_ok=True)
            if whoosh_index.exists_in(str(directory), indexname=_INDEX_NAME):
                self._ix = whoosh_index.open_dir(str(directory), indexname=_INDEX_NAME)
            else:
                self._ix = whoosh_index.create_in(str(directory), _schema(), indexname=_INDEX_NAME)
        self._searcher: Any = self._ix.searcher()
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
        """Add or replace ``docs`` and delete ``remove`` in one commit; how many changed."""
        with self._lock:
            writer = self._ix.writer(limitmb=32)
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
            if changed:
                writer.commit()
                # Searcher.refresh() fails on an index that was empty (whoosh-reloaded 2.7.5).
                self._searcher.close()
                self._searcher = self._ix.searcher()
                self._docnums = None
            else:
                writer.cancel()
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
        self, text: str, limit: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """The best ``limit`` notes for ``text`` as (path, BM25 score), best first."""
        query = _build_query(text)
        if query is None or limit <= 0:
            return []
        with self._lock:
            filter_set = self._allowed_docnums(allowed) if allowed is not None else None
            if filter_set is not None and not filter_set:
                return []
            results = self._searcher.search(query, limit=limit, filter=filter_set)
            return [(hit["path"], float(hit.score)) for hit in results]

    def close(self) -> None:
        with self._lock:
            self._searcher.close()


def _build_query(text: str) -> Any:
    clauses: list[Any] = []
    for phrase in _PHRASE.findall(text):
        words = [stem for stem, _, _ in analyze(phrase)]
        if len(words) > 1:
            clauses.append(wq.Phrase("content", words))
    rest = _PHRASE.sub(" ", text) if clauses else text
    clauses.extend(wq.Term("content", term) for term in query_terms(rest))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)
