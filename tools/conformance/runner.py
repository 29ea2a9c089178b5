"""Run a Dataview conformance corpus (``dataview-conformance/1``, SPEC §1) against VaultQL.

Every case in the file is executed; a case whose kind or mode we cannot run, or whose runner
raises, counts as failed (with the reason), never as skipped. The clock, the local zone and the
settings come from the corpus's ``environment``.

Values are compared in the corpus's tagged encoding: actual values are *encoded* (dates through
``date_to_corpus``, durations as unit maps, links as ``$link`` objects) and compared structurally
with the expected JSON, ignoring object key order; for ``$error`` only the fact of an error counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.conformance.cases import runner_for
from tools.conformance.corpus import Corpus


def tally(outcomes: Iterable[tuple[str, bool]]) -> dict[str, dict[str, int]]:
    """``{key: {"total", "passed", "failed"}}`` of (key, passed) outcomes, keys sorted."""
    totals: Counter[str] = Counter()
    passes: Counter[str] = Counter()
    for key, passed in outcomes:
        totals[key] += 1
        passes[key] += passed
    return {
        key: {"total": totals[key], "passed": passes[key], "failed": totals[key] - passes[key]}
        for key in sorted(totals)
    }


@dataclass(slots=True)
class CaseOutcome:
    id: str
    kind: str
    mode: str | None
    passed: bool
    detail: str = ""


@dataclass(slots=True)
class Report:
    outcomes: list[CaseOutcome] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.passed)

    def by_kind(self) -> dict[str, dict[str, int]]:
        """``{"kind" or "kind/mode": {"total", "passed", "failed"}}``."""
        return tally((f"{o.kind}/{o.mode}" if o.mode else o.kind, o.passed) for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "passed": self.passed,
            "failed": self.total - self.passed,
            "by_kind": self.by_kind(),
            "failures": [
                {"id": o.id, "kind": o.kind, "mode": o.mode, "detail": o.detail}
                for o in self.outcomes
                if not o.passed
            ],
        }


# -- running -------------------------------------------------------------------------------------

Runner = Callable[[Corpus, Mapping[str, Any]], tuple[bool, str]]


def run(corpus: Corpus) -> Report:
    report = Report()
    for case in corpus.cases:
        kind, mode = case.get("kind", "?"), case.get("mode")
        try:
            runner = runner_for(kind, mode)
            if runner is None:
                passed, detail = False, f"no runner for kind {kind!r} mode {mode!r}"
            else:
                passed, detail = runner(corpus, case)
        except Exception as exc:  # a broken case must count as failed, never stop the run
            passed, detail = False, f"runner raised {type(exc).__name__}: {exc}"
        report.outcomes.append(CaseOutcome(case.get("id", "?"), kind, mode, passed, detail))
    return report


def format_report(report: Report, *, max_failures: int = 50) -> str:
    lines = [f"{report.passed}/{report.total} cases passed"]
    for key, counts in report.by_kind().items():
        lines.append(f"  {key:32} {counts['passed']:4}/{counts['total']:<4}")
    failures = [o for o in report.outcomes if not o.passed]
    if failures:
        lines.append(f"failed ({len(failures)}):")
        for o in failures[:max_failures]:
            lines.append(f"  {o.id}: {o.detail[:300]}")
        if len(failures) > max_failures:
            lines.append(f"  … and {len(failures) - max_failures} more (use --json for all)")
    return "\n".join(lines)
