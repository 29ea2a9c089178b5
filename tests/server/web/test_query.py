"""POST /api/v1/query: results in three formats, errors with positions, limits."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from server.web.app import create_app
from tests.server.server_helpers import AUTH, app_over, make_service, make_vault, settings


def test_table_query_returns_typed_cells_and_revision(client: TestClient) -> None:
    response = client.post(
        "/api/v1/query", json={"query": "TABLE status FROM #project SORT file.name"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "table"
    assert body["headers"] == ["File", "status"]
    assert body["revision"] == 1
    assert [row[0]["path"] for row in body["rows"]] == ["Projects/Alpha.md", "Projects/Beta.md"]
    assert [row[1] for row in body["rows"]] == ["active", "paused"]
    assert response.headers["content-type"] == "application/json"


def test_markdown_and_csv_formats_are_wrapped_in_json(client: TestClient) -> None:
    md = client.post(
        "/api/v1/query", json={"query": "LIST FROM #project SORT file.name", "format": "md"}
    ).json()
    assert md["format"] == "md" and md["count"] == 2
    assert "Alpha" in md["text"] and "Beta" in md["text"]
    csv = client.post(
        "/api/v1/query", json={"query": "TABLE status FROM #project", "format": "csv"}
    ).json()
    assert csv["format"] == "csv"
    assert csv["text"].splitlines()[0].startswith("File")
    assert "paused" in csv["text"]


def test_origin_sets_this(client: TestClient) -> None:
    body = client.post(
        "/api/v1/query",
        json={
            "query": "LIST WHERE contains(file.inlinks, this.file.link)",
            "origin": "Projects/Alpha.md",
        },
    ).json()
    # Notes whose inlinks include Alpha = the notes Alpha links to.
    assert [item["path"] for item in body["items"]] == ["Projects/Beta.md"]


def test_syntax_error_has_position_and_caret(client: TestClient) -> None:
    response = client.post("/api/v1/query", json={"query": "TABLE FROM WHERE ("})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "syntax"
    assert isinstance(error["line"], int) and isinstance(error["column"], int)
    assert "^" in error["context"]


def test_unsafe_origin_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/query", json={"query": "LIST", "origin": "../etc/passwd"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_path"


def test_row_limit_gives_a_clear_error(vault: Path) -> None:
    service = make_service(vault)
    service.load()
    app = create_app(app_over(service, query_max_rows=2), settings())
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client:
        response = client.post("/api/v1/query", json={"query": "LIST"})
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "limit"
        assert "limit of 2" in error["message"]
        assert client.post("/api/v1/query", json={"query": "LIST LIMIT 2"}).status_code == 200


def test_time_limit_gives_a_clear_error(tmp_path: Path) -> None:
    notes = {f"n{i:04}.md": f"value:: {i}\n" for i in range(600)}
    service = make_service(make_vault(tmp_path / "big", notes))
    service.load()
    app = create_app(app_over(service, query_timeout_s=1e-9), settings())
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client:
        response = client.post("/api/v1/query", json={"query": "LIST WHERE value > 3"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "limit"
    assert "time limit" in error["message"]


def test_query_waits_for_nothing_but_refuses_before_the_index_is_ready(vault: Path) -> None:
    service = make_service(vault)  # never loaded
    app = create_app(app_over(service), settings())
    client = TestClient(app, base_url="http://127.0.0.1", headers=AUTH)  # no lifespan: no load
    response = client.post("/api/v1/query", json={"query": "LIST"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert response.headers["retry-after"] == "1"
