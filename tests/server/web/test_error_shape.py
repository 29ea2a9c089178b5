"""Every error the server can produce has the one error shape and a fitting status: each
route's error paths, and the HTTP layer's own answers (malformed requests, oversized heads,
slow requests, uvicorn's 500) on a real uvicorn configured as ``vaultql serve`` configures it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from server.application.live_index import VaultService
from server.web.app import create_app, routes
from tests.server.server_helpers import AUTH, TOKEN, app_over, make_service, settings
from tests.server.web.raw_http import Response, exchange, limited_server, request

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
    client = TestClient(create_app(app_over(service), settings()), base_url="http://127.0.0.1")
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
    client = TestClient(create_app(app_over(service), settings()), base_url="http://evil.example")
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
    # A final newline is not the end of a route (a regex `$` would have allowed it).
    for path in ("/api/v1/status%0A", "/api/v1/health%0a", "/dashboard%0A"):
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
    for path in ("a%0ab.md", "a%0Db.md", "README.md%0A", "README.md%0D", "%0A"):
        assert_error_shape(client.get(f"/api/v1/notes/{path}"), 400, "bad_path")


def test_not_ready_is_503_on_every_data_route(vault: Path) -> None:
    service = make_service(vault)  # not loaded
    client = TestClient(
        create_app(app_over(service), settings()), base_url="http://127.0.0.1", headers=AUTH
    )
    assert_error_shape(client.post("/api/v1/query", json={"query": "LIST"}), 503, "unavailable")
    assert_error_shape(client.get("/api/v1/notes/README.md"), 503, "unavailable")
    assert client.get("/api/v1/status").json()["ready"] is False


def test_unhandled_errors_are_500_without_internals(
    service: VaultService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "status", broken)
    app = create_app(app_over(service), settings())
    client = TestClient(
        app, base_url="http://127.0.0.1", headers=AUTH, raise_server_exceptions=False
    )
    error = assert_error_shape(client.get("/api/v1/status"), 500, "internal")
    assert "secret" not in error["message"]


# The HTTP layer's own answers, on a real uvicorn


def assert_raw_error_shape(response: Response, status: int, code: str) -> None:
    assert response.status == status, response.body
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]) <= ALLOWED_KEYS
    assert body["error"]["code"] == code and body["error"]["message"]


@pytest.fixture
def port(service: VaultService) -> Iterator[int]:
    app = create_app(app_over(service), settings())
    with limited_server(app, read_timeout_s=1.0) as port:
        yield port


# Raw requests; `<host>` becomes 127.0.0.1:<port>. `Connection: close` so that answers that
# keep the connection open still end the exchange.
HOST = b"Host: <host>\r\nConnection: close\r\n"
AUTH_LINE = f"Authorization: Bearer {TOKEN}\r\n".encode()
QUERY = b"POST /api/v1/query HTTP/1.1\r\n" + HOST + AUTH_LINE
PROTOCOL_ERRORS = [
    ("not HTTP", b"HELLO\r\n\r\n", 400, "bad_request"),
    ("bad request line", b"GET /a b c HTTP/1.1\r\n\r\n", 400, "bad_request"),
    ("bad header", b"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400, "bad_request"),
    ("bad chunk", QUERY + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "bad_request"),
    (
        "length and chunked",
        QUERY + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        "bad_request",
    ),
    (
        "head too large",
        b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n",
        431,
        "headers_too_large",
    ),
    ("head too slow", b"GET /api/v1/health HTTP/1.1\r\nHost: x", 408, "request_timeout"),
    ("body too slow", QUERY + b"Content-Length: 50\r\n\r\n{", 408, "request_timeout"),
    (
        "body too large",
        QUERY + b"Content-Length: 1100002\r\n\r\n{" + b" " * 1_100_000 + b"}",
        413,
        "payload_too_large",
    ),
    ("unknown route", b"GET /nope HTTP/1.1\r\n" + HOST + AUTH_LINE + b"\r\n", 404, "not_found"),
    (
        "wrong method",
        b"DELETE /api/v1/health HTTP/1.1\r\n" + HOST + b"\r\n",
        405,
        "method_not_allowed",
    ),
    ("no token", b"GET /api/v1/status HTTP/1.1\r\n" + HOST + b"\r\n", 401, "unauthorized"),
    (
        "foreign host",
        b"GET /api/v1/health HTTP/1.1\r\nHost: localhost:evil.example\r\nConnection: close\r\n\r\n",
        403,
        "forbidden_host",
    ),
    (
        "newline in a note path",
        b"GET /api/v1/notes/README.md%0A HTTP/1.1\r\n" + HOST + AUTH_LINE + b"\r\n",
        400,
        "bad_path",
    ),
]


@pytest.mark.parametrize(
    ("sent", "status", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in PROTOCOL_ERRORS],
)
def test_the_http_layer_answers_in_the_error_shape(
    port: int, sent: bytes, status: int, code: str
) -> None:
    result = exchange(port, [sent.replace(b"<host>", f"127.0.0.1:{port}".encode())], wait=4)
    assert_raw_error_shape(result.response(), status, code)


async def _broken_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Fails before answering (``/raise``) or returns without answering: uvicorn's own 500."""
    if scope["type"] == "http" and scope["path"] == "/raise":
        raise RuntimeError("secret internal detail")


@pytest.mark.parametrize("path", ["/raise", "/silent"])
def test_uvicorn_500_has_the_error_shape(path: str) -> None:
    with limited_server(_broken_app) as port:
        response = exchange(port, [request(port, path)]).response()
    assert_raw_error_shape(response, 500, "internal")
    assert b"secret" not in response.body
