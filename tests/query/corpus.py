"""Loads the Dataview conformance corpus (``conformance.json``) for parametrized tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from query.values import Date
from tests.conftest import CORPUS_PATH

NOW = Date(datetime(2024, 3, 17, 13, 45, 30, 250000, tzinfo=UTC), "local")


@cache
def corpus() -> dict[str, Any]:
    with CORPUS_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def cases(predicate: Any) -> list[Any]:
    """``pytest.param``-ready (case, id) pairs for the cases ``predicate`` selects."""
    import pytest

    return [pytest.param(case, id=case["id"]) for case in corpus()["cases"] if predicate(case)]
