"""What every route shares: the application of a request, JSON answers computed and encoded in
a worker thread, and request-body parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server.application.encoders import dumps
from server.web.error_shape import ApiError

if TYPE_CHECKING:
    from server.application.vault_app import VaultApp
    from server.web.settings import ServerSettings


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json", headers=headers)


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 (413 when too large) in the error shape."""
    limit = settings_of(request).max_body_bytes
    too_large = ApiError(413, "payload_too_large", f"the body is over {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # counted as it arrives: chunked bodies too
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "bad_request", f"the body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return data


def app_of(request: Request) -> VaultApp:
    """The application every route drives."""
    app: VaultApp = request.app.state.vault_app
    return app


async def answer(call: Callable[[], Any], headers: dict[str, str] | None = None) -> Response:
    """``call()`` (an application method: blocking work) in a worker thread, its result encoded
    there too (a large one takes a while), as a JSON response."""
    body = await run_in_threadpool(lambda: dumps(call()))
    return Response(body, media_type="application/json", headers=headers)


def settings_of(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings
