"""The keyword index: Whoosh BM25 over a note's text, its title and its folder path. The only
Whoosh importer.

One document per note. ``content`` holds everything searchable — title, aliases, headings, body —
and every query term is also matched in the ``title`` (file name and aliases) and ``folders``
fields, each with a weight (:data:`FIELD_WEIGHTS`, chosen on the judged train queries:
bench/judged, README "Search"; separate heading and tag fields never helped there, so they are
not kept). On SciFact one combined field beat separate
BM25F fields by 2 nDCG points, so the extra fields only add to ``content``'s score. ``path``, the
tags, the folder and the note's content hash are stored for filters, display and for skipping
unchanged notes after a restart.

The analyzer is written for notes (:data:`TOKEN_PATTERN`, :class:`IdentifierFilter`):
identifiers stay whole *and* are found by their parts (``tasks-group-count`` is one token and
``tasks``, ``group``, ``count``; ``object.method``, ``camelCase``, ``snake_case`` likewise), emoji
and other symbols are tokens (the Tasks plugin's 📅 ⏳ ✅), accents are folded, Han/kana/Hangul
characters are unigrams, and prose is stemmed with Porter2. ``**bold**`` and ``*italic*`` index as
their words. A query's identifier matches whole with full weight and by its parts with
:data:`PART_WEIGHT`, so the one page holding ``X3DH`` outranks pages full of "x" and "3".

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
terms), so AND only drops notes that miss a term; whether AND sufficed is reported
(:meth:`KeywordIndex.match`) so fusion can trust keyword evidence less when it did not. The
searcher is guarded by one lock and the writer by another. One searcher is kept open between
queries and reopened after each commit.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index  # type: ignore[import-untyped]
from whoosh import query as wq
from whoosh.analysis import (  # type: ignore[import-untyped]
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema  # type: ignore[import-untyped]
from whoosh.filedb.filestore import FileStorage, RamStorage  # type: ignore[import-untyped]
from whoosh.lang import porter2  # type: ignore[import-untyped]
from whoosh.support.charset import accent_map  # type: ignore[import-untyped]

__all__ = ["TOKEN_PATTERN", "KeywordDoc", "KeywordIndex"]

# Han, kana and Hangul: one token per character (no spaces to split on; a word is found as its
# characters in a row). Symbols and emoji — the Tasks plugin's 📅 ⏳ 🛫 ✅ ➕ 🔁 and friends — are
# tokens of their own. Anything else: words joined by single "-" or "." (``tasks-group-count``,
# ``object.method``, ``2024-01-05``), "_" and case changes being split later.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_SYMBOLS = "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
TOKEN_PATTERN = rf"[{_CJK}]|[{_SYMBOLS}]|[^\W{_CJK}]+(?:[-.][^\W{_CJK}]+)*"
_SEPARATORS = re.compile(r"[-_.]+")


def identifier_parts(text: str) -> list[str]:
    """The parts of an identifier: between "-", "_" and ".", where lower case turns upper
    (``camelCase``), before the last capital of a run followed by lower case (``HTTPServer``)
    and between letters and digits; any script's letters."""
    out: list[str] = []
    for piece in _SEPARATORS.split(text):
        start = 0
        for i in range(1, len(piece)):
            a, b = piece[i - 1], piece[i]
            if (
                (a.islower() and b.isupper())
                or (a.isdigit() != b.isdigit())
                or (a.isupper() and b.isupper() and i + 1 < len(piece) and piece[i + 1].islower())
            ):
                out.append(piece[start:i])
                start = i
        if piece[start:]:
            out.append(piece[start:])
    return out


def _piece_ending(text: str, piece: str, offset: int) -> int | None:
    """``offset`` when ``piece`` ends there in ``text`` (the last part of the piece was just
    emitted), else None."""
    return offset if text.endswith(piece, 0, offset) else None


class IdentifierFilter(Filter):  # type: ignore[misc]
    """An identifier (``tasks-group-count``, ``object.method``, ``camelCase``, ``ERR_77Q``)
    becomes its parts, in order, and then itself whole at the last part's position: the one
    page holding the exact identifier outranks pages holding its words, and each part is still
    found (``group`` finds ``tasks-group-count``). Plain words pass through."""

    def __call__(self, tokens: Any) -> Any:
        shift = 0
        for token in tokens:
            text = token.text
            plain = text.isalpha() and (text.islower() or text[1:].islower())  # most words
            parts = () if plain else identifier_parts(text)
            if len(parts) <= 1:
                if token.positions:
                    token.pos += shift
                yield token
                continue
            pos = token.pos + shift if token.positions else 0
            start = token.startchar if token.chars else 0
            # The pieces between separators that are identifiers themselves (``bios32`` in
            # ``bios32.c``, ``apiV1`` in ``plugins.apiV1``) are found whole too.
            pieces = [
                p for p in _SEPARATORS.split(text) if p != text and len(identifier_parts(p)) > 1
            ]
            offset = 0
            for index, part in enumerate(parts):
                found = text.find(part, offset)
                offset = found + len(part)
                token.text = part
                if token.positions:
                    token.pos = pos + index
                if token.chars:
                    token.startchar, token.endchar = start + found, start + offset
                yield token
                if pieces and (end := _piece_ending(text, pieces[0], offset)) is not None:
                    token.text = pieces.pop(0)
                    if token.chars:
                        token.startchar = start + end - len(token.text)
                    yield token
            token.text = text
            if token.chars:
                token.startchar, token.endchar = start, start + len(text)
            if token.positions:
                token.pos = pos + len(parts) - 1
            yield token
            shift += len(parts) - 1


