"""``POST /api/v1/query``: run one DQL query against the current snapshot.

Body: ``{"query": str, "origin"?: str, "format"?: "json" | "md" | "csv"}``. The answer is always
JSON: for ``json`` the typed result (``query.results.to_json``) plus ``revision``; for ``md`` and
``csv`` ``{"format", "text", "count", "revision"}``. Query errors come back in the one error shape
with line, column and a caret ``context`` (400 for syntax, 422 otherwise, 422 ``limit`` when the
time or row limit is hit).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.web.error_shape import ApiError
from server.web.responses import dumps, json_body, service_of, settings_of
from server.web.routes.notes import checked_path

FORMATS = ("json", "md", "csv")
MAX_QUERY_CHARS = 100_000


async def run_query(request: Request) -> Response:
    body = await json_body(request)
    text = body.get("query")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "bad_request", '"query" must be a non-empty string')
    if len(text) > MAX_QUERY_CHARS:
        raise ApiError(400, "bad_request", f'"query" is longer than {MAX_QUERY_CHARS} characters')
    origin = body.get("origin")
    if origin is not None:
        if not isinstance(origin, str):
            raise ApiError(400, "bad_request", '"origin" must be a string (a note path)')
        origin = checked_path(origin)
    fmt = body.get("format", "json")
    if fmt not in FORMATS:
        raise ApiError(400, "bad_request", f'"format" must be one of {", ".join(FORMATS)}')
    unknown = sorted(set(body) - {"query", "origin", "format"})
    if unknown:
        raise ApiError(400, "bad_request", f"unknown fields: {', '.join(unknown)}")
    settings = settings_of(request)
    service = service_of(request)

    def answer() -> bytes:
        result = service.run_query(
            text,
            origin=origin,
            fmt=fmt,
            timeout_s=settings.query_timeout_s,
            max_rows=settings.query_max_rows,
            max_memory=settings.query_max_memory_bytes,
        )
        return dumps(result)

    # Parsing, running and encoding are CPU work: off the event loop, so other requests keep
    # flowing (a large result takes a while to encode).
    encoded = await run_in_threadpool(answer)
    return Response(encoded, media_type="application/json")


ROUTES = [Route("/api/v1/query", run_query, methods=["POST"])]
