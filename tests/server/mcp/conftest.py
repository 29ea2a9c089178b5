"""Fixtures for the MCP tests: the demo vault's application with the hash embedder (no model),
an MCP server over it, and a way to drive the SDK's own client from a plain test."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from server.application.vault_app import AppOptions, VaultApp
from server.mcp.server import VaultServer, build_server
from server.search.embedder import HashEmbedder
from tests.conftest import DEMO_VAULT

T = TypeVar("T")


def one_shot_app(vault: Path, index_dir: Path, **options: Any) -> VaultApp:
    """A loaded one-shot application over ``vault`` whose search uses the hash embedder."""
    chosen = AppOptions(index_dir=index_dir, one_shot=True, **options)
    app = VaultApp(vault, chosen, embedder_factory=HashEmbedder)
    app.load()
    return app


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VaultApp]:
    app = one_shot_app(DEMO_VAULT, tmp_path_factory.mktemp("demo-index"))
    yield app
    app.close()


@pytest.fixture(scope="module")
def demo_server(demo_app: VaultApp) -> VaultServer:
    return build_server(demo_app, ready_wait_s=0)


def with_client(server: Any, use: Callable[[Client], Awaitable[T]], **options: Any) -> T:
    """Connect the SDK's client to ``server`` (an ``MCPServer`` in-process, a URL, stdio
    parameters or a transport), run ``use(client)`` and return its answer."""

    async def main() -> T:
        async with Client(server, **options) as client:
            return await use(client)

    return anyio.run(main)


def with_http_client(
    url: str, use: Callable[[Client], Awaitable[T]], headers: dict[str, str], **options: Any
) -> T:
    """:func:`with_client` over Streamable HTTP at ``url``, sending ``headers`` (the token)."""

    async def main() -> T:
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(url, http_client=http), **options) as client,
        ):
            return await use(client)

    return anyio.run(main)
