"""The MCP tools in-process, through the SDK's own client: the listing, every tool's answer
against its output schema, the size budgets, paging, target resolution and errors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult

from server.application.vault_app import VaultApp
from server.mcp.server import TOOLS, VaultServer, build_server
from tests.server.mcp.conftest import one_shot_app, with_client

SNAPSHOT = Path(__file__).with_name("tools_list.json")

# One typical call per tool (the demo vault).
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("vault_overview", {}),
    ("search", {"query": "spaced repetition"}),
    ("read_note", {"target": "Website Redesign"}),
    ("read_note", {"target": "Website Redesign", "view": "metadata"}),
    ("read_note", {"target": "[[Website Redesign#Tasks]]", "view": "content"}),
    ("query_dql", {"dql": 'TABLE status, due FROM "Projects" SORT file.name'}),
    ("query_dql", {"dql": "TASK FROM #project", "format": "md"}),
    ("query_base", {"base": "Projects/Projects.base"}),
    ("query_base", {"base": "Projects/Projects.base", "view": "By status", "format": "md"}),
    ("related_notes", {"target": "Learn Rust"}),
    ("links", {"target": "Home", "depth": 2}),
    ("list_notes", {}),
    ("list_tags", {}),
    ("tasks", {"status": "all"}),
    ("unlinked_mentions", {"target": "Deep Work", "direction": "outgoing"}),
    ("dashboard", {"kind": "para"}),
    ("fetch", {"id": "Home.md"}),
]


def _listed(server: Any) -> list[dict[str, Any]]:
    async def use(client: Client) -> list[dict[str, Any]]:
        tools = (await client.list_tools()).tools
        return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]

    return with_client(server, use)


def _calls(server: Any, calls: list[tuple[str, dict[str, Any]]]) -> list[CallToolResult]:
    async def use(client: Client) -> list[CallToolResult]:
        return [await client.call_tool(name, args) for name, args in calls]

    return with_client(server, use)


def _call(server: Any, name: str, **args: Any) -> CallToolResult:
    return _calls(server, [(name, args)])[0]


def _ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def _error(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error, result.structured_content
    assert result.structured_content is not None
    error: dict[str, Any] = result.structured_content["error"]
    return error


# -- the listing ----------------------------------------------------------------------------------


def test_tools_list_matches_the_snapshot(demo_server: VaultServer) -> None:
    """Names, order, descriptions, input and output schemas and annotations, as committed.
    Regenerate after a deliberate change: VAULTQL_UPDATE_SNAPSHOT=1 pytest this test."""
    listed = _listed(demo_server)
    if os.environ.get("VAULTQL_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(listed, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert listed == json.loads(SNAPSHOT.read_text("utf-8"))


def test_tools_list_is_deterministic_and_in_the_declared_order(
    demo_app: VaultApp, demo_server: VaultServer
) -> None:
    first, second = _listed(demo_server), _listed(build_server(demo_app))
    assert json.dumps(first) == json.dumps(second)
    assert [tool["name"] for tool in first] == [name for name, _, _ in TOOLS]
    assert len(first) == 13


def test_every_tool_is_read_only_and_has_an_output_schema(demo_server: VaultServer) -> None:
    for tool in _listed(demo_server):
        assert tool["annotations"] == {
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": False,
        }, tool["name"]
        assert tool["outputSchema"]["type"] == "object"
        assert "revision" in tool["outputSchema"]["properties"], tool["name"]
        assert tool["description"] and "\n" not in tool["description"]
    by_name = {tool["name"]: tool for tool in _listed(demo_server)}
    assert by_name["read_note"]["_meta"] == {"anthropic/maxResultSizeChars": 100_000}
    limits = by_name["search"]["inputSchema"]["properties"]["k"]
    assert (limits["default"], limits["minimum"], limits["maximum"]) == (8, 1, 50)


# -- answers ---------------------------------------------------------------------------------------


def test_every_tool_answers_within_its_output_schema(demo_server: VaultServer) -> None:
    schemas = {tool["name"]: tool["outputSchema"] for tool in _listed(demo_server)}
    results = _calls(demo_server, CALLS)
    assert {name for name, _ in CALLS} == set(schemas)
    for (name, args), result in zip(CALLS, results, strict=True):
        body = _ok(result)
        jsonschema.validate(body, schemas[name])
        assert isinstance(body["revision"], int) and body["revision"] >= 1, (name, args)
        [text] = result.content
        assert text.type == "text" and text.text.strip(), name


def test_search_finds_and_stays_within_4_kb(demo_server: VaultServer) -> None:
    result = _call(demo_server, "search", query="spaced repetition")
    body = _ok(result)
    assert body["results"][0]["path"] == "Zettelkasten/202401151030 Spaced repetition.md"
    assert len(body["results"]) <= 8
    assert len(json.dumps(body, ensure_ascii=False).encode()) <= 4096
    assert len(result.content[0].text.encode()) <= 4096  # type: ignore[union-attr]
    for hit in body["results"]:
        assert len(hit["snippet"]) <= 240
        assert all(0 <= start < end <= len(hit["snippet"]) for start, end in hit["highlights"])


def test_search_scope_narrows_to_a_dql_source(demo_server: VaultServer) -> None:
    body = _ok(_call(demo_server, "search", query="practice", scope='"Zettelkasten"', k=20))
    assert body["results"]
    assert all(hit["path"].startswith("Zettelkasten/") for hit in body["results"])


def test_read_note_resolves_wikilinks_and_aliases(demo_server: VaultServer) -> None:
    section, alias, path = _calls(
        demo_server,
        [
            ("read_note", {"target": "[[Website Redesign#Tasks]]"}),
            ("read_note", {"target": "Start"}),  # an alias of Home.md
            ("read_note", {"target": "Projects/Website Redesign.md", "section": "^migrate"}),
        ],
    )
    tasks = _ok(section)
    assert tasks["path"] == "Projects/Website Redesign.md"
    assert tasks["resolved_from"] == "[[Website Redesign#Tasks]]" and tasks["via"] == "link"
    assert tasks["view"] == "content" and tasks["section"] == "Website Redesign > Tasks"
    assert tasks["content"].startswith("## Tasks\n") and "## Notes" not in tasks["content"]
    home = _ok(alias)
    assert (home["path"], home["via"]) == ("Home.md", "alias")
    block = _ok(path)
    assert block["resolved_from"] is None
    assert block["content"].startswith("- [ ] Migrate old posts") and block["line"] == 22


def test_outline_first_then_sections(demo_server: VaultServer) -> None:
    body = _ok(_call(demo_server, "read_note", target="Website Redesign"))
    assert body["view"] == "outline"
    assert [entry["heading"] for entry in body["outline"]] == ["Website Redesign", "Tasks", "Notes"]
    assert body["outline"][1]["line"] == 16 and body["outline"][1]["chars"] > 0
    assert body["content"] is not None  # a short note comes whole with its outline
    assert body["backlink_count"] == 4 and "#project" in body["tags"]


def test_unknown_note_suggests_what_was_meant(demo_server: VaultServer) -> None:
    error = _error(_call(demo_server, "read_note", target="Webiste Redesing"))
    assert error["code"] == "not_found"
    assert error["candidates"][0] == "Projects/Website Redesign.md"
    assert "did you mean" in error["message"]


def test_unknown_heading_lists_the_headings(demo_server: VaultServer) -> None:
    error = _error(_call(demo_server, "read_note", target="Home", section="Activ projects"))
    assert error["code"] == "not_found" and "Active projects" in error["message"]


def test_dql_errors_keep_line_column_and_caret(demo_server: VaultServer) -> None:
    result = _call(demo_server, "query_dql", dql="TABLE status\nFROM #project WHERE")
    error = _error(result)
    assert (error["code"], error["line"], error["column"]) == ("syntax", 2, 15)
    assert error["context"].splitlines()[1].index("^") == 14
    assert "line 2, column 15" in result.content[0].text  # type: ignore[union-attr]


def test_query_limit_cuts_rows_and_says_so(demo_server: VaultServer) -> None:
    body = _ok(_call(demo_server, "query_dql", dql="LIST", limit=5))
    assert (body["returned"], body["count"], body["truncated"]) == (5, 20, True)
    assert len(body["items"]) == 5


def test_query_base_answers_views_groups_and_limits(demo_server: VaultServer) -> None:
    body = _ok(_call(demo_server, "query_base", base="Projects/Projects.base"))
    assert body["views"] == ["By due date", "By status"] and body["view"] == "By due date"
    assert body["rows"][0]["path"] == "Projects/Website Redesign.md"
    assert body["rows"][0]["cells"]["formula.days_left"] == 46  # 2024-04-30 − 2024-03-15
    assert [c["name"] for c in body["columns"]] == ["file name", "status", "due", "Days left"]
    grouped = _ok(_call(demo_server, "query_base", base="Projects/Projects.base", view="By status"))
    assert [g["key"] for g in grouped["groups"]] == ["active", "done", "paused"]
    cut = _ok(_call(demo_server, "query_base", base="Projects/Projects.base", limit=1))
    assert (cut["returned"], cut["count"], cut["truncated"]) == (1, 3, True)
    table = _ok(_call(demo_server, "query_base", base="Projects/Projects.base", format="md"))
    assert table["text"].splitlines()[0] == "| file name | status | due | Days left |"


def test_query_base_errors_are_tool_errors(demo_server: VaultServer) -> None:
    unknown_view = _error(_call(demo_server, "query_base", base="Projects/Projects.base", view="X"))
    assert "By due date" in unknown_view["message"]
    missing = _error(_call(demo_server, "query_base", base="Projects/Nope.base"))
    assert missing["code"] == "not_found"
    escape = _error(_call(demo_server, "query_base", base="../secret.base"))
    assert escape["code"] in ("bad_path", "bad_request")


def test_query_base_answers_a_code_block_with_this_bound_to_its_note(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Hub.md").write_text(
        "# Hub\nSee [[A]].\n\n```base\nfilters:\n  and:\n    - file.hasLink(this)\n"
        "views:\n  - type: table\n    name: Linked\n```\n"
    )
    (vault / "A.md").write_text("links to [[Hub]]\n")
    (vault / "B.md").write_text("no links\n")
    app = one_shot_app(vault, tmp_path / "index")
    try:
        server = build_server(app, ready_wait_s=0)
        body = _ok(_call(server, "query_base", base="Hub", block=1))
        assert body["this"] == "Hub.md" and body["view"] == "Linked"
        assert [row["path"] for row in body["rows"]] == ["A.md"]
    finally:
        app.close()


def test_query_origin_accepts_a_wikilink(demo_server: VaultServer) -> None:
    body = _ok(
        _call(demo_server, "query_dql", dql="LIST WHERE file.name = this.file.name", origin="Home")
    )
    assert body["count"] == 1 and body["items"][0]["path"] == "Home.md"


@pytest.mark.parametrize(
    ("name", "args", "code"),
    [
        ("search", {"query": "x", "k": 10_000}, "bad_request"),
        ("search", {"query": ""}, "bad_request"),
        ("search", {"query": ["a"]}, "bad_request"),
        ("search", {"query": "x", "mode": "fuzzy"}, "bad_request"),
        ("search", {"query": "x", "scope": "#a and and"}, "syntax"),
        ("read_note", {"target": "Home", "max_chars": 10**9}, "bad_request"),
        ("read_note", {"target": "Home", "offset": -1}, "bad_request"),
        ("read_note", {"target": "Home", "view": "content", "offset": 10**6}, "bad_request"),
        ("read_note", {}, "bad_request"),
        ("read_note", {"target": "../../etc/passwd"}, "bad_path"),
        ("read_note", {"target": "Attachments/garden-plan.png"}, "not_found"),
        ("list_notes", {"limit": 201}, "bad_request"),
        ("list_notes", {"cursor": "not-a-cursor"}, "bad_request"),
        ("list_notes", {"folder": "Nowhere"}, "not_found"),
        ("list_notes", {"modified_after": "yesterday"}, "bad_request"),
        ("links", {"target": "Home", "depth": 4}, "bad_request"),
        ("tasks", {"status": "maybe"}, "bad_request"),
        ("query_dql", {"dql": "TABLE nosuchfunction(1)"}, "semantic"),
        ("dashboard", {"kind": "gantt"}, "bad_request"),
        ("fetch", {"id": "Nope.md"}, "not_found"),
    ],
)
def test_bad_input_comes_back_as_tool_errors_with_codes(
    demo_server: VaultServer, name: str, args: dict[str, Any], code: str
) -> None:
    result = _call(demo_server, name, **args)
    error = _error(result)
    assert error["code"] == code, error
    assert error["message"]
    if code == "bad_request" and name == "search" and "query" in args:
        assert "[" not in error["message"] or "query" in error["message"]


def test_a_cursor_from_another_listing_is_refused(demo_server: VaultServer) -> None:
    first = _ok(_call(demo_server, "list_tags", limit=2))
    error = _error(_call(demo_server, "list_notes", cursor=first["next_cursor"]))
    assert error["code"] == "bad_request" and "other parameters" in error["message"]


def _raised(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``error`` or the first ``kind`` inside it (task groups wrap what they raise)."""
    if isinstance(error, kind):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _raised(inner, kind)
        if found is not None:
            return found
    return None


