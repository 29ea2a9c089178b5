"""Host check, CORS allow-list, bearer token, loopback default, non-loopback refusal."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.application.live_index import VaultService
from server.cli import main as cli_main
from server.web.app import create_app
from server.web.security import CorsMiddleware, host_name
from server.web.settings import CORS_ORIGINS, DEFAULT_HOST, ServerSettings, is_loopback
from tests.server.server_helpers import AUTH, TOKEN, app_over, make_service, make_vault, settings


@pytest.fixture
def service(tmp_path: Path) -> VaultService:
    service = make_service(make_vault(tmp_path / "vault"))
    service.load()
    return service


def _client(
    service: VaultService, base: str = "http://127.0.0.1", **overrides: object
) -> TestClient:
    return TestClient(
        create_app(app_over(service), settings(**overrides)), base_url=base, headers=AUTH
    )


def test_loopback_is_the_default() -> None:
    assert DEFAULT_HOST == "127.0.0.1"
    assert ServerSettings(token=TOKEN).host == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_non_loopback_host_refuses_to_start_without_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    monkeypatch.delenv("VAULTQL_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    vault = make_vault(tmp_path / "vault")
    assert cli_main(["serve", str(vault), "--host", host, "--no-watch"]) == 2
    assert "without an explicit token" in capsys.readouterr().err


def _status_with(
    service: VaultService, headers: list[tuple[bytes, bytes]], **overrides: Any
) -> int:
    """The status of ``GET /api/v1/status`` with exactly these raw headers (no client between:
    it would merge, strip or refuse some of them)."""
    app = create_app(app_over(service), settings(**overrides))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/status",
        "raw_path": b"/api/v1/status",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8377),
    }
    out: dict[str, int] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]

    asyncio.run(app(scope, receive, send))
    return out["status"]


AUTH_RAW = (b"authorization", f"Bearer {TOKEN}".encode())


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.0.0.1:8377",
        "localhost",
        "localhost:1",
        "localhost:65535",
        "[::1]:8377",
        "[::1]",
        "[0:0:0:0:0:0:0:1]:8377",
        "LOCALHOST",
        "LocalHost:80",
    ],
)
def test_loopback_host_headers_are_accepted(service: VaultService, host: str) -> None:
    response = _client(service).get("/api/v1/status", headers={"Host": host})
    assert response.status_code == 200
    assert _status_with(service, [(b"host", host.encode()), AUTH_RAW]) == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8377",
        "127.0.0.1.evil.example",
        "localhost.evil",
        "10.0.0.1",
        "",
    ],
)
def test_foreign_host_headers_are_refused(service: VaultService, host: str) -> None:
    response = _client(service).get("/api/v1/health", headers={"Host": host})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_host"


LAX_HOSTS = [
    "localhost:evil.com",
    "localhost:8377@evil",
    "localhost@evil.com",
    "user@localhost",
    "[::1]evil.com",
    "[::1]:8377evil",
    "[::1]:evil",
    "localhost..",
    "localhost.",
    "127.0.0.1.",
    "localhost:",
    "localhost::8377",
    "localhost:80:80",
    "localhost:+80",
    "localhost:-1",
    "localhost:0x50",
    "localhost:８０",
    "localhost:99999",
    "localhost:123456",
    "localhost/evil",
    "localhost?x",
    "localhost#x",
    "localhost\\evil",
    "local%68ost",
    " localhost",
    "localhost ",
    "localhost\t",
    "localhost, evil.com",
    "localhost evil.com",
    "[::1",
    "::1",
    "::1:8377",
    "[[::1]]",
    "[::1%25lo]",
    "[v1.fe80::a]",
    "[127.0.0.1]",
    "127.1",
    "0x7f.0.0.1",
    "2130706433",
    "127.000.000.001",
    "ⅼocalhost",
    "localhost\x00",
    "",
]


@pytest.mark.parametrize("host", LAX_HOSTS)
def test_lax_host_forms_are_refused(service: VaultService, host: str) -> None:
    raw = host.encode("utf-8")
    assert _status_with(service, [(b"host", raw), AUTH_RAW]) == 403
    assert _status_with(service, [(b"host", raw), AUTH_RAW], allowed_hosts=("evil.com",)) == 403


def test_exactly_one_host_header(service: VaultService) -> None:
    good = (b"host", b"127.0.0.1:8377")
    assert _status_with(service, [good, AUTH_RAW]) == 200
    assert _status_with(service, [good, good, AUTH_RAW]) == 403
    assert _status_with(service, [good, (b"host", b"evil.com"), AUTH_RAW]) == 403
    assert _status_with(service, [(b"host", b"evil.com"), good, AUTH_RAW]) == 403
    assert _status_with(service, [AUTH_RAW]) == 403


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("localhost", "localhost"),
        ("Example.LAN:8377", "example.lan"),
        ("[::1]:80", "::1"),
        ("[0:0::1]", "::1"),
        ("[FE80::A]", "fe80::a"),
        ("127.0.0.1:0", "127.0.0.1"),
        ("localhost:evil.com", None),
        ("localhost..", "localhost.."),  # well-formed, and matches no allowed name
        ("[::1]evil", None),
        ("[::g]", None),
        ("a:65536", None),
    ],
)
def test_host_name_parses_strictly(value: str, name: str | None) -> None:
    assert host_name(value) == name


def test_configured_host_names_are_accepted(service: VaultService) -> None:
    client = _client(service, allowed_hosts=("vault.lan", "[FE80::1]"))
    assert client.get("/api/v1/status", headers={"Host": "vault.lan:8377"}).status_code == 200
    assert client.get("/api/v1/status", headers={"Host": "VAULT.lan"}).status_code == 200
    assert client.get("/api/v1/status", headers={"Host": "[fe80::1]:8377"}).status_code == 200
    for host in ("vault.lan.", "vault.lan..", "x.vault.lan", "vault.lan:x", "[fe80::1]x"):
        response = client.get("/api/v1/status", headers={"Host": host})
        assert response.status_code == 403, host


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(service: VaultService, scheme: str) -> None:
    client = TestClient(create_app(app_over(service), settings()), base_url="http://127.0.0.1")
    response = client.get("/api/v1/status", headers={"Authorization": f"{scheme} {TOKEN}"})
    assert response.status_code == 200
    wrong = client.get("/api/v1/status", headers={"Authorization": f"{scheme} {TOKEN.upper()}"})
    assert wrong.status_code == 401  # the token itself is case-sensitive


def test_exactly_one_authorization_header(service: VaultService) -> None:
    host = (b"host", b"127.0.0.1")
    assert _status_with(service, [host, AUTH_RAW]) == 200
    assert _status_with(service, [host, AUTH_RAW, AUTH_RAW]) == 401
    assert _status_with(service, [host, (b"authorization", b"Bearer nope"), AUTH_RAW]) == 401


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Basic {TOKEN}",
        f"Bearer{TOKEN}",
        f"Bearer\t{TOKEN}",
        f"Bearers {TOKEN}",
        f"Bear {TOKEN}",
        f" Bearer {TOKEN}x",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        TOKEN,
        f"Bearer  {TOKEN}",
    ],
)
def test_token_is_required_exactly(service: VaultService, header: str | None) -> None:
    client = TestClient(create_app(app_over(service), settings()), base_url="http://127.0.0.1")
    headers = {} if header is None else {"Authorization": header}
    response = client.get("/api/v1/status", headers=headers)
    assert response.status_code == 401
    assert client.get("/api/v1/status", headers=AUTH).status_code == 200


def test_token_compare_is_constant_time(
    service: VaultService, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    _client(service).get("/api/v1/status")
    assert calls and calls[-1] == (TOKEN.encode(), TOKEN.encode())


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("short", "too short"),
        (" " * 16, "whitespace"),
        (" " * 40, "whitespace"),
        ("a" * 40, "different characters"),
        ("abcabcabcabcabcabcabc", "different characters"),
        ("0123456789abcde", "too short"),
        ("0123456789 abcdefghij", "whitespace"),
        ("0123456789abcdefghij\n", "whitespace"),
        ("0123456789abcdéfghij", "non-ASCII"),
    ],
)
def test_weak_tokens_are_rejected_at_startup(
    service: VaultService, token: str, reason: str
) -> None:
    client = TestClient(
        create_app(app_over(service), settings(token=token)), base_url="http://127.0.0.1"
    )
    with pytest.raises(ValueError, match=reason):
        client.get("/api/v1/health")


def _cors_headers(response: object) -> dict[str, str]:
    headers = response.headers  # type: ignore[attr-defined]
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith("access-control")}


@pytest.mark.parametrize("origin", [*CORS_ORIGINS, "https://evil.example", "null"])
def test_no_cors_headers_unless_enabled(service: VaultService, origin: str) -> None:
    client = _client(service)
    assert _cors_headers(client.get("/api/v1/status", headers={"Origin": origin})) == {}
    preflight = client.options(
        "/api/v1/query",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert _cors_headers(preflight) == {}


@pytest.mark.parametrize("origin", CORS_ORIGINS)
def test_cors_echoes_exactly_the_allowed_origins(service: VaultService, origin: str) -> None:
    client = _client(service, cors=True)
    response = client.get("/api/v1/status", headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert "Origin" in response.headers["vary"]
    preflight = client.options(
        "/api/v1/query",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "Authorization" in preflight.headers["access-control-allow-headers"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "app://obsidian.md.evil",
        "http://localhost:3000",
        "null",
        "http://127.0.0.1",
        "capacitor://localhost/x",
        "APP://OBSIDIAN.MD",
    ],
)
def test_cors_never_answers_other_origins(service: VaultService, origin: str) -> None:
    client = _client(service, cors=True)
    response = client.get("/api/v1/status", headers={"Origin": origin})
    assert _cors_headers(response) == {}
    preflight = client.options(
        "/api/v1/query", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403
    assert preflight.json()["error"]["code"] == "forbidden_origin"
    assert _cors_headers(preflight) == {}


def test_cors_never_uses_a_wildcard(service: VaultService) -> None:
    client = _client(service, cors=True)
    for origin in CORS_ORIGINS:
        response = client.get("/api/v1/status", headers={"Origin": origin})
        assert "*" not in response.headers.get("access-control-allow-origin", "")
    with pytest.raises(ValueError, match="wildcard"):
        CorsMiddleware(client.app, origins=["*"], enabled=True)
