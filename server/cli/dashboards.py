"""``vaultql dashboard VAULT``: the PARA, Zettelkasten or weekly-review dashboard in a terminal.

``VaultApp.dashboard``, as ``GET /api/v1/dashboards/{kind}`` runs it: ``--now`` fixes the date
the rollups are computed at (the route's ``now``); ``--set name=value`` overrides a threshold (the
route's parameter of that name); ``--json`` prints what the route answers. Exit codes: 0
success, 2 a bad option or config.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from server.cli.main import add_app_arguments, run_app

__all__ = ["add_commands", "format_text", "run_dashboard"]


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dashboard", help="show the PARA, Zettelkasten or weekly-review dashboard of a vault"
    )
    add_app_arguments(parser)
    parser.add_argument(
        "--kind",
        choices=["para", "zettelkasten", "review"],
        default="review",
        help="which dashboard (default: review)",
    )
    parser.add_argument("--json", action="store_true", help="print the dashboard as JSON")
    parser.add_argument("--now", help="compute as of this ISO date or date-time (default: now)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a threshold, e.g. --set stale_days=30 (repeatable)",
    )
    parser.set_defaults(handler=run_dashboard)


def run_dashboard(args: argparse.Namespace) -> int:
    try:
        params = dict(_pair(item) for item in args.set)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.now is not None:
        params["now"] = args.now
    return run_app(
        args,
        lambda app: app.dashboard(args.kind, params),
        lambda data: format_text(args.kind, data),
    )


def _pair(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep:
        raise ValueError(f"--set needs NAME=VALUE, not {item!r}")
    return name.strip(), value.strip()


def format_text(kind: str, data: dict[str, Any]) -> str:
    """A plain-text rendering for the terminal (the JSON holds everything)."""
    lines = [f"{kind} dashboard as of {data['now']}"]
    if kind == "review":
        for item in data["items"]:
            lines.append(f"- [{item['kind']}] {item['path']}: {item['reason']}")
        if not data["items"]:
            lines.append("nothing to decide")
    elif kind == "para":
        lines.append(", ".join(f"{b} {n}" for b, n in data["counts"].items()))
        for p in data["projects"]:
            flags = [
                f for f, on in (("stale", p["stale"]), ("archive me", p["done_not_archived"])) if on
            ]
            action = p["next_action"]["text"] if p["next_action"] else "-"
            lines.append(
                f"- {p['name']} [{p['status']}] {p['tasks_open']}/{p['tasks_total']} open, "
                f"{p['overdue_count']} overdue, next: {action}"
                + (f" ({', '.join(flags)})" if flags else "")
            )
        for a in data["areas"]:
            lines.append(
                f"- area {a['area']}: {a['notes']} notes, "
                f"{a['untouched_share']:.0%} untouched for a year"
            )
        res = data["resources"]
        lines.append(f"resources: {res['total']} notes, {res['unreviewed']} unreviewed")
        lines.append(f"archives: {data['archives']['total']} notes")
    else:
        too_long = data["too_long"] or []
        lines.append(
            f"fleeting waiting {len(data['fleeting'])}, orphans {len(data['orphans'])}, "
            f"no outgoing links {len(data['no_outgoing'])}, too long {len(too_long)}, "
            f"clusters without map {len(data['clusters_without_map'])}, "
            f"literature unlinked {len(data['literature_unlinked'])}"
        )
        for note in data["fleeting"]:
            lines.append(f"- fleeting {note['path']} ({note['age_hours']:.0f} h)")
        for note in too_long:
            lines.append(f"- too long {note['path']} ({note['words']} words)")
    return "\n".join(lines)
