"""``POST /api/v1/bases/query`` — one view of an Obsidian base; ``GET /api/v1/bases`` — every
base of the vault with its views.

``/bases/query`` body: ``{"path"?: str | "yaml"?: str | "block"?: {"note": str, "index"?: int},
"view"?: str, "this"?: str, "now"?: str, "format"?: "json" | "csv" | "tsv" | "md" | "paths",
"limit"?: int}`` (exactly one of ``path``, ``yaml``, ``block``) → ``VaultApp.base``'s answer,
with ``revision`` and ``instance``. Errors in the one error shape: a malformed base or
expression is a 400 ``syntax`` error with the line and column in the base, an unknown view a 422
``semantic`` error, a missing base or note a 404.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.errors import BadRequestError
from server.web.responses import answer, app_of, json_body
from server.web.routes.describe import AUTH_ERRORS, OBJECT, error, ok

__all__ = ["OPENAPI", "ROUTES"]

_FIELDS = {"path", "yaml", "block", "view", "this", "now", "format", "limit"}


def _string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRequestError(f'"{name}" must be a string')
    return value


async def query_base(request: Request) -> Response:
    body = await json_body(request)
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise BadRequestError(f"unknown fields: {', '.join(unknown)}")
    block = body.get("block")
    parsed_block: tuple[str, int] | None = None
    if block is not None:
        if not isinstance(block, dict) or not isinstance(block.get("note"), str):
            raise BadRequestError('"block" must be {"note": path, "index"?: number}')
        index = block.get("index", 1)
        if not isinstance(index, int) or isinstance(index, bool) or index < 1:
            raise BadRequestError('"block.index" must be a whole number from 1')
        parsed_block = (block["note"], index)
    limit = body.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
        raise BadRequestError('"limit" must be a whole number')
    fmt = _string(body, "format") or "json"
    path, yaml, view = _string(body, "path"), _string(body, "yaml"), _string(body, "view")
    this, now = _string(body, "this"), _string(body, "now")
    app = app_of(request)
    return await answer(
        lambda: app.base(
            path, yaml=yaml, block=parsed_block, view=view, this=this, now=now, fmt=fmt, limit=limit
        )
    )


async def list_bases(request: Request) -> Response:
    app = app_of(request)
    return await answer(app.bases)


_REQUEST = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "description": "a .base file, vault-relative"},
        "yaml": {"type": "string", "description": "a base's YAML text"},
        "block": {
            "type": "object",
            "properties": {"note": {"type": "string"}, "index": {"type": "integer"}},
            "description": "the index-th ```base code block of a note (from 1)",
        },
        "view": {"type": "string", "description": "the view's name (default: the first)"},
        "this": {"type": "string", "description": "the file `this` is"},
        "now": {"type": "string", "description": "ISO date or date-time to evaluate at"},
        "format": {"type": "string", "enum": ["json", "csv", "tsv", "md", "paths"]},
        "limit": {"type": "integer", "description": "at most this many rows"},
    },
}

OPENAPI: dict[str, Any] = {
    "/api/v1/bases/query": {
        "post": {
            "summary": "Evaluate one view of an Obsidian base (file, code block or YAML)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _REQUEST}},
            },
            "responses": {
                **ok("the view's rows, groups, summaries and diagnostics, or the text", OBJECT),
                "400": error("a bad request or a malformed base (line and column in the base)"),
                "404": error("no such base, note or code block"),
                "422": error("an unknown view, or a limit was hit"),
                "503": error("the index is not ready"),
                **AUTH_ERRORS,
            },
        }
    },
    "/api/v1/bases": {
        "get": {
            "summary": "Every .base file and ```base code block of the vault, with its views",
            "responses": {
                **ok("the bases", OBJECT),
                "503": error("the index is not ready"),
                **AUTH_ERRORS,
            },
        }
    },
}

ROUTES = [
    Route("/api/v1/bases/query", query_base, methods=["POST"]),
    Route("/api/v1/bases", list_bases, methods=["GET"]),
]
