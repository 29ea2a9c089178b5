"""POST /api/v1/eval (inline queries), the run's ``instance`` on every surface, and the vault's
own Dataview settings (``.obsidian/plugins/dataview/data.json``) through the real app."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.application.broadcast import Event
from server.vault.dataview_settings import DATAVIEW_SETTINGS, DEFAULTS
from server.web.app import create_app
from server.web.routes.events import format_event
from tests.server.server_helpers import AUTH, app_over, make_service, make_vault, settings

NOTES = {
    "Projects/Alpha.md": (
        "---\nstatus: active\ndue: 2024-03-20\n---\n# Alpha\n"
        "- [ ] parent\n    - [ ] child\n- [x] done\n"
    ),
    "Home.md": "owner:: [[Alpha]]\n",
}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "vault", NOTES)


@pytest.fixture
def client(vault: Path) -> Iterator[TestClient]:
    service = make_service(vault)
    service.load()
    app = create_app(app_over(service), settings())
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client:
        yield client


def evaluate(client: TestClient, expression: str, origin: str | None = "Projects/Alpha.md") -> dict:
    body = (
        {"expression": expression}
        if origin is None
        else {"expression": expression, "origin": origin}
    )
    response = client.post("/api/v1/eval", json=body)
    assert response.status_code == 200, response.text
    answer: dict = response.json()
    return answer


def write_settings(vault: Path, data: dict | str) -> None:
    path = vault.joinpath(*DATAVIEW_SETTINGS.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


# -- /eval ---------------------------------------------------------------------------------------


def test_eval_answers_the_typed_value_its_text_revision_and_instance(client: TestClient) -> None:
    answer = evaluate(client, '"Due " + this.due')
    assert answer == {
        "value": "Due March 20, 2024",
        "text": "Due March 20, 2024",
        "revision": 1,
        "instance": answer["instance"],
    }
    answer = evaluate(client, "[this.due, this.nothing, (x) => x]")
    assert answer["value"] == [
        {"type": "date", "iso": "2024-03-20T00:00:00.000+00:00", "zone": "local",
         "text": "March 20, 2024"},
        None,
        {"type": "function"},
    ]  # fmt: skip
    assert answer["text"] == "March 20, 2024, \\-, <function>"


def test_this_is_the_origin_note(client: TestClient) -> None:
    assert evaluate(client, "this.file.name")["text"] == "Alpha"
    assert evaluate(client, "this.owner", origin="Home.md")["text"] == "[[Projects/Alpha.md|Alpha]]"
    assert evaluate(client, "this.file.name", origin=None)["value"] is None
    assert evaluate(client, "file.name")["value"] is None  # no row, as in Dataview


ERRORS = [
    ({"expression": "this.due +"}, 400, "syntax"),
    ({"expression": "nosuch(1)"}, 422, "semantic"),
    ({"expression": "null + 1"}, 422, "evaluation"),
    ({"expression": 'padleft("x", 100000000)'}, 422, "limit"),
    ({"expression": "[" * 300 + "]" * 300}, 422, "limit"),
    ({"expression": ""}, 400, "bad_request"),
    ({"expression": "x" * 100_001}, 400, "bad_request"),
    ({"expression": 3}, 400, "bad_request"),
    ({"query": "LIST"}, 400, "bad_request"),
    ({"expression": "1", "origin": "../outside.md"}, 400, "bad_path"),
    ({"expression": "1", "origin": 5}, 400, "bad_request"),
]


@pytest.mark.parametrize(("body", "status", "code"), ERRORS, ids=[e[2] for e in ERRORS])
def test_eval_errors_are_a_querys(client: TestClient, body: dict, status: int, code: str) -> None:
    response = client.post("/api/v1/eval", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code


def test_eval_syntax_errors_carry_the_position(client: TestClient) -> None:
    error = client.post("/api/v1/eval", json={"expression": "this.due +"}).json()["error"]
    assert (error["line"], error["column"]) == (1, 11)
    assert error["context"] == "this.due +\n          ^"


# -- instance ------------------------------------------------------------------------------------


def test_one_instance_per_run_on_every_surface(client: TestClient, vault: Path) -> None:
    instance = client.get("/api/v1/health").json()["instance"]
    assert re.fullmatch(r"[0-9a-f]{16}", instance)
    assert client.get("/api/v1/status").json()["instance"] == instance
    assert client.post("/api/v1/query", json={"query": "LIST"}).json()["instance"] == instance
    assert evaluate(client, "1")["instance"] == instance
    service = make_service(vault)
    service.load()
    again = create_app(app_over(service), settings())
    with TestClient(again, base_url="http://127.0.0.1", headers=AUTH) as restarted:
        # A restart starts its revisions again: the instance tells the two runs apart.
        status = restarted.get("/api/v1/status").json()
        assert status["revision"] == 1 and status["instance"] != instance


def test_hello_and_revision_events_carry_the_instance() -> None:
    hello = format_event(Event("hello", {"revision": 3, "phase": "ready"}), "abc")
    assert hello == b'event: hello\ndata: {"revision":3,"phase":"ready","instance":"abc"}\n\n'
    revision = format_event(Event("revision", {"revision": 4, "changed": [], "removed": []}), "abc")
    assert revision == (
        b"event: revision\nid: 4\n"
        b'data: {"revision":4,"changed":[],"removed":[],"instance":"abc"}\n\n'
    )
    progress = format_event(Event("progress", {"phase": "scanning"}), "abc")
    assert b"instance" not in progress


# -- counts and TASK nesting over HTTP ----------------------------------------------------------


def test_task_results_show_a_child_only_under_its_parent(client: TestClient) -> None:
    body = client.post("/api/v1/query", json={"query": "TASK WHERE !completed"}).json()
    assert [(t["text"], [c["text"] for c in t["children"]]) for t in body["tasks"]] == [
        ("parent", ["child"])
    ]
    assert body["count"] == 2  # both matched
    grouped = client.post("/api/v1/query", json={"query": "TASK GROUP BY completed"}).json()
    assert [(g["key"], g["count"], [t["text"] for t in g["rows"]]) for g in grouped["tasks"]] == [
        (False, 2, ["parent"]),
        (True, 1, ["done"]),
    ]
    assert grouped["count"] == 3
    md = client.post(
        "/api/v1/query", json={"query": "TASK GROUP BY completed", "format": "md"}
    ).json()
    assert md["count"] == 3
    assert md["text"] == (
        "#### false (2)\n- [ ] parent\n    - [ ] child\n#### true (1)\n- [x] done\n"
    )


# -- the vault's Dataview settings ---------------------------------------------------------------


def test_status_reports_the_settings_in_force(client: TestClient, vault: Path) -> None:
    status = client.get("/api/v1/status").json()
    assert status["dataview_settings"] == dict(DEFAULTS)
    write_settings(vault, {"renderNullAs": "n/a", "showResultCount": False})
    status = client.get("/api/v1/status").json()
    assert status["dataview_settings"]["renderNullAs"] == "n/a"
    assert status["dataview_settings"]["showResultCount"] is False
    assert status["problems"] == []


def test_the_settings_change_answers_and_follow_edits(client: TestClient, vault: Path) -> None:
    def md(query: str) -> str:
        body = client.post("/api/v1/query", json={"query": query, "format": "md"}).json()
        text: str = body["text"]
        return text

    table = 'TABLE due, nothing FROM "Projects"'
    assert md(table).splitlines()[0] == "| File | due | nothing |"
    assert "| March 20, 2024 | \\- |" in md(table)
    write_settings(
        vault,
        {
            "renderNullAs": "—",
            "defaultDateFormat": "yyyy-MM-dd",
            "tableIdColumnName": "Note",
            "showResultCount": False,
        },
    )
    assert md(table).splitlines()[0] == "| Note | due | nothing |"
    assert "| 2024-03-20 | — |" in md(table)
    assert md("TASK GROUP BY completed").startswith("#### false\n")
    json_table = client.post("/api/v1/query", json={"query": table}).json()
    assert json_table["headers"] == ["Note", "due", "nothing"]
    assert json_table["rows"][0][1]["text"] == "2024-03-20"  # the date cells' text too
    assert evaluate(client, '"Due " + this.due')["text"] == "Due 2024-03-20"
    assert evaluate(client, "string(this.nothing)")["text"] == "—"
    assert evaluate(client, "this.nothing")["text"] == "—"
    note = client.get("/api/v1/notes/Projects/Alpha.md").json()
    assert "2024-03-20" in json.dumps(note)
    write_settings(vault, {"defaultDateFormat": "dd.MM.yyyy"})
    assert evaluate(client, '"Due " + this.due')["text"] == "Due 20.03.2024"


def test_a_broken_settings_file_is_a_config_problem_not_a_crash(
    client: TestClient, vault: Path
) -> None:
    write_settings(vault, "{not json")
    status = client.get("/api/v1/status").json()
    assert status["dataview_settings"] == dict(DEFAULTS)
    [problem] = status["problems"]
    assert problem["path"] == DATAVIEW_SETTINGS and problem["kind"] == "config"
    assert "is not JSON" in problem["message"]
    assert status["problems_total"] == 1
    assert status["summary"]["problems_by_kind"] == {"config": 1}
    assert status["summary"]["files_with_problems"] == 1
    assert evaluate(client, "this.due")["text"] == "March 20, 2024"  # the defaults
    assert client.post("/api/v1/query", json={"query": "LIST"}).status_code == 200
    # The index's cached summary is not changed by the report.
    write_settings(vault, "{}")
    status = client.get("/api/v1/status").json()
    assert status["problems"] == [] and status["summary"]["problems_by_kind"] == {}
