"""Fixtures the server tests share: the tiny vault of ``server_helpers`` and its loaded live
index (test modules with a vault of their own define ``vault`` themselves)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.application.live_index import VaultService
from tests.server.server_helpers import make_service, make_vault


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "vault")


@pytest.fixture
def service(vault: Path) -> VaultService:
    service = make_service(vault)
    service.load()
    return service
