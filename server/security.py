"""Request gatekeeping: Host header check, CORS allow-list, bearer token.

The three run as pure ASGI middleware, outermost first:

1. :class:`HostCheckMiddleware` refuses a ``Host`` that is not loopback, ``localhost`` or a
   configured name, so a web page whose DNS name was rebound to 127.0.0.1 cannot talk to us.
2. :class:`CorsMiddleware` adds CORS headers only when enabled and only for the exact origins in
   the allow-list (echoing the origin, never ``*``); it answers preflights itself.
3. :class:`BearerAuthMiddleware` requires ``Authorization: Bearer <token>`` on every path except
   the health check, comparing in constant time.

Refusals use the one error shape (``server.errors``). This module never looks at the vault.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import error_response

HEALTH_PATH = "/api/v1/health"
MIN_TOKEN_LENGTH = 16  # a guessable token is no protection; generated ones have 43


def _host_name(value: str) -> str:
    """The name part of a Host header: ``[::1]:80`` → ``::1``, ``Example:8377`` → ``example``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


class HostCheckMiddleware:
    def __init__(self, app: ASGIApp, allowed: Collection[str]) -> None:
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host")
        if host is None or _host_name(host) not in self.allowed:
            response = error_response(
                403, "forbidden_host", "the Host header does not name this server"
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class CorsMiddleware:
    """CORS for an exact allow-list. Disabled: no CORS headers at all, preflights fall through."""

    def __init__(self, app: ASGIApp, origins: Collection[str], enabled: bool) -> None:
        if "*" in origins:
            raise ValueError("a wildcard CORS origin is never allowed")
        self.app = app
        self.origins = frozenset(origins)
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = origin in self.origins
        if preflight:
            if not allowed:
                response = error_response(
                    403, "forbidden_origin", f"the origin {origin!r} is not allowed"
                )
            else:
                response = Response(
                    status_code=204,
                    headers={
                        **self._headers(origin),
                        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                        "Access-Control-Allow-Headers": "Authorization, Content-Type",
                        "Access-Control-Max-Age": "600",
                    },
                )
            await response(scope, receive, send)
            return
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                raw.extend(
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in self._headers(origin).items()
                )
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _headers(origin: str) -> dict[str, str]:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


class BearerAuthMiddleware:
    def __init__(self, app: ASGIApp, token: str, exempt: Collection[str] = (HEALTH_PATH,)) -> None:
        if len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"the API token is too short (at least {MIN_TOKEN_LENGTH} characters)")
        self.app = app
        self._expected = f"Bearer {token}".encode()
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("authorization", "").encode("utf-8", "replace")
        # compare_digest's time depends only on the length of its inputs, not on where they differ.
        if not hmac.compare_digest(given, self._expected):
            response = error_response(
                401,
                "unauthorized",
                "a valid bearer token is required (see `vaultql token VAULT`)",
                headers={"WWW-Authenticate": 'Bearer realm="vaultql"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
