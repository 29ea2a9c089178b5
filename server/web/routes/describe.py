"""Pieces of the OpenAPI description that endpoint modules use to describe themselves
(``OPENAPI``): the error shape's response, a JSON answer, and a GET with query parameters.
``server.web.routes.openapi`` assembles the document from them."""

from __future__ import annotations

from typing import Any

__all__ = ["AUTH_ERRORS", "OBJECT", "described_get", "error", "ok"]


def error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def ok(description: str, schema: dict[str, Any], media: str = "application/json") -> Any:
    return {"200": {"description": description, "content": {media: {"schema": schema}}}}


AUTH_ERRORS = {"401": error("missing or wrong bearer token"), "403": error("Host refused")}

OBJECT: dict[str, Any] = {"type": "object"}


def described_get(
    summary: str, parameters: dict[str, tuple[str, bool]], *, not_found: bool = False
) -> dict[str, Any]:
    """A GET operation with query ``parameters`` (name → (description, required)), the shared
    auth and error responses, and 503 while the index or the search service is unavailable."""
    responses: dict[str, Any] = {
        **ok(summary, OBJECT),
        "400": error("a bad parameter"),
        "503": error("not ready or not enabled on this server"),
        **AUTH_ERRORS,
    }
    if not_found:
        responses["404"] = error("no such note")
    return {
        "get": {
            "summary": summary,
            "parameters": [
                {
                    "name": name,
                    "in": "query",
                    "required": required,
                    "description": description,
                    "schema": {"type": "string"},
                }
                for name, (description, required) in parameters.items()
            ],
            "responses": responses,
        }
    }
