"""Fixtures for the API tests: a loaded service over a tiny vault and a TestClient for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from server.application.live_index import VaultService
from server.web.app import create_app
from tests.server.server_helpers import AUTH, app_over, settings


@pytest.fixture
def client(service: VaultService) -> Iterator[TestClient]:
    app = create_app(app_over(service), settings())
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client:
        yield client
