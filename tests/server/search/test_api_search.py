"""GET /api/v1/search through a real Starlette app (the hash embedder stands in for the model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from server.application.live_index import VaultService
from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.search.snapshot_sync import apply_snapshot
from server.web.error_shape import exception_handlers
from server.web.routes import search as search_api
from server.web.settings import ServerSettings
from tests.server.server_helpers import app_over

FILES = {
    "Science/Stars.md": "---\ntags: [physics]\n---\n# Stars\nNeutron stars collapse. ERR_77Q\n",
    "Science/Cells.md": "---\ntags: [biology]\n---\n# Cells\nMitochondria and stars.\n",
    "Home/Notes.md": "# Home\nstars in the garden at night\n",
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    vault = tmp_path / "vault"
    for path, text in FILES.items():
        (vault / path).parent.mkdir(parents=True, exist_ok=True)
        (vault / path).write_text(text, encoding="utf-8")
    service = VaultService(vault)
    service.load()
    search = SearchService(HashEmbedder())
    apply_snapshot(search, service.snapshot().index, vault_text_reader(vault), initial=True)
    while search.embed_pending_batch():
        pass
    app = Starlette(routes=search_api.ROUTES, exception_handlers=exception_handlers())
    app.state.vault_app = app_over(service, search=search)
    app.state.settings = ServerSettings(token="t")
    with TestClient(app) as test_client:
        yield test_client
    search.close()
    service.close()


def test_search_answers_hits_with_scores_and_snippets(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "ERR_77Q", "mode": "keyword"})
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "keyword" and body["k"] == 10 and body["revision"] >= 1
    [hit] = body["results"]
    assert hit["path"] == "Science/Stars.md"
    assert hit["heading"] == "Stars" and hit["heading_path"] == ["Stars"]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "ERR_77Q"
    assert hit["scores"]["keyword"] > 0 and hit["scores"]["semantic"] is None
    assert body["embedding"]["done"] == body["embedding"]["total"]


def test_from_source_filters_and_k_limits(client: TestClient) -> None:
    params = {"q": "stars", "from": '#physics or "Home"', "k": "5"}
    paths = [hit["path"] for hit in client.get("/api/v1/search", params=params).json()["results"]]
    assert set(paths) == {"Science/Stars.md", "Home/Notes.md"}
    one = client.get("/api/v1/search", params={"q": "stars", "k": "1"}).json()["results"]
    assert len(one) == 1


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "bad_request"),
        ({"q": "x", "mode": "fuzzy"}, 400, "bad_request"),
        ({"q": "x", "k": "0"}, 400, "bad_request"),
        ({"q": "x", "k": "many"}, 400, "bad_request"),
        ({"q": "x", "limit": "3"}, 400, "bad_request"),
        ({"q": "x" * 1001}, 400, "bad_request"),
        ({"q": "x", "from": "#a and and"}, 400, "syntax"),
        ({"q": "x", "origin": "../etc"}, 400, "bad_path"),
    ],
)
def test_errors_use_the_one_error_shape(
    client: TestClient, params: dict[str, str], status: int, code: str
) -> None:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_prioritise(client: TestClient) -> None:
    response = client.post("/api/v1/search/prioritise", json={"path": "Home/Notes.md"})
    assert response.status_code == 200 and response.json() == {"queued": False}  # all embedded
    bad = client.post("/api/v1/search/prioritise", json={"path": 3})
    assert bad.status_code == 400


def test_search_disabled_is_503(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    app = Starlette(routes=search_api.ROUTES, exception_handlers=exception_handlers())
    app.state.vault_app = app_over(VaultService(vault))  # no search: a server run --no-search
    with TestClient(app) as test_client:
        response = test_client.get("/api/v1/search", params={"q": "x"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
