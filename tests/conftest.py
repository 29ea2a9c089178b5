"""Shared test fixtures: where the shared material lives."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS_PATH = SHARED / "dataview" / "conformance.json"
VAULTS = SHARED / "vaults"
DEMO_VAULT = ROOT / "fixtures" / "demo-vault"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(
            f"the shared folder is missing at {SHARED}; tests read vaults and the corpus from it"
        )
    return SHARED
