"""CLI command over the query engine: ``vaultql query``.

A thin shell: parse arguments, call the library, print. Exit codes: 0 success, 1 conformance
failures, 2 a query error (positioned message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def add_commands(subparsers: Any) -> None:
    query = subparsers.add_parser("query", help="run a Dataview (DQL) query over a vault")
    query.add_argument("vault", type=Path)
    query.add_argument("dql", help="the query text, e.g. 'LIST FROM #book'")
    query.add_argument("--origin", help="the note holding the query (what `this` refers to)")
    query.add_argument(
        "--format", choices=["table", "json", "csv", "md"], default="table", dest="fmt"
    )
    query.set_defaults(handler=run_query)


def local_env() -> Any:
    """The query environment for this machine: now, the system's local zone, default settings."""
    from query.semantics import Env
    from query.temporal.dates import date_from_epoch_ms
    from server.vault.local_zone import local_zone

    zone = local_zone()
    return Env(now=date_from_epoch_ms(time.time() * 1000, zone), local=zone)


def run_query(args: argparse.Namespace) -> int:
    from query.engine import Limits, execute
    from query.errors import QueryError
    from query.index import VaultIndex
    from query.results import to_csv, to_json, to_markdown, to_text_table
    from server.vault.catalog import Catalog

    env = local_env()
    catalog = Catalog.scan(args.vault, local=env.local)
    index = VaultIndex(catalog.records())
    try:
        result = execute(
            args.dql, index, origin=args.origin, env=env, limits=Limits(clock=time.perf_counter)
        )
    except QueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.fmt == "json":
        print(json.dumps(to_json(result, env), ensure_ascii=False, indent=2))
    elif args.fmt == "csv":
        sys.stdout.write(to_csv(result, env))
    elif args.fmt == "md":
        sys.stdout.write(to_markdown(result, env))
    else:
        sys.stdout.write(to_text_table(result, env))
    return 0
