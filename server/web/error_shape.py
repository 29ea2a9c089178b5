"""The one JSON error shape of the HTTP API, and the handlers that enforce it.

Every failure — a bad request, a query error, a missing note, an unknown route, a wrong method,
a refused token or host, an unhandled exception, and the HTTP layer's own refusals (a malformed
request, an oversized head, a request too slow to arrive: ``server.web.http_limits``) — leaves the
server as::

    {"error": {"code": str, "message": str, "line"?: int, "column"?: int, "context"?: str}}

with a fitting status: the application's errors (``server.errors``) and the query's
(``query.errors``) map to it here, and :class:`ApiError` is the web layer's own. Codes and
statuses:

=====================  ======  ===============================================================
code                   status  meaning
=====================  ======  ===============================================================
bad_request            400     malformed JSON, wrong field types, unknown format, malformed HTTP
syntax                 400     the DQL does not parse (line, column, context given)
unauthorized           401     missing or wrong bearer token
forbidden_host         403     the Host header is not a name this server answers to
forbidden_origin       403     a CORS preflight from an origin outside the allow-list
bad_path               400     a note path that is not a safe vault-relative path
not_found              404     no such route or note
method_not_allowed     405     the route exists, the method does not
request_timeout        408     the request's head or body did not arrive in time
payload_too_large      413     the request body is over the limit
headers_too_large      431     the request line and headers are over the limit
semantic / execution   422     the query parses but cannot run
limit                  422     the query hit a limit: time, memory, rows, sizes, nesting
evaluation             422     every row failed to evaluate
bad_config             422     a vault configuration file (``.vaultql.toml``) cannot be used
unavailable            503     the index is loading, the vault folder is missing, search is
                               starting or not enabled
internal               500     a bug; the message does not leak internals
=====================  ======  ===============================================================
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from query.errors import QueryError, QuerySyntaxError
from server.errors import (
    BadRequestError,
    ConfigError,
    NotFoundError,
    UnavailableError,
    VaultQLError,
)

__all__ = ["ApiError", "error_body", "error_json", "error_response", "exception_handlers"]

log = logging.getLogger("vaultql.server")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    431: "headers_too_large",
    422: "unprocessable",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """An error a handler raises on purpose; becomes the error shape with ``status``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    inner: dict[str, Any] = {"code": code, "message": message}
    inner.update({key: value for key, value in extra.items() if value is not None})
    return {"error": inner}


def error_json(code: str, message: str, **extra: Any) -> bytes:
    """The error shape as JSON bytes (for the HTTP layer, which writes raw responses)."""
    return orjson.dumps(error_body(code, message, **extra))


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    return Response(
        error_json(code, message, **extra),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def query_error_status(exc: QueryError) -> int:
    return 400 if isinstance(exc, QuerySyntaxError) else 422


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


async def _query_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QueryError)
    body = exc.to_dict()
    return Response(
        orjson.dumps({"error": body}),
        status_code=query_error_status(exc),
        media_type="application/json",
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    message = exc.detail if exc.status_code != 404 else f"no route for {request.url.path}"
    if exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, code, str(message), headers=headers)


async def _unhandled(request: Request, exc: Exception) -> Response:
    # Logged with the traceback; the client only learns that it was our fault.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "internal server error")


async def _client_gone(request: Request, exc: Exception) -> Response:
    # The client left (or was cut off for sending too slowly) mid-body: nobody reads an answer,
    # and it is no bug worth a traceback in the log.
    log.debug("client went away during %s %s", request.method, request.url.path)
    return error_response(400, "bad_request", "the request body was not received")


# The HTTP status of each error of the application (``server.errors``).
_VAULTQL_STATUS = {
    BadRequestError: 400,
    NotFoundError: 404,
    ConfigError: 422,
    UnavailableError: 503,
}


def vaultql_error_status(exc: VaultQLError) -> int:
    return next((s for kind, s in _VAULTQL_STATUS.items() if isinstance(exc, kind)), 500)


async def _vaultql_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VaultQLError)
    status = vaultql_error_status(exc)
    headers = {"Retry-After": "1"} if status == 503 else None
    return error_response(status, exc.code, exc.message, headers=headers)


def exception_handlers() -> dict[Any, Any]:
    """The handlers ``create_app`` installs; ``Exception`` covers everything unexpected."""
    return {
        VaultQLError: _vaultql_error,
        ClientDisconnect: _client_gone,
        ApiError: _api_error,
        QueryError: _query_error,
        HTTPException: _http_error,
        Exception: _unhandled,
    }
