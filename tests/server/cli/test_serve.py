"""``vaultql token`` and ``vaultql get`` (one in-process request)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.application.tokens import token_path
from server.cli import main as cli_main
from tests.server.server_helpers import make_vault


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("VAULTQL_TOKEN", raising=False)
    return make_vault(tmp_path / "vault")


def test_token_prints_the_stored_token(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["token", str(vault)]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 43
    assert token_path(vault).read_text().strip() == token
    assert cli_main(["token", str(vault)]) == 0
    assert capsys.readouterr().out.strip() == token


def test_get_runs_one_request_in_process(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(tmp_path / "index")
    assert cli_main(["get", str(vault), "/api/v1/status", "--index-dir", index]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["ready"] is True and status["notes"] == 4
    assert (tmp_path / "index" / "catalog.bin").exists()

    data = json.dumps({"query": "LIST FROM #project SORT file.name"})
    assert cli_main(["get", str(vault), "/api/v1/query", "--data", data, "--index-dir", index]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [item["path"] for item in body["items"]] == ["Projects/Alpha.md", "Projects/Beta.md"]

    assert cli_main(["get", str(vault), "/api/v1/notes/Projects%2FAlpha.md", "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "Alpha"


def test_get_reports_errors_with_exit_code_1(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["get", str(vault), "/api/v1/notes/Nope.md", "--no-cache"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "not_found"


def test_get_refuses_the_event_stream(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["get", str(vault), "/api/v1/events", "--no-cache"]) == 2
    assert "stream" in capsys.readouterr().err


def test_commands_refuse_a_missing_vault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["get", str(tmp_path / "nope"), "/api/v1/status"]) == 2
    assert cli_main(["token", str(tmp_path / "nope")]) == 2


def test_serve_refuses_a_short_token(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["serve", str(vault), "--token", "short", "--port", "1"]) == 2
    assert "too short" in capsys.readouterr().err


WEAK = [" " * 16, "a" * 32, "abcabcabcabcabcabcabc", "0123456789 abcdefghij"]


@pytest.mark.parametrize("token", WEAK)
@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_serve_refuses_a_weak_token_from_the_command_line(
    vault: Path, capsys: pytest.CaptureFixture[str], token: str, host: str
) -> None:
    args = ["serve", str(vault), "--token", token, "--host", host, "--port", "1"]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert "--token is too weak" in err and "at least 10 of them different" in err


@pytest.mark.parametrize("token", WEAK)
def test_serve_and_get_refuse_a_weak_token_from_the_environment(
    vault: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("VAULTQL_TOKEN", token)
    assert cli_main(["serve", str(vault), "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "$VAULTQL_TOKEN is too weak" in capsys.readouterr().err
    assert cli_main(["get", str(vault), "/api/v1/status", "--no-cache"]) == 2
    assert "$VAULTQL_TOKEN is too weak" in capsys.readouterr().err


def test_serve_refuses_a_weakened_token_file(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["token", str(vault)]) == 0
    capsys.readouterr()
    token_path(vault).write_text("aaaaaaaaaaaaaaaaaaaa\n")
    assert cli_main(["serve", str(vault), "--port", "1"]) == 2
    assert "the token file is too weak" in capsys.readouterr().err


def test_serve_refuses_a_public_host_without_a_token(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["serve", str(vault), "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "not loopback" in capsys.readouterr().err
