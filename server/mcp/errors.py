"""Failures as tool results the model can act on (``isError``), in VaultQL's own terms.

Every error a tool meets comes back as a ``CallToolResult`` with ``isError: true``, a short text
for the model and ``structuredContent: {"error": {code, message, line?, column?, context?,
candidates?}}`` — the HTTP API's error shape (``server.web.error_shape``) with the same codes:

* ``server.errors`` (``bad_request``, ``bad_path``, ``not_found`` — with ``candidates`` for a
  target that names no note —, ``bad_config``, ``unavailable``);
* ``query.errors`` (``syntax`` with line, column and a caret ``context``, ``semantic``,
  ``execution``, ``limit``, ``evaluation``);
* arguments that do not fit a tool's input schema: ``bad_request`` naming each argument and
  what was wrong with it (never echoing the value).

An unknown tool is a protocol error (JSON-RPC ``-32602``), as the specification asks. Anything
unexpected is logged with its traceback and answered as ``internal`` without details.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from query.errors import QueryError
from server.errors import UnknownTargetError, VaultQLError

__all__ = ["error_result", "validation_message"]

log = logging.getLogger("vaultql.mcp")


def error_result(exc: BaseException) -> CallToolResult:
    """The ``isError`` result for ``exc`` (module docstring)."""
    body: dict[str, Any]
    if isinstance(exc, QueryError):
        body = dict(exc.to_dict())
        text = f"{exc.code} error: {exc}"
    elif isinstance(exc, VaultQLError):
        body = {"code": exc.code, "message": exc.message}
        if isinstance(exc, UnknownTargetError) and exc.candidates:
            body["candidates"] = exc.candidates
        text = f"{exc.code}: {exc.message}"
    elif isinstance(exc, ValidationError):
        message = validation_message(exc)
        body = {"code": "bad_request", "message": message}
        text = f"bad_request: {message}"
    else:
        log.error("an MCP tool failed unexpectedly", exc_info=exc)
        body = {"code": "internal", "message": "internal error (logged by the server)"}
        text = "internal: internal error (logged by the server)"
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content={"error": body},
        is_error=True,
    )


def validation_message(exc: ValidationError) -> str:
    """Each argument that failed the input schema and why, without the value given."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "arguments"
        parts.append(f'"{where}": {error["msg"]}')
    return "; ".join(parts) or "the arguments do not fit the tool's input schema"
