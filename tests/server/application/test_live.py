"""End to end over a real uvicorn on 127.0.0.1: live edits arrive by SSE, churn converges.

Each test serves a temporary COPY of a shared vault; the shared vault itself is hashed before
and after to prove the suite never writes to it.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from query.index import VaultIndex
from server.application.live_index import VaultService
from server.dashboards.conventions import load_config
from server.dashboards.para import dql_file_fields
from server.vault.catalog import Catalog
from tests.conftest import VAULTS, require_shared
from tests.server.server_helpers import AUTH, UTC, make_service, running_server

SOURCE = VAULTS / "notebook-demo"


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module", autouse=True)
def shared_vault_untouched() -> Iterator[None]:
    require_shared(SOURCE)
    before = _tree_digest(SOURCE)
    yield
    assert _tree_digest(SOURCE) == before, "the shared vault was modified"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SOURCE, tmp_path / "vault", symlinks=True))


def _wait_ready(client: httpx.Client, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get("/api/v1/status").json()
        if status["ready"]:
            return status
        time.sleep(0.02)
    raise AssertionError("the server never became ready")


def _query(client: httpx.Client, text: str) -> dict[str, Any]:
    response = client.post("/api/v1/query", json={"query": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _events(response: httpx.Response) -> Iterator[tuple[str, dict[str, Any]]]:
    kind = ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            yield kind, json.loads(line[6:])


def test_edit_on_disk_arrives_by_sse_and_changes_the_answer(copy: Path, tmp_path: Path) -> None:
    service = make_service(copy, tmp_path / "index")
    with (
        running_server(service, watch=True) as url,
        httpx.Client(base_url=url, headers=AUTH, timeout=10) as client,
    ):
        assert client.get("/api/v1/health").json()["status"] == "ok"
        _wait_ready(client)
        before = _query(client, 'LIST WHERE vqlmarker = "on"')
        assert before["count"] == 0
        with client.stream("GET", "/api/v1/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream)
            kind, hello = next(events)
            assert kind == "hello" and hello["revision"] >= 1
            instance = client.get("/api/v1/health").json()["instance"]
            assert hello["instance"] == instance  # (instance, revision) names what a client saw
            target = sorted(copy.glob("*.md"))[0]
            name = target.name
            target.write_text(target.read_text() + "\nvqlmarker:: on\n", encoding="utf-8")
            started = time.monotonic()
            for kind, data in events:
                if kind == "revision" and name in data["changed"]:
                    assert data["revision"] > hello["revision"]
                    assert data["instance"] == instance
                    break
                assert time.monotonic() - started < 10, "no revision event"
        after = _query(client, 'LIST WHERE vqlmarker = "on"')
        assert [item["path"] for item in after["items"]] == [name]
        assert after["revision"] > before["revision"]


def _churn(vault: Path, steps: int, seed: int) -> None:
    rng = random.Random(seed)
    (vault / "churn").mkdir(exist_ok=True)
    live: list[Path] = []
    for step in range(steps):
        op = rng.random()
        if not live or op < 0.35:
            path = vault / "churn" / f"n{step}.md"
            target = rng.choice([*live, path]).stem if live else "nowhere"
            path.write_text(f"#churn\nstep:: {step}\nsee [[{target}]]\n", encoding="utf-8")
            live.append(path)
        elif op < 0.65:
            path = rng.choice(live)
            path.write_text(f"#churn\nstep:: {step}\nedited:: yes\n", encoding="utf-8")
        elif op < 0.85:
            path = live.pop(rng.randrange(len(live)))
            renamed = path.with_name(f"r{step}.md")
            path.rename(renamed)
            live.append(renamed)
        else:
            live.pop(rng.randrange(len(live))).unlink()
        if step % 25 == 0:
            time.sleep(0.02)  # let some batches land mid-churn


def _converged(service: VaultService, vault: Path, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.3)  # past the watcher's debounce
        if service.records() == Catalog.scan(vault, local=UTC).records():
            return True
    return False


@pytest.mark.slow
def test_churn_with_concurrent_queries_converges_on_a_cold_rebuild(
    copy: Path, tmp_path: Path
) -> None:
    service = make_service(copy, tmp_path / "index")
    errors: list[str] = []
    stop = threading.Event()
    with running_server(service, watch=True) as url:

        def query_loop() -> None:
            with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
                _wait_ready(client)
                while not stop.is_set():
                    for text in ("LIST FROM #churn", 'TABLE step, edited FROM "churn" SORT step'):
                        response = client.post("/api/v1/query", json={"query": text})
                        if response.status_code != 200:
                            errors.append(response.text)
                    status = client.get("/api/v1/status")
                    if status.status_code != 200:
                        errors.append(status.text)

        threads = [threading.Thread(target=query_loop) for _ in range(2)]
        for thread in threads:
            thread.start()
        with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
            first = _wait_ready(client)["revision"]
            _churn(copy, steps=500, seed=7)
            assert _converged(service, copy), "the live catalog differs from a cold rebuild"
            # The snapshot index was derived change by change; it must equal a fresh build.
            records = Catalog.scan(copy, local=UTC).records()
            extras = dql_file_fields(VaultIndex(records), load_config(copy))
            fresh = VaultIndex(records, file_extras=extras)
            live = service.snapshot().index
            assert live.paths == fresh.paths
            assert all(live.page(path) == fresh.page(path) for path in fresh.paths)
            final = client.get("/api/v1/status").json()
            count = _query(client, "LIST FROM #churn")["count"]
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors, errors[:3]
    assert final["revision"] > first
    assert count == len(list((copy / "churn").glob("*.md")))
