"""``vaultql related|mentions|suggest-links|duplicates``: related notes, unlinked mentions, link
suggestions and duplicates.

``VaultApp.related`` and friends, as their routes run them, over the vault's one index folder:
what the embedding cache lacks is embedded first (progress on stderr); ``mentions`` needs no
model; ``--no-model`` leaves the semantic signal out of the others. Read-only: no note is
written. Exit codes: 0 answered, 1 the note does not exist, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from server.cli.main import add_app_arguments, run_app
from server.search.options import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MIN_WORDS,
    DEFAULT_NEAR,
    DEFAULT_SEMANTIC,
)

__all__ = ["add_commands"]


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")


def add_commands(subparsers: Any) -> None:
    rel = subparsers.add_parser("related", help="notes related to a note, with reasons")
    add_app_arguments(rel, model=True)
    _json(rel)
    rel.add_argument("note", help="the note's vault-relative path")
    rel.add_argument("--k", type=int, default=10, help="how many notes (default 10)")
    rel.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE)
    rel.add_argument(
        "--include-linked", action="store_true", help="keep notes already linked (flagged)"
    )
    rel.set_defaults(handler=run_related)

    men = subparsers.add_parser("mentions", help="unlinked mentions of a note, and in it")
    add_app_arguments(men)
    _json(men)
    men.add_argument("note", help="the note's vault-relative path")
    men.set_defaults(handler=run_mentions)

    sug = subparsers.add_parser("suggest-links", help="links to add to a note, with reasons")
    add_app_arguments(sug, model=True)
    _json(sug)
    sug.add_argument("note", help="the note's vault-relative path")
    sug.add_argument("--k", type=int, default=20, help="how many suggestions (default 20)")
    sug.set_defaults(handler=run_suggest)

    dup = subparsers.add_parser("duplicates", help="exact, near and semantic duplicate notes")
    add_app_arguments(dup, model=True)
    _json(dup)
    dup.add_argument("--near", type=float, default=DEFAULT_NEAR, help="Jaccard threshold")
    dup.add_argument("--semantic", type=float, default=DEFAULT_SEMANTIC, help="cosine threshold")
    dup.add_argument("--min-words", type=int, default=DEFAULT_MIN_WORDS)
    dup.set_defaults(handler=run_duplicates)


def run_related(args: argparse.Namespace) -> int:
    def call(app: Any) -> dict[str, Any]:
        return app.related(  # type: ignore[no-any-return]
            args.note, k=args.k, min_score=args.min_score, exclude_linked=not args.include_linked
        )

    return run_app(args, call, _related_text)


def _related_text(body: dict[str, Any]) -> str:
    lines = []
    for rank, note in enumerate(body["results"], 1):
        flag = f"  [linked {note['linked']}]" if note["linked"] else ""
        lines.append(f"{rank:>2}. {note['path']}  ({note['score']:.3f}){flag}")
        why = ", ".join(f"{r['kind']} {r['score']:.3f}" for r in note["reasons"])
        lines.append(f"    why: {why}")
        passage = note["passage"]
        if passage and passage["snippet"]:
            where = " › ".join(passage["heading_path"])
            lines.append(f"    {where + ': ' if where else ''}{passage['snippet']}")
    if not body["results"]:
        print("no related notes", file=sys.stderr)
    return "\n".join(lines)


def run_mentions(args: argparse.Namespace) -> int:
    return run_app(args, lambda app: app.mentions(args.note), _mentions_text)


def _mentions_text(body: dict[str, Any]) -> str:
    lines = [f"{len(body['mentions'])} unlinked mentions:"]
    for m in body["mentions"]:
        lines.append(f"  {m['path']}:{m['line'] + 1}:{m['column'] + 1}  {m['context'].strip()}")
    lines.append(f"{len(body['mentions_in_note'])} mentions of other notes inside it:")
    for m in body["mentions_in_note"]:
        lines.append(f"  line {m['line'] + 1}:{m['column'] + 1}  {m['text']!r} → {m['target']}")
    return "\n".join(lines)


def run_suggest(args: argparse.Namespace) -> int:
    return run_app(args, lambda app: app.suggest_links(args.note, k=args.k), _suggest_text)


def _suggest_text(body: dict[str, Any]) -> str:
    lines = []
    for rank, item in enumerate(body.get("suggestions", []), 1):
        kinds = ", ".join(str(r.get("kind")) for r in item.get("reasons", []))
        lines.append(f"{rank:>2}. [[{item.get('target')}]]  ({kinds})")
    if not lines:
        print("no suggestions", file=sys.stderr)
    return "\n".join(lines)


def run_duplicates(args: argparse.Namespace) -> int:
    def call(app: Any) -> dict[str, Any]:
        return app.duplicates(  # type: ignore[no-any-return]
            near=args.near, semantic=args.semantic, min_words=args.min_words
        )

    return run_app(args, call, _duplicates_text)


def _duplicates_text(body: dict[str, Any]) -> str:
    lines = []
    for pair in body["pairs"]:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in pair["scores"].items() if v is not None)
        lines.append(
            f"{pair['kind']:>8}  {pair['original']}  ⇐  {pair['duplicate']}  ({scores}; "
            f"original: {pair['original_because']})"
        )
    if not body["pairs"]:
        print("no duplicates", file=sys.stderr)
    return "\n".join(lines)
