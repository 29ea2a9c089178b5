"""Issue #12: no file outside the vault is ever read or echoed, through any endpoint.

A note swapped for a symlink leaving the vault after it was indexed (with and without the
watcher), and configuration files (``.vaultql.toml``, ``.obsidian/app.json``) that are such
symlinks. Each test plants a canary in the outside file and checks every answer for it.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.application.derived_services import DerivedServices
from server.related.related_service import RelatedService
from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from tests.conftest import ROOT
from tests.server.served import served
from tests.server.server_helpers import AUTH, make_service, running_server

DEMO = ROOT / "fixtures" / "demo-vault"
CANARY = "TOPSECRET-CANARY"
ALICE = "People/Alice Chen.md"
# Names of other demo notes, so a mention scan of this text would quote its lines.
OUTSIDE_NOTE = (
    f"leak:: {CANARY}\naws_secret_access_key = {CANARY}\n"
    f"Works on Website Redesign and Learn Rust; see Deep Work. {CANARY}\n"
)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "vault", symlinks=True))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "note.md").write_text(OUTSIDE_NOTE)
    (folder / "credentials.toml").write_text(f'aws_secret_access_key = "{CANARY}"\n')
    (folder / "app.json").write_text(json.dumps({"aws_secret_access_key": CANARY}))
    return folder


def _swap_for_symlink(vault: Path, rel: str, target: Path) -> None:
    (vault / rel).unlink()
    (vault / rel).symlink_to(target)


def _eventually(check: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _clean(response: httpx.Response) -> httpx.Response:
    assert CANARY not in response.text and "aws_secret" not in response.text, response.text
    return response


def _escape_reported(client: httpx.Client) -> bool:
    status = _clean(client.get("/api/v1/status")).json()
    problems = {(p["path"], p["kind"]) for p in status.get("problems", [])}
    return (ALICE, "symlink-escape") in problems


# -- notes, queries, dashboards: a real `vaultql serve` ------------------------------------------


@pytest.mark.parametrize("watch", [False, True], ids=["no watcher", "watcher"])
def test_a_note_swapped_for_a_symlink_out_never_leaks(
    vault: Path, outside: Path, tmp_path: Path, watch: bool
) -> None:
    with served(vault, tmp_path, watch=watch) as server, server.client() as client:
        assert client.get(f"/api/v1/notes/{ALICE}").status_code == 200
        _swap_for_symlink(vault, ALICE, outside / "note.md")
        for _ in range(3 if watch else 1):  # right after the swap, and while the watcher works
            _clean(client.get(f"/api/v1/notes/{ALICE}"))
            _clean(server.query("TABLE leak, file.outlinks"))
            for board in ("para", "zettelkasten", "review"):
                _clean(client.get(f"/api/v1/dashboards/{board}"))
            time.sleep(0.1)
        if watch:  # the live re-read refuses it: the note goes, the escape is reported
            _eventually(lambda: client.get(f"/api/v1/notes/{ALICE}").status_code == 404)
            _eventually(lambda: _escape_reported(client))
        _clean(client.get("/api/v1/status"))


# -- mentions and link suggestions: search and related notes in-process ------------------------


@pytest.fixture(params=[False, True], ids=["no watcher", "watcher"])
def related_server(request: pytest.FixtureRequest, vault: Path) -> Iterator[httpx.Client]:
    """A real uvicorn with search and related notes (a deterministic test embedder)."""
    service = make_service(vault)
    search = SearchService(embedder=HashEmbedder())
    text_of = vault_text_reader(service.vault, service.recheck)
    derived = DerivedServices(service, search, RelatedService(service.snapshot, search, text_of))
    with (
        running_server(service, derived, watch=request.param) as url,
        httpx.Client(base_url=url, headers=AUTH, timeout=30) as client,
    ):
        yield client


def test_mentions_and_suggestions_never_read_a_swapped_note(
    related_server: httpx.Client, vault: Path, outside: Path
) -> None:
    client = related_server
    params = {"path": ALICE}
    _eventually(lambda: client.get("/api/v1/mentions", params=params).status_code == 200)
    assert client.get("/api/v1/suggest-links", params=params).status_code == 200
    _swap_for_symlink(vault, ALICE, outside / "note.md")
    answers: list[int] = []
    for _ in range(3):  # the first request right after the swap, then a few more
        for endpoint in ("/api/v1/mentions", "/api/v1/suggest-links", "/api/v1/related"):
            answers.append(_clean(client.get(endpoint, params=params)).status_code)
        _clean(client.get("/api/v1/search", params={"q": "topsecret canary Website"}))
        time.sleep(0.1)
    assert set(answers) <= {200, 404, 503}
    # With or without a watcher, the refused read drops the note and reports the escape.
    _eventually(lambda: client.get("/api/v1/mentions", params=params).status_code == 404)
    _eventually(lambda: _escape_reported(client))


# -- configuration files ------------------------------------------------------------------------


def _all_answers(client: httpx.Client) -> list[httpx.Response]:
    return [
        client.get("/api/v1/status"),
        client.get("/api/v1/health"),
        *(client.get(f"/api/v1/dashboards/{b}") for b in ("para", "zettelkasten", "review")),
        client.post("/api/v1/query", json={"query": "TABLE file.para FROM #project"}),
    ]


@pytest.mark.parametrize("dangling", [False, True], ids=["target exists", "dangling"])
def test_config_symlinks_out_of_the_vault_are_refused_quietly(
    vault: Path, outside: Path, tmp_path: Path, dangling: bool
) -> None:
    suffix = ".absent" if dangling else ""
    (vault / ".vaultql.toml").symlink_to(outside / f"credentials.toml{suffix}")
    _swap_for_symlink(vault, ".obsidian/app.json", outside / f"app.json{suffix}")
    with served(vault, tmp_path) as server, server.client() as client:
        answers = [_clean(response) for response in _all_answers(client)]
        status: dict[str, Any] = answers[0].json()
        config = [p for p in status["problems"] if p["kind"] == "config"]
        assert config == [
            {
                "path": ".obsidian/app.json",
                "kind": "config",
                "message": ".obsidian/app.json: not read: it is a symlink that leaves the vault",
            }
        ]
        para = answers[2]
        assert para.status_code == 422
        assert para.json()["error"]["message"] == (
            ".vaultql.toml: not read: it is a symlink that leaves the vault"
        )
        assert answers[-1].status_code == 200  # DQL goes on with the default conventions
