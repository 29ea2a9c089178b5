"""file.para, file.project, file.status in DQL, kept right edit by edit."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from query.index import VaultIndex
from server.application.live_index import VaultService
from server.dashboards.conventions import load_config
from server.dashboards.para import dql_file_fields
from tests.conftest import ROOT
from tests.server.server_helpers import UTC, app_over

DASHBOARD_VAULT = ROOT / "fixtures" / "dashboard-vault"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DASHBOARD_VAULT, tmp_path / "vault"))


def _rows(service: VaultService, dql: str) -> list[list[object]]:
    result = app_over(service).query(dql)
    return [
        [cell["path"] if isinstance(cell, dict) else cell for cell in row] for row in result["rows"]
    ]


def test_the_fields_are_queryable_and_leave_dataview_fields_alone(vault: Path) -> None:
    service = VaultService(vault, local=UTC)
    service.load()
    rows = _rows(service, 'TABLE file.para, file.project, file.status FROM "1 Projects/Website"')
    assert rows, "the Website project has notes"
    for _, para, project, status in rows:
        assert para == "projects"
        assert project is not None
        assert status == "active"
    index = service.snapshot().index
    page = index.page(index.paths[0])
    assert page is not None
    assert {"path", "name", "tags", "inlinks", "tasks"} <= set(page["file"])
    assert page["file"]["path"] == index.paths[0]  # never replaced by an extra


def test_edits_keep_the_fields_equal_to_a_full_computation(vault: Path) -> None:
    service = VaultService(vault, local=UTC)
    service.load()
    config = load_config(vault)
    notes = sorted(p for p in vault.rglob("*.md") if "Templates" not in p.parts)
    rng = random.Random(3)
    edits = [
        "\nplain words only\n",
        "\nstatus:: paused\n",
        "\n---\ntype: project\n",
        "\nproject:: [[Website]]\n",
        "\n#done\n",
    ]
    for step in range(25):
        target = rng.choice(notes)
        if step % 7 == 6:
            moved = target.with_name(f"moved {step}.md")
            target.rename(moved)
            notes[notes.index(target)] = moved
            service.apply_changes([target, moved])
        else:
            with target.open("a", encoding="utf-8") as handle:
                handle.write(rng.choice(edits))
            service.apply_changes([target])
        index = service.snapshot().index
        expected = dql_file_fields(VaultIndex(index, index.resolver), config)
        assert dict(index.file_extras) == expected, f"step {step}: {target.name}"
        for path in index.paths:
            page = index.page(path)
            assert page is not None
            for key, value in expected[path].items():
                assert page["file"][key] == value, (step, path, key)
