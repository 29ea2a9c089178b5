"""``GET /api/v1/openapi.json``: the API description (OpenAPI 3.1), written by hand.

A test checks that every route the app registers appears here with its methods, so this document
cannot silently fall behind the code.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.web.responses import json_response
from server.web.routes import bases, dashboards, related, search
from server.web.routes.describe import AUTH_ERRORS as _AUTH_ERRORS
from server.web.routes.describe import OBJECT as _OBJECT
from server.web.routes.describe import error as _error
from server.web.routes.describe import ok as _ok
from server.web.routes.health import version


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "VaultQL",
            "version": version(),
            "description": "A local server for an Obsidian vault: a live metadata index and "
            "Dataview (DQL) queries. Every route but /health needs `Authorization: Bearer "
            "<token>`; every error has the shape in components.schemas.Error.",
        },
        "servers": [{"url": "http://127.0.0.1:8377"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/health": {
                "get": {
                    "summary": "Liveness, version and this run's instance (no token needed)",
                    "security": [],
                    "responses": _ok("alive", {"$ref": "#/components/schemas/Health"}),
                }
            },
            "/api/v1/status": {
                "get": {
                    "summary": "Index phase, progress, revision, instance, per-file problems, "
                    "the Dataview settings in force",
                    "responses": {**_ok("status", _OBJECT), **_AUTH_ERRORS},
                }
            },
            "/api/v1/query": {
                "post": {
                    "summary": "Run a DQL query",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/QueryRequest"}
                            }
                        },
                    },
                    "responses": {
                        **_ok(
                            "the typed result, or {format, text, count} for md/csv; with "
                            "revision and instance",
                            _OBJECT,
                        ),
                        "400": _error("bad body or DQL syntax error (line, column, context)"),
                        "422": _error("semantic, execution or limit error"),
                        "503": _error("the index is still loading"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/v1/eval": {
                "post": {
                    "summary": "Evaluate an inline query (`= expr`) with `this` = origin",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/EvalRequest"}
                            }
                        },
                    },
                    "responses": {
                        **_ok("the value", {"$ref": "#/components/schemas/EvalResult"}),
                        "400": _error("bad body or syntax error (line, column, context)"),
                        "422": _error("semantic, evaluation or limit error"),
                        "503": _error("the index is still loading"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/v1/notes/{path}": {
                "get": {
                    "summary": "One note's metadata: fields, tags, links, inlinks, tasks, sections",
                    "parameters": [
                        {
                            "name": "path",
                            "in": "path",
                            "required": True,
                            "description": "vault-relative path with extension, e.g. a/b.md",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        **_ok("the note", _OBJECT),
                        "400": _error("not a safe vault-relative path"),
                        "404": _error("no such note"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/v1/events": {
                "get": {
                    "summary": "Server-sent events: hello and revision (with the instance), "
                    "progress, embedding, resync",
                    "responses": {
                        **_ok("an event stream", {"type": "string"}, "text/event-stream"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {**_ok("OpenAPI 3.1", _OBJECT), **_AUTH_ERRORS},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "line": {"type": "integer"},
                                "column": {"type": "integer"},
                                "context": {"type": "string"},
                            },
                        }
                    },
                },
                "Health": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string"},
                        "version": {"type": "string"},
                        "ready": {"type": "boolean"},
                        "instance": {"type": "string"},
                    },
                },
                "QueryRequest": {
                    "type": "object",
                    "required": ["query"],
                    "additionalProperties": False,
                    "properties": {
                        "query": {"type": "string"},
                        "origin": {"type": ["string", "null"]},
                        "format": {"enum": ["json", "md", "csv"], "default": "json"},
                    },
                },
                "EvalRequest": {
                    "type": "object",
                    "required": ["expression"],
                    "additionalProperties": False,
                    "properties": {
                        "expression": {"type": "string"},
                        "origin": {"type": ["string", "null"]},
                    },
                },
                "EvalResult": {
                    "type": "object",
                    "required": ["value", "text", "revision", "instance"],
                    "properties": {
                        "value": {"description": "a typed cell, as in query results"},
                        "text": {"type": "string"},
                        "revision": {"type": "integer"},
                        "instance": {"type": "string"},
                    },
                },
            },
        },
    }


def _contributed() -> dict[str, Any]:
    """Paths described by the endpoint modules that describe themselves (``OPENAPI``)."""
    paths: dict[str, Any] = {}
    for module in (dashboards, search, related, bases):
        paths.update(module.OPENAPI)
    return paths


async def openapi(request: Request) -> Response:
    document = openapi_document()
    document["paths"].update(_contributed())
    return json_response(document)


ROUTES = [Route("/api/v1/openapi.json", openapi, methods=["GET"])]
