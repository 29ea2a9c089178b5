"""``vaultql search VAULT TEXT [--mode hybrid|keyword|semantic] [--k N] [--json]``.

``VaultApp.search``, as ``GET /api/v1/search`` runs it, over the vault's one index folder (the
keyword index and the embedding cache ``vaultql serve`` keeps too, so a vault the server has
embedded is not embedded again): whatever the embedding cache lacks is embedded first, with
progress on stderr (done/total, chunks/s, ETA). Exit codes: 0 results printed (possibly none),
2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from server.cli.main import add_app_arguments, run_app
from server.search.options import MODES

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    search = subparsers.add_parser("search", help="hybrid keyword + semantic search over a vault")
    add_app_arguments(search)
    search.add_argument("text", help="what to search for")
    search.add_argument("--mode", choices=MODES, default="hybrid")
    search.add_argument("--k", type=int, default=10, help="how many notes (default 10)")
    search.add_argument("--from", dest="source", help='a DQL source: #tag and "folder"')
    search.add_argument("--json", action="store_true", help="print the answer as JSON")
    search.set_defaults(handler=run_search)


def run_search(args: argparse.Namespace) -> int:
    return run_app(
        args,
        lambda app: app.search(args.text, mode=args.mode, k=args.k, source=args.source),
        _text,
    )


def _text(data: dict[str, Any]) -> str:
    tty = sys.stdout.isatty()
    lines = []
    for rank, hit in enumerate(data["results"], 1):
        where = f" › {' › '.join(hit['heading_path'])}" if hit["heading_path"] else ""
        lines.append(f"{rank:>2}. {hit['path']}{where}  ({hit['score']:.3f})")
        if hit["snippet"]:
            lines.append(f"    {_highlighted(hit['snippet'], hit['highlights'], tty)}")
    if not data["results"]:
        print("no results", file=sys.stderr)
    return "\n".join(lines)


def _highlighted(text: str, highlights: list[list[int]], tty: bool) -> str:
    if not highlights:
        return text
    start_mark, end_mark = ("\x1b[1m", "\x1b[0m") if tty else ("[", "]")
    out, last = [], 0
    for start, end in highlights:
        out.extend([text[last:start], start_mark, text[start:end], end_mark])
        last = end
    out.append(text[last:])
    return "".join(out)
