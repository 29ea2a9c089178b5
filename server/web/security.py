"""Request gatekeeping: Host header check, CORS allow-list, bearer token.

The three run as pure ASGI middleware, outermost first:

1. :class:`HostCheckMiddleware` refuses a request unless it has exactly one ``Host`` header of
   the form ``host [":" port]`` (RFC 3986: a name, an IPv4 address or a bracketed IPv6 address;
   a port of digits) whose host is exactly loopback, ``localhost`` or a configured name, so a web
   page whose DNS name was rebound to 127.0.0.1 cannot talk to us. Nothing lax is repaired:
   ``localhost:evil.com``, ``localhost..``, ``[::1]evil`` or two ``Host`` headers are refused.
2. :class:`CorsMiddleware` adds CORS headers only when enabled and only for the exact origins in
   the allow-list (echoing the origin, never ``*``); it answers preflights itself.
3. :class:`BearerAuthMiddleware` requires exactly one ``Authorization: Bearer <token>`` on every
   path except the health check, the scheme in any case (RFC 7235), comparing the token in
   constant time.

:class:`OriginCheckMiddleware` guards the MCP endpoint (between the Host check and CORS): a
request that carries an ``Origin`` outside an exact allow-list is refused with 403 — the MCP
specification's DNS-rebinding rule; requests without an ``Origin`` (every non-browser client)
pass.

Refusals use the one error shape (``server.web.error_shape``). This module never looks at the vault.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.application.tokens import TOKEN_RULE, token_problem
from server.web.error_shape import error_response

HEALTH_PATH = "/api/v1/health"

# RFC 3986 host (IP-literal without IPvFuture, or a name of unreserved characters; no
# percent-escapes: no allowed name needs them) and an optional port of 1-5 digits.
_HOST = re.compile(
    r"(?:\[(?P<ip>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._~-]+))(?::(?P<port>[0-9]{1,5}))?"
)


def host_name(value: str) -> str | None:
    """The host named by a ``Host`` header value, or ``None`` when the value is not exactly
    ``host [":" port]``. Names come lower-case (``Example:8377`` → ``example``) and IPv6
    literals without brackets, compressed (``[0:0::1]:80`` → ``::1``); nothing else changes."""
    match = _HOST.fullmatch(value)
    if match is None or (match["port"] is not None and int(match["port"]) > 65535):
        return None
    if match["ip"] is None:
        return match["name"].lower()
    try:
        return ipaddress.IPv6Address(match["ip"]).compressed
    except ValueError:
        return None


def _allowed_name(name: str) -> str:
    """An allow-list entry in :func:`host_name`'s form (``[::1]`` or ``0::1`` → ``::1``)."""
    bare = name.lower().removeprefix("[").removesuffix("]")
    try:
        return ipaddress.IPv6Address(bare).compressed
    except ValueError:
        return bare


class HostCheckMiddleware:
    def __init__(self, app: ASGIApp, allowed: Collection[str]) -> None:
        self.app = app
        self.allowed = frozenset(_allowed_name(name) for name in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        host = host_name(hosts[0].decode("latin-1")) if len(hosts) == 1 else None
        if host is None or host not in self.allowed:
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


class OriginCheckMiddleware:
    """403 ``forbidden_origin`` for a request under ``prefixes`` whose ``Origin`` header is not
    exactly one of ``allowed`` (several ``Origin`` headers are refused too)."""

    def __init__(
        self, app: ASGIApp, allowed: Collection[str], prefixes: Collection[str] = ()
    ) -> None:
        if "*" in allowed:
            raise ValueError("a wildcard origin is never allowed")
        self.app = app
        self.allowed = frozenset(allowed)
        self.prefixes = tuple(prefixes)

    def _guarded(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._guarded(scope["path"]):
            await self.app(scope, receive, send)
            return
        origins = [value for name, value in scope["headers"] if name == b"origin"]
        if origins and (len(origins) > 1 or origins[0].decode("latin-1") not in self.allowed):
            shown = origins[0].decode("latin-1")[:200]
            response = error_response(
                403, "forbidden_origin", f"the origin {shown!r} is not allowed"
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BearerAuthMiddleware:
    def __init__(self, app: ASGIApp, token: str, exempt: Collection[str] = (HEALTH_PATH,)) -> None:
        problem = token_problem(token)
        if problem is not None:
            raise ValueError(f"the API token is too weak: {problem} (needs {TOKEN_RULE})")
        self.app = app
        self._token = token.encode()
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        given = [value for name, value in scope["headers"] if name == b"authorization"]
        scheme, _, credentials = (given[0] if len(given) == 1 else b"").partition(b" ")
        # compare_digest's time depends only on the length of its inputs, not on where they
        # differ; the scheme is no secret.
        matches = hmac.compare_digest(credentials, self._token)
        if not (matches and scheme.lower() == b"bearer"):
            response = error_response(
                401,
                "unauthorized",
                "a valid bearer token is required (see `vaultql token VAULT`)",
                headers={"WWW-Authenticate": 'Bearer realm="vaultql"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
