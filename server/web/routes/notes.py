"""``GET /api/v1/notes/{path}``: one note's metadata, and the path policy for every note path.

A note path arrives percent-decoded exactly once (by the ASGI server) and must pass
``server.vault.paths.strict_vault_path`` (a plain vault-relative path, nothing repaired; the
application checks it, ``VaultApp.note``). A path
that passes is only ever looked up in the in-memory index — this endpoint never opens a file —
and the index itself holds only files the scanner found inside the vault.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.web.responses import answer, app_of

__all__ = ["ROUTES", "note"]


async def note(request: Request) -> Response:
    path = request.path_params["path"]
    app = app_of(request)
    return await answer(lambda: app.note(path))


def _route() -> Route:
    route = Route("/api/v1/notes/{path:path}", note, methods=["GET"])
    # Starlette's `path` convertor is `.*`, which stops at a newline: `a%0Ab.md` matched no route
    # (404) and the closing `$` dropped a final one (`Home.md%0A` named Home.md). Matching every
    # character to the very end hands such paths to the policy above: 400 bad_path.
    route.path_regex = re.compile(r"^/api/v1/notes/(?P<path>.*)\Z", re.DOTALL)
    return route


ROUTES = [_route()]
