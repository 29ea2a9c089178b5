"""The Bases live-app corpus (``vaultql-bases-oracle/1``, ../shared/bases/oracle): run every case.

The vault is indexed with the project's own scanner, Markdown reader and link resolver
(:func:`server.application.bases_service.bases_vault`), the zone and the clock are pinned from
the corpus's ``context``, the row and ``this`` are ``context.row_file``, and ``context.formulas``
are the row's formulas. Values are encoded in the corpus's tagged form and compared as its
``SOURCE.md`` says: ``$date`` by text, ``$duration`` by text (and ``ms``), ``$link`` by path and
display, ``$error`` by presence; ``app_rejects_syntax`` cases match a syntax error or null;
``order_insensitive`` lists compare as multisets; ``range01`` checks ``0 <= value < 1``.

Report: pass counts per category, failures by id; ``known_divergence`` cases are reported apart
and do not count against the target.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from query.bases.compile import compile_expression
from query.bases.context import Clock, Context
from query.bases.formulas import FormulaTable
from query.bases.moment import from_epoch_ms, humanize, moment_string, span_millis
from query.bases.parser import parse_expression
from query.bases.values import BaseLink, ErrorValue, FileRef, Moment, Span
from query.bases.vault import BasesVault
from query.errors import QueryError
from tools.conformance.runner import tally

__all__ = ["BasesReport", "format_bases_report", "load_oracle", "run_oracle"]

FORMAT = "vaultql-bases-oracle/1"


@dataclass(slots=True)
class Outcome:
    id: str
    category: str
    passed: bool
    divergence: bool
    detail: str = ""


@dataclass(slots=True)
class BasesReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def counted(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.divergence]

    @property
    def total(self) -> int:
        return len(self.counted())

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.counted())

    def by_category(self) -> dict[str, dict[str, int]]:
        return tally((o.category, o.passed) for o in self.counted())

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "passed": self.passed,
            "failed": self.total - self.passed,
            "by_category": self.by_category(),
            "failures": [
                {"id": o.id, "category": o.category, "detail": o.detail}
                for o in self.counted()
                if not o.passed
            ],
            "known_divergence": [
                {"id": o.id, "passed": o.passed, "detail": o.detail}
                for o in self.outcomes
                if o.divergence
            ],
        }


def load_oracle(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file (format={data.get('format')!r})")
    return data


def oracle_vault(data: dict[str, Any], root: Path) -> tuple[BasesVault, Clock]:
    from server.application.bases_service import scan_bases_vault

    context = data["context"]
    local = ZoneInfo(context["timezone"])
    vault = scan_bases_vault(
        root / context.get("vault", "vault"), local, context.get("property_types")
    )
    now = datetime.fromisoformat(context["now"].replace("Z", "+00:00"))
    clock = Clock(from_epoch_ms(now.timestamp() * 1000, local), local)
    return vault, clock


def evaluate_case(
    case: dict[str, Any], vault: BasesVault, clock: Clock, context: dict[str, Any]
) -> Any:
    formulas = {
        name: compile_expression(parse_expression(text))
        for name, text in context.get("formulas", {}).items()
    }
    table = FormulaTable(formulas, context.get("formulas", {}))
    if case.get("assertion") == "range01":
        clock = Clock(clock.now, clock.local, lambda: float(case["expected"]))
    ctx = Context(vault, clock, path=context["row_file"], this=context["this_file"], formulas=table)
    compiled = compile_expression(parse_expression(case["expression"]))
    return compiled.run(ctx)


def encode(value: Any) -> Any:
    if isinstance(value, Moment):
        return {"$date": moment_string(value)}
    if isinstance(value, Span):
        return {"$duration": {"text": humanize(value), "ms": span_millis(value)}}
    if isinstance(value, BaseLink):
        return {"$link": {"path": value.text, "display": value.display}}
    if isinstance(value, FileRef):
        return {"$file": value.path}
    if isinstance(value, ErrorValue):
        return {"$error": value.message}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, str):
        return str(value)
    return value


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict) and len(expected) == 1:
        ((tag, body),) = expected.items()
        if tag == "$error":
            return isinstance(actual, dict) and "$error" in actual
        if tag == "$duration":
            if not (isinstance(actual, dict) and "$duration" in actual):
                return False
            got = actual["$duration"]
            return got["text"] == body["text"] and (
                "ms" not in body or math.isclose(got["ms"], body["ms"])
            )
        if tag.startswith("$"):
            return isinstance(actual, dict) and actual.get(tag) == body
    if isinstance(expected, bool) or expected is None:
        return actual is expected or (actual == expected and type(actual) is bool)
    if isinstance(expected, int | float):
        return (
            isinstance(actual, int | float)
            and not isinstance(actual, bool)
            and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same(actual[k], v) for k, v in expected.items())
        )
    return bool(actual == expected)


def check_case(
    case: dict[str, Any], vault: BasesVault, clock: Clock, context: dict[str, Any]
) -> tuple[bool, str]:
    try:
        value = evaluate_case(case, vault, clock, context)
    except QueryError as exc:
        if case.get("app_rejects_syntax") and exc.code == "syntax":
            return True, f"syntax error: {exc.message}"
        return False, f"raised {exc.code}: {exc.message}"
    actual = encode(value)
    expected = case["expected"]
    if case.get("assertion") == "range01":
        ok = isinstance(value, float) and 0 <= value < 1
        return ok, f"got {actual!r}"
    if case.get("app_rejects_syntax") and actual is None:
        return True, "null"
    if case.get("order_insensitive") and isinstance(actual, list) and isinstance(expected, list):
        key = lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False)  # noqa: E731
        ok = sorted(map(key, actual)) == sorted(map(key, expected))
    else:
        ok = same(actual, expected)
    if ok:
        return True, ""
    shown_expected = json.dumps(expected, ensure_ascii=False)
    shown_actual = json.dumps(actual, ensure_ascii=False, default=str)
    return False, f"expected {shown_expected}, got {shown_actual}"


def run_oracle(path: Path) -> BasesReport:
    data = load_oracle(path)
    vault, clock = oracle_vault(data, path.parent)
    report = BasesReport()
    for case in data["cases"]:
        try:
            passed, detail = check_case(case, vault, clock, data["context"])
        except Exception as exc:  # a broken case counts as failed, never stops the run
            passed, detail = False, f"runner raised {type(exc).__name__}: {exc}"
        report.outcomes.append(
            Outcome(
                case["id"], case.get("category", "?"), passed, "known_divergence" in case, detail
            )
        )
    return report


def format_bases_report(report: BasesReport, *, max_failures: int = 60) -> str:
    lines = [f"{report.passed}/{report.total} cases passed (known divergences apart)"]
    for key, counts in report.by_category().items():
        lines.append(f"  {key:32} {counts['passed']:4}/{counts['total']:<4}")
    failures = [o for o in report.counted() if not o.passed]
    if failures:
        lines.append(f"failed ({len(failures)}):")
        for o in failures[:max_failures]:
            lines.append(f"  {o.id}: {o.detail[:400]}")
    divergences = [o for o in report.outcomes if o.divergence]
    if divergences:
        lines.append(f"known divergences ({len(divergences)}, not counted):")
        for o in divergences:
            lines.append(f"  {o.id}: {'passes' if o.passed else 'differs'} {o.detail[:120]}")
    return "\n".join(lines)
