"""Fixtures for the vault-model tests: the conformance corpus, the demo vault, real vaults."""

from __future__ import annotations

import json
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_shared

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "dataview" / "conformance.json"
SHARED_VAULTS = ROOT.parent / "shared" / "vaults"
DEMO_VAULT = ROOT / "fixtures" / "demo-vault"


@pytest.fixture(scope="session")
def corpus() -> dict[str, Any]:
    require_shared(CORPUS)
    data: dict[str, Any] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return data


@pytest.fixture()
def utc() -> tzinfo:
    return UTC
