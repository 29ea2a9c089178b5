"""Issue #12: the watcher follows the vault *path* when the folder behind it is replaced
(``mv V V.old && cp -a V.old V``), or vanishes and comes back — over a real ``vaultql serve``."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.server.served import Served, served
from tests.server.server_helpers import app_over, make_service

DEMO = ROOT / "fixtures" / "demo-vault"
# Everything a scan decides, without clocks: paths, links both ways, tags, fields, tasks.
SHAPE = "TABLE file.outlinks, file.inlinks, file.etags, file.tasks.text, status SORT file.path"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "vault", symlinks=True))


def _eventually(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _rows(server: Served, query: str) -> Any:
    response = server.query(query)
    return response.json()["rows"] if response.status_code == 200 else None


def _paths(server: Served, query: str) -> list[str] | None:
    response = server.query(query)
    if response.status_code != 200:
        return None
    return [item["path"] for item in response.json()["items"]]


def _fresh_rows(vault: Path) -> Any:
    """What a new server would answer: a cold scan of the folder now at ``vault``."""
    service = make_service(vault)
    service.load()
    return app_over(service).query(SHAPE)["rows"]


def _status(server: Served) -> dict[str, Any]:
    with server.client() as client:
        status: dict[str, Any] = client.get("/api/v1/status").json()
        return status


def test_a_replaced_vault_folder_is_read_again_and_watched(vault: Path, tmp_path: Path) -> None:
    with served(vault, tmp_path, watch=True) as server:
        notes = _status(server)["notes"]
        old = vault.with_name("vault.old")
        vault.rename(old)
        shutil.copytree(old, vault, symlinks=True)
        (vault / "Fresh.md").write_text("fresh:: yes\n[[Home]]\n")
        _eventually(lambda: _paths(server, "LIST WHERE fresh") == ["Fresh.md"])
        status = _status(server)
        assert status["ready"] and status["notes"] == notes + 1
        # The new folder is the one watched now; the old one no longer counts.
        (vault / "Home.md").write_text((vault / "Home.md").read_text() + "\nedited:: yes\n")
        (old / "Stale.md").write_text("stale:: yes\n")
        _eventually(lambda: _paths(server, "LIST WHERE edited") == ["Home.md"])
        time.sleep(0.5)
        assert _paths(server, "LIST WHERE stale") == []
        assert _rows(server, SHAPE) == _fresh_rows(vault)


@pytest.mark.slow
def test_a_missing_vault_folder_is_not_ready_until_it_is_back(vault: Path, tmp_path: Path) -> None:
    with served(vault, tmp_path, watch=True) as server, server.client() as client:
        away = vault.with_name("away")
        vault.rename(away)
        _eventually(lambda: not _status(server)["ready"], timeout=10)
        status = _status(server)
        assert status["progress"]["phase"] == "vault-missing" and "missing" in status["reason"]
        assert client.get("/api/v1/health").json()["ready"] is False
        answer = server.query("LIST")
        assert answer.status_code == 503 and "missing" in answer.json()["error"]["message"]
        # Changed while away (a sync tool at work), then put back.
        (away / "Home.md").unlink()
        (away / "Back.md").write_text("back:: yes\n")
        away.rename(vault)
        _eventually(lambda: _status(server)["ready"])
        assert _status(server)["progress"]["phase"] == "ready"
        assert _paths(server, "LIST WHERE back") == ["Back.md"]
        assert _rows(server, SHAPE) == _fresh_rows(vault)
        # And live updates go on.
        (vault / "Later.md").write_text("later:: yes\n")
        _eventually(lambda: _paths(server, "LIST WHERE later") == ["Later.md"])
