"""``GET /api/v1/dashboards/{para,zettelkasten,review}`` and the HTML page ``GET /dashboard``.

The JSON endpoints call ``VaultApp.dashboard`` with the query parameters:

* ``now`` — ISO date or date-time the rollups are computed at (default: the server's clock);
* any threshold of :class:`server.dashboards.conventions.Thresholds` (``stale_days=30`` …), which
  overrides ``.vaultql.toml`` for this request;
* ``notes=true`` (PARA only) — add every note's bucket, project and status.

A bad parameter is a 400 ``bad_request``; a broken ``.vaultql.toml`` is a 422 ``bad_config``.
The page needs no token to load (it holds no data) — exempt ``/dashboard`` from the bearer
check — and then calls the JSON endpoints with the token (see ``server.dashboards.page``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from server.dashboards.page import PAGE_HEADERS, page_html
from server.web.responses import answer, app_of

__all__ = ["PAGE_PATH", "ROUTES", "dashboard_page", "para", "review", "zettelkasten"]

PAGE_PATH = "/dashboard"


async def _dashboard(request: Request, kind: str) -> Response:
    params = dict(request.query_params)
    app = app_of(request)
    return await answer(lambda: app.dashboard(kind, params), {"Cache-Control": "no-store"})


async def para(request: Request) -> Response:
    return await _dashboard(request, "para")


async def zettelkasten(request: Request) -> Response:
    return await _dashboard(request, "zettelkasten")


async def review(request: Request) -> Response:
    return await _dashboard(request, "review")


async def dashboard_page(request: Request) -> Response:
    return HTMLResponse(page_html(), headers=PAGE_HEADERS)


def _described(summary: str) -> dict[str, Any]:
    parameters = [
        {
            "name": "now",
            "in": "query",
            "required": False,
            "description": "ISO date or date-time to judge ages against (default: now)",
            "schema": {"type": "string"},
        }
    ]
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": summary, "content": {"application/json": {}}},
                "400": {"description": "a bad parameter (error shape)"},
                "422": {"description": "a broken .vaultql.toml (error shape)"},
            },
        }
    }


OPENAPI: dict[str, Any] = {
    "/api/v1/dashboards/para": _described(
        "PARA: buckets, projects with status and rollups, areas, resources, archives"
    ),
    "/api/v1/dashboards/zettelkasten": _described(
        "Zettelkasten health: fleeting notes, orphans, long notes, unmapped clusters"
    ),
    "/api/v1/dashboards/review": _described("The weekly review: decisions with reasons"),
    PAGE_PATH: {
        "get": {
            "summary": "The dashboard as an HTML page (no token needed; it asks for one)",
            "security": [],
            "responses": {"200": {"description": "the page", "content": {"text/html": {}}}},
        }
    },
}

ROUTES = [
    Route("/api/v1/dashboards/para", para, methods=["GET"]),
    Route("/api/v1/dashboards/zettelkasten", zettelkasten, methods=["GET"]),
    Route("/api/v1/dashboards/review", review, methods=["GET"]),
    Route(PAGE_PATH, dashboard_page, methods=["GET"]),
]
