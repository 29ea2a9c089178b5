"""Host check, CORS allow-list, bearer token, loopback default, non-loopback refusal."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server import cli_server
from server.app import create_app
from server.config import CORS_ORIGINS, DEFAULT_HOST, ServerSettings, is_loopback
from server.security import CorsMiddleware
from server.service import VaultService
from tests.server.server_helpers import AUTH, TOKEN, make_service, make_vault, settings


@pytest.fixture
def service(tmp_path: Path) -> VaultService:
    service = make_service(make_vault(tmp_path / "vault"))
    service.load()
    return service


def _client(
    service: VaultService, base: str = "http://127.0.0.1", **overrides: object
) -> TestClient:
    return TestClient(create_app(service, settings(**overrides)), base_url=base, headers=AUTH)


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
    assert cli_server.main(["serve", str(vault), "--host", host, "--no-watch"]) == 2
    assert "without an explicit token" in capsys.readouterr().err


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.0.1:8377", "localhost", "localhost:1", "[::1]:8377", "LOCALHOST"],
)
def test_loopback_host_headers_are_accepted(service: VaultService, host: str) -> None:
    response = _client(service).get("/api/v1/status", headers={"Host": host})
    assert response.status_code == 200


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


def test_configured_host_names_are_accepted(service: VaultService) -> None:
    client = _client(service, allowed_hosts=("vault.lan",))
    assert client.get("/api/v1/status", headers={"Host": "vault.lan:8377"}).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"bearer {TOKEN}",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        TOKEN,
        f"Bearer  {TOKEN}",
    ],
)
def test_token_is_required_exactly(service: VaultService, header: str | None) -> None:
    client = TestClient(create_app(service, settings()), base_url="http://127.0.0.1")
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
    assert calls and calls[-1][1] == f"Bearer {TOKEN}".encode()


def test_short_tokens_are_rejected_at_startup(service: VaultService) -> None:
    with pytest.raises(ValueError, match="too short"):
        TestClient(create_app(service, settings(token="short")), base_url="http://127.0.0.1").get(
            "/api/v1/health"
        )


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
