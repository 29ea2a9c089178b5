"""A minimal app around the dashboard endpoints, independent of ``server.web.app``.

:class:`StubService` stands in for the live index (``snapshot()`` with ``.index`` and
``.revision``), so the fixture's index — with its fixed times — is what the application sees. The
app has the real bearer-token middleware with ``/dashboard`` exempt, as the full server must be
wired, and the real error handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware

from query.index import VaultIndex
from server.application.vault_app import AppOptions, VaultApp
from server.web.error_shape import exception_handlers
from server.web.routes.dashboards import PAGE_PATH, ROUTES
from server.web.security import HEALTH_PATH, BearerAuthMiddleware
from tests.server.dashboards.vault import fixture_index

TOKEN = "test-token-0123456789abcdef"


@dataclass(frozen=True)
class StubSnapshot:
    index: VaultIndex
    revision: int


class StubService:
    def __init__(self, vault: Path, local: tzinfo = UTC) -> None:
        self.vault = vault
        self.local = local
        self._snapshot = StubSnapshot(fixture_index(vault), 7)

    def snapshot(self) -> StubSnapshot:
        return self._snapshot


def make_app(vault: Path) -> Starlette:
    app = Starlette(
        routes=list(ROUTES),
        middleware=[Middleware(BearerAuthMiddleware, token=TOKEN, exempt=(HEALTH_PATH, PAGE_PATH))],
        exception_handlers=exception_handlers(),
    )
    options = AppOptions(cache=False, search=False, local=UTC)
    app.state.vault_app = VaultApp(vault, options, live=StubService(vault))  # type: ignore[arg-type]
    return app
