"""``GET /api/v1/notes/{path}``: one note's metadata, and the path policy for every note path.

A note path arrives percent-decoded exactly once (by the ASGI server) and must pass
``server.vault.paths.strict_vault_path`` (a plain vault-relative path, nothing repaired). A path
that passes is only ever looked up in the in-memory index — this endpoint never opens a file —
and the index itself holds only files the scanner found inside the vault.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.vault.paths import UnsafePathError, strict_vault_path
from server.web.error_shape import ApiError
from server.web.responses import json_response, service_of


def checked_path(path: str) -> str:
    """``path`` if it is a safe vault-relative path, else an ``ApiError`` (400 ``bad_path``)."""
    try:
        return strict_vault_path(path)
    except UnsafePathError as exc:
        raise ApiError(400, "bad_path", f"not a safe vault-relative note path: {exc}") from exc


async def note(request: Request) -> Response:
    path = checked_path(request.path_params["path"])
    service = service_of(request)
    data = await run_in_threadpool(service.note_json, path)
    if data is None:
        raise ApiError(404, "not_found", f"no note at {path!r}")
    return json_response(data)


def _route() -> Route:
    route = Route("/api/v1/notes/{path:path}", note, methods=["GET"])
    # Starlette's `path` convertor is `.*`, which stops at a newline: `a%0Ab.md` matched no route
    # (404) and the closing `$` dropped a final one (`Home.md%0A` named Home.md). Matching every
    # character to the very end hands such paths to the policy above: 400 bad_path.
    route.path_regex = re.compile(r"^/api/v1/notes/(?P<path>.*)\Z", re.DOTALL)
    return route


ROUTES = [_route()]
