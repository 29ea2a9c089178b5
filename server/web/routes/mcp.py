"""``/mcp``: the Model Context Protocol's Streamable HTTP transport on the API's own port.

The MCP server over the running application (``server.mcp.server``) answers at ``/mcp`` (and
``/mcp/``) **stateless with JSON responses**: no ``Mcp-Session-Id``, no event stream, every
POST answered in its own response — what clients of every protocol revision (2025-06-18's and
2025-11-25's ``initialize`` handshake, 2026-07-28's ``server/discover``) handle, and what
survives proxies and clients that drop session headers.

Gatekeeping is the API's: the Host check and the bearer token (``server.web.security``) apply
as on ``/api/v1``; in front of the token check, an ``Origin`` header outside the allow-list is
refused with 403 (:class:`~server.web.security.OriginCheckMiddleware`: the Obsidian origins with
``--cors``, none otherwise); a body over ``max_body_bytes`` gets 413
(:class:`~server.web.http_limits.BodyLimitMiddleware`). The SDK's own Host/Origin checks are off:
VaultQL's, in front, are stricter and answer in the one error shape.

The endpoint is the web app's innermost middleware (:meth:`McpEndpoint.middleware`), not a
route: the JSON API's routes and OpenAPI document are the API's alone. The SDK's session manager
runs in the web app's lifespan (:meth:`McpEndpoint.lifespan`).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from server.application.vault_app import VaultApp
from server.mcp.server import build_server
from server.web.http_limits import BodyLimitMiddleware
from server.web.settings import ServerSettings

__all__ = ["MCP_PATH", "McpEndpoint"]

MCP_PATH = "/mcp"
_PATHS = frozenset({MCP_PATH, MCP_PATH + "/"})


class McpEndpoint:
    """The MCP server of one web app: its routes and its lifespan."""

    def __init__(self, vault_app: VaultApp, settings: ServerSettings) -> None:
        self.server = build_server(vault_app)
        self.server.streamable_http_app(
            streamable_http_path="/",
            stateless_http=True,
            json_response=True,
            max_request_body_size=settings.max_body_bytes,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self.manager = self.server.session_manager
        self.app = BodyLimitMiddleware(StreamableHTTPASGIApp(self.manager), settings.max_body_bytes)

    def middleware(self) -> Middleware:
        """The innermost middleware of the web app: ``/mcp`` and ``/mcp/`` (exactly) go to the
        MCP transport, everything else on to the API's router. (Not a route: the JSON API's
        routes, their OpenAPI document and their checks stay the API's alone.)"""
        return Middleware(_Dispatch, endpoint=self.app)

    def lifespan(self) -> AbstractAsyncContextManager[Any]:
        """The SDK's session manager, run while the web app runs (Starlette does not run a
        mounted app's lifespan)."""
        return self.manager.run()


class _Dispatch:
    def __init__(self, app: ASGIApp, endpoint: ASGIApp) -> None:
        self.app = app
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in _PATHS:
            await self.endpoint(scope, receive, send)
            return
        await self.app(scope, receive, send)