def test_an_unknown_tool_is_a_protocol_error(demo_server: VaultServer) -> None:
    with pytest.raises(BaseException) as caught:
        _call(demo_server, "write_note", path="x.md", text="hi")
    error = _raised(caught.value, MCPError)
    assert isinstance(error, MCPError), caught.value
    assert error.code == -32602
    assert "write_note" in error.message and "read_note" in error.message


# -- paging ----------------------------------------------------------------------------------------


def _walk(server: VaultServer, name: str, key: str, **args: Any) -> list[Any]:
    async def use(client: Client) -> list[Any]:
        seen: list[Any] = []
        cursor = None
        for _ in range(100):
            result = await client.call_tool(name, {**args, "cursor": cursor})
            body = _ok(result)
            seen.extend(body[key])
            cursor = body["next_cursor"]
            if cursor is None:
                assert len(seen) == body["total"]
                return seen
        raise AssertionError("the cursor never ended")

    return with_client(server, use)


def test_paging_walks_to_the_end_without_duplicates(
    demo_app: VaultApp, demo_server: VaultServer
) -> None:
    notes = [n["path"] for n in _walk(demo_server, "list_notes", "notes", limit=3)]
    assert len(notes) == len(set(notes)) == 20
    assert set(notes) == set(demo_app.live.snapshot().index.paths)
    by_name = [n["path"] for n in _walk(demo_server, "list_notes", "notes", limit=7, sort="name")]
    assert sorted(by_name, key=lambda p: p.rsplit("/", 1)[-1].lower()) == by_name
    tags = [t["tag"] for t in _walk(demo_server, "list_tags", "tags", limit=4)]
    assert len(tags) == len(set(tags)) and "#project" in tags
    tasks = [(t["path"], t["line"]) for t in _walk(demo_server, "tasks", "tasks", limit=2)]
    assert len(tasks) == len(set(tasks)) >= 10


