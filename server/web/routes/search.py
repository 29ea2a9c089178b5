"""``GET /api/v1/search`` and ``POST /api/v1/search/prioritise``: hybrid search over the vault.

Search parameters (query string):

=========  ========================================================================================
``q``      the text to search for (required, at most 1,000 characters; ``"quoted words"`` are
           phrases in keyword search)
``mode``   ``hybrid`` (default), ``keyword`` or ``semantic``
``k``      how many notes to return, 1–100 (default 10)
``from``   a DQL source limiting the notes searched, as in ``FROM``: ``#tag and "folder"``
``origin`` the note a ``from`` source such as ``[[]]`` is relative to (optional)
=========  ========================================================================================

The answer: ``{"query", "mode", "k", "revision", "results": [hit…], "embedded", "embedding"}``
where a hit is ``{"path", "score", "scores": {"keyword", "semantic"}, "heading", "heading_path",
"line", "snippet", "highlights"}`` (``highlights`` are ``[start, end)`` ranges in ``snippet``),
``embedded`` is ``{"done", "total", "complete"}`` in notes — while the vault is still embedding,
semantic scores come from the ``done`` notes only, keyword search covers them all — and
``embedding`` is the background embedding progress in chunks, with its rate and ETA.

``POST /api/v1/search/prioritise`` with ``{"path": "note.md"}`` embeds that note next (the plugin
calls it for the note on screen); it answers ``{"queued": bool}``.

Both call the application (``VaultApp.search``, ``VaultApp.prioritise``); a served app makes
search once DQL is ready, and answers 503 ``unavailable`` ("starting") until then.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.errors import BadRequestError
from server.web.params import Params
from server.web.responses import answer, app_of, json_body
from server.web.routes.describe import described_get

__all__ = ["ROUTES", "prioritise_endpoint", "search_endpoint"]


async def search_endpoint(request: Request) -> Response:
    params = Params(request.query_params, {"q", "mode", "k", "from", "origin"})
    q, mode, k = params.text("q", ""), params.text("mode", "hybrid"), params.integer("k", 10)
    source, origin = params.text("from"), params.text("origin")
    app = app_of(request)
    return await answer(
        lambda: app.search(q or "", mode=mode or "hybrid", k=k, source=source, origin=origin)
    )


async def prioritise_endpoint(request: Request) -> Response:
    body = await json_body(request)
    path = body.get("path")
    if not isinstance(path, str):
        raise BadRequestError('"path" must be a string (a note path)')
    app = app_of(request)
    return await answer(lambda: app.prioritise(path))


def _openapi() -> dict[str, Any]:
    path_body = {"application/json": {"schema": {"type": "object", "required": ["path"]}}}
    return {
        "/api/v1/search": described_get(
            "Hybrid, keyword or semantic search: one hit per note with its best passage",
            {
                "q": ("the text to search for", True),
                "mode": ("hybrid (default), keyword or semantic", False),
                "k": ("how many notes (1-100, default 10)", False),
                "from": ('a DQL source limiting the notes searched, e.g. #tag and "folder"', False),
                "origin": ("the note a link source is resolved from", False),
            },
        ),
        "/api/v1/search/prioritise": {
            "post": {
                "summary": "Embed this note next (ahead of the background queue)",
                "requestBody": {"required": True, "content": path_body},
                "responses": {
                    "200": {"description": "{queued}", "content": {"application/json": {}}},
                    "400": {"description": "a bad body or path (error shape)"},
                    "503": {"description": "search is not enabled (error shape)"},
                },
            }
        },
    }


OPENAPI = _openapi()

ROUTES = [
    Route("/api/v1/search", search_endpoint, methods=["GET"]),
    Route("/api/v1/search/prioritise", prioritise_endpoint, methods=["POST"]),
]
