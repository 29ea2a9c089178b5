"""``vaultql index VAULT`` (scan, then a summary) and ``vaultql note VAULT PATH`` (one note).

``index`` loads the vault's application — warm from the catalog cache when it holds one, so only
changed files are parsed — with a progress bar on a terminal, and prints what the scan found:
notes, sections, links, tags, tasks, inline fields and every file with a problem. ``note`` prints
what ``GET /api/v1/notes/{path}`` answers.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from server.cli.main import add_app_arguments, run_app

__all__ = ["add_commands", "format_summary"]


def add_commands(subparsers: Any) -> None:
    index = subparsers.add_parser("index", help="scan a vault and print a summary")
    add_app_arguments(index)
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
    add_app_arguments(note)
    note.add_argument("path", help="the note's vault-relative path, e.g. Projects/Plan.md")
    note.add_argument("--json", action="store_true", help="print as JSON (the only format)")
    note.set_defaults(handler=run_note)


def run_index(args: argparse.Namespace) -> int:
    started = time.perf_counter()

    def summary(app: Any) -> dict[str, Any]:
        out: dict[str, Any] = app.summary()
        out["seconds"] = round(time.perf_counter() - started, 3)
        return out

    return run_app(
        args,
        summary,
        lambda data: format_summary(data, data["seconds"]),
        show_progress=not args.json,
        exclude=tuple(args.exclude),
    )


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
    return run_app(args, lambda app: app.note(args.path))
