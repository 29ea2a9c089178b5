"""Helpers to compare values against the conformance corpus's tagged encoding (SPEC §1)."""

from __future__ import annotations

import math
from typing import Any

from query.temporal.dates import date_to_corpus
from query.values import Date, Duration, Link


def encode(value: Any) -> Any:
    """A Dataview value in the corpus's tagged JSON encoding."""
    if isinstance(value, Date):
        if value.invalid:
            return {"$date": "invalid", "reason": value.invalid}
        return {"$date": date_to_corpus(value)}
    if isinstance(value, Duration):
        return {"$dur": value.units()}
    if isinstance(value, Link):
        out: dict[str, Any] = {"$link": value.path}
        if value.display is not None:
            out["display"] = value.display
        if value.type != "file":
            out["type"] = value.type
            out["subpath"] = value.subpath
        if value.embed:
            out["embed"] = True
        return out
    if isinstance(value, float) and not math.isfinite(value):
        return {
            "$number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        }
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    return value
