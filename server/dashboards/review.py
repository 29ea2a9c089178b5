"""The weekly review: one list of decisions, each with the note path and the reason.

Built from the PARA and Zettelkasten dashboards (so it can never disagree with them): stale
projects, done projects not yet archived, overdue tasks, fleeting notes waiting to be processed,
and orphans created within the review window (``review_days``, 7 by default). Pure.
"""

from __future__ import annotations

from typing import Any

from query.index import VaultIndex
from query.values import Date
from server.dashboards.classify import created_at
from server.dashboards.conventions import DashboardConfig
from server.dashboards.para import para_dashboard
from server.dashboards.projects import days_between, iso
from server.dashboards.zettel import zettel_dashboard

__all__ = ["DECISIONS", "review_dashboard"]

# The order decisions are listed in: the ones that unblock work first.
DECISIONS: tuple[str, ...] = (
    "stale_project",
    "done_not_archived",
    "overdue_task",
    "fleeting",
    "new_orphan",
)


def _days(value: float) -> str:
    return f"{value:.0f} day" + ("" if round(value) == 1 else "s")


def review_dashboard(index: VaultIndex, config: DashboardConfig, now: Date) -> dict[str, Any]:
    limits = config.thresholds
    para = para_dashboard(index, config, now)
    zettel = zettel_dashboard(index, config, now)
    items: list[dict[str, Any]] = []
    for project in para["projects"]:
        path = project["note"] or project["id"]
        if project["stale"]:
            items.append(
                {
                    "kind": "stale_project",
                    "path": path,
                    "project": project["id"],
                    "reason": f"{project['status']} project with no activity for "
                    f"{_days(project['days_inactive'])} (threshold {_days(limits.stale_days)}): "
                    "still active? what is the next action?",
                }
            )
        if project["done_not_archived"]:
            items.append(
                {
                    "kind": "done_not_archived",
                    "path": path,
                    "project": project["id"],
                    "reason": "project is done but not in Archives: move it there",
                }
            )
        for task in project["overdue"]:
            items.append(
                {
                    "kind": "overdue_task",
                    "path": task["path"],
                    "project": project["id"],
                    "line": task["line"],
                    "reason": f"task due {task['due'][:10]} is overdue: {task['text']}",
                }
            )
    for note in zettel["fleeting"]:
        items.append(
            {
                "kind": "fleeting",
                "path": note["path"],
                "reason": f"{note['kind']} note waiting {note['age_hours']:.0f} hours "
                f"(threshold {limits.fleeting_hours:.0f}): process it into permanent notes",
            }
        )
    for orphan in zettel["orphans"]:
        record = index.get(orphan["path"])
        if record is None:
            continue
        age = days_between(created_at(record), now)
        if age <= limits.review_days:
            items.append(
                {
                    "kind": "new_orphan",
                    "path": orphan["path"],
                    "reason": f"new note ({_days(age)} old) with no links in or out: connect it",
                }
            )
    order = {kind: rank for rank, kind in enumerate(DECISIONS)}
    items.sort(key=lambda item: (order[item["kind"]], item["path"], item.get("line", -1)))
    counts = {kind: 0 for kind in DECISIONS}
    for item in items:
        counts[item["kind"]] += 1
    return {
        "now": iso(now),
        "thresholds": {
            "stale_days": limits.stale_days,
            "fleeting_hours": limits.fleeting_hours,
            "review_days": limits.review_days,
        },
        "counts": counts,
        "items": items,
    }
