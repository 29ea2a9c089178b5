"""``GET /api/v1/status``: index phase, progress, revision, per-file problems, excluded counts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.web.responses import app_of, json_response


async def status(request: Request) -> Response:
    return json_response(app_of(request).status())


ROUTES = [Route("/api/v1/status", status, methods=["GET"])]
