"""The real server's answers match the golden API responses the Obsidian plugin's tests render.

``fixtures/api/*.json`` is shared with ``plugin-js/test``: each file holds one request and the
response the plugin is tested against (``{"request": {...}, "status": int, "body": ...}``). Here
the same requests go through the real Starlette app (``create_app``) over a copy of
``fixtures/demo-vault``, so the server and the plugin cannot drift apart.

Deterministic set-up: the copy's modification times are all set to ``FIXED_MTIME``, the local
zone is UTC, dashboards get a fixed ``now``, search runs in ``keyword`` mode with the hash
embedder (no model) and related notes run without vectors (no ``semantic`` reason).

Volatile fields, replaced by fixed values on both sides before comparing (see ``normalise``):

* ``took_ms`` (query timing) and every ``revision`` (depends on load order) — anywhere; every
  ``instance`` (a random id per run) becomes :data:`FIXED_INSTANCE`;
* ``/health``: ``version`` (the package's; it changes with every release);
* ``/status``: ``progress.rate_per_s``, ``progress.elapsed_s``, ``progress.eta_s`` and ``cache``;
* file creation times, which cannot be set: ``file.ctime``-derived values — the PARA
  ``archives.by_year``/``by_quarter`` counts (archived notes with no date field) and the age in
  the review's ``new_orphan`` reasons;
* search: ``embedding.chunks_per_s`` and ``embedding.eta_s`` (embedding speed).

Regenerate after an intended API change, then re-run the plugin tests (`cd plugin-js; npm test`):
``VAULTQL_UPDATE_GOLDEN=1 pytest tests/server/web/test_golden_api.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.related.related_service import RelatedService
from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.search.snapshot_sync import apply_snapshot
from server.web.app import create_app
from tests.server.server_helpers import AUTH, app_over, make_service, settings

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "fixtures" / "demo-vault"
GOLDEN = ROOT / "fixtures" / "api"
FIXED_MTIME = 1710590400.0  # 2024-03-16T12:00:00Z
UPDATE = os.environ.get("VAULTQL_UPDATE_GOLDEN") == "1"
FIXED_INSTANCE = "0123456789abcdef"

# name -> request. The plugin tests look fixtures up by these names.
REQUESTS: dict[str, dict[str, Any]] = {
    "health": {"method": "GET", "path": "/api/v1/health"},
    "status": {"method": "GET", "path": "/api/v1/status"},
    "query-table": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {
            "query": 'TABLE status, due, file.tags AS tags FROM "Projects" SORT file.name',
            "origin": "Home.md",
        },
    },
    "query-cells": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {
            "query": "TABLE WITHOUT ID file.link AS note, [[Home#Queries]] AS heading, "
            'date("2024-03-17T10:30") AS when, dur("2 hours 5 minutes") AS spent, '
            '[1, "two"] AS list, {a: 1} AS obj, elink("https://example.org", "site") AS web, '
            "null AS nothing, true AS yes, 2.5 AS n\n"
            'FROM "Projects" WHERE status = "active"',
            "origin": "Home.md",
        },
    },
    "query-list": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {"query": "LIST status FROM #project SORT file.name", "origin": "Home.md"},
    },
    "query-this": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {
            "query": "LIST FROM [[]] SORT file.name",
            "origin": "Projects/Website Redesign.md",
        },
    },
    "query-task": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {
            "query": 'TASK FROM "Projects/Website Redesign"',
            "origin": "Projects/Website Redesign.md",
        },
    },
    "query-task-grouped": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {
            "query": 'TASK FROM "Projects" WHERE !completed GROUP BY file.link',
            "origin": "Home.md",
        },
    },
    "eval": {
        "method": "POST",
        "path": "/api/v1/eval",
        "json": {
            "expression": '[this.owner, this.due, this.budget, this.nothing, "Due " + this.due]',
            "origin": "Projects/Website Redesign.md",
        },
    },
    "eval-error-syntax": {
        "method": "POST",
        "path": "/api/v1/eval",
        "json": {"expression": "this.due +", "origin": "Projects/Website Redesign.md"},
    },
    "query-error-syntax": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {"query": 'TABLE status FROM "Projects"\nSORT', "origin": "Home.md"},
    },
    "query-error-semantic": {
        "method": "POST",
        "path": "/api/v1/query",
        "json": {"query": "TABLE nosuchfunction(status)", "origin": "Home.md"},
    },
    "related": {
        "method": "GET",
        "path": "/api/v1/related",
        "params": {"path": "Projects/Website Redesign.md"},
    },
    "mentions": {
        "method": "GET",
        "path": "/api/v1/mentions",
        "params": {"path": "Projects/Website Redesign.md"},
    },
    "suggest-links": {
        "method": "GET",
        "path": "/api/v1/suggest-links",
        "params": {"path": "Projects/Website Redesign.md"},
    },
    "search": {
        "method": "GET",
        "path": "/api/v1/search",
        "params": {"q": "sourdough starter", "mode": "keyword", "k": "5"},
    },
    "dashboard-para": {
        "method": "GET",
        "path": "/api/v1/dashboards/para",
        "params": {"now": "2024-05-01"},
    },
    "dashboard-review": {
        "method": "GET",
        "path": "/api/v1/dashboards/review",
        "params": {"now": "2024-05-01"},
    },
    "error-unauthorized": {
        "method": "GET",
        "path": "/api/v1/status",
        "headers": {"Authorization": "Bearer wrong-token-0123456789abcdef"},
    },
}

_STATUS_VOLATILE = ("rate_per_s", "elapsed_s", "eta_s")
_AGE = re.compile(r"\(-?\d+ days old\)")


def normalise(name: str, body: Any) -> Any:
    """``body`` with the volatile fields (module docstring) replaced by fixed values."""
    body = _fixed(body)
    if name == "health" and isinstance(body, dict):
        body["version"] = "0.0.0"
    if name == "status" and isinstance(body, dict):
        for key in _STATUS_VOLATILE:
            body["progress"][key] = None
        body["cache"] = {"enabled": False, "reused": 0, "reparsed": body["notes"]}
        body["embedding"]["chunks_per_s"] = None
        body["embedding"]["eta_s"] = None
    if name == "dashboard-para" and isinstance(body, dict):
        body["archives"]["by_year"] = {}
        body["archives"]["by_quarter"] = {}
    if name == "dashboard-review" and isinstance(body, dict):
        for item in body["items"]:
            if item["kind"] == "new_orphan":
                item["reason"] = _AGE.sub("(N days old)", item["reason"])
    if name == "search" and isinstance(body, dict):
        body["embedding"]["chunks_per_s"] = None
        body["embedding"]["eta_s"] = None
    return body


def _fixed(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "took_ms":
                out[key] = 1.0
            elif key == "revision" and isinstance(item, int):
                out[key] = 1
            elif key == "instance" and isinstance(item, str):
                out[key] = FIXED_INSTANCE
            else:
                out[key] = _fixed(item)
        return out
    if isinstance(value, list):
        return [_fixed(item) for item in value]
    return value


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    vault = tmp_path_factory.mktemp("golden") / "vault"
    shutil.copytree(DEMO, vault)
    for path in vault.rglob("*"):
        if path.is_file():
            os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    service = make_service(vault)
    service.load()
    # Deterministic search and related notes: the hash embedder, no semantic vectors.
    search = SearchService(HashEmbedder())
    reader = vault_text_reader(vault)
    apply_snapshot(search, service.snapshot().index, reader, initial=True)
    while search.embed_pending_batch():
        pass
    related = RelatedService(service.snapshot, None, reader)
    app = create_app(app_over(service, search=search, related=related), settings())
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as test_client:
        yield test_client
    search.close()


def _call(client: TestClient, request: dict[str, Any]) -> tuple[int, Any]:
    response = client.request(
        request["method"],
        request["path"],
        params=request.get("params"),
        json=request.get("json"),
        headers=request.get("headers"),
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_server_answers_the_golden_response(client: TestClient, name: str) -> None:
    request = REQUESTS[name]
    status, body = _call(client, request)
    actual = {"request": request, "status": status, "body": normalise(name, body)}
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert golden["request"] == request, "the fixture was recorded for another request"
    assert status == golden["status"]
    assert actual["body"] == golden["body"]


def test_every_golden_fixture_is_checked() -> None:
    # A fixture nobody regenerates would let the plugin test against a stale shape.
    on_disk = {path.stem for path in GOLDEN.glob("*.json")}
    assert on_disk == set(REQUESTS)


def test_normalise_only_touches_the_documented_volatile_fields() -> None:
    body = {
        "took_ms": 3.2,
        "revision": 7,
        "instance": "f00dfeedf00dfeed",
        "rows": [{"revision": "r", "took_ms": 1, "instance": 3}],
        "x": 2,
    }
    assert normalise("query-table", body) == {
        "took_ms": 1.0,
        "revision": 1,
        "instance": FIXED_INSTANCE,
        "rows": [{"revision": "r", "took_ms": 1.0, "instance": 3}],
        "x": 2,
    }
