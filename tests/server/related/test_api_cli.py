"""The HTTP endpoints (through the real app) and the CLI commands, without the model."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.cli.related import add_commands
from server.related.related_service import RelatedService
from server.search.search_service import vault_text_reader
from server.web.app import create_app
from tests.server.related.conftest import write_notes
from tests.server.server_helpers import AUTH, app_over, make_service, settings

NOTES = {
    "Bread/Sourdough.md": "---\ntags: [baking]\n---\n# Sourdough\n"
    "A levain of rye flour ferments overnight; see Baguette for shaping.\n",
    "Bread/Baguette.md": "---\ntags: [baking]\n---\n# Baguette\n"
    "Shaping the baguette needs a levain or poolish and rye flour dusting.\n",
    "Bread/Rye.md": "# Rye\nDense rye bread, proofed overnight. [[Sourdough]]\n",
    "Space/Europa.md": "# Europa\nAn icy moon of Jupiter.\n",
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    vault = write_notes(tmp_path / "vault", NOTES)
    service = make_service(vault)
    service.load()
    related = RelatedService(service.snapshot, None, vault_text_reader(vault))
    app = create_app(app_over(service, related=related), settings())
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as test_client:
        yield test_client


def test_related_endpoint_and_its_parameters(client: TestClient) -> None:
    body = client.get("/api/v1/related", params={"path": "Bread/Sourdough.md"}).json()
    assert [r["path"] for r in body["results"]] == ["Bread/Baguette.md"]  # Rye links to it
    kinds = {r["kind"] for r in body["results"][0]["reasons"]}
    assert {"shared_tags", "shared_terms"} <= kinds
    flagged = client.get(
        "/api/v1/related",
        params={"path": "Bread/Sourdough.md", "exclude_linked": "false", "min_score": "0"},
    ).json()
    assert {r["path"]: r["linked"] for r in flagged["results"]}["Bread/Rye.md"] == "in"
    for params, status in [
        ({"path": "Nope.md"}, 404),
        ({"path": "../etc/passwd"}, 400),
        ({}, 400),
        ({"path": "Bread/Rye.md", "k": "0"}, 400),
        ({"path": "Bread/Rye.md", "exclude_linked": "maybe"}, 400),
        ({"path": "Bread/Rye.md", "bogus": "1"}, 400),
    ]:
        response = client.get("/api/v1/related", params=params)
        assert response.status_code == status, params
        assert set(response.json()["error"]) >= {"code", "message"}


def test_mentions_suggest_and_duplicates_endpoints(client: TestClient) -> None:
    mentions = client.get("/api/v1/mentions", params={"path": "Bread/Baguette.md"}).json()
    assert [(m["path"], m["text"]) for m in mentions["mentions"]] == [
        ("Bread/Sourdough.md", "Baguette")
    ]
    suggestions = client.get("/api/v1/suggest-links", params={"path": "Bread/Sourdough.md"}).json()[
        "suggestions"
    ]
    top = suggestions[0]
    assert top["target"] == "Bread/Baguette.md"
    assert top["reasons"][0]["kind"] == "mention"
    assert top["mentions"][0]["text"] == "Baguette"
    duplicates = client.get("/api/v1/duplicates", params={"near": "0.9"}).json()
    assert duplicates["pairs"] == [] and duplicates["near_threshold"] == 0.9
    assert client.get("/api/v1/duplicates", params={"near": "2"}).status_code == 400


def test_endpoints_answer_503_without_the_service(tmp_path: Path) -> None:
    service = make_service(write_notes(tmp_path / "vault", NOTES))
    service.load()
    app = create_app(app_over(service), settings())
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as test_client:
        response = test_client.get("/api/v1/duplicates")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "unavailable"


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_cli_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vault = write_notes(tmp_path / "vault", NOTES)
    assert _cli(["mentions", str(vault), "Bread/Baguette.md", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    text = (vault / "Bread/Sourdough.md").read_text(encoding="utf-8")
    span = body["mentions"][0]
    assert text[span["start"] : span["end"]] == "Baguette"
    assert _cli(["related", str(vault), "Bread/Sourdough.md", "--no-model"]) == 0
    assert "Bread/Baguette.md" in capsys.readouterr().out
    assert _cli(["duplicates", str(vault), "--no-model", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"] == []
    assert _cli(["related", str(vault), "Missing.md", "--no-model"]) == 1
    assert _cli(["duplicates", str(tmp_path / "nowhere"), "--no-model"]) == 2
