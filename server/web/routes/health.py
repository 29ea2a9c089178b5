"""``GET /api/v1/health``: liveness, version and this run's ``instance``. The one route without
a token."""

from __future__ import annotations

from importlib import metadata

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.web.responses import app_of, json_response


def version() -> str:
    try:
        return metadata.version("vaultql")
    except metadata.PackageNotFoundError:
        return "0.0.0"


async def health(request: Request) -> Response:
    # Deliberately little: no vault path, no counts — anyone on this machine may call it. The
    # instance is a random id of this run, which says nothing about the vault.
    app = app_of(request)
    return json_response(
        {"status": "ok", "version": version(), "ready": app.ready, "instance": app.instance}
    )


ROUTES = [Route("/api/v1/health", health, methods=["GET"])]
