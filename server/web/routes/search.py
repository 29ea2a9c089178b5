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

The answer: ``{"query", "mode", "k", "revision", "results": [hit…], "embedding": progress}``
where a hit is ``{"path", "score", "scores": {"keyword", "semantic"}, "heading", "heading_path",
"line", "snippet", "highlights"}`` (``highlights`` are ``[start, end)`` ranges in ``snippet``) and
``embedding`` is the background embedding progress (semantic search sees only embedded notes).

``POST /api/v1/search/prioritise`` with ``{"path": "note.md"}`` embeds that note next (the plugin
calls it for the note on screen); it answers ``{"queued": bool}``.

App state: ``app.state.search`` (a :class:`~server.search.search_service.SearchService`) or, for a
served app, ``app.state.derived`` (which makes it once DQL is ready: 503 "starting" until then),
and ``app.state.service`` (the vault service, for the snapshot the ``from`` source runs against).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from query.parsing.parser import parse_source
from query.sources import resolve_source
from server.search.options import MODES
from server.web.error_shape import ApiError
from server.web.responses import derived_of, json_body, json_response, service_of
from server.web.routes.notes import checked_path

if TYPE_CHECKING:  # the search stack is imported when the service is made, not with the app
    from server.search.search_service import SearchService

__all__ = ["ROUTES", "prioritise_endpoint", "search_endpoint"]

MAX_Q_CHARS = 1000
MAX_K = 100
_PARAMS = {"q", "mode", "k", "from", "origin"}


def search_of(request: Request) -> SearchService:
    search: SearchService = derived_of(request, "search", "search is")
    return search


def _k(raw: str | None) -> int:
    if raw is None:
        return 10
    try:
        k = int(raw)
    except ValueError:
        raise ApiError(400, "bad_request", '"k" must be an integer') from None
    if not 1 <= k <= MAX_K:
        raise ApiError(400, "bad_request", f'"k" must be between 1 and {MAX_K}')
    return k


async def search_endpoint(request: Request) -> Response:
    params = request.query_params
    unknown = sorted(set(params) - _PARAMS)
    if unknown:
        raise ApiError(400, "bad_request", f"unknown parameters: {', '.join(unknown)}")
    q = params.get("q", "")
    if not q.strip():
        raise ApiError(400, "bad_request", '"q" must be a non-empty string')
    if len(q) > MAX_Q_CHARS:
        raise ApiError(400, "bad_request", f'"q" is longer than {MAX_Q_CHARS} characters')
    mode = params.get("mode", "hybrid")
    if mode not in MODES:
        raise ApiError(400, "bad_request", f'"mode" must be one of {", ".join(MODES)}')
    k = _k(params.get("k"))
    origin = params.get("origin")
    if origin is not None:
        origin = checked_path(origin)
    search = search_of(request)
    snapshot = service_of(request).snapshot()  # 503 while the first index builds
    paths_filter: set[str] | None = None
    source_text = params.get("from")
    if source_text is not None and source_text.strip():
        # Syntax errors become 400s with line/column through the app's QueryError handler.
        source = parse_source(source_text)
        paths_filter = set(resolve_source(source, snapshot.index, origin))
    hits = await run_in_threadpool(search.search, q, mode, k, paths_filter)
    return json_response(
        {
            "query": q,
            "mode": mode,
            "k": k,
            "revision": snapshot.revision,
            "results": [hit.to_dict() for hit in hits],
            "embedding": search.progress(),
        }
    )


async def prioritise_endpoint(request: Request) -> Response:
    body = await json_body(request)
    path = body.get("path")
    if not isinstance(path, str):
        raise ApiError(400, "bad_request", '"path" must be a string (a note path)')
    queued = search_of(request).prioritise(checked_path(path))
    return json_response({"queued": queued})


def _openapi() -> dict[str, Any]:
    from server.web.routes.openapi import described_get

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
