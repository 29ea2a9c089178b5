"""``vaultql dashboard`` through its argparse wiring, on a copy of the fixture vault on disk."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from server.cli.dashboards import add_commands
from tests.server.dashboards.vault import copy_vault


def _run(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vaultql")
    add_commands(parser.add_subparsers(dest="command"))
    parsed = parser.parse_args(args)
    code: int = parsed.handler(parsed)
    return code


@pytest.fixture()
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "UTC")  # the notes' local dates are read in the local zone
    return copy_vault(tmp_path / "vault")


def test_review_text(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["dashboard", str(vault), "--now", "2024-06-15T12:00:00Z"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "review dashboard as of 2024-06-15T12:00:00+00:00"
    assert out[1] == (
        "- [stale_project] 1 Projects/Garden.md: paused project with no activity for 75 days "
        "(threshold 14 days): still active? what is the next action?"
    )
    assert len(out) == 10


def test_para_json_with_threshold(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(
        [
            "dashboard",
            str(vault),
            "--kind",
            "para",
            "--json",
            "--now",
            "2024-06-15T12:00:00Z",
            "--set",
            "stale_days=30",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["thresholds"]["stale_days"] == 30
    assert [p["id"] for p in data["projects"] if p["stale"]] == ["1 Projects/Garden.md"]


def test_zettelkasten_text(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        _run(["dashboard", str(vault), "--kind", "zettelkasten", "--now", "2024-06-15T12:00:00Z"])
        == 0
    )
    out = capsys.readouterr().out
    assert "fleeting waiting 2, orphans 12, no outgoing links 6, too long 1" in out
    assert "- too long Zettel/Long note.md (711 words)" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "stale_days"], "--set needs NAME=VALUE"),
        (["--set", "nope=1"], "unknown threshold 'nope'"),
        (["--now", "whenever"], "now: not an ISO date"),
    ],
)
def test_bad_options(
    vault: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert _run(["dashboard", str(vault), *extra]) == 2
    assert message in capsys.readouterr().err


def test_bad_config(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (vault / ".vaultql.toml").write_text("[para]\nprojects = 3\n")
    assert _run(["dashboard", str(vault)]) == 2
    assert "para.projects must be a list of strings" in capsys.readouterr().err
