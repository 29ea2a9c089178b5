"""Every route's error paths answer with the one error shape and a fitting status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from server.app import create_app, routes
from server.service import VaultService
from tests.server.server_helpers import AUTH, make_service, settings

ALLOWED_KEYS = {"code", "message", "line", "column", "context"}


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message"} <= set(error) <= ALLOWED_KEYS
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return dict(error)


def _concrete(path: str) -> str:
    return path.replace("{path:path}", "Projects/Alpha.md")


ROUTES = [
    (route.path, sorted(route.methods or ())) for route in routes() if isinstance(route, Route)
]


@pytest.mark.parametrize(("path", "methods"), ROUTES)
def test_every_route_but_health_needs_the_token(
    service: VaultService, path: str, methods: list[str]
) -> None:
    client = TestClient(create_app(service, settings()), base_url="http://127.0.0.1")
    method = "POST" if "POST" in methods else "GET"
    response = client.request(method, _concrete(path))
    if path == "/api/v1/health":
        assert response.status_code == 200
        return
    if path == "/dashboard":  # the page is a static shell: it holds no data and no token
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert settings().token not in response.text
        return
    assert_error_shape(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")
    wrong = client.request(method, _concrete(path), headers={"Authorization": "Bearer nope"})
    assert_error_shape(wrong, 401, "unauthorized")


@pytest.mark.parametrize(("path", "methods"), ROUTES)
def test_every_route_refuses_a_foreign_host(
    service: VaultService, path: str, methods: list[str]
) -> None:
    client = TestClient(create_app(service, settings()), base_url="http://evil.example")
    response = client.request(methods[0], _concrete(path), headers=AUTH)
    assert_error_shape(response, 403, "forbidden_host")


@pytest.mark.parametrize(("path", "methods"), ROUTES)
def test_every_route_rejects_other_methods(
    client: TestClient, path: str, methods: list[str]
) -> None:
    for method in ("PUT", "DELETE", "PATCH", "POST", "GET"):
        if method in methods or (method == "HEAD" and "GET" in methods):
            continue
        assert_error_shape(client.request(method, _concrete(path)), 405, "method_not_allowed")


def test_unknown_routes_are_404(client: TestClient) -> None:
    for path in ("/", "/api", "/api/v1", "/api/v2/health", "/api/v1/nope", "/favicon.ico"):
        assert_error_shape(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "bad_request"),
        (b"[1, 2]", 400, "bad_request"),
        (b"{}", 400, "bad_request"),
        (b'{"query": ""}', 400, "bad_request"),
        (b'{"query": 3}', 400, "bad_request"),
        (b'{"query": "LIST", "format": "xml"}', 400, "bad_request"),
        (b'{"query": "LIST", "origin": 5}', 400, "bad_request"),
        (b'{"query": "LIST", "origin": "/etc/passwd"}', 400, "bad_path"),
        (b'{"query": "LIST", "extra": 1}', 400, "bad_request"),
        (b'{"query": "LIST WHERE"}', 400, "syntax"),
        (b'{"query": "LIST nosuchfunction(1)"}', 422, None),
        (b'{"query": "LIST LIMIT \\"x\\""}', 422, "execution"),
    ],
)
def test_query_error_paths(client: TestClient, body: bytes, status: int, code: str | None) -> None:
    response = client.post(
        "/api/v1/query", content=body, headers={"Content-Type": "application/json"}
    )
    assert_error_shape(response, status, code)


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/api/v1/query", content=b"x" * 1_100_000)
    assert_error_shape(response, 413, "payload_too_large")


def test_note_error_paths(client: TestClient) -> None:
    assert_error_shape(client.get("/api/v1/notes/Nope.md"), 404, "not_found")
    assert_error_shape(client.get("/api/v1/notes/a%5cb.md"), 400, "bad_path")
    assert_error_shape(client.get("/api/v1/notes/"), 400, "bad_path")


def test_not_ready_is_503_on_every_data_route(vault: Path) -> None:
    service = make_service(vault)  # not loaded
    client = TestClient(create_app(service, settings()), base_url="http://127.0.0.1", headers=AUTH)
    assert_error_shape(client.post("/api/v1/query", json={"query": "LIST"}), 503, "unavailable")
    assert_error_shape(client.get("/api/v1/notes/README.md"), 503, "unavailable")
    assert client.get("/api/v1/status").json()["ready"] is False


def test_unhandled_errors_are_500_without_internals(
    service: VaultService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "status", broken)
    app = create_app(service, settings())
    client = TestClient(
        app, base_url="http://127.0.0.1", headers=AUTH, raise_server_exceptions=False
    )
    error = assert_error_shape(client.get("/api/v1/status"), 500, "internal")
    assert "secret" not in error["message"]