# Accents are folded for matching; Porter2 (Snowball English) stems prose: whoosh's Porter stems
# "running" to "runn".
_ANALYZER: Any = (
    RegexTokenizer(re.compile(TOKEN_PATTERN))
    | IdentifierFilter()
    | LowercaseFilter()
    | StopFilter(minsize=1)  # English stop words; single characters stay (emoji, CJK)
    | CharsetFilter(accent_map)
    | StemFilter(stemfn=porter2.stem)
)
# How much a term found in each field counts on top of the combined field (``content``, which
# holds the title, aliases and headings too), and how much an identifier's parts found apart count
# beside the identifier found whole. Chosen on the judged train queries (bench/judged,
# bench/bench_vault_search.py, README "Search") by a rule fixed in that order: every identifier at
# rank 1, then the margin by which identifiers lead (a smaller part weight: mean log score ratio
# 4.30 at 0.15, 3.97 at 0.3, 3.74 at 0.6), then hybrid MRR@10 (all within 0.003 here), then
# keyword MRR@10 (title 0: 0.798, 0.25: 0.819, 0.5: 0.812). Headings and tags never helped; the
# folder path did.
FIELD_WEIGHTS: dict[str, float] = {"title": 0.25, "folders": 0.5}
PART_WEIGHT = 0.15
# Bounds on one query's work (a pasted paragraph of identifiers made Whoosh run for minutes):
# the first MAX_QUERY_TERMS distinct terms count, identifiers are matched by their parts for the
# first MAX_SPLIT_IDENTIFIERS of them, and AND is tried first only up to MAX_AND_CLAUSES clauses
# (longer queries nearly always fall back to OR anyway).
MAX_QUERY_TERMS = 32
MAX_SPLIT_IDENTIFIERS = 8
MAX_AND_CLAUSES = 8
_PHRASE = re.compile(r'"([^"]+)"')
_INDEX_NAME = "notes"


@dataclass(frozen=True, slots=True)
class KeywordDoc:
    path: str
    content_hash: str
    text: str  # the combined field: title, aliases, headings and body
    tags: tuple[str, ...] = ()
    title: str = ""  # the file name and the aliases


def _schema() -> Any:
    return Schema(
        # sortable: a column, so a hit's path is read in µs instead of unpickling its stored
        # fields (100 hits: 6 ms → 0.1 ms at 10k notes).
        path=ID(stored=True, unique=True, sortable=True),
        folder=ID(stored=True),
        tags=KEYWORD(stored=True, lowercase=True, commas=True),
        content_hash=STORED(),
        content=TEXT(analyzer=_ANALYZER, phrase=True),
        title=TEXT(analyzer=_ANALYZER, phrase=True),
        folders=TEXT(analyzer=_ANALYZER, phrase=False),
    )


