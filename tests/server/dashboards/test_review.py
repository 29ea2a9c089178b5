"""The weekly review on the fixture vault: every decision with its path and reason."""

from __future__ import annotations

from server.dashboards.conventions import DashboardConfig
from server.dashboards.review import review_dashboard
from tests.server.dashboards.vault import NOW, NOW_ISO, fixture_index

INDEX = fixture_index()


def test_review_items_in_order() -> None:
    review = review_dashboard(INDEX, DashboardConfig(), NOW)
    assert review["now"] == NOW_ISO
    assert [(item["kind"], item["path"]) for item in review["items"]] == [
        ("stale_project", "1 Projects/Garden.md"),
        ("stale_project", "Work/Thesis.md"),
        ("done_not_archived", "1 Projects/Old launch/Old launch.md"),
        ("overdue_task", "1 Projects/Website/Design notes.md"),
        ("overdue_task", "1 Projects/Website/Website.md"),
        ("fleeting", "Daily/2024-06-12.md"),
        ("fleeting", "Inbox/Idea.md"),
        ("new_orphan", "Inbox/Fresh.md"),  # created 06-14 20:00
        ("new_orphan", "Loose/Stray.md"),  # created 06-13
    ]
    assert review["counts"] == {
        "stale_project": 2,
        "done_not_archived": 1,
        "overdue_task": 2,
        "fleeting": 2,
        "new_orphan": 2,
    }


def test_review_reasons() -> None:
    items = review_dashboard(INDEX, DashboardConfig(), NOW)["items"]
    reasons = {(item["kind"], item["path"]): item["reason"] for item in items}
    assert reasons[("stale_project", "Work/Thesis.md")] == (
        "active project with no activity for 26 days (threshold 14 days): "
        "still active? what is the next action?"
    )
    assert reasons[("overdue_task", "1 Projects/Website/Website.md")] == (
        "task due 2024-06-10 is overdue: Draft homepage [due:: 2024-06-10]"
    )
    assert reasons[("fleeting", "Inbox/Idea.md")].startswith("fleeting note waiting 123 hours")
    assert reasons[("new_orphan", "Loose/Stray.md")] == (
        "new note (2 days old) with no links in or out: connect it"
    )
    overdue = [item for item in items if item["kind"] == "overdue_task"]
    assert [(item["line"], item["project"]) for item in overdue] == [
        (6, "1 Projects/Website"),
        (10, "1 Projects/Website"),
    ]


def test_review_thresholds() -> None:
    config = DashboardConfig().with_thresholds(
        {"stale_days": 30, "fleeting_hours": 100, "review_days": 1}
    )
    items = review_dashboard(INDEX, config, NOW)["items"]
    assert [(item["kind"], item["path"]) for item in items] == [
        ("stale_project", "1 Projects/Garden.md"),
        ("done_not_archived", "1 Projects/Old launch/Old launch.md"),
        ("overdue_task", "1 Projects/Website/Design notes.md"),
        ("overdue_task", "1 Projects/Website/Website.md"),
        ("fleeting", "Inbox/Idea.md"),
        ("new_orphan", "Inbox/Fresh.md"),
    ]
