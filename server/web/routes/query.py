"""``POST /api/v1/query``: run one DQL query against the current snapshot; ``POST /api/v1/eval``:
evaluate one inline query (`` `= expr` ``).

``/query`` body: ``{"query": str, "origin"?: str, "format"?: "json" | "md" | "csv" | "table"}``.
The answer is always JSON: for ``json`` the typed result (``query.results.to_json``) plus
``revision`` and ``instance``; for the text formats ``{"format", "text", "count", "revision",
"instance"}`` (``VaultApp.query``).

``/eval`` body: ``{"expression": str, "origin"?: str}`` → ``{"value": typed cell, "text",
"revision", "instance"}`` (``VaultApp.eval``): ``this`` is the ``origin`` note, ``text`` the value
as Dataview shows an inline query.

Errors come back in the one error shape, with line, column and a caret ``context`` where there
is a position (400 for syntax, 422 otherwise, 422 ``limit`` when a limit is hit).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.errors import BadRequestError
from server.web.responses import answer, app_of, json_body

__all__ = ["ROUTES", "run_eval", "run_query"]


async def run_query(request: Request) -> Response:
    body = await json_body(request)
    unknown = sorted(set(body) - {"query", "origin", "format"})
    if unknown:
        raise BadRequestError(f"unknown fields: {', '.join(unknown)}")
    text, origin, fmt = body.get("query"), body.get("origin"), body.get("format", "json")
    if not isinstance(text, str):
        raise BadRequestError('"query" must be a non-empty string')
    if origin is not None and not isinstance(origin, str):
        raise BadRequestError('"origin" must be a string (a note path)')
    if not isinstance(fmt, str):
        raise BadRequestError('"format" must be a string')
    app = app_of(request)
    return await answer(lambda: app.query(text, origin=origin, fmt=fmt))


async def run_eval(request: Request) -> Response:
    body = await json_body(request)
    unknown = sorted(set(body) - {"expression", "origin"})
    if unknown:
        raise BadRequestError(f"unknown fields: {', '.join(unknown)}")
    expression, origin = body.get("expression"), body.get("origin")
    if not isinstance(expression, str):
        raise BadRequestError('"expression" must be a non-empty string')
    if origin is not None and not isinstance(origin, str):
        raise BadRequestError('"origin" must be a string (a note path)')
    app = app_of(request)
    return await answer(lambda: app.eval(expression, origin=origin))


ROUTES = [
    Route("/api/v1/query", run_query, methods=["POST"]),
    Route("/api/v1/eval", run_eval, methods=["POST"]),
]
