"""``vaultql mcp`` spawned as a client spawns it (stdio), and the tools on the real model."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from server.application.vault_app import AppOptions, VaultApp
from server.cli import main as cli_main
from server.mcp.server import TOOLS, build_server
from tests.conftest import DEMO_VAULT, ROOT
from tests.server.mcp.conftest import with_client


def _vaultql() -> str:
    return str(Path(sys.executable).with_name("vaultql"))


@pytest.mark.slow
def test_vaultql_mcp_over_stdio_searches_and_reads(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=_vaultql(),
        args=["mcp", str(DEMO_VAULT), "--index-dir", str(tmp_path / "index"), "--no-watch"],
        env=dict(os.environ),  # the session's private cache and config folders
        cwd=str(ROOT),
    )

    async def use(client: Client) -> tuple[Any, ...]:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        found = await client.call_tool("search", {"query": "sourdough", "mode": "keyword"})
        note = await client.call_tool("read_note", {"target": "Sourdough Bread"})
        missing = await client.call_tool("read_note", {"target": "Sourdough Bred"})
        return client.protocol_version, tools, found, note, missing

    version, tools, found, note, missing = with_client(params, use)
    assert version == "2026-07-28" and len(tools) == len(TOOLS)
    assert not found.is_error, found.content
    assert found.structured_content["results"][0]["path"] == "Resources/Recipes/Sourdough Bread.md"
    assert not note.is_error, note.content
    body = note.structured_content
    assert body["path"] == "Resources/Recipes/Sourdough Bread.md" and body["via"] == "link"
    assert "Hydration::" in body["content"]
    assert missing.is_error
    assert missing.structured_content["error"]["candidates"] == [
        "Resources/Recipes/Sourdough Bread.md"
    ]


def test_vaultql_mcp_refuses_a_missing_vault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["mcp", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.slow
def test_semantic_search_and_related_notes_on_the_real_model(tmp_path: Path) -> None:
    app = VaultApp(DEMO_VAULT, AppOptions(index_dir=tmp_path / "index", one_shot=True))
    app.load()
    server = build_server(app, ready_wait_s=0)

    async def use(client: Client) -> tuple[Any, ...]:
        found = await client.call_tool(
            "search", {"query": "how to remember what I study", "mode": "semantic", "k": 4}
        )
        related = await client.call_tool(
            "related_notes", {"target": "202401151030 Spaced repetition"}
        )
        return found, related

    try:
        found, related = with_client(server, use)
    finally:
        app.close()
    hits = [hit["path"] for hit in found.structured_content["results"]]
    learning = {
        "Zettelkasten/202401151030 Spaced repetition.md",
        "Zettelkasten/202401161145 Active recall.md",
        "Zettelkasten/202402020900 Deliberate practice.md",
        "Zettelkasten/Learning MOC.md",
    }
    assert hits[0] in learning and len(learning & set(hits)) >= 2, hits
    assert "Resources/Recipes/Sourdough Bread.md" not in hits
    assert all(hit["semantic"] is not None for hit in found.structured_content["results"])
    assert found.structured_content["embedded"] == found.structured_content["to_embed"] > 0
    assert not related.is_error, related.content
    notes = related.structured_content["related"]
    assert notes and any(reason["kind"] == "semantic" for n in notes for reason in n["reasons"])
