"""One entry point for the three dashboards, shared by the HTTP API and the CLI.

:func:`build_dashboard` picks the rollup by name; :func:`parse_now` and
:func:`parse_thresholds` turn user text (query parameters, CLI flags) into the typed
parameters, raising :class:`~server.errors.BadRequestError` with a message fit to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import tzinfo
from typing import Any

from query.index import VaultIndex
from query.temporal.dates import parse_date
from query.values import Date
from server.dashboards.conventions import DashboardConfig, Thresholds
from server.dashboards.para import para_dashboard
from server.dashboards.review import review_dashboard
from server.dashboards.zettel import WordCount, zettel_dashboard
from server.errors import BadRequestError

__all__ = ["KINDS", "THRESHOLD_NAMES", "build_dashboard", "parse_now", "parse_thresholds"]

KINDS: tuple[str, ...] = ("para", "zettelkasten", "review")
THRESHOLD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Thresholds))


def parse_now(text: str, local: tzinfo) -> Date:
    """An ISO date or date-time (``2024-06-15``, ``2024-06-15T12:00``, ``…Z``, ``…+02:00``)."""
    date = parse_date(text.strip(), local)
    if date is None or date.invalid is not None:
        raise BadRequestError(f"now: not an ISO date or date-time: {text!r}")
    return date


def parse_thresholds(values: Mapping[str, str]) -> dict[str, float]:
    """Threshold overrides from text; unknown names and non-numbers are errors."""
    out: dict[str, float] = {}
    for name, text in values.items():
        if name not in THRESHOLD_NAMES:
            known = ", ".join(THRESHOLD_NAMES)
            raise BadRequestError(f"unknown threshold {name!r} (known: {known})")
        try:
            out[name] = float(text)
        except ValueError:
            raise BadRequestError(f"threshold {name} must be a number, not {text!r}") from None
    return out


def build_dashboard(
    kind: str,
    index: VaultIndex,
    config: DashboardConfig,
    now: Date,
    *,
    words: WordCount | None = None,
    include_notes: bool = False,
) -> dict[str, Any]:
    if kind == "para":
        return para_dashboard(index, config, now, include_notes=include_notes)
    if kind == "zettelkasten":
        return zettel_dashboard(index, config, now, words)
    if kind == "review":
        return review_dashboard(index, config, now)
    raise BadRequestError(f"unknown dashboard {kind!r} (known: {', '.join(KINDS)})")
