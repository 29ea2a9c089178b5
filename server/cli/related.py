"""``vaultql related|mentions|duplicates``: related notes, unlinked mentions and duplicates.

A thin shell over :class:`server.related.related_service.RelatedService`: scan the vault, index it
for search, embed what the embedding cache (``--index-dir``, default the user cache directory,
never inside the vault) does not hold yet, then answer. ``mentions`` needs no model;
``--no-model`` leaves the semantic signal out of the other two. Read-only: no note is written.
Exit codes: 0 answered, 1 the note does not exist, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

from server.search.options import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MIN_WORDS,
    DEFAULT_NEAR,
    DEFAULT_SEMANTIC,
)

__all__ = ["add_commands"]


def _common(parser: argparse.ArgumentParser, *, model: bool = True) -> None:
    parser.add_argument("vault", type=Path, help="the vault's folder")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    if model:
        parser.add_argument(
            "--index-dir", type=Path, default=None, help="search index and embedding cache"
        )
        parser.add_argument(
            "--no-model", action="store_true", help="skip embeddings (no semantic signal)"
        )


def add_commands(subparsers: Any) -> None:
    rel = subparsers.add_parser("related", help="notes related to a note, with reasons")
    _common(rel)
    rel.add_argument("note", help="the note's vault-relative path")
    rel.add_argument("--k", type=int, default=10, help="how many notes (default 10)")
    rel.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE)
    rel.add_argument(
        "--include-linked", action="store_true", help="keep notes already linked (flagged)"
    )
    rel.set_defaults(handler=run_related)

    men = subparsers.add_parser("mentions", help="unlinked mentions of a note, and in it")
    _common(men, model=False)
    men.add_argument("note", help="the note's vault-relative path")
    men.set_defaults(handler=run_mentions)

    dup = subparsers.add_parser("duplicates", help="exact, near and semantic duplicate notes")
    _common(dup)
    dup.add_argument("--near", type=float, default=DEFAULT_NEAR, help="Jaccard threshold")
    dup.add_argument("--semantic", type=float, default=DEFAULT_SEMANTIC, help="cosine threshold")
    dup.add_argument("--min-words", type=int, default=DEFAULT_MIN_WORDS)
    dup.set_defaults(handler=run_duplicates)


def _service(args: argparse.Namespace, with_model: bool) -> Any:
    """(RelatedService, SearchService or None) over a fresh scan of the vault."""
    from types import SimpleNamespace

    from query.index import VaultIndex
    from server.related.related_service import RelatedService
    from server.search.search_service import vault_text_reader
    from server.vault.catalog import Catalog

    catalog = Catalog.scan(args.vault, local=UTC)
    index = VaultIndex(catalog.records(), catalog.resolver)
    text_of = vault_text_reader(args.vault)
    search = None
    if with_model:
        from server.cli.search import default_index_dir
        from server.search.embedder import MiniLMEmbedder
        from server.search.search_service import SearchService

        index_dir = args.index_dir or default_index_dir(args.vault)
        search = SearchService(MiniLMEmbedder(), index_dir=index_dir)
        search.index_records(catalog.records(), text_of, full=True)
        tty = sys.stderr.isatty()
        while search.embed_pending_batch():
            if tty:
                snap = search.progress()
                sys.stderr.write(f"\rembedding {snap['done']}/{snap['total']} chunks  ")
        if tty:
            sys.stderr.write("\n")
    snapshot = SimpleNamespace(revision=1, index=index)
    return RelatedService(lambda: snapshot, search, text_of), search


def _check(args: argparse.Namespace) -> int | None:
    if not args.vault.is_dir():
        print(f"error: {args.vault} is not a folder", file=sys.stderr)
        return 2
    return None


def _missing(service: Any, note: str) -> bool:
    if note in service.corpus().ids:
        return False
    print(f"error: no note at {note!r}", file=sys.stderr)
    return True


def run_related(args: argparse.Namespace) -> int:
    if (code := _check(args)) is not None:
        return code
    if args.k < 1:
        print("error: --k must be at least 1", file=sys.stderr)
        return 2
    service, search = _service(args, not args.no_model)
    try:
        if _missing(service, args.note):
            return 1
        body = service.related(
            args.note, k=args.k, min_score=args.min_score, exclude_linked=not args.include_linked
        )
    finally:
        if search is not None:
            search.close()
    if args.json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    for rank, note in enumerate(body["results"], 1):
        flag = f"  [linked {note['linked']}]" if note["linked"] else ""
        print(f"{rank:>2}. {note['path']}  ({note['score']:.3f}){flag}")
        why = ", ".join(f"{r['kind']} {r['score']:.3f}" for r in note["reasons"])
        print(f"    why: {why}")
        passage = note["passage"]
        if passage and passage["snippet"]:
            where = " › ".join(passage["heading_path"])
            print(f"    {where + ': ' if where else ''}{passage['snippet']}")
    if not body["results"]:
        print("no related notes", file=sys.stderr)
    return 0


def run_mentions(args: argparse.Namespace) -> int:
    if (code := _check(args)) is not None:
        return code
    service, _ = _service(args, False)
    if _missing(service, args.note):
        return 1
    body = service.mentions(args.note)
    if args.json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(body['mentions'])} unlinked mentions of {args.note}:")
    for m in body["mentions"]:
        print(f"  {m['path']}:{m['line'] + 1}:{m['column'] + 1}  {m['context'].strip()}")
    print(f"{len(body['mentions_in_note'])} mentions of other notes inside it:")
    for m in body["mentions_in_note"]:
        print(f"  line {m['line'] + 1}:{m['column'] + 1}  {m['text']!r} → {m['target']}")
    return 0


def run_duplicates(args: argparse.Namespace) -> int:
    if (code := _check(args)) is not None:
        return code
    if not (0 < args.near <= 1 and 0 < args.semantic <= 1):
        print("error: thresholds must be in (0, 1]", file=sys.stderr)
        return 2
    service, search = _service(args, not args.no_model)
    try:
        body = service.duplicates(
            near_threshold=args.near, semantic_threshold=args.semantic, min_words=args.min_words
        )
    finally:
        if search is not None:
            search.close()
    if args.json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    for pair in body["pairs"]:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in pair["scores"].items() if v is not None)
        print(
            f"{pair['kind']:>8}  {pair['original']}  ⇐  {pair['duplicate']}  ({scores}; "
            f"original: {pair['original_because']})"
        )
    if not body["pairs"]:
        print("no duplicates", file=sys.stderr)
    return 0
