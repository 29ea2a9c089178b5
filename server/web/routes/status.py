"""``GET /api/v1/status``: index phase, progress, revision, per-file problems, excluded counts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.web.responses import json_response, service_of


async def status(request: Request) -> Response:
    body = service_of(request).status()
    derived = getattr(request.app.state, "derived", None)
    if derived is not None:
        body["embedding"] = derived.status()
    return json_response(body)


ROUTES = [Route("/api/v1/status", status, methods=["GET"])]