def analyze(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of every indexed token in ``text`` — for highlighting."""
    return [(t.text, t.startchar, t.endchar) for t in _ANALYZER(text, chars=True)]


def query_terms(text: str) -> list[str]:
    """The distinct stems a query searches for, in order."""
    return list(dict.fromkeys(stem for stem, _, _ in analyze(text)))


def query_groups(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The query's terms as ``(term, parts)``: an identifier with its parts (``("tasks-group-
    count", ("task", "group", "count"))``), any other word with none; distinct, in order."""
    groups: list[tuple[str, tuple[str, ...], int, int]] = []
    for stem, start, end in analyze(text):
        parts = [
            g for g in groups if start <= g[2] and g[3] <= end and (g[2], g[3]) != (start, end)
        ]
        if parts:
            groups = [g for g in groups if g not in parts]
        groups.append((stem, tuple(dict.fromkeys(g[0] for g in parts)), start, end))
    seen: dict[str, tuple[str, ...]] = {}
    for stem, within, _, _ in groups:
        seen.setdefault(stem, within)
    return list(seen.items())


class _PrivateRamStorage(RamStorage):  # type: ignore[misc]
    """RamStorage whose commit scratch space is a folder of its own.

    Whoosh puts it in ``/tmp/<index>.tmp`` and deletes the whole folder after each commit, so two
    processes committing in-memory indexes at once broke each other's commits (FileNotFoundError
    on a ``.ctmp`` file, seen with a test run beside the benchmark). Random names instead leaked a
    folder per commit (the per-segment column writer's scratch folder is never destroyed; it only
    went because it shared the writer's name). So: Whoosh's names, under a private root that is
    removed when the storage goes.
    """

    def __init__(self) -> None:
        super().__init__()
        self.scratch = tempfile.mkdtemp(prefix="vaultql-whoosh-")
        self._remove_scratch = weakref.finalize(self, shutil.rmtree, self.scratch, True)

    def temp_storage(self, name: str | None = None) -> Any:
        folder = os.path.join(self.scratch, name or "scratch.tmp")
        return FileStorage(folder).create()

    def close(self) -> None:
        super().close()
        self._remove_scratch()


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
                if (
                    sorted(ix.schema.names()) != sorted(_schema().names())
                    or ix.schema["path"].column_type is None
                ):
                    # built with other fields or before the path column: start afresh
                    ix.close()
                    ix = None  # every note is indexed again, once
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
                        title=doc.title,
                        folders=folder.replace("/", " "),
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
        return self.match(text, limit, allowed, enough)[0]

    def match(
        self, text: str, limit: int, allowed: set[str] | None = None, enough: int = 0
    ) -> tuple[list[tuple[str, float]], float]:
        """:meth:`search`, and how much of the query the best note holds: the IDF-weighted
        share of the query's terms found in its text (1.0: every term; a paraphrase's best
        keyword note usually holds only its common words, ~0.25; 0.0 when nothing matched)."""
        clauses = _clauses(text)
        if not clauses or limit <= 0:
            return [], 0.0
        with self._lock:
            filter_set = self._allowed_docnums(allowed) if allowed is not None else None
            if filter_set is not None and not filter_set:
                return [], 0.0
            found: list[tuple[str, float, int]] = []
            if 1 < len(clauses) <= MAX_AND_CLAUSES and enough > 0:
                found = self._run(wq.And(clauses), limit, filter_set)
                if len(found) < min(enough, limit):
                    found = []
            if not found:
                query = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
                found = self._run(query, limit, filter_set)
            if not found:
                return [], 0.0
            coverage = self._coverage(query_terms(text)[: MAX_QUERY_TERMS * 4], found[0][2])
            return [(path, score) for path, score, _ in found], coverage

    def _coverage(self, terms: list[str], docnum: int) -> float:
        """The IDF-weighted share of ``terms`` that occur in document ``docnum``'s text."""
        reader = self._searcher.reader()
        total = held = 0.0
        notes = reader.doc_count_all()
        for term in terms:
            frequency = reader.doc_frequency("content", term)
            idf = math.log(1.0 + notes / (frequency + 1.0))
            total += idf
            if frequency:
                postings = reader.postings("content", term)
                postings.skip_to(docnum)
                if postings.is_active() and postings.id() == docnum:
                    held += idf
        return held / total if total else 1.0

    def _run(
        self, query: Any, limit: int, filter_set: set[int] | None
    ) -> list[tuple[str, float, int]]:
        """(path, score, docnum) of the best ``limit`` documents."""
        results = self._searcher.search(query, limit=limit, filter=filter_set)
        paths = self._paths
        if paths is None:
            return [(hit["path"], float(hit.score), hit.docnum) for hit in results]
        return [(paths[docnum], float(score), docnum) for score, docnum in results.top_n]

    def close(self) -> None:
        with self._lock:
            self._searcher.close()


def _clauses(text: str, weights: dict[str, float] | None = None) -> list[Any]:
    """One Whoosh clause per quoted phrase and per distinct term outside the quotes; each
    matches the body, and the title and folders with their weights."""
    weights = FIELD_WEIGHTS if weights is None else weights
    clauses: list[Any] = []
    single: list[str] = []  # quoted single words: plain terms
    for phrase in _PHRASE.findall(text)[:MAX_QUERY_TERMS]:
        words = [stem for stem, _, _ in analyze(phrase)][:MAX_QUERY_TERMS]
        if len(words) > 1:
            parts = [wq.Phrase("content", words)]
            if weights.get("title"):
                parts.append(wq.Phrase("title", words, boost=weights["title"]))
            clauses.append(wq.Or(parts))
        else:
            single.append(phrase)
    rest = " ".join([_PHRASE.sub(" ", text), *single]) if _PHRASE.search(text) else text

    def in_fields(term: str, scale: float = 1.0) -> Any:
        # Boosts go on the terms: Whoosh ignores a boost on an Or of one query.
        fields = [wq.Term("content", term, boost=scale)]
        for field, weight in weights.items():
            if weight:
                fields.append(wq.Term(field, term, boost=weight * scale))
        return wq.Or(fields)

    split = 0
    for term, pieces in query_groups(rest)[: max(MAX_QUERY_TERMS - len(clauses), 0)]:
        if not pieces or split >= MAX_SPLIT_IDENTIFIERS:
            clauses.append(in_fields(term))
            continue
        split += 1
        # An identifier: written whole it counts fully; each of its parts counts a little, so
        # the page holding ``X3DH`` outranks pages full of "x" (and the parts still find it).
        apart = [in_fields(piece, PART_WEIGHT) for piece in pieces]
        clauses.append(wq.Or([in_fields(term), *apart]))
    return clauses
