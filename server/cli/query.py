"""``vaultql query VAULT 'DQL' [--origin NOTE] [--format table|json|csv|md]`` and
``vaultql eval VAULT 'EXPR' [--origin NOTE] [--json]``.

``VaultApp.query``, as ``POST /api/v1/query`` runs it (the same limits): ``--format json`` prints
what the route answers; the text formats print the rendered text. ``VaultApp.eval``, as ``POST
/api/v1/eval`` runs it: an inline query's text (``--json``: the route's answer). A query error
exits 2 with the positioned message on stderr.
"""

from __future__ import annotations

import argparse
from typing import Any

from server.cli.main import add_app_arguments, run_app

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    query = subparsers.add_parser("query", help="run a Dataview (DQL) query over a vault")
    add_app_arguments(query)
    query.add_argument("dql", help="the query text, e.g. 'LIST FROM #book'")
    query.add_argument("--origin", help="the note holding the query (what `this` refers to)")
    query.add_argument(
        "--format", choices=["table", "json", "csv", "md"], default="table", dest="fmt"
    )
    query.set_defaults(handler=run_query)

    inline = subparsers.add_parser(
        "eval", help="evaluate one expression as a Dataview inline query (`= expr`)"
    )
    add_app_arguments(inline)
    inline.add_argument("expression", help="the expression, e.g. 'this.file.name'")
    inline.add_argument("--origin", help="the note holding it (what `this` refers to)")
    inline.add_argument("--json", action="store_true", help="print the route's JSON answer")
    inline.set_defaults(handler=run_eval)


def run_query(args: argparse.Namespace) -> int:
    text = None if args.fmt == "json" else _text
    return run_app(
        args, lambda app: app.query(args.dql, origin=args.origin, fmt=args.fmt), text, search=False
    )


def run_eval(args: argparse.Namespace) -> int:
    return run_app(
        args,
        lambda app: app.eval(args.expression, origin=args.origin),
        lambda data: str(data["text"]),
        search=False,
    )


def _text(data: dict[str, Any]) -> str:
    rendered: str = data["text"]
    return rendered.removesuffix("\n")
