"""GET /api/v1/notes/{path}: one note's metadata, and the path policy against hostile input."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson
import pytest
from starlette.testclient import TestClient

from server.application.live_index import VaultService
from server.errors import NotFoundError
from server.web.app import create_app
from tests.server.server_helpers import TOKEN, app_over, make_service, make_vault, settings


def test_note_metadata(client: TestClient) -> None:
    response = client.get("/api/v1/notes/Projects/Alpha.md")
    assert response.status_code == 200
    note = response.json()
    assert note["path"] == "Projects/Alpha.md"
    assert note["name"] == "Alpha" and note["folder"] == "Projects"
    assert "#project" in note["tags"]
    assert note["fields"]["status"] == "active"
    assert note["fields"]["rating"] == 5
    assert {link["path"] for link in note["inlinks"]} == {"Projects/Beta.md", "README.md"}
    assert "Projects/Beta.md" in {link["path"] for link in note["outlinks"]}
    assert note["unresolved"] == ["Missing"]
    assert [task["text"] for task in note["tasks"]][1] == "done task"
    assert note["tasks"][1]["completed"] is True
    assert note["tasks"][0]["fields"]["due"]["type"] == "date"
    assert [s["heading"] for s in note["sections"]] == ["Alpha", "Notes"]
    assert note["sections"][1]["heading_path"] == ["Alpha", "Notes"]
    assert note["revision"] == 1


def test_percent_encoded_names_decode_once(tmp_path: Path) -> None:
    service = make_service(make_vault(tmp_path / "v", {"A note & more.md": "x:: 1\n"}))
    service.load()
    status, body = _raw_get(service, "/api/v1/notes/A%20note%20%26%20more.md")
    assert status == 200, body
    assert body["path"] == "A note & more.md"


def test_missing_note_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/notes/Nope.md")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# Raw request targets, exactly as a client could put them on the wire (uvicorn decodes once).
HOSTILE = [
    "..",
    "../etc/passwd",
    "../../../../etc/passwd",
    "Projects/../../secret.md",
    "Projects/../README.md",
    "./README.md",
    "%2e%2e/etc/passwd",
    "%2E%2E%2Fetc%2Fpasswd",
    "..%2Fetc%2Fpasswd",
    "..%2f..%2fsecret.md",
    "%252e%252e%252fetc%252fpasswd",
    "%252e%252e/secret.md",
    "..%252Fsecret.md",
    "..%5c..%5csecret.md",
    "..\\..\\secret.md",
    "Projects%5c..%5c..%5csecret.md",
    "%2fetc%2fpasswd",
    "/etc/passwd",
    "//etc/passwd",
    "%2F%2Fserver%2Fshare%2Fx.md",
    "C:%5cWindows%5cwin.ini",
    "C:/Windows/win.ini",
    "c:secret.md",
    "%5c%5cserver%5cshare%5cx.md",
    "\\\\server\\share\\x.md",
    "README.md%00.png",
    "README.md%00",
    "%00",
    "a%0a.md",
    "~/secret.md",
    "~root/.ssh/id_rsa",
    "x" * 300 + ".md",
    "/".join(["a"] * 600) + ".md",
    "Projects//Alpha.md",
    "Projects/./Alpha.md",
    "Projects/Alpha.md/..",
    "%c0%ae%c0%ae/secret.md",
    "..%c0%afsecret.md",
    ".%2e/secret.md",
    "",
]


def _raw_get(service: VaultService, raw_target: str) -> tuple[int, Any]:
    """Send a request target untouched by any client-side URL normalisation."""
    app = create_app(app_over(service), settings())
    raw = raw_target.encode("latin-1", "replace")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_target, errors="surrogateescape"),
        "raw_path": raw,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {TOKEN}".encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        else:
            out["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return out["status"], orjson.loads(out["body"])


@pytest.fixture
def guarded(tmp_path: Path) -> VaultService:
    """A vault with a secret next to it and symlinks pointing out of it."""
    secret = tmp_path / "secret.md"
    secret.write_text("password:: hunter2\n", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.md").write_text("leak:: yes\n", encoding="utf-8")
    vault = make_vault(tmp_path / "vault")
    os.symlink(secret, vault / "link-to-secret.md")
    os.symlink(tmp_path / "outside", vault / "outdir")
    service = make_service(vault)
    service.load()
    return service


def test_hostile_corpus_is_large_enough() -> None:
    assert len(set(HOSTILE)) >= 30


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_paths_are_refused(guarded: VaultService, target: str) -> None:
    status, body = _raw_get(guarded, "/api/v1/notes/" + target)
    assert status in (400, 404), (target, status, body)
    assert set(body) == {"error"}
    assert body["error"]["code"] in ("bad_path", "not_found")
    assert "hunter2" not in orjson.dumps(body).decode()


@pytest.mark.parametrize("target", ["link-to-secret.md", "outdir/x.md"])
def test_symlinks_out_of_the_vault_are_not_served(guarded: VaultService, target: str) -> None:
    status, body = _raw_get(guarded, "/api/v1/notes/" + target)
    assert status == 404
    assert body["error"]["code"] == "not_found"
    result = app_over(guarded).query("TABLE password, leak")
    assert "hunter2" not in orjson.dumps(result).decode()
    assert {row[0]["path"] for row in result["rows"]} == set(guarded.snapshot().index.paths)
    assert not any(
        path.startswith(("outdir", "link-to")) for path in guarded.snapshot().index.paths
    )


def test_dot_segments_never_reach_a_real_note(guarded: VaultService) -> None:
    # Would name README.md after normalisation: refused rather than silently normalised.
    status, body = _raw_get(guarded, "/api/v1/notes/Projects/../README.md")
    assert status == 400
    assert body["error"]["code"] == "bad_path"


@pytest.mark.parametrize(
    "target",
    ["a%0a.md", "a%0A.md", "a%0d.md", "a%0D.md", "README.md%0A", "README.md%0d", "%0a", "%0D%0A"],
)
def test_line_breaks_in_note_paths_are_bad_paths(guarded: VaultService, target: str) -> None:
    # Starlette's `path` convertor stops at a newline (a plain 404), and its closing `$` let
    # `README.md%0A` name README.md.
    status, body = _raw_get(guarded, "/api/v1/notes/" + target)
    assert (status, body["error"]["code"]) == (400, "bad_path"), body


def _note(service: VaultService, path: str) -> dict[str, Any] | None:
    """What ``GET /api/v1/notes/{path}`` answers, or None for no such note."""
    try:
        return app_over(service).note(path)
    except NotFoundError:
        return None
