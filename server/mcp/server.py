"""The MCP server object: VaultQL's tools and resources over one application.

:func:`build_server` makes a :class:`VaultServer` (the SDK's ``MCPServer``) for a
:class:`~server.application.vault_app.VaultApp`; the transports are elsewhere (``server.mcp.stdio``
for ``vaultql mcp``, ``server.web.routes.mcp`` for ``/mcp`` on ``vaultql serve``).

* **Tools** (``server.mcp.tools``), listed always in :data:`TOOLS` order, all annotated read-only,
  non-destructive, idempotent and closed-world: nothing here writes to the vault.
  :meth:`VaultServer.call_tool` turns every failure into an ``isError`` result with VaultQL's
  code (``server.mcp.errors``), an unknown tool into JSON-RPC ``-32602``, and replaces the SDK's
  indented-JSON text with the compact rendering of ``server.mcp.render``.
* **Resources**: ``vault://status``, ``vault://note/{+path}`` (the Markdown, at most
  :data:`~server.mcp.tools.MAX_RESULT_CHARS` characters), ``vault://note-meta/{+path}`` (the
  note's metadata view) and ``vault://dashboard/{kind}``. A failure is a JSON-RPC error whose
  ``data`` carries VaultQL's code: ``-32602`` for a bad or unknown path, ``-32603`` otherwise.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib import metadata
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.context import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    CallToolResult,
    TextContent,
    ToolAnnotations,
)
from pydantic import ValidationError

from query.errors import QueryError
from server.application.vault_app import VaultApp
from server.errors import BadRequestError, NotFoundError, VaultQLError
from server.mcp.errors import error_result
from server.mcp.render import RENDERERS, compact_json
from server.mcp.tools import MAX_RESULT_CHARS, VaultTools

__all__ = ["INSTRUCTIONS", "TOOLS", "VaultServer", "build_server"]

INSTRUCTIONS = """\
VaultQL serves one Obsidian vault, read-only, from a live index.
Notes are named by their vault-relative path ('Projects/Plan.md'); every `target` also takes
wikilink text ('Plan', '[[Plan#Tasks]]') or an alias, and answers say what it resolved to.
Start with `search` (or `vault_overview`), then `read_note` — it gives the outline first;
read a section (`section`) or page with `offset`/`next_offset`. `query_dql` runs Dataview
queries. Lists are paged: pass `next_cursor` back as `cursor`. Lines are 0-based. Every answer
carries the index `revision`. Errors carry a code; a DQL error gives line, column and a caret.
"""

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
BIG_RESULT = {"anthropic/maxResultSizeChars": MAX_RESULT_CHARS}

# (name, title, meta): the order of tools/list.
TOOLS: tuple[tuple[str, str, dict[str, Any] | None], ...] = (
    ("vault_overview", "Vault overview", None),
    ("search", "Search notes", None),
    ("read_note", "Read a note", BIG_RESULT),
    ("query_dql", "Run a Dataview query", BIG_RESULT),
    ("query_base", "Answer an Obsidian Bases view", BIG_RESULT),
    ("related_notes", "Related notes", None),
    ("links", "Links and backlinks", None),
    ("list_notes", "List notes", None),
    ("list_tags", "List tags", None),
    ("tasks", "List tasks", None),
    ("unlinked_mentions", "Unlinked mentions", None),
    ("dashboard", "Dashboards", None),
    ("fetch", "Fetch a note", BIG_RESULT),
)


class VaultServer(MCPServer):
    """``MCPServer`` with VaultQL's error and text conventions (module docstring)."""

    def __init__(self, app: VaultApp, *, ready_wait_s: float | None = None) -> None:
        super().__init__(
            "vaultql",
            title="VaultQL",
            description="Read-only search, Dataview queries and reading for an Obsidian vault",
            instructions=INSTRUCTIONS,
            version=_version(),
            log_level="WARNING",
        )
        self.app = app
        options = {} if ready_wait_s is None else {"ready_wait_s": ready_wait_s}
        tools = VaultTools(app, **options)
        for name, title, meta in TOOLS:
            fn = getattr(tools, name)
            self.add_tool(
                fn,
                name=name,
                title=title,
                description=" ".join((inspect.getdoc(fn) or "").split()),
                annotations=READ_ONLY,
                meta=meta,
            )
        self.tool_names = frozenset(name for name, _, _ in TOOLS)
        self._listed: list[Any] | None = None
        _add_resources(self, app)

    async def list_tools(self) -> list[Any]:
        """The tools in :data:`TOOLS` order, their schemas without pydantic's generated titles
        (noise a model pays tokens for), the same objects every time."""
        if self._listed is None:
            listed = await super().list_tools()
            self._listed = [
                tool.model_copy(
                    update={
                        "input_schema": _untitled(tool.input_schema),
                        "output_schema": _untitled(tool.output_schema),
                    }
                )
                for tool in listed
            ]
        return list(self._listed)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        if name not in self.tool_names:
            known = ", ".join(sorted(self.tool_names))
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {name!r} (tools: {known})")
        try:
            result = await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, VaultQLError | QueryError):
                return error_result(cause)
            if isinstance(exc, UnexpectedToolError):
                return error_result(cause if cause is not None else exc)  # internal
            if isinstance(cause, ValidationError):
                return error_result(cause)
            return error_result(BadRequestError(str(exc)))
        if isinstance(result, CallToolResult) and result.structured_content is not None:
            render: Callable[[Any], str] = RENDERERS.get(name) or compact_json
            text = TextContent(type="text", text=render(result.structured_content))
            result = result.model_copy(update={"content": [text]})
        return result


