"""``GET /api/v1/dashboards/{para,zettelkasten,review}`` and the HTML page ``GET /dashboard``.

The JSON endpoints read the current snapshot from ``request.app.state.service`` — any object
with ``snapshot()`` (returning ``.index``, a :class:`~query.index.VaultIndex`, and ``.revision``),
``vault`` (the vault root :class:`~pathlib.Path`, for ``.vaultql.toml`` and word counts) and
``local`` (the local ``tzinfo``); :class:`server.application.live_index.VaultService` is one. Query
parameters:

* ``now`` — ISO date or date-time the rollups are computed at (default: the server's clock);
* any threshold of :class:`server.dashboards.conventions.Thresholds` (``stale_days=30`` …), which
  overrides ``.vaultql.toml`` for this request;
* ``notes=true`` (PARA only) — add every note's bucket, project and status.

A bad parameter is a 400 ``bad_request``; a broken ``.vaultql.toml`` is a 422 ``bad_config``.
The page needs no token to load (it holds no data) — exempt ``/dashboard`` from the bearer
check — and then calls the JSON endpoints with the token (see ``server.dashboards.page``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from query.temporal.dates import date_from_epoch_ms
from server.dashboards.conventions import ConfigError, load_config
from server.dashboards.dispatch import build_dashboard, parse_now, parse_thresholds
from server.dashboards.page import PAGE_HEADERS, page_html
from server.dashboards.word_counts import WordCounter
from server.web.error_shape import ApiError
from server.web.responses import json_response

__all__ = ["PAGE_PATH", "ROUTES", "dashboard_page", "para", "review", "zettelkasten"]

PAGE_PATH = "/dashboard"
_WORD_COUNTERS: dict[Path, WordCounter] = {}


def _word_counter(vault: Path) -> WordCounter:
    # One cache per vault for the life of the process: counts are keyed by content hash.
    counter = _WORD_COUNTERS.get(vault)
    if counter is None:
        counter = _WORD_COUNTERS.setdefault(vault, WordCounter(vault))
    return counter


def _compute(service: Any, kind: str, params: dict[str, str]) -> dict[str, Any]:
    """Blocking: read the config, compute the dashboard (word counts may read files)."""
    snapshot = service.snapshot()
    try:
        config = load_config(Path(service.vault))
    except ConfigError as exc:
        raise ApiError(422, "bad_config", str(exc)) from exc
    try:
        now_text = params.pop("now", None)
        if now_text is not None:
            now = parse_now(now_text, service.local)
        else:
            now = date_from_epoch_ms(time.time() * 1000, service.local)
        include_notes = params.pop("notes", "false").lower() in ("1", "true", "yes")
        config = config.with_thresholds(parse_thresholds(params))
    except ConfigError as exc:
        raise ApiError(400, "bad_request", str(exc)) from exc
    words = _word_counter(Path(service.vault)) if kind == "zettelkasten" else None
    data = build_dashboard(
        kind, snapshot.index, config, now, words=words, include_notes=include_notes
    )
    data["revision"] = snapshot.revision
    return data


async def _dashboard(request: Request, kind: str) -> Response:
    params = dict(request.query_params)
    data = await run_in_threadpool(_compute, request.app.state.service, kind, params)
    return json_response(data, headers={"Cache-Control": "no-store"})


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
