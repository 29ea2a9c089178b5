"""Search and related notes follow the vault's snapshots inside a running app
(server.application.derived_services)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.application.derived_services import DerivedServices
from server.related.related_service import RelatedService
from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.web.app import create_app
from tests.server.server_helpers import AUTH, app_over, make_service, make_vault, settings


def _derived(vault: Path) -> tuple[DerivedServices, TestClient]:
    service = make_service(vault)
    search = SearchService(embedder=HashEmbedder())
    derived = DerivedServices(
        service, search, RelatedService(service.snapshot, search, vault_text_reader(service.vault))
    )
    app = create_app(app_over(service, derived), settings())
    return derived, TestClient(app, base_url="http://127.0.0.1")


def _paths(client: TestClient, q: str, mode: str = "keyword") -> list[str] | None:
    """The hits' paths, or None while the index is still loading (503)."""
    response = client.get("/api/v1/search", params={"q": q, "mode": mode}, headers=AUTH)
    if response.status_code == 503:
        return None
    assert response.status_code == 200, response.text
    return [hit["path"] for hit in response.json()["results"]]


def _eventually(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_search_indexes_the_first_snapshot_and_follows_edits(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "vault")
    derived, client = _derived(vault)
    with client:
        assert _eventually(lambda: _paths(client, "rating") == ["Projects/Alpha.md"])
        (vault / "Projects" / "Beta.md").write_text("# Beta\nquasar telemetry\n", encoding="utf-8")
        derived.service.apply_changes(["Projects/Beta.md"])
        assert _eventually(lambda: _paths(client, "quasar") == ["Projects/Beta.md"])
        assert _paths(client, "paused") == []  # the removed text is no longer found
        assert _eventually(
            lambda: _paths(client, "quasar telemetry", "semantic")[:1] == ["Projects/Beta.md"]
        )
        status = client.get("/api/v1/status", headers=AUTH).json()
        assert {"done", "total"} <= set(status["embedding"])


def test_related_and_duplicates_answer_through_the_app(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "vault")
    derived, client = _derived(vault)
    with client:
        assert _eventually(lambda: derived.service.ready)
        related = client.get("/api/v1/related", params={"path": "README.md"}, headers=AUTH)
        assert related.status_code == 200, related.text
        missing = client.get("/api/v1/related", params={"path": "Nope.md"}, headers=AUTH)
        assert missing.status_code == 404
        assert client.get("/api/v1/duplicates", headers=AUTH).status_code == 200


def test_without_derived_services_search_answers_503(tmp_path: Path) -> None:
    service = make_service(make_vault(tmp_path / "vault"))
    with TestClient(
        create_app(app_over(service), settings()), base_url="http://127.0.0.1"
    ) as client:
        response = client.get("/api/v1/search", params={"q": "x"}, headers=AUTH)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "unavailable"


def test_embedding_progress_is_announced_on_the_event_hub(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "vault")
    derived, client = _derived(vault)
    subscription_events: list[str] = []
    original = derived.service.hub.publish

    def recording(kind: str, data: dict[str, object]) -> None:
        subscription_events.append(kind)
        original(kind, data)

    derived.service.hub.publish = recording  # type: ignore[method-assign]
    with client:
        assert _eventually(lambda: "embedding" in subscription_events)


@pytest.mark.slow
def test_served_apps_make_search_once_dql_is_ready(tmp_path: Path) -> None:
    # As `vaultql serve` builds it: the search stack is imported and the services made only when
    # the vault's first snapshot is ready; until then their routes say they are starting.
    vault = make_vault(tmp_path / "vault")
    service = make_service(vault, tmp_path / "index")
    derived = DerivedServices(service, index_dir=tmp_path / "index")
    assert derived.search is None and derived.status() == {"phase": "starting"}
    client = TestClient(
        create_app(app_over(service, derived), settings()), base_url="http://127.0.0.1"
    )
    for path, params in (("search", {"q": "rating"}), ("related", {"path": "README.md"})):
        early = client.get(f"/api/v1/{path}", params=params, headers=AUTH)
        assert early.status_code == 503 and "starting" in early.json()["error"]["message"]
    with client:
        assert _eventually(lambda: _paths(client, "rating") == ["Projects/Alpha.md"], 60)
        related = client.get("/api/v1/related", params={"path": "README.md"}, headers=AUTH)
        assert related.status_code == 200, related.text
        assert "done" in client.get("/api/v1/status", headers=AUTH).json()["embedding"]
    assert (tmp_path / "index" / "search" / "keyword").is_dir()


def test_the_app_and_the_cli_load_without_the_search_stack() -> None:
    # DQL, the CLI's query commands and a restart's first answers need none of it.
    script = (
        "import sys, server.web.app, server.cli, server.cli.serve\n"
        "print(sorted(m for m in ('numpy', 'faiss', 'whoosh', 'torch') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"
