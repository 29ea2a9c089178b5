"""Serving one application over MCP's stdio transport (``vaultql mcp``).

The application runs served, as under ``vaultql serve``: the first load (warm from the catalog
cache) in a worker thread, the watcher, search and related notes in the background (embeddings
from the cache, the rest embedded while the server answers). Tools called before the index is
ready wait for it (``server.mcp.tools``). While the transport runs, the SDK points file
descriptor 1 at stderr, so nothing but protocol messages reaches the client; logging goes to
stderr. When the client closes stdin the application is stopped and its caches saved.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from server.application.vault_app import VaultApp
from server.mcp.server import build_server

__all__ = ["run_stdio", "serve_stdio"]

log = logging.getLogger("vaultql.mcp")


async def run_stdio(app: VaultApp, *, watch: bool = True) -> None:
    server = build_server(app)
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(stop, watch=watch))
    try:
        await server.run_stdio_async()
    finally:
        stop.set()
        await asyncio.gather(running, return_exceptions=True)
        await asyncio.to_thread(app.close)


def serve_stdio(app: VaultApp, *, watch: bool = True) -> None:
    """Run until the client closes the connection (blocking)."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, force=True)
    try:
        asyncio.run(run_stdio(app, watch=watch))
    except KeyboardInterrupt:
        log.info("interrupted")
