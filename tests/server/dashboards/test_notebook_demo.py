"""The dashboards on ../shared/vaults/notebook-demo (a numbered, PARA-like academic vault with
Zettelkasten and Zotero literature notes), read-only. Only time-independent results are
asserted: the copies' modification times are whatever the checkout gave them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from query.index import VaultIndex
from query.values import Date
from server.dashboards.classify import kind_of
from server.dashboards.conventions import DashboardConfig, parse_config
from server.dashboards.para import note_facts, para_dashboard
from server.dashboards.review import review_dashboard
from server.dashboards.word_counts import WordCounter
from server.dashboards.zettel import zettel_dashboard
from server.vault.catalog import Catalog
from tests.conftest import require_shared

DEMO = Path(__file__).resolve().parents[4] / "shared" / "vaults" / "notebook-demo" / "vault"
NOW = Date(datetime(2025, 11, 20, 12, 0, tzinfo=UTC))

require_shared(DEMO)


@pytest.fixture(scope="module")
def index() -> VaultIndex:
    catalog = Catalog.scan(DEMO, local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


def test_buckets_and_projects(index: VaultIndex) -> None:
    facts = note_facts(index, DashboardConfig())
    in_projects = {path for path, f in facts.items() if f.para == "projects"}
    # "02_Projects" is a numbered projects root; nothing else is named like a PARA bucket.
    assert in_projects == {"02_Projects/project_A.md", "02_Projects/notes/example note.md"}
    # example note lives in 02_Projects/notes/ but says `project:: [[project_A]]`
    assert facts["02_Projects/notes/example note.md"].project == "02_Projects/project_A.md"
    assert facts["02_Projects/project_A.md"].status == "active"  # `state: ongoing`
    assert facts["Templates/project template.md"].para == "none"  # templates are ignored


def test_project_rollup(index: VaultIndex) -> None:
    (project,) = para_dashboard(index, DashboardConfig(), NOW)["projects"]
    assert (project["id"], project["kind"], project["notes"]) == (
        "02_Projects/project_A.md",
        "note",
        2,
    )
    assert (project["tasks_open"], project["tasks_total"]) == (1, 1)
    assert project["next_action"]["text"] == "abore et dolore magna aliquyam erat"
    assert project["next_action"]["path"] == "02_Projects/notes/example note.md"


def test_config_maps_literature_and_zettelkasten_to_resources(index: VaultIndex) -> None:
    config = parse_config(
        {"para": {"folders": {"04_Literature": "resources", "05_Zettelkasten": "resource"}}}
    )
    data = para_dashboard(index, config, NOW)
    assert data["counts"]["resources"] == 6
    assert [f["folder"] for f in data["resources"]["largest_folders"]] == [
        "05_Zettelkasten",
        "04_Literature",
        "04_Literature/library",
    ]


def test_kinds(index: VaultIndex) -> None:
    config = DashboardConfig()
    kinds = {r.path: kind_of(r, config) for r in index}
    assert kinds["01_Journal/Daily/2025-11-17.md"] == "daily"
    assert kinds["01_Journal/Weekly/2025-W47.md"] is None
    assert kinds["04_Literature/library/schmolkeEcologicalModelsSupporting2010.md"] == "literature"
    assert kinds["05_Zettelkasten/TRACE protocol.md"] == "permanent"
    assert kinds["05_Zettelkasten/00_Overview.md"] == "map"  # "Overview" in the name
    assert kinds["04_Literature/Overview.md"] == "map"


def test_zettelkasten_health(index: VaultIndex) -> None:
    zk = zettel_dashboard(index, DashboardConfig(), NOW, WordCounter(DEMO))
    # the daily note of 2025-11-17 (file.day) is 84 hours old on 2025-11-20 12:00
    assert [(n["path"], n["age_hours"]) for n in zk["fleeting"]] == [
        ("01_Journal/Daily/2025-11-17.md", 84.0)
    ]
    assert [o["path"] for o in zk["orphans"]] == ["01_Journal/Weekly/2025-W47.md"]
    # the Zettelkasten cites [[SchmolkeEcologicalmodels2010]], which resolves to no file
    assert zk["literature_unlinked"] == [
        "04_Literature/library/schmolkeEcologicalModelsSupporting2010.md"
    ]
    assert [(n["path"], n["words"] > 600) for n in zk["too_long"]] == [
        ("00_GetStarted/Get Started - Obsidian.md", True),
        ("00_GetStarted/Literature notes from Zotero.md", True),
    ]
    # The getting-started pages link densely to each other and no map note covers them.
    (cluster,) = zk["clusters_without_map"]
    assert cluster["size"] == 7
    assert "02_Projects/project_A.md" in cluster["notes"]


def test_review_fleeting_items(index: VaultIndex) -> None:
    items = review_dashboard(index, DashboardConfig(), NOW)["items"]
    assert [i["path"] for i in items if i["kind"] == "fleeting"] == [
        "01_Journal/Daily/2025-11-17.md"
    ]
    assert [i for i in items if i["kind"] == "overdue_task"] == []
