"""The live-app corpus (../shared/bases/oracle, SPEC §16.2): every case without
``known_divergence`` passes, through the same runner as ``python -m tools.conformance``."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from query.bases.context import Clock
from query.bases.vault import BasesVault
from tests.conftest import SHARED, require_shared
from tools.conformance.bases import check_case, load_oracle, oracle_vault, run_oracle

ORACLE = SHARED / "bases" / "oracle" / "cases.json"


@cache
def _data() -> dict[str, Any]:
    return load_oracle(require_shared(ORACLE))


@cache
def _vault() -> tuple[BasesVault, Clock]:
    return oracle_vault(_data(), ORACLE.parent)


def _cases() -> list[dict[str, Any]]:
    if not ORACLE.exists():
        return [{"id": "missing-oracle"}]
    return [c for c in _data()["cases"] if "known_divergence" not in c]


@pytest.mark.parametrize("case", _cases(), ids=[c["id"] for c in _cases()])
def test_case(case: dict[str, Any]) -> None:
    vault, clock = _vault()
    passed, detail = check_case(case, vault, clock, _data()["context"])
    assert passed, detail


def test_report_counts_every_category_and_keeps_divergences_apart() -> None:
    report = run_oracle(require_shared(ORACLE))
    assert report.total == 216
    assert report.passed == report.total, report.to_json()["failures"]
    assert set(report.by_category()) == set(_data()["counts"])
    divergent = report.to_json()["known_divergence"]
    assert len(divergent) == 5
    # We refuse the forms the app refuses (a syntax error), so these match the app too.
    assert all(item["passed"] for item in divergent)
