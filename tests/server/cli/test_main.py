"""The ``vaultql`` command line: index and note."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from server.cli import ProgressBar, build_parser, main
from tests.server.vault.conftest import DEMO_VAULT


def test_index_json_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", str(DEMO_VAULT), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notes"] == 20 and data["tasks"] == 17
    assert data["links"] == {"resolved": 34, "unresolved": 4}
    assert data["files_with_problems"] == 0 and data["seconds"] >= 0


def test_index_text_summary_lists_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.md").write_text("# ok\n")
    (tmp_path / "bin.md").write_bytes(b"\x00\x01")
    assert main(["index", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "notes          1" in out
    assert "bin.md: binary: contains NUL bytes" in out


def test_index_rejects_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_note_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["note", str(DEMO_VAULT), "Projects/Learn Rust.md", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)  # what GET /api/v1/notes/{path} answers
    assert record["path"] == "Projects/Learn Rust.md"
    assert record["fields"]["time-spent"] == {
        "type": "duration",
        "units": {"days": 1, "hours": 16},
        "text": "1 day, 16 hours",
    }
    assert record["etags"] == ["#project", "#learning/programming"]
    assert [item["status"] for item in record["tasks"]] == ["x", "x", "-"]
    assert record["unresolved"] == ["The Rust Programming Language"]


def test_note_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["note", str(DEMO_VAULT), "Nope.md", "--json"]) == 1
    assert main(["note", str(DEMO_VAULT), "../etc/passwd", "--json"]) == 2
    assert "'..'" in capsys.readouterr().err


def test_progress_bar_shows_done_total_and_eta() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, width=10)
    bar(5, 10)
    bar(10, 10)
    bar.finish()
    text = stream.getvalue()
    assert "[#####.....] 5/10  50.0%  ETA" in text and "10/10 100.0%" in text
    assert text.endswith("\n")


def test_parser_has_subcommands() -> None:
    parser = build_parser()
    args = parser.parse_args(["index", "v", "--exclude", "drafts/"])
    assert args.exclude == ["drafts/"] and args.command == "index"
