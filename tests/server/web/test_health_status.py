"""GET /api/v1/health and GET /api/v1/status."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from server.web.routes.health import version


def test_health_is_open_and_minimal(client: TestClient) -> None:
    response = client.get("/api/v1/health", headers={"Authorization": ""})
    assert response.status_code == 200
    body = response.json()
    instance = body.pop("instance")
    assert body == {"status": "ok", "version": version(), "ready": True}
    assert re.fullmatch(r"[0-9a-f]{16}", instance)
    # The same run answers with the same instance everywhere.
    assert client.get("/api/v1/status").json()["instance"] == instance
    assert client.post("/api/v1/query", json={"query": "LIST"}).json()["instance"] == instance
    md = client.post("/api/v1/query", json={"query": "LIST", "format": "md"}).json()
    assert md["instance"] == instance


def test_status_reports_progress_revision_and_problems(client: TestClient) -> None:
    status = client.get("/api/v1/status").json()
    assert status["ready"] is True
    assert status["revision"] == 1
    assert status["notes"] == 4
    progress = status["progress"]
    assert progress["phase"] == "ready"
    assert progress["done"] == progress["total"] == 4
    assert {"rate_per_s", "eta_s", "elapsed_s"} <= set(progress)
    assert status["excluded"] == 0
    assert status["summary"]["tasks"] == 2
    assert status["summary"]["links"] == {"resolved": 3, "unresolved": 1}
    assert status["problems"] == [] and status["problems_total"] == 0
