"""The dashboard endpoints through Starlette's TestClient on a minimal app (``app.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.dashboards.conventions import DashboardConfig
from server.dashboards.para import para_dashboard
from server.dashboards.review import review_dashboard
from tests.server.dashboards.app import TOKEN, make_app
from tests.server.dashboards.vault import NOW, NOW_ISO, copy_vault, fixture_index

AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOW_PARAM = {"now": "2024-06-15T12:00:00Z"}


@pytest.fixture()
def vault(tmp_path: Path) -> Path:
    return copy_vault(tmp_path / "vault")


@pytest.fixture()
def client(vault: Path) -> Iterator[TestClient]:
    with TestClient(make_app(vault)) as client:
        yield client


def test_para_matches_the_library(client: TestClient) -> None:
    response = client.get("/api/v1/dashboards/para", params=NOW_PARAM, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body.pop("revision") == 7
    expected = para_dashboard(fixture_index(), DashboardConfig(), NOW)
    # "now" arrives as a fixed-offset UTC date; the library value used a plain UTC datetime
    assert body["now"] == NOW_ISO
    assert body == expected


def test_review_and_thresholds(client: TestClient) -> None:
    params = {**NOW_PARAM, "stale_days": "30", "review_days": "1", "fleeting_hours": "100"}
    body = client.get("/api/v1/dashboards/review", params=params, headers=AUTH).json()
    assert body["thresholds"] == {"stale_days": 30, "fleeting_hours": 100, "review_days": 1}
    assert body["counts"] == {
        "stale_project": 1,
        "done_not_archived": 1,
        "overdue_task": 2,
        "fleeting": 1,
        "new_orphan": 1,
    }
    default = client.get("/api/v1/dashboards/review", params=NOW_PARAM, headers=AUTH).json()
    expected = review_dashboard(fixture_index(), DashboardConfig(), NOW)
    assert default["items"] == expected["items"]


def test_zettelkasten_reads_word_counts(client: TestClient) -> None:
    body = client.get(
        "/api/v1/dashboards/zettelkasten", params={**NOW_PARAM, "max_words": "700"}, headers=AUTH
    ).json()
    assert body["too_long"] == [{"path": "Zettel/Long note.md", "words": 711, "headings": 4}]
    assert body["thresholds"]["max_words"] == 700
    assert len(body["clusters_without_map"]) == 1


def test_notes_parameter(client: TestClient) -> None:
    body = client.get(
        "/api/v1/dashboards/para", params={**NOW_PARAM, "notes": "true"}, headers=AUTH
    ).json()
    assert {"path": "Notes/Override.md", "para": "areas", "project": None, "status": None} in body[
        "notes"
    ]


def test_config_file_is_read(client: TestClient, vault: Path) -> None:
    (vault / ".vaultql.toml").write_text("[thresholds]\nstale_days = 100\n")
    body = client.get("/api/v1/dashboards/para", params=NOW_PARAM, headers=AUTH).json()
    assert body["thresholds"]["stale_days"] == 100
    assert not any(p["stale"] for p in body["projects"])
    # a query parameter beats the file
    body = client.get(
        "/api/v1/dashboards/para", params={**NOW_PARAM, "stale_days": "20"}, headers=AUTH
    ).json()
    assert [p["id"] for p in body["projects"] if p["stale"]] == [
        "1 Projects/Garden.md",
        "Work/Thesis.md",
    ]


def test_bad_config_is_422(client: TestClient, vault: Path) -> None:
    (vault / ".vaultql.toml").write_text("[thresholds]\nstale_day = 3\n")
    response = client.get("/api/v1/dashboards/review", headers=AUTH)
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "bad_config",
            "message": ".vaultql.toml: unknown key thresholds.stale_day",
        }
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"now": "yesterday-ish"}, "now: not an ISO date"),
        ({"stale_days": "soon"}, "threshold stale_days must be a number"),
        ({"stale_days": "-3"}, "non-negative"),
        ({"bogus": "1"}, "unknown threshold 'bogus'"),
    ],
)
def test_bad_parameters_are_400(client: TestClient, params: dict[str, str], message: str) -> None:
    response = client.get("/api/v1/dashboards/para", params=params, headers=AUTH)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert message in error["message"]


def test_now_defaults_to_the_clock(client: TestClient) -> None:
    from datetime import datetime

    body = client.get("/api/v1/dashboards/para", headers=AUTH).json()
    assert datetime.fromisoformat(body["now"]).tzinfo is not None  # the value itself varies


def test_json_endpoints_need_the_token(client: TestClient) -> None:
    for kind in ("para", "zettelkasten", "review"):
        response = client.get(f"/api/v1/dashboards/{kind}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_page_is_served_without_token_and_holds_no_secret(client: TestClient) -> None:
    response = client.get("/dashboard?now=2024-06-15")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert TOKEN not in response.text
    assert "Weekly review" in response.text
    assert "http://" not in response.text and "https://" not in response.text  # no external assets
