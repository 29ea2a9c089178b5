from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from server.cli import search as cli_search
from server.search import embedder as embedder_module
from server.search.embedder import MiniLMEmbedder


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vaultql")
    cli_search.add_commands(root.add_subparsers(dest="command"))
    return root


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    result: int = args.handler(args)
    return result


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "Deploy.md").write_text("# Incident\nFailed with code QZX-9912 today.\n")
    (root / "Cat.md").write_text("# Tom\nMy kitten sleeps on the windowsill.\n")
    return root


def test_keyword_json(vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["search", str(vault), "QZX-9912", "--mode", "keyword", "--json"]
    assert run([*argv, "--index-dir", str(tmp_path / "idx")]) == 0
    hits = json.loads(capsys.readouterr().out)["results"]  # GET /api/v1/search's answer
    assert [hit["path"] for hit in hits] == ["Deploy.md"]
    assert hits[0]["heading"] == "Incident"


def test_hybrid_text_output_with_the_real_model(
    vault: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    real_embedder: MiniLMEmbedder,
) -> None:
    monkeypatch.setattr(embedder_module, "MiniLMEmbedder", lambda: real_embedder)
    argv = ["search", str(vault), "a young cat dozing", "--k", "1", "--index-dir", str(tmp_path)]
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith(" 1. Cat.md › Tom")
    assert len(out.strip().splitlines()) == 2  # the hit and its snippet


def test_bad_arguments(vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["search", str(vault), "x", "--k", "0"]) == 2
    assert run(["search", str(tmp_path / "nope"), "x"]) == 2
    assert "error" in capsys.readouterr().err
