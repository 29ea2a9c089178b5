"""Kill -9 a server subprocess mid-index (and mid-save); a restart recovers and serves."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.vault.catalog import Catalog
from tests.conftest import VAULTS, require_shared
from tests.server.served import start_server, stop
from tests.server.server_helpers import TOKEN, UTC

SOURCE = require_shared(VAULTS / "vaultofknowledge")


def _start(vault: Path, index: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    process, url, _, _ = start_server(vault, tmp_path, index_dir=index, search=True)
    return process, url


def _status(client: httpx.Client) -> dict[str, Any] | None:
    try:
        response = client.get("/api/v1/status")
    except httpx.TransportError:
        return None
    body: dict[str, Any] = response.json()
    return body


def _wait(
    client: httpx.Client, process: subprocess.Popen[bytes], ready: bool, timeout: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server died"
        status = _status(client)
        if status is not None and (status["ready"] or not ready):
            return status
        time.sleep(0.01)
    raise AssertionError("timed out waiting for the server")


def _kill(process: subprocess.Popen[bytes]) -> None:
    stop(process)


@pytest.mark.slow
def test_kill_9_mid_index_then_restart_recovers(tmp_path: Path) -> None:
    vault = Path(shutil.copytree(SOURCE, tmp_path / "vault", symlinks=True))
    index = tmp_path / "index"
    headers = {"Authorization": f"Bearer {TOKEN}"}

    # 1. Killed while indexing: it answered /status before the index was ready.
    process, url = _start(vault, index, tmp_path)
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        status = _wait(client, process, ready=False)
        _kill(process)
    assert not (index / "catalog.bin").exists() or status["ready"]

    # 2. Restart: serves; killed again right after ready, likely mid-save.
    process, url = _start(vault, index, tmp_path)
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        status = _wait(client, process, ready=True)
        assert status["notes"] > 0
        _kill(process)

    # 3. Restart again: whatever the cache holds (nothing, the old, the new), it serves the truth.
    process, url = _start(vault, index, tmp_path)
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
            status = _wait(client, process, ready=True)
            cache = status["cache"]
            assert cache["used"] or cache["discarded"]
            body = client.post("/api/v1/query", json={"query": "LIST"}).json()
            expected = [r.path for r in Catalog.scan(vault, local=UTC).records()]
            assert body["count"] == status["notes"] == len(expected)
    finally:
        _kill(process)