def _untitled(schema: Any) -> Any:
    """``schema`` without the ``title`` keywords pydantic generates (a property that is *named*
    ``title`` stays)."""
    if isinstance(schema, list):
        return [_untitled(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: _untitled(sub) for name, sub in value.items()}
        else:
            out[key] = _untitled(value)
    return out


def _version() -> str:
    try:
        return metadata.version("vaultql")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def build_server(app: VaultApp, *, ready_wait_s: float | None = None) -> VaultServer:
    """The MCP server over ``app`` (module docstring)."""
    return VaultServer(app, ready_wait_s=ready_wait_s)


def _resource_error(exc: Exception) -> MCPError:
    if isinstance(exc, VaultQLError | QueryError):
        caller = isinstance(exc, BadRequestError | NotFoundError)
        code = INVALID_PARAMS if caller else INTERNAL_ERROR
        return MCPError(code, exc.message, data={"code": exc.code})
    return MCPError(INTERNAL_ERROR, "internal error (logged by the server)")


def _add_resources(server: MCPServer, app: VaultApp) -> None:
    def guarded(call: Any) -> str:
        try:
            return str(call())
        except (VaultQLError, QueryError) as exc:
            raise _resource_error(exc) from None

    @server.resource(
        "vault://status",
        name="status",
        title="Index status",
        description="The index's state: revision, notes, progress, embedding, problem counts",
        mime_type="application/json",
    )
    def status() -> str:
        def body() -> str:
            data = app.status()
            data["problems"] = data.get("problems", [])[:20]
            data.pop("cache", None)  # holds the index folder's absolute path
            return compact_json(data)

        return guarded(body)

    @server.resource(
        "vault://note/{+path}",
        name="note",
        title="A note's Markdown",
        description=f"The note's text (at most {MAX_RESULT_CHARS} characters)",
        mime_type="text/markdown",
    )
    def note(path: str) -> str:
        def body() -> str:
            view = app.read_note(path, view="content", max_chars=MAX_RESULT_CHARS)
            text: str = view["content"]
            if view["truncated"]:
                rest = view["total_chars"] - view["next_offset"]
                text += f"\n\n[… {rest} more characters: use the read_note tool to page on]"
            return text

        return guarded(body)

    @server.resource(
        "vault://note-meta/{+path}",
        name="note-meta",
        title="A note's metadata",
        description="Frontmatter, inline fields, tags, links both ways, task counts",
        mime_type="application/json",
    )
    def note_meta(path: str) -> str:
        return guarded(lambda: compact_json(app.read_note(path, view="metadata")))

    @server.resource(
        "vault://dashboard/{kind}",
        name="dashboard",
        title="A dashboard",
        description="review, para or zettelkasten",
        mime_type="application/json",
    )
    def dashboard(kind: str) -> str:
        return guarded(lambda: compact_json(app.dashboard(kind)))
