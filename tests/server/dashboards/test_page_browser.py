"""The dashboard page in a real headless Chromium against a real uvicorn on 127.0.0.1.

The rendered DOM is checked against the JSON the API returns for the same parameters, and a
screenshot is kept as a test artifact (``$VAULTQL_TEST_ARTIFACTS``, else ``test-artifacts/`` at
the repository root). Without a Chromium binary the tests skip, unless
``VAULTQL_REQUIRE_BROWSER=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.server.dashboards.app import TOKEN, make_app
from tests.server.dashboards.browser import dump_dom, find_chromium, screenshot, serve
from tests.server.dashboards.vault import copy_vault

QUERY = "now=2024-06-15T12:00:00Z"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("VAULTQL_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (apt-get install -y chromium)")
        pytest.skip("no chromium binary (apt-get install -y chromium)")
    return found


class RecordTargets:
    """ASGI middleware keeping every request's path and query string, as an access log would."""

    def __init__(self, app: ASGIApp, seen: list[str]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append(scope["path"] + "?" + scope["query_string"].decode("latin-1"))
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    vault = copy_vault(tmp_path_factory.mktemp("dash") / "vault")
    seen: list[str] = []
    with serve(RecordTargets(make_app(vault), seen)) as base:
        yield base, seen


class Dom(HTMLParser):
    """Rows by their data attributes, cell texts, and element texts by id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[dict[str, str], list[str]]] = []
        self.by_id: dict[str, str] = {}
        self.body: dict[str, str] = {}
        self._stack: list[tuple[str, str | None]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "body":
            self.body = attributes
        if tag == "tr":
            self.rows.append(({k: v for k, v in attributes.items() if k.startswith("data-")}, []))
        if tag == "td":
            self._cell = []
        self._stack.append((tag, attributes.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self.rows:
            self.rows[-1][1].append("".join(self._cell))
            self._cell = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, ident in self._stack:
            if ident is not None:
                self.by_id[ident] = self.by_id.get(ident, "") + data

    def rows_with(self, attribute: str) -> list[tuple[str, list[str]]]:
        return [(attrs[attribute], cells) for attrs, cells in self.rows if attribute in attrs]


def _render(chromium: str, url: str, tmp_path: Path) -> Dom:
    dom = Dom()
    dom.feed(dump_dom(chromium, url, tmp_path / "profile"))
    return dom


def _api(base: str, kind: str) -> Any:
    response = httpx.get(
        f"{base}/api/v1/dashboards/{kind}?{QUERY}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    response.raise_for_status()
    return response.json()


def test_page_renders_the_api_data(
    chromium: str, site: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, seen = site
    dom = _render(chromium, f"{base}/dashboard?{QUERY}#token={TOKEN}", tmp_path)
    assert dom.body.get("data-state") == "ready", dom.by_id.get("error")
    review, para, zk = _api(base, "review"), _api(base, "para"), _api(base, "zettelkasten")

    items = dom.rows_with("data-kind")
    assert [(kind, cells[1], cells[2]) for kind, cells in items] == [
        (item["kind"], item["path"], item["reason"]) for item in review["items"]
    ]
    assert len(items) == 9

    projects = dict(dom.rows_with("data-project"))
    assert list(projects) == [p["id"] for p in para["projects"]]
    website = projects["1 Projects/Website"]
    assert website[:7] == [
        "Website",
        "active",
        "2",
        "4 / 6",
        "2",
        "Sketch the layout [due:: 2024-06-01]",
        "2024-06-14",
    ]
    assert projects["1 Projects/Old launch"][7] == "archive me"
    assert projects["Work/Thesis.md"][7] == "stale"

    areas = dict(dom.rows_with("data-area"))
    assert areas["02-Areas/Finance"] == [
        "02-Areas/Finance",
        "2",
        "2023-03-01",
        "100%",
        "dumping ground",
    ]
    assert areas["02-Areas/Health"][3] == "33%"
    assert dom.by_id["resources-summary"] == "4 notes, 2 unreviewed"
    assert dict(dom.rows_with("data-year")) == {"2023": ["2023", "2"], "2024": ["2024", "1"]}
    assert dom.by_id["counts"] == "projects 6 · areas 6 · resources 4 · archives 3 · none 16"
    cards = dom.by_id["zk-cards"]
    assert f"{len(zk['orphans'])}orphans" in cards
    assert "1clusters without a map" in cards and "1too long to be atomic" in cards
    assert dom.by_id["now"] == "as of 2024-06-15T12:00:00+00:00"

    # The token travelled only in the Authorization header: no request line carried it.
    assert any(target.startswith("/api/v1/dashboards/review?") for target in seen)
    assert all(TOKEN not in target for target in seen)


def test_page_without_token_asks_for_it(
    chromium: str, site: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, _ = site
    dom = _render(chromium, f"{base}/dashboard?{QUERY}", tmp_path)
    assert dom.body.get("data-state") == "login"
    assert dom.rows_with("data-kind") == []


def test_page_with_a_wrong_token_says_so(
    chromium: str, site: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, _ = site
    dom = _render(chromium, f"{base}/dashboard?{QUERY}#token=wrong-token-value", tmp_path)
    assert dom.body.get("data-state") == "error"
    assert dom.by_id["error"] == "That token was refused."
    assert dom.rows_with("data-project") == []


def test_screenshot_artifact(chromium: str, site: tuple[str, list[str]], tmp_path: Path) -> None:
    base, _ = site
    folder = Path(os.environ.get("VAULTQL_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "dashboard.png"
    target.unlink(missing_ok=True)
    screenshot(chromium, f"{base}/dashboard?{QUERY}#token={TOKEN}", tmp_path / "p", target)
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000  # a rendered page, not a blank one
