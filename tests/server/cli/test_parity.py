"""The command line and the HTTP API are one application: for every command with a route,
``--json`` prints the same bytes as ``vaultql get`` of that route (issue 13).

Both run in this process through ``server.cli.main``, as a user runs them, over one index folder
(the second reuses the catalog cache and the embeddings the first wrote). The only fields that
may differ are the measured ones — a query's ``took_ms`` and the embedding rate and ETA — and
``instance``, a random id of each run (each command is a run of its own).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from server.cli import main
from tests.conftest import DEMO_VAULT, VAULTS, require_shared

_VOLATILE = re.compile(r'"(took_ms|chunks_per_s|eta_s|instance)": [^,\n]+')


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    return _VOLATILE.sub(r'"\1": null', out)


def note_path(path: str) -> str:
    return "/api/v1/notes/" + quote(path)


def get(route: str, **params: object) -> str:
    query = urlencode({k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()})
    return f"{route}?{query}" if query else route


QUERY = 'TABLE file.para, status FROM "Projects" WHERE file.para = "projects" SORT file.name'
EXPRESSION = '[this.owner, this.due, "Due " + this.due, this.nothing, length(this.file.tasks)]'


def demo_cases() -> list[tuple[str, list[str], list[str]]]:
    """(name, CLI arguments after the vault, ``get`` arguments after the vault)."""
    note = "Projects/Website Redesign.md"
    return [
        ("query", ["query", "--format", "json", QUERY],
         ["get", "/api/v1/query", "--data", json.dumps({"query": QUERY})]),
        ("query-origin", ["query", "--format", "json", "--origin", "Home.md", "LIST FROM [[]]"],
         ["get", "/api/v1/query", "--data",
          json.dumps({"query": "LIST FROM [[]]", "origin": "Home.md"})]),
        ("query-md", ["query", "--format", "md", "LIST FROM #project"],
         None),  # a text format: the CLI prints the text the route answers (checked below)
        ("eval", ["eval", "--json", "--origin", note, EXPRESSION],
         ["get", "/api/v1/eval", "--data",
          json.dumps({"expression": EXPRESSION, "origin": note})]),
        ("eval-no-origin", ["eval", "--json", "this.file.name"],
         ["get", "/api/v1/eval", "--data", json.dumps({"expression": "this.file.name"})]),
        ("note", ["note", note, "--json"], ["get", note_path(note)]),
        ("dashboard-para", ["dashboard", "--kind", "para", "--now", "2024-05-01", "--json"],
         ["get", get("/api/v1/dashboards/para", now="2024-05-01")]),
        ("dashboard-review",
         ["dashboard", "--kind", "review", "--now", "2024-05-01", "--set", "stale_days=30",
          "--json"],
         ["get", get("/api/v1/dashboards/review", now="2024-05-01", stale_days=30)]),
        ("dashboard-zettelkasten",
         ["dashboard", "--kind", "zettelkasten", "--now", "2024-05-01", "--json"],
         ["get", get("/api/v1/dashboards/zettelkasten", now="2024-05-01")]),
        ("mentions", ["mentions", note, "--json"],
         ["get", get("/api/v1/mentions", path=note)]),
        ("base", ["base", "Projects/Projects.base", "--view", "By status", "--format", "json"],
         ["get", "/api/v1/bases/query", "--data",
          json.dumps({"path": "Projects/Projects.base", "view": "By status"})]),
        ("bases", ["bases", "--json"], ["get", "/api/v1/bases"]),
        ("search-keyword", ["search", "sourdough starter", "--mode", "keyword", "--k", "5",
                            "--json"],
         ["get", get("/api/v1/search", q="sourdough starter", mode="keyword", k=5)]),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "name, cli, route", [c for c in demo_cases() if c[2] is not None], ids=lambda v: str(v)[:20]
)
def test_cli_json_is_byte_identical_to_get_on_the_demo_vault(
    name: str, cli: list[str], route: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = ["--index-dir", str(tmp_path / "index")]
    vault = str(DEMO_VAULT)
    from_cli = run(capsys, [cli[0], vault, *cli[1:], *index])
    from_get = run(capsys, [route[0], vault, *route[1:], *index])
    assert from_cli == from_get
    assert json.loads(from_cli)  # a real answer, not an empty one


def test_a_text_format_prints_the_text_the_route_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = ["--index-dir", str(tmp_path / "index")]
    text = run(capsys, ["query", str(DEMO_VAULT), "LIST FROM #project", "--format", "md", *index])
    data = json.dumps({"query": "LIST FROM #project", "format": "md"})
    answer = json.loads(run(capsys, ["get", str(DEMO_VAULT), "/api/v1/query", "--data", data]))
    assert text == answer["text"]


def test_eval_prints_the_text_the_route_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = ["--index-dir", str(tmp_path / "index")]
    note = "Projects/Website Redesign.md"
    text = run(capsys, ["eval", str(DEMO_VAULT), EXPRESSION, "--origin", note, *index])
    data = json.dumps({"expression": EXPRESSION, "origin": note})
    answer = json.loads(run(capsys, ["get", str(DEMO_VAULT), "/api/v1/eval", "--data", data]))
    assert text == answer["text"] + "\n"
    shown = "[[People/Alice Chen.md|Alice Chen]], April 30, 2024, Due April 30, 2024, \\-, 6"
    assert text == shown + "\n"  # file.tasks counts nested tasks too


@pytest.mark.slow
def test_search_and_related_agree_with_the_real_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hybrid search, related notes, link suggestions and duplicates embed with the real model;
    the command embeds the vault, ``get`` reuses the same embedding cache."""
    index = ["--index-dir", str(tmp_path / "index")]
    vault = str(DEMO_VAULT)
    note = "Zettelkasten/202401161145 Active recall.md"
    cases = [
        (["search", vault, "remembering what you read", "--json"],
         get("/api/v1/search", q="remembering what you read")),
        (["related", vault, note, "--json"], get("/api/v1/related", path=note)),
        (["suggest-links", vault, "Home.md", "--json"],
         get("/api/v1/suggest-links", path="Home.md")),
        (["duplicates", vault, "--json"], get("/api/v1/duplicates")),
    ]  # fmt: skip
    for cli, route in cases:
        from_cli = run(capsys, [*cli, *index])
        assert from_cli == run(capsys, ["get", vault, route, *index]), cli[0]
    hits = json.loads(run(capsys, [*cases[0][0], *index]))["results"]
    assert hits and hits[0]["scores"]["semantic"] is not None  # the model answered


