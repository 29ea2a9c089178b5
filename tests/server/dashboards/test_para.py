"""The PARA rollups on the fixture vault, with expected values worked out by hand from the notes
and the modification times in ``vault.py`` (now = 2024-06-15 12:00 UTC)."""

from __future__ import annotations

from typing import Any

import pytest

from server.dashboards.conventions import DashboardConfig
from server.dashboards.para import dql_file_fields, note_facts, para_dashboard
from tests.server.dashboards.vault import NOW, NOW_ISO, fixture_index

INDEX = fixture_index()


@pytest.fixture(scope="module")
def para() -> dict[str, Any]:
    data: dict[str, Any] = para_dashboard(INDEX, DashboardConfig(), NOW)
    return data


def _project(para: dict[str, Any], project_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [p for p in para["projects"] if p["id"] == project_id]
    assert len(found) == 1, project_id
    return found[0]


def test_buckets_by_numbered_folders_override_and_type() -> None:
    facts = note_facts(INDEX, DashboardConfig())
    expected = {
        "1 Projects/Website/Website.md": "projects",  # "1 Projects"
        "02-Areas/Health/Diet.md": "areas",  # "02-Areas"
        "3. Resources/Cheatsheet.md": "resources",  # "3. Resources"
        "Archive/Misc.md": "archives",  # singular Archive
        "Notes/Override.md": "areas",  # frontmatter para: area
        "Work/Thesis.md": "projects",  # type: project outside the folder
        "Work/Thesis chapter.md": "none",  # a member of a project, but not in a bucket
        "Templates/Project template.md": "none",  # ignored folder, despite type: project
        "Zettel/Linking.md": "none",
    }
    assert {path: facts[path].para for path in expected} == expected


def test_counts(para: dict[str, Any]) -> None:
    assert para["now"] == NOW_ISO
    assert para["counts"] == {
        "projects": 6,
        "areas": 6,
        "resources": 4,
        "archives": 3,
        "none": 16,
    }


def test_project_list_and_membership(para: dict[str, Any]) -> None:
    assert [p["id"] for p in para["projects"]] == [
        "1 Projects/Garden.md",
        "1 Projects/Old launch",
        "1 Projects/Website",
        "Work/Thesis.md",
    ]
    facts = note_facts(INDEX, DashboardConfig())
    # joined through its `project:: [[Thesis]]` field
    assert facts["Work/Thesis chapter.md"].project == "Work/Thesis.md"
    assert facts["Work/Thesis chapter.md"].status == "active"


def test_folder_project_rollup(para: dict[str, Any]) -> None:
    website = _project(para, "1 Projects/Website")
    assert website["kind"] == "folder"
    assert website["note"] == "1 Projects/Website/Website.md"  # named like its folder
    assert website["status"] == "active"
    assert website["notes"] == 2
    assert website["last_activity"] == "2024-06-14T00:00:00+00:00"  # Design notes' mtime
    assert website["days_inactive"] == 1.5
    # Website: 3 open + 1 done; Design notes: one cancelled ([-], closed), one in progress ([/])
    assert (website["tasks_open"], website["tasks_total"]) == (4, 6)
    assert website["overdue_count"] == 2
    assert [(t["path"], t["line"]) for t in website["overdue"]] == [
        ("1 Projects/Website/Design notes.md", 6),  # due 2024-06-01
        ("1 Projects/Website/Website.md", 10),  # due 2024-06-10
    ]
    # The earliest due open task; "Pick fonts" (due 06-20) and "Write copy" (no date) come later.
    assert website["next_action"]["text"] == "Sketch the layout [due:: 2024-06-01]"
    assert website["stale"] is False
    assert website["done_not_archived"] is False
    # Atomic notes is a permanent note, Deep Work a resource; Running (an area) is not a concept.
    assert website["concepts"] == ["3. Resources/Books/Deep Work.md", "Zettel/Atomic notes.md"]


def test_status_from_tag_and_stale(para: dict[str, Any]) -> None:
    garden = _project(para, "1 Projects/Garden.md")
    assert garden["kind"] == "note"
    assert garden["status"] == "paused"  # tags: [paused]
    assert garden["days_inactive"] == 75.0
    assert garden["stale"] is True
    assert garden["next_action"] == {
        "path": "1 Projects/Garden.md",
        "line": 6,
        "text": "Plant tomatoes",
        "due": None,
    }


def test_status_synonym_and_field_membership_activity(para: dict[str, Any]) -> None:
    thesis = _project(para, "Work/Thesis.md")
    assert thesis["status"] == "active"  # "in progress"
    assert thesis["notes"] == 2
    assert thesis["last_activity"] == "2024-05-20T00:00:00+00:00"  # the chapter's mtime
    assert thesis["days_inactive"] == 26.5
    assert thesis["stale"] is True
    assert thesis["overdue_count"] == 0  # due 2024-07-01
    assert thesis["next_action"]["path"] == "Work/Thesis chapter.md"


def test_done_but_not_archived(para: dict[str, Any]) -> None:
    launch = _project(para, "1 Projects/Old launch")
    assert launch["status"] == "done"
    assert launch["done_not_archived"] is True
    assert launch["archived"] is False
    assert launch["stale"] is False  # done projects are never stale
    assert (launch["tasks_open"], launch["tasks_total"]) == (0, 1)
    assert launch["next_action"] is None


@pytest.mark.parametrize(("days", "stale"), [(26.4, True), (26.5, False), (30, False)])
def test_stale_threshold(days: float, stale: bool) -> None:
    config = DashboardConfig().with_thresholds({"stale_days": days})
    thesis = _project(para_dashboard(INDEX, config, NOW), "Work/Thesis.md")
    assert thesis["stale"] is stale


def test_areas(para: dict[str, Any]) -> None:
    assert para["areas"] == [
        {
            "area": "02-Areas/Finance",
            "notes": 2,
            "last_activity": "2023-03-01T00:00:00+00:00",
            "untouched": 2,
            "untouched_share": 1.0,
            "dumping_ground": True,
        },
        {
            "area": "02-Areas/Health",
            "notes": 3,
            "last_activity": "2024-06-01T00:00:00+00:00",
            "untouched": 1,  # Diet, 2022-01-01
            "untouched_share": 0.3333,
            "dumping_ground": False,
        },
        {
            "area": "Notes",  # para: area override: counted under its own folder
            "notes": 1,
            "last_activity": "2024-06-01T00:00:00+00:00",
            "untouched": 0,
            "untouched_share": 0.0,
            "dumping_ground": False,
        },
    ]


def test_area_thresholds() -> None:
    config = DashboardConfig().with_thresholds({"area_untouched_days": 30, "dumping_share": 0.3})
    areas = {a["area"]: a for a in para_dashboard(INDEX, config, NOW)["areas"]}
    # Health: Diet (2022) and Sleep (2024-05-01, 45.5 days) are now untouched; Running is not.
    assert areas["02-Areas/Health"]["untouched"] == 2
    assert areas["02-Areas/Health"]["dumping_ground"] is True
    assert areas["Notes"]["dumping_ground"] is False


def test_resources(para: dict[str, Any]) -> None:
    assert para["resources"] == {
        "total": 4,
        "unreviewed": 2,
        "unreviewed_notes": [
            {
                "path": "3. Resources/Books/Deep Work.md",
                "last_activity": "2023-01-01T00:00:00+00:00",
            },
            {
                "path": "3. Resources/Recipes/Pancakes.md",
                "last_activity": "2023-06-01T00:00:00+00:00",
            },
        ],
        "largest_folders": [
            {"folder": "3. Resources/Books", "notes": 2},
            {"folder": "3. Resources", "notes": 1},
            {"folder": "3. Resources/Recipes", "notes": 1},
        ],
    }


def test_resource_thresholds() -> None:
    config = DashboardConfig().with_thresholds(
        {"resource_unreviewed_days": 5, "largest_folders": 1}
    )
    resources = para_dashboard(INDEX, config, NOW)["resources"]
    assert resources["unreviewed"] == 4  # Cheatsheet (06-10) is 5.5 days old
    assert resources["largest_folders"] == [{"folder": "3. Resources/Books", "notes": 2}]


def test_archives_by_year_and_quarter(para: dict[str, Any]) -> None:
    # 2023 Trip: `archived: 2023-08-15` wins over its 2024 mtime; the others by mtime.
    assert para["archives"] == {
        "total": 3,
        "by_year": {"2023": 2, "2024": 1},
        "by_quarter": {"2023-Q3": 1, "2023-Q4": 1, "2024-Q1": 1},
    }


def test_include_notes() -> None:
    data = para_dashboard(INDEX, DashboardConfig(), NOW, include_notes=True)
    notes = {note["path"]: note for note in data["notes"]}
    assert len(notes) == 35
    assert notes["1 Projects/Website/Design notes.md"] == {
        "path": "1 Projects/Website/Design notes.md",
        "para": "projects",
        "project": "1 Projects/Website",
        "status": "active",
    }
    assert "notes" not in para_dashboard(INDEX, DashboardConfig(), NOW)


def test_now_is_a_parameter() -> None:
    later = para_dashboard(INDEX, DashboardConfig(), _date("2024-06-25T12:00:00"))
    website = _project(later, "1 Projects/Website")
    assert website["days_inactive"] == 11.5
    assert website["stale"] is False
    # Pick fonts (due 06-20) is overdue by then too
    assert website["overdue_count"] == 3


def _date(text: str) -> Any:
    from datetime import UTC, datetime

    from query.values import Date

    return Date(datetime.fromisoformat(text).replace(tzinfo=UTC))


def test_dql_file_fields() -> None:
    from query.values import Link

    extra = dql_file_fields(INDEX, DashboardConfig())
    assert extra["Work/Thesis chapter.md"] == {
        "para": "none",
        "project": Link("Work/Thesis.md"),
        "status": "active",
    }
    assert extra["1 Projects/Website/Design notes.md"] == {
        "para": "projects",
        "project": "1 Projects/Website",  # a folder project has no note to link to
        "status": "active",
    }
    assert extra["Loose/Stray.md"] == {"para": "none", "project": None, "status": None}
    # nothing here collides with a field Dataview defines on `file`
    page = INDEX.page("Loose/Stray.md")
    assert page is not None
    assert not set(extra["Loose/Stray.md"]) & set(page["file"])