def test_read_note_pages_through_a_huge_note(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    lines = [f"line {n:07d} " + "lorem ipsum dolor sit amet " * 3 for n in range(34_000)]
    huge = "# Huge\n\n## Part one\n" + "\n".join(lines) + "\n## Part two\nthe end\n"
    assert len(huge) > 3_000_000
    (vault / "Huge.md").write_text(huge, encoding="utf-8")
    app = one_shot_app(vault, tmp_path / "index", search=False)
    server = build_server(app, ready_wait_s=0)

    async def use(client: Client) -> tuple[dict[str, Any], str, int, str]:
        outline = _ok(await client.call_tool("read_note", {"target": "Huge"}))
        text, offset, pages = "", 0, 0
        while offset is not None:
            body = _ok(
                await client.call_tool(
                    "read_note",
                    {"target": "Huge", "view": "content", "offset": offset, "max_chars": 100_000},
                )
            )
            assert len(body["content"]) <= 100_000
            text += body["content"]
            offset = body["next_offset"]
            pages += 1
        default = _ok(await client.call_tool("read_note", {"target": "Huge", "view": "content"}))
        resource = await client.read_resource("vault://note/Huge.md")
        return outline, text, pages, default["content"] + "|" + resource.contents[0].text  # type: ignore[union-attr]

    try:
        outline, text, pages, rest = with_client(server, use)
    finally:
        app.close()
    assert outline["content"] is None and outline["truncated"] is True
    assert outline["total_chars"] == len(huge)
    assert [e["heading"] for e in outline["outline"]] == ["Huge", "Part one", "Part two"]
    assert len(json.dumps(outline)) < 4000
    assert text == huge  # every window in order, nothing lost or repeated
    assert len(huge) // 100_000 + 1 <= pages <= len(huge) // 80_000 + 1
    default, resource = rest.split("|", 1)
    assert 9_600 <= len(default) <= 12_000
    assert len(resource) < 100_200 and "use the read_note tool" in resource


# -- hostile input ---------------------------------------------------------------------------------


def _hostile_targets() -> list[str]:
    from tests.server.web.test_notes import HOSTILE

    return [target for target in HOSTILE if target]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A vault with a secret beside it and symlinks out of it."""
    root = tmp_path_factory.mktemp("guarded")
    (root / "secret.md").write_text("password:: hunter2\n", encoding="utf-8")
    (root / "outside").mkdir()
    (root / "outside" / "x.md").write_text("leak:: hunter2\n", encoding="utf-8")
    vault = root / "vault"
    (vault / "Projects").mkdir(parents=True)
    (vault / "Projects" / "Alpha.md").write_text("# Alpha\nsee [[Beta]]\n", encoding="utf-8")
    (vault / "README.md").write_text("# Readme\n", encoding="utf-8")
    os.symlink(root / "secret.md", vault / "link-to-secret.md")
    os.symlink(root / "outside", vault / "outdir")
    app = one_shot_app(vault, root / "index", search=False)
    yield build_server(app, ready_wait_s=0)
    app.close()


def test_hostile_targets_are_refused_and_nothing_leaks(guarded: VaultServer) -> None:
    targets = [*_hostile_targets(), "link-to-secret.md", "outdir/x.md", "[[../secret]]"]
    calls: list[tuple[str, dict[str, Any]]] = []
    for target in targets:
        calls.append(("read_note", {"target": target, "view": "content"}))
        calls.append(("links", {"target": target}))
        calls.append(("fetch", {"id": target}))
    results = _calls(guarded, calls)
    assert len(results) == len(calls) >= 120
    for (name, args), result in zip(calls, results, strict=True):
        error = _error(result)
        assert error["code"] in ("bad_path", "not_found", "bad_request"), (name, args, error)
        everything = json.dumps(result.model_dump(mode="json"))
        assert "hunter2" not in everything
    # …and the server keeps serving
    assert _ok(_call(guarded, "read_note", target="Alpha"))["path"] == "Projects/Alpha.md"


def test_resources_read_notes_and_refuse_escapes(demo_server: VaultServer) -> None:
    async def use(client: Client) -> tuple[Any, ...]:
        templates = (await client.list_resource_templates()).resource_templates
        resources = (await client.list_resources()).resources
        note = await client.read_resource("vault://note/Projects/Website%20Redesign.md")
        meta = await client.read_resource("vault://note-meta/Home.md")
        dashboard = await client.read_resource("vault://dashboard/review")
        status = await client.read_resource("vault://status")
        refused = []
        for uri in ("vault://note/Nope.md", "vault://note/../etc/passwd", "vault://note/%2e%2e/x"):
            try:
                await client.read_resource(uri)
            except MCPError as exc:
                refused.append(exc.code)
        return templates, resources, note, meta, dashboard, status, refused

    templates, resources, note, meta, dashboard, status, refused = with_client(demo_server, use)
    assert [t.uri_template for t in templates] == [
        "vault://note/{+path}",
        "vault://note-meta/{+path}",
        "vault://dashboard/{kind}",
    ]
    assert [str(r.uri) for r in resources] == ["vault://status"]
    assert note.contents[0].text.startswith("---\nstatus: active")
    assert note.contents[0].mime_type == "text/markdown"
    assert json.loads(meta.contents[0].text)["aliases"] == ["Start", "Dashboard"]
    assert "counts" in json.loads(dashboard.contents[0].text)
    body = json.loads(status.contents[0].text)
    assert body["ready"] is True and "cache" not in body
    assert refused == [-32602, -32602, -32602]


def test_a_note_edited_since_indexing_is_read_as_it_is_now(tmp_path: Path) -> None:
    # The watcher is a moment behind (or off): the headings and lines must match the text sent.
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Long.md").write_text("# A\n" + "x\n" * 50 + "# B\n" + "y\n" * 50 + "## C\nz\n")
    app = one_shot_app(vault, tmp_path / "index")
    try:
        (vault / "Long.md").write_text("# A\nshort\n# B\nnew b\n")
        server = build_server(app, ready_wait_s=0)
        outline = _ok(_call(server, "read_note", target="Long"))
        assert outline["changed_since_indexed"] is True
        assert [(h["heading"], h["line"]) for h in outline["outline"]] == [("A", 0), ("B", 2)]
        section = _ok(_call(server, "read_note", target="Long", section="B"))
        assert section["content"] == "# B\nnew b\n" and section["line"] == 2
        gone = _error(_call(server, "read_note", target="Long", section="C"))
        assert gone["code"] == "not_found"
    finally:
        app.close()


def test_tools_answer_what_the_application_answers(
    demo_app: VaultApp, demo_server: VaultServer
) -> None:
    # One application: the MCP answers are reshaped views of the same VaultApp calls the HTTP
    # routes and the CLI make, never a second computation.
    base = _ok(_call(demo_server, "query_base", base="Projects/Projects.base", view="By status"))
    direct = demo_app.base("Projects/Projects.base", view="By status")
    assert base["rows"] == direct["rows"] and base["groups"] == direct["groups"]
    query = _ok(_call(demo_server, "query_dql", dql='TABLE status FROM "Projects"'))
    table = demo_app.query('TABLE status FROM "Projects"')
    assert query["rows"] == table["rows"] and query["headers"] == table["headers"]
    found = _ok(_call(demo_server, "search", query="sourdough", mode="keyword"))
    hits = demo_app.search("sourdough", mode="keyword", k=8)["results"]
    assert [h["path"] for h in found["results"]] == [h["path"] for h in hits]
