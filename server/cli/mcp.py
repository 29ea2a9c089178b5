"""``vaultql mcp VAULT``: the vault as an MCP server over stdio, for AI assistants.

A thin shell over ``server.mcp.stdio``: the application served as ``vaultql serve`` serves it
(the warm catalog and embedding caches of the vault's index folder, the watcher, search and
related notes in the background), speaking MCP on stdin/stdout to the client that launched it.
Logs go to stderr only; stdout carries nothing but protocol messages.

Exit codes: 0 when the client closes the connection; 2 for a vault that is not a folder or a
missing ``mcp`` package.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_commands(subparsers: Any) -> None:
    mcp = subparsers.add_parser(
        "mcp", help="serve a vault to AI assistants over MCP (stdio; /mcp on `serve` for HTTP)"
    )
    mcp.add_argument("vault", type=Path, help="the vault's folder")
    mcp.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="the catalog cache, keyword index and embedding cache (default: user cache dir)",
    )
    mcp.add_argument(
        "--no-search",
        action="store_true",
        help="no search or related notes (no embedding model is loaded)",
    )
    mcp.add_argument("--no-watch", action="store_true", help="do not follow file changes")
    mcp.set_defaults(handler=run_mcp)


def run_mcp(args: argparse.Namespace) -> int:
    if not args.vault.is_dir():
        print(f"error: {args.vault} is not a folder", file=sys.stderr)
        return 2
    try:
        from server.mcp.stdio import serve_stdio
    except ImportError:
        print(
            "error: the MCP server needs the `mcp` package: pip install 'vaultql[mcp]'",
            file=sys.stderr,
        )
        return 2
    from server.application.vault_app import AppOptions, VaultApp

    options = AppOptions(index_dir=args.index_dir, search=not args.no_search)
    serve_stdio(VaultApp(args.vault, options), watch=not args.no_watch)
    return 0
