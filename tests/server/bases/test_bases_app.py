"""Bases through the surfaces: VaultApp.base/bases, the CLI, the HTTP API; live edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.cli.main import main
from server.errors import NotFoundError
from server.web.app import create_app
from tests.server.server_helpers import AUTH, app_over, make_service, make_vault, settings

NOTES = {
    "Projects/Alpha.md": "---\nstatus: active\nprice: 3\n---\nSee [[Beta]].\n",
    "Projects/Beta.md": "---\nstatus: paused\nprice: 5\n---\nBack to [[Alpha]].\n",
    "Home.md": "# Home\n\n```base\nfilters: file.hasLink(this)\nviews:\n  - type: list\n```\n\n"
    "```base\nfilters: [oops\n```\n",
    "Projects/Projects.base": (
        'filters: file.inFolder("Projects") && file.ext == "md"\nformulas:\n  double: price * 2\n'
        "views:\n  - type: table\n    name: All\n    order: [file.name, status, formula.double]\n"
        "    sort: [{property: price, direction: DESC}]\n  - type: cards\n    name: Active\n"
        "    filters: 'status == \"active\"'\n"
    ),
}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = make_vault(tmp_path / "vault", NOTES)
    (root / "Projects" / "logo.png").write_bytes(b"\x89PNG....")
    return root


def test_vault_app_answers_a_base_with_revision_and_follows_a_live_edit(vault: Path) -> None:
    service = make_service(vault)
    service.load()
    app = app_over(service)
    body = app.base("Projects/Projects.base")
    assert [r["path"] for r in body["rows"]] == ["Projects/Beta.md", "Projects/Alpha.md"]
    assert body["rows"][0]["cells"]["formula.double"] == 10
    assert body["revision"] == 1 and body["instance"] == app.instance
    assert app.base("Projects/Projects.base", view="Active")["count"] == 1
    (vault / "Projects" / "Beta.md").write_text("---\nstatus: active\nprice: 9\n---\n")
    service.apply_changes(["Projects/Beta.md"])
    after = app.base("Projects/Projects.base", view="Active")
    assert after["revision"] == 2 and after["count"] == 2
    assert app.base("Projects/Projects.base")["rows"][0]["cells"]["formula.double"] == 18
    listing = app.bases()["bases"]
    assert {(b["kind"], b["path"]) for b in listing} >= {
        ("file", "Projects/Projects.base"), ("block", "Home.md")
    }  # fmt: skip
    broken = [b for b in listing if b.get("index") == 2]
    assert broken and "error" in broken[0]


def test_code_blocks_bind_this_to_the_note(vault: Path) -> None:
    service = make_service(vault)
    service.load()
    app = app_over(service)
    body = app.base(block=("Home.md", 1), fmt="paths")
    assert body["text"] == ""  # nothing links to Home
    body = app.base(block=("Home.md", 1), this="Projects/Alpha.md", fmt="paths")
    assert body["text"] == "Projects/Beta.md\n"
    with pytest.raises(NotFoundError, match="has no base code block 3"):
        app.base(block=("Home.md", 3))


def test_http_routes_and_error_shape(vault: Path) -> None:
    service = make_service(vault)
    service.load()
    client = TestClient(
        create_app(app_over(service), settings()), base_url="http://127.0.0.1", headers=AUTH
    )
    ok = client.post(
        "/api/v1/bases/query", json={"path": "Projects/Projects.base", "format": "csv"}
    )
    assert ok.status_code == 200
    assert ok.json()["text"].splitlines()[0] == "file name,status,double"
    inline = client.post("/api/v1/bases/query", json={"yaml": 'filters: file.ext == "png"\n'})
    assert [r["path"] for r in inline.json()["rows"]] == ["Projects/logo.png"]
    bad = client.post("/api/v1/bases/query", json={"block": {"note": "Home.md", "index": 2}})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert (
        error["code"] == "syntax" and error["line"] == 10
    )  # the line in Home.md and "^" in error["context"]
    unknown = client.post(
        "/api/v1/bases/query", json={"path": "Projects/Projects.base", "view": "X"}
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "semantic"
    missing = client.post("/api/v1/bases/query", json={"path": "Nope.base"})
    assert missing.status_code == 404
    listing = client.get("/api/v1/bases").json()
    assert listing["revision"] == 1 and listing["bases"]
    described = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/bases/query" in described and "/api/v1/bases" in described


def test_cli_formats_and_errors(
    vault: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    common = ["--index-dir", str(tmp_path / "index")]
    assert main(["base", str(vault), "Projects/Projects.base", "--format", "paths", *common]) == 0
    assert capsys.readouterr().out == "Projects/Beta.md\nProjects/Alpha.md\n"
    assert main(["base", str(vault), "Projects/Projects.base", "--limit", "1", *common]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    assert (
        main(
            [
                "base",
                str(vault),
                "--block",
                "Home.md:1",
                "--this",
                "Projects/Beta.md",
                "--format",
                "md",
                *common,
            ]
        )
        == 0
    )
    assert "| Alpha |" in capsys.readouterr().out
    assert main(["base", str(vault), "Projects/Projects.base", "--view", "Nope", *common]) == 2
    assert "no view named 'Nope'" in capsys.readouterr().err
    assert main(["bases", str(vault), *common]) == 0
    assert "Projects/Projects.base\tAll, Active" in capsys.readouterr().out
