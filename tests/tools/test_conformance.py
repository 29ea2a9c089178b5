"""The Dataview conformance corpus, case by case, through the same runner as `python -m
tools.conformance`.

Deviations are allowed only where listed (with a reason) in docs/dataview-compatibility.md; a
listed case that starts passing fails here too, so the list stays honest.
"""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from tests.conftest import CORPUS_PATH, ROOT
from tools.conformance.cases import runner_for
from tools.conformance.corpus import Corpus
from tools.conformance.runner import run

DEVIATIONS_DOC = ROOT / "docs" / "dataview-compatibility.md"


@cache
def corpus() -> Corpus:
    return Corpus.load(CORPUS_PATH.read_text(encoding="utf-8"))


def deviations() -> set[str]:
    if not DEVIATIONS_DOC.exists():
        return set()
    text = DEVIATIONS_DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`([a-z]+-\d{4})`", text, flags=re.MULTILINE))


CASES = corpus().cases


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict) -> None:
    runner = runner_for(case["kind"], case.get("mode"))
    assert runner is not None, f"no runner for {case['kind']}/{case.get('mode')}"
    if case["id"] in deviations():
        passed, _ = runner(corpus(), case)
        assert not passed, f"{case['id']} is listed as a deviation but now passes: unlist it"
        pytest.xfail("listed deviation (docs/dataview-compatibility.md)")
    passed, detail = runner(corpus(), case)
    assert passed, detail


def test_deviations_stay_under_one_percent() -> None:
    assert len(deviations()) <= len(CASES) // 100


def test_runner_counts_cases_it_cannot_run_as_failed() -> None:
    data = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
    data["cases"] = [
        {"id": "x-0001", "kind": "no-such-kind", "input": "", "expected": None},
        {
            "id": "x-0002",
            "kind": "inline-field",
            "mode": "no-such-mode",
            "input": "",
            "expected": 1,
        },
        data["cases"][0],
    ]
    report = run(Corpus(data)).to_json()
    assert report["total"] == 3
    assert {f["id"] for f in report["failures"]} >= {"x-0001", "x-0002"}
    assert set(report) == {"total", "passed", "failed", "by_kind", "failures"}
