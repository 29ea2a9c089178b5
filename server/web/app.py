"""The Starlette application: routes, middleware, error handlers and the lifespan.

``create_app(vault_app, settings)`` wires the endpoint modules (``server.web.routes``) to the
one application object (:class:`~server.application.vault_app.VaultApp`). The lifespan runs it
served: the initial load in a worker thread — the server answers ``/health`` and ``/status``
(with progress) while the index builds — the file watcher, search and related notes; at shutdown
it stops them, ends open event streams and saves the cache. With the optional ``mcp`` package
installed, the MCP server answers at ``/mcp`` too (``server.web.routes.mcp``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from server.application.vault_app import VaultApp
from server.web.error_shape import exception_handlers
from server.web.routes import (
    bases,
    dashboards,
    events,
    health,
    notes,
    openapi,
    query,
    related,
    search,
    status,
)
from server.web.security import (
    HEALTH_PATH,
    BearerAuthMiddleware,
    CorsMiddleware,
    HostCheckMiddleware,
    OriginCheckMiddleware,
)
from server.web.settings import CORS_ORIGINS, ServerSettings

__all__ = ["create_app", "routes"]

log = logging.getLogger("vaultql.server")


def routes() -> list[BaseRoute]:
    found: list[BaseRoute] = [
        *health.ROUTES,
        *status.ROUTES,
        *query.ROUTES,
        *notes.ROUTES,
        *events.ROUTES,
        *openapi.ROUTES,
        *dashboards.ROUTES,
        *search.ROUTES,
        *related.ROUTES,
        *bases.ROUTES,
    ]
    for route in found:
        if isinstance(route, Route) and route.path_regex.pattern.endswith("$"):
            # Starlette ends a route's pattern with `$`, which also matches before a final
            # newline: `/api/v1/status%0A` answered as `/api/v1/status`. `\Z` is the very end.
            pattern = route.path_regex.pattern.removesuffix("$") + r"\Z"
            route.path_regex = re.compile(pattern, route.path_regex.flags)
    return found


def create_app(vault_app: VaultApp, settings: ServerSettings) -> Starlette:
    """The web app over ``vault_app``: routes, middleware, error handlers. Its lifespan runs the
    application in its served mode (``VaultApp.run``: the load, the watcher when
    ``settings.watch``, search and related notes) and closes it at shutdown."""

    mcp = _mcp_endpoint(vault_app, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        running = asyncio.create_task(vault_app.run(stop, watch=settings.watch))
        try:
            async with contextlib.AsyncExitStack() as stack:
                if mcp is not None:
                    await stack.enter_async_context(mcp.lifespan())
                yield
        finally:
            stop.set()
            await asyncio.gather(running, return_exceptions=True)
            await asyncio.to_thread(vault_app.close)

    middleware = [
        # Outermost first: a refused Host never reaches CORS or the token check.
        Middleware(HostCheckMiddleware, allowed=settings.host_names()),
        # The MCP endpoint refuses foreign origins outright (the MCP spec's DNS-rebinding rule).
        Middleware(
            OriginCheckMiddleware,
            allowed=CORS_ORIGINS if settings.cors else (),
            prefixes=("/mcp",),
        ),
        Middleware(CorsMiddleware, origins=CORS_ORIGINS, enabled=settings.cors),
        # The dashboard page itself holds no data and no token; its API calls carry the token.
        Middleware(
            BearerAuthMiddleware,
            token=settings.token,
            exempt=(HEALTH_PATH, dashboards.PAGE_PATH),
        ),
    ]
    if mcp is not None:
        middleware.append(mcp.middleware())
    app = Starlette(
        routes=routes(),
        middleware=middleware,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.vault_app = vault_app
    app.state.settings = settings
    return app


def _mcp_endpoint(vault_app: VaultApp, settings: ServerSettings) -> Any:
    """The MCP endpoint at ``/mcp`` (``server.web.routes.mcp``), or None when the optional
    ``mcp`` package is not installed."""
    try:
        from server.web.routes.mcp import McpEndpoint
    except ImportError:
        log.debug("the mcp package is not installed: no /mcp endpoint")
        return None
    return McpEndpoint(vault_app, settings)
