"""The ``vaultql`` command line: a thin shell over the library.

Subcommands registered here: ``index VAULT [--json]`` (scan, with a progress bar on a terminal,
then a summary) and ``note VAULT PATH --json`` (one note's full record). Every ``server.cli_*``
module adds its own (``query``, ``conformance``, ``serve``, ``search``, …) through an
``add_commands(subparsers)`` function. Exit codes: 0 success, 1 a requested note does not
exist, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO


def command_modules() -> list[str]:
    """Every module of ``server.cli`` but this one: each adds subcommands via ``add_commands``."""
    import server.cli

    return sorted(
        f"server.cli.{info.name}"
        for info in pkgutil.iter_modules(server.cli.__path__)
        if info.name not in ("main", "__main__")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultql", description="A local index and query server for Obsidian vaults."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    index = subparsers.add_parser("index", help="scan a vault and print a summary")
    index.add_argument("vault", type=Path, help="the vault's folder")
    index.add_argument("--json", action="store_true", help="print the summary as JSON")
    index.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="gitignore-style pattern to leave out (repeatable)",
    )
    index.set_defaults(handler=run_index)

    note = subparsers.add_parser("note", help="print one note's record")
    note.add_argument("vault", type=Path, help="the vault's folder")
    note.add_argument("path", help="the note's vault-relative path, e.g. Projects/Plan.md")
    note.add_argument("--json", action="store_true", help="print as JSON (the only format)")
    note.set_defaults(handler=run_note)

    for module_name in command_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # an optional part (or its dependencies) is not installed
            continue
        add_commands = getattr(module, "add_commands", None)
        if add_commands is not None:
            add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


class ProgressBar:
    """``[#####.....] done/total  pct  ETA`` on one terminal line (stderr), redrawn in place."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        filled = int(self.width * fraction)
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (total - done) if done else 0.0
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {fraction * 100:5.1f}%  ETA {eta:5.1f}s ")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def run_index(args: argparse.Namespace) -> int:
    from server.vault.catalog import Catalog

    if not args.vault.is_dir():
        print(f"error: not a folder: {args.vault}", file=sys.stderr)
        return 2
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
    catalog = Catalog.scan(args.vault, progress=bar, exclude=args.exclude)
    if bar is not None:
        bar.finish()
    summary = catalog.summary()
    if args.json:
        out = summary.to_dict()
        out["seconds"] = round(catalog.elapsed, 3)
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(format_summary(summary.to_dict(), catalog.elapsed))
    return 0


def format_summary(data: dict[str, Any], elapsed: float) -> str:
    links = data["links"]
    lines = [
        f"notes          {data['notes']}",
        f"sections       {data['sections']}",
        f"links          {links['resolved']} resolved, {links['unresolved']} unresolved",
        f"tags           {data['tags']} distinct",
        f"tasks          {data['tasks']} (of {data['list_items']} list items)",
        f"inline fields  {data['inline_fields']}",
        f"excluded       {data['excluded']}",
        f"problems       {data['files_with_problems']} files",
    ]
    for problem in data["problems"]:
        lines.append(f"  {problem['path']}: {problem['kind']}: {problem['message']}")
    rate = data["notes"] / elapsed if elapsed > 0 else 0.0
    lines.append(f"indexed in {elapsed:.2f} s ({rate:.0f} notes/s)")
    return "\n".join(lines)


def run_note(args: argparse.Namespace) -> int:
    from server.vault.catalog import Catalog
    from server.vault.paths import UnsafePathError, normalize_vault_path
    from server.vault.record_json import record_to_json

    try:
        path = normalize_vault_path(args.path)
    except UnsafePathError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    catalog = Catalog.scan(args.vault)
    record = catalog.get(path) or catalog.get(path + ".md")
    if record is None:
        print(f"error: no note {path!r} in {args.vault}", file=sys.stderr)
        return 1
    print(json.dumps(record_to_json(record), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
