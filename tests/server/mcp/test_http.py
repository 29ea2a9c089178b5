"""``/mcp`` on a real uvicorn (127.0.0.1, a random port): the SDK's client of three protocol
revisions, and the gatekeeping — token, Origin, Host, body size — in the API's error shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import mcp.client.session
import orjson
import pytest
from mcp import Client

from server.application.derived_services import DerivedServices
from server.application.live_index import VaultService
from server.mcp.server import TOOLS
from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.search.snapshot_sync import apply_snapshot
from tests.server.mcp.conftest import with_http_client
from tests.server.server_helpers import AUTH, make_service, make_vault, running_server

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VaultService]:
    service = make_service(make_vault(tmp_path_factory.mktemp("http") / "vault"))
    service.load()
    yield service
    service.close()


@pytest.fixture(scope="module")
def derived(service: VaultService) -> Iterator[DerivedServices]:
    search = SearchService(HashEmbedder())
    apply_snapshot(search, service.snapshot().index, vault_text_reader(service.vault), initial=True)
    while search.embed_pending_batch():
        pass
    yield DerivedServices(service, search=search, follow=False)
    search.close()


@pytest.fixture(scope="module")
def url(service: VaultService, derived: DerivedServices) -> Iterator[str]:
    with running_server(service, derived) as base:
        yield base


Session = tuple[str, list[str], dict[str, Any], dict[str, Any]]


def _session(url: str, **options: Any) -> Session:
    async def use(connected: Client) -> Session:
        tools = [tool.name for tool in (await connected.list_tools()).tools]
        note = await connected.call_tool("read_note", {"target": "[[Alpha#Notes]]"})
        found = await connected.call_tool("search", {"query": "Mitochondria", "mode": "keyword"})
        assert not note.is_error and not found.is_error, (note.content, found.content)
        assert note.structured_content is not None and found.structured_content is not None
        return connected.protocol_version, tools, note.structured_content, found.structured_content

    return with_http_client(url + "/mcp", use, AUTH, **options)


def _check(tools: list[str], note: dict[str, Any]) -> None:
    assert len(tools) == len(TOOLS) and tools[:3] == ["vault_overview", "search", "read_note"]
    assert note["path"] == "Projects/Alpha.md" and note["section"] == "Alpha > Notes"
    assert note["content"] == "## Notes\nrating:: 5\n" and note["revision"] >= 1


def test_a_2026_07_28_client_discovers_lists_and_calls(url: str) -> None:
    version, tools, note, found = _session(url)
    assert version == "2026-07-28"
    _check(tools, note)
    assert found["results"] == []  # a keyword absent from this vault


def test_a_2025_11_25_client_initializes_lists_and_calls(url: str) -> None:
    version, tools, note, _ = _session(url, mode="legacy")
    assert version == "2025-11-25"
    _check(tools, note)


def test_a_2025_06_18_client_initializes_lists_and_calls(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mcp.client.session, "LATEST_HANDSHAKE_VERSION", "2025-06-18")
    version, tools, note, _ = _session(url, mode="legacy")
    assert version == "2025-06-18"
    _check(tools, note)


def test_search_answers_over_http(url: str) -> None:
    async def use(client: Client) -> dict[str, Any]:
        result = await client.call_tool("search", {"query": "task", "mode": "keyword"})
        assert result.structured_content is not None
        return result.structured_content

    body = with_http_client(url + "/mcp/", use, AUTH)
    assert body["results"][0]["path"] == "Projects/Alpha.md"


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        return client.post(url + "/mcp", content=body, headers=headers)


def test_no_token_is_401(url: str) -> None:
    response = _post(url, orjson.dumps(INITIALIZE), JSON_HEADERS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")
    wrong = _post(url, orjson.dumps(INITIALIZE), {**JSON_HEADERS, "Authorization": "Bearer no"})
    assert wrong.status_code == 401


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:9999"])
def test_a_foreign_origin_is_403_with_or_without_the_token(url: str, origin: str) -> None:
    for auth in (AUTH, {}):
        response = _post(url, orjson.dumps(INITIALIZE), {**JSON_HEADERS, **auth, "Origin": origin})
        assert response.status_code == 403, (origin, auth)
        assert response.json()["error"]["code"] == "forbidden_origin"


def test_an_allow_listed_origin_passes_with_cors(service: VaultService) -> None:
    with running_server(service, cors=True) as base:
        headers = {**JSON_HEADERS, **AUTH, "Origin": "app://obsidian.md"}
        response = _post(base, orjson.dumps(INITIALIZE), headers)
        assert response.status_code == 200
        assert response.json()["result"]["serverInfo"]["name"] == "vaultql"
        assert response.headers["access-control-allow-origin"] == "app://obsidian.md"


def test_a_foreign_host_is_refused(url: str) -> None:
    headers = {**JSON_HEADERS, **AUTH, "Host": "evil.example:8377"}
    response = _post(url, orjson.dumps(INITIALIZE), headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden_host"


def test_an_oversize_body_is_413(url: str) -> None:
    padding = {"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"x": "y" * 1_000_000}}
    body = orjson.dumps(padding)
    response = _post(url, body, {**JSON_HEADERS, **AUTH})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(body), 65_536):
            yield body[start : start + 65_536]

    with httpx.Client(timeout=30) as client:
        streamed = client.post(url + "/mcp", content=chunks(), headers={**JSON_HEADERS, **AUTH})
    assert streamed.status_code == 413


def test_plain_json_rpc_answers_in_one_json_response_without_a_session(url: str) -> None:
    response = _post(url, orjson.dumps(INITIALIZE), {**JSON_HEADERS, **AUTH})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "mcp-session-id" not in response.headers  # stateless
    result = response.json()["result"]
    assert result["protocolVersion"] == "2025-06-18"
    assert "read_note" in result["instructions"]
    call = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "read_note", "arguments": {"target": "../../etc/passwd"}},
    }
    headers = {**JSON_HEADERS, **AUTH, "MCP-Protocol-Version": "2025-06-18"}
    answer = _post(url, orjson.dumps(call), headers).json()["result"]
    assert answer["isError"] is True
    assert answer["structuredContent"]["error"]["code"] == "bad_path"


def test_the_json_api_still_answers_beside_mcp(url: str) -> None:
    with httpx.Client(base_url=url, headers=AUTH, timeout=30) as client:
        assert client.get("/api/v1/status").json()["ready"] is True
        assert client.get("/api/v1/health").status_code == 200
        # /mcp is one endpoint, not a prefix that routes elsewhere
        assert client.get("/mcp/api/v1/status").status_code == 404


def test_the_mcp_package_is_optional(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without the package the API serves on, without /mcp."""
    import builtins

    from starlette.testclient import TestClient

    from server.web.app import create_app
    from tests.server.server_helpers import app_over, settings

    real_import = builtins.__import__

    def no_mcp(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "server.web.routes.mcp":
            raise ImportError("no mcp")
        return real_import(name, *args, **kwargs)

    service = make_service(make_vault(tmp_path / "vault"))
    service.load()
    monkeypatch.setattr(builtins, "__import__", no_mcp)
    app = create_app(app_over(service), settings())
    monkeypatch.undo()
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client:
        assert client.get("/api/v1/status").status_code == 200
        response = client.post("/mcp", content=orjson.dumps(INITIALIZE), headers=JSON_HEADERS)
        assert response.status_code == 404
    service.close()
