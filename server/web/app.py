"""The Starlette application: routes, middleware, error handlers and the lifespan.

``create_app(service, settings)`` wires the endpoint modules (``server.web.routes``) to a
:class:`~server.application.live_index.VaultService`. The lifespan starts the initial load in a
worker thread — the server answers ``/health`` and ``/status`` (with progress) while the index
builds — and the file watcher; at shutdown it stops the watcher, ends open event streams and saves
the cache."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from server.application.derived_services import DerivedServices
from server.application.live_index import VaultService
from server.web.error_shape import exception_handlers
from server.web.routes import (
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
    ]
    for route in found:
        if isinstance(route, Route) and route.path_regex.pattern.endswith("$"):
            # Starlette ends a route's pattern with `$`, which also matches before a final
            # newline: `/api/v1/status%0A` answered as `/api/v1/status`. `\Z` is the very end.
            pattern = route.path_regex.pattern.removesuffix("$") + r"\Z"
            route.path_regex = re.compile(pattern, route.path_regex.flags)
    return found


def create_app(
    service: VaultService, settings: ServerSettings, derived: DerivedServices | None = None
) -> Starlette:
    """The app over ``service``. With ``derived`` (search and related notes; ``vaultql serve``
    passes it) those routes answer; without it they answer 503, and no model is loaded."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        if settings.watch:
            from server.application.watcher import watch_vault

            tasks.append(
                asyncio.create_task(
                    watch_vault(
                        service, stop, debounce_ms=settings.debounce_ms, step_ms=settings.step_ms
                    )
                )
            )
        tasks.append(asyncio.create_task(_load(service)))
        if derived is not None:
            tasks.append(asyncio.create_task(derived.run(stop)))
        try:
            yield
        finally:
            stop.set()
            service.hub.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if derived is not None:
                await asyncio.to_thread(derived.close)
            await asyncio.to_thread(service.close)

    middleware = [
        # Outermost first: a refused Host never reaches CORS or the token check.
        Middleware(HostCheckMiddleware, allowed=settings.host_names()),
        Middleware(CorsMiddleware, origins=CORS_ORIGINS, enabled=settings.cors),
        # The dashboard page itself holds no data and no token; its API calls carry the token.
        Middleware(
            BearerAuthMiddleware,
            token=settings.token,
            exempt=(HEALTH_PATH, dashboards.PAGE_PATH),
        ),
    ]
    app = Starlette(
        routes=routes(),
        middleware=middleware,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.derived = derived
    app.state.search = derived.search if derived is not None else None
    app.state.related = derived.related if derived is not None else None
    return app


async def _load(service: VaultService) -> None:
    try:
        await asyncio.to_thread(service.load)
    except Exception:  # the service records the failure in its status; keep serving /status
        log.exception("the initial index load failed")
