"""``vaultql search VAULT TEXT [--mode] [--k] [--json]``: hybrid search from the command line.

A thin shell over :class:`server.search.search_service.SearchService`: scan the vault, index it,
embed what the embedding cache does not already hold (progress on stderr: done/total, chunks/s,
ETA), search, print. The keyword index and the embedding cache live in ``--index-dir`` (default: the
user cache directory, never inside the vault), so the second search of a vault embeds nothing. Exit
codes: 0 results printed (possibly none), 2 bad arguments."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from server.search.options import MODES


def add_commands(subparsers: Any) -> None:
    search = subparsers.add_parser("search", help="hybrid keyword + semantic search over a vault")
    search.add_argument("vault", type=Path, help="the vault's folder")
    search.add_argument("text", help="what to search for")
    search.add_argument("--mode", choices=MODES, default="hybrid")
    search.add_argument("--k", type=int, default=10, help="how many notes (default 10)")
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="where the keyword index and embedding cache live (default: user cache dir)",
    )
    search.set_defaults(handler=run_search)


def default_index_dir(vault: Path) -> Path:
    import platformdirs

    key = hashlib.blake2b(str(vault.resolve()).encode(), digest_size=8).hexdigest()
    return Path(platformdirs.user_cache_dir("vaultql")) / "search" / key


def _progress_line(snapshot: dict[str, Any]) -> str:
    eta = snapshot.get("eta_s")
    eta_text = f"ETA {eta:.0f}s" if isinstance(eta, (int, float)) else "ETA ?"
    return (
        f"\rembedding {snapshot['done']}/{snapshot['total']} chunks, "
        f"{snapshot['chunks_per_s']:.0f} chunks/s, {eta_text}  "
    )


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


def run_search(args: argparse.Namespace) -> int:
    from server.search.embedder import MiniLMEmbedder
    from server.search.search_service import SearchService, vault_text_reader
    from server.vault.catalog import Catalog

    if args.k < 1:
        print("error: --k must be at least 1", file=sys.stderr)
        return 2
    if not args.vault.is_dir():
        print(f"error: {args.vault} is not a folder", file=sys.stderr)
        return 2
    index_dir = args.index_dir or default_index_dir(args.vault)
    catalog = Catalog.scan(args.vault, index_dir=index_dir)
    needs_model = args.mode != "keyword"
    service = SearchService(MiniLMEmbedder() if needs_model else None, index_dir=index_dir)
    try:
        service.index_records(catalog.records(), vault_text_reader(args.vault), full=True)
        if needs_model:
            tty = sys.stderr.isatty()
            while service.embed_pending_batch():
                if tty:
                    sys.stderr.write(_progress_line(service.progress()))
                    sys.stderr.flush()
            if tty:
                sys.stderr.write("\n")
        hits = service.search(args.text, args.mode, args.k)
    finally:
        service.close()
    if args.json:
        print(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return 0
    tty = sys.stdout.isatty()
    for rank, hit in enumerate(hits, 1):
        where = f" › {' › '.join(hit.heading_path)}" if hit.heading_path else ""
        print(f"{rank:>2}. {hit.path}{where}  ({hit.score:.3f})")
        if hit.snippet:
            print(f"    {_highlighted(hit.snippet, hit.highlights, tty)}")
    if not hits:
        print("no results", file=sys.stderr)
    return 0