SHARED_VAULT = require_shared(VAULTS / "obsidian-tasks")


@pytest.mark.slow
def test_cli_json_is_byte_identical_to_get_on_a_real_vault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = ["--index-dir", str(tmp_path / "index")]
    vault = str(SHARED_VAULT)
    first = sorted(p for p in SHARED_VAULT.rglob("*.md") if ".obsidian" not in p.parts)[0]
    note = first.relative_to(SHARED_VAULT).as_posix()
    query = 'TABLE length(file.tasks) AS tasks, file.inlinks FROM "" SORT file.path LIMIT 40'
    cases = [
        (["query", vault, "--format", "json", query],
         ["get", vault, "/api/v1/query", "--data", json.dumps({"query": query})]),
        (["note", vault, note, "--json"], ["get", vault, note_path(note)]),
        (["mentions", vault, note, "--json"], ["get", vault, get("/api/v1/mentions", path=note)]),
        (["dashboard", vault, "--kind", "para", "--now", "2024-05-01", "--json"],
         ["get", vault, get("/api/v1/dashboards/para", now="2024-05-01")]),
        (["search", vault, "recurrence rule", "--mode", "keyword", "--json"],
         ["get", vault, get("/api/v1/search", q="recurrence rule", mode="keyword")]),
    ]  # fmt: skip
    for cli, route in cases:
        assert run(capsys, [*cli, *index]) == run(capsys, [*route, *index]), cli[0]


def test_errors_are_the_same_refusal_on_both_surfaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = ["--index-dir", str(tmp_path / "index")]
    assert main(["note", str(DEMO_VAULT), "Nope.md", "--json", *index]) == 1
    cli_error = capsys.readouterr().err
    assert main(["get", str(DEMO_VAULT), note_path("Nope.md"), *index]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["error"]["code"] == "not_found"
    assert answer["error"]["message"] in cli_error
