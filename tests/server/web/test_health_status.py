"""GET /api/v1/health and GET /api/v1/status."""

from __future__ import annotations

from starlette.testclient import TestClient

from server.web.routes.health import version


def test_health_is_open_and_minimal(client: TestClient) -> None:
    response = client.get("/api/v1/health", headers={"Authorization": ""})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": version(), "ready": True}


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
