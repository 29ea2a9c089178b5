"""GET /api/v1/openapi.json describes every route the app registers, with its methods."""

from __future__ import annotations

import re

from starlette.routing import Route
from starlette.testclient import TestClient

from server.web.app import routes


def _openapi_path(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", path)


def test_every_registered_route_is_described(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    described = document["paths"]
    registered = {
        _openapi_path(route.path): {m.lower() for m in route.methods or ()} - {"head"}
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route)
    }
    assert registered, "no routes registered?"
    assert set(described) == set(registered)
    for path, methods in registered.items():
        assert set(described[path]) == methods, path
        for operation in described[path].values():
            assert operation["summary"]
            assert "200" in operation["responses"]


def test_routes_function_matches_the_app(client: TestClient) -> None:
    app_routes = [r.path for r in client.app.routes]  # type: ignore[attr-defined]
    assert app_routes == [r.path for r in routes()]


def test_health_needs_no_security_and_the_rest_do(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["paths"]["/api/v1/health"]["get"]["security"] == []
    assert document["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
