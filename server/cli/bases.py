"""``vaultql base VAULT FILE.base [--view NAME] [--this NOTE] [--now ISO] [--format
json|csv|tsv|md|paths] [--limit N]``, ``vaultql base VAULT --block NOTE[:N]`` and ``vaultql bases
VAULT [--json]``.

``VaultApp.base`` and ``VaultApp.bases``, as ``POST /api/v1/bases/query`` and ``GET
/api/v1/bases`` run them. The format names and the default (``json``) are the Obsidian CLI's
``base:query``, so a script can swap ``obsidian base:query path=X format=csv`` for ``vaultql base
VAULT X --format csv``. ``json`` prints the route's answer; the text formats print the text.
Diagnostics (unknown functions, formula cycles, filter errors) go to stderr with their line and
column; a malformed base or an unknown view exits 2 with a positioned message.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from server.cli.main import add_app_arguments, run_app

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    base = subparsers.add_parser("base", help="evaluate a view of an Obsidian base (.base file)")
    add_app_arguments(base)
    base.add_argument("file", nargs="?", help="the .base file, vault-relative")
    base.add_argument(
        "--block", metavar="NOTE[:N]", help="the N-th ```base code block of NOTE (default 1)"
    )
    base.add_argument("--view", help="the view's name (default: the first view)")
    base.add_argument(
        "--this", dest="this", help="the file `this` is (default: the base, or the note)"
    )
    base.add_argument("--now", help="evaluate as if it were this ISO date or date-time")
    base.add_argument(
        "--format", choices=["json", "csv", "tsv", "md", "paths"], default="json", dest="fmt"
    )
    base.add_argument("--limit", type=int, help="at most N rows")
    base.set_defaults(handler=run_base)

    listing = subparsers.add_parser(
        "bases", help="list every .base file and ```base code block with its views"
    )
    add_app_arguments(listing)
    listing.add_argument("--json", action="store_true", help="print the route's JSON answer")
    listing.set_defaults(handler=run_bases)


def _block(text: str) -> tuple[str, int]:
    note, sep, number = text.rpartition(":")
    if sep and number.isdigit() and note:
        return note, int(number)
    return text, 1


def run_base(args: argparse.Namespace) -> int:
    if (args.file is None) == (args.block is None):
        print("error: give a .base file or --block NOTE[:N] (one of them)", file=sys.stderr)
        return 2
    block = _block(args.block) if args.block is not None else None

    def call(app: Any) -> dict[str, Any]:
        data: dict[str, Any] = app.base(
            args.file,
            block=block,
            view=args.view,
            this=args.this,
            now=args.now,
            fmt=args.fmt,
            limit=args.limit,
        )
        _print_diagnostics(data)
        return data

    text = None if args.fmt == "json" else _text
    return run_app(args, call, text, search=False)


def _print_diagnostics(data: dict[str, Any]) -> None:
    for item in data.get("diagnostics", ()):
        where = f"line {item['line']}, column {item['column']}: " if item.get("line") else ""
        label = f"{item['where']}: " if item.get("where") else ""
        print(f"{item['severity']}: {where}{label}{item['message']}", file=sys.stderr)


def _text(data: dict[str, Any]) -> str:
    rendered: str = data["text"]
    return rendered.removesuffix("\n")


def run_bases(args: argparse.Namespace) -> int:
    return run_app(args, lambda app: app.bases(), _listing, search=False)


def _listing(data: dict[str, Any]) -> str:
    lines = []
    for entry in data["bases"]:
        where = entry["path"] if entry["kind"] == "file" else f"{entry['path']}:{entry['index']}"
        views = ", ".join(v["name"] for v in entry.get("views", ()))
        error = entry.get("error")
        if error is not None:
            message = error["message"] if isinstance(error, dict) else error
            lines.append(f"{where}\t(error: {message})")
        else:
            lines.append(f"{where}\t{views}")
    return "\n".join(lines)
