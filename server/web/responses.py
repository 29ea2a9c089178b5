"""JSON helpers shared by the endpoint modules: orjson responses and request-body parsing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from server.web.error_shape import ApiError

if TYPE_CHECKING:
    from server.application.live_index import VaultService
    from server.web.settings import ServerSettings

_OPTIONS = orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    # Raw frontmatter may hold YAML types orjson does not know; text is an honest rendering.
    return str(value)


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, default=_default, option=_OPTIONS)


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


def service_of(request: Request) -> VaultService:
    service: VaultService = request.app.state.service
    return service


def derived_of(request: Request, name: str, subject: str) -> Any:
    """The search or related-notes service (``name``): ``app.state.<name>`` when set, else the
    served app's derived service of that name. 503 while it is starting, or when the server
    runs without it; ``subject`` says what in the message ("search is", "related notes are")."""
    state = request.app.state
    found = getattr(state, name, None)
    derived = getattr(state, "derived", None)
    if found is None and derived is not None:
        found = getattr(derived, name)
        if found is None:
            raise ApiError(503, "unavailable", f"{subject} starting; try again shortly")
    if found is None:
        raise ApiError(503, "unavailable", f"{subject} not enabled on this server")
    return found


def settings_of(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings
