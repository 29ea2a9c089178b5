"""A view's result rendered: typed JSON (the API's shape, SPEC §15.4), CSV, TSV, Markdown, paths.

JSON cells follow the project's typed-cell convention (``query.results``): JSON's own types
stand for themselves; everything else is an object with a ``type``:

- date ``{"type": "date", "iso", "text", "date_only"}`` (``iso`` with the local offset, ``text``
  the Bases string form);
- duration ``{"type": "duration", "ms", "months", "days", "text"}`` (``text`` humanised);
- link ``{"type": "link", "path", "target", "display", "resolved", "embed"}`` (``path`` the vault
  path it reaches, or the target as written when unresolved);
- file ``{"type": "file", "path"}``; object ``{"type": "object", "value"}``;
- html / icon / image ``{"type": …, "text"}``; regexp ``{"type": "regexp", "source", "flags"}``;
- error ``{"type": "error", "message"}`` (the cell the app shows an error in).

CSV and TSV have a header row of display names and one row per file, cells in their string form
(``toString()``); Markdown is a table like the app's "copy to clipboard"; ``paths`` is one vault
path per line.
"""

from __future__ import annotations

import csv
import math
from typing import Any

from query.bases.moment import humanize, moment_string, span_millis
from query.bases.semantics import to_text
from query.bases.values import (
    BaseLink,
    ErrorValue,
    FileRef,
    Html,
    Icon,
    Image,
    Moment,
    Pattern,
    Span,
    Value,
)
from query.bases.view import ViewResult

__all__ = ["FORMATS", "cell", "render", "to_json"]

FORMATS = ("json", "csv", "tsv", "md", "paths")


def cell(value: Value) -> Any:
    """One value as a typed JSON cell (see the module docstring)."""
    if value is None or isinstance(value, bool | str):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            return {"type": "number", "value": text}
        return value
    if isinstance(value, list):
        return [cell(item) for item in value]
    if isinstance(value, dict):
        return {"type": "object", "value": {str(k): cell(v) for k, v in value.items()}}
    if isinstance(value, Moment):
        return {
            "type": "date",
            "iso": value.dt.isoformat(timespec="milliseconds"),
            "text": moment_string(value),
            "date_only": value.date_only,
        }
    if isinstance(value, Span):
        return {
            "type": "duration",
            "ms": span_millis(value),
            "months": value.months,
            "days": value.days,
            "text": humanize(value),
        }
    if isinstance(value, BaseLink):
        return {
            "type": "link",
            "path": value.resolved if value.resolved is not None else value.target,
            "target": value.text,
            "display": value.display,
            "resolved": value.resolved is not None,
            "embed": value.embed,
        }
    if isinstance(value, FileRef):
        return {"type": "file", "path": value.path}
    if isinstance(value, ErrorValue):
        return {"type": "error", "message": value.message}
    if isinstance(value, Pattern):
        return {"type": "regexp", "source": value.source, "flags": value.flags}
    if isinstance(value, Html | Icon | Image):
        kind = type(value).__name__.lower()
        return {"type": kind, "text": to_text(value)}
    return {"type": "unknown", "text": to_text(value)}


def to_json(result: ViewResult) -> dict[str, Any]:
    """The typed result (SPEC §15.4): columns, rows with cells, groups, summaries, counts."""
    body: dict[str, Any] = {
        "base": result.base,
        "view": result.view,
        "view_type": result.view_type,
        "views": list(result.views),
        "this": result.this,
        "columns": [{"id": c.id, "name": c.name, "kind": c.kind} for c in result.columns],
        "rows": [
            {"path": path, "cells": {key: cell(value) for key, value in cells.items()}}
            for path, cells in zip(result.paths, result.cells, strict=True)
        ],
        "groups": None,
        "summaries": {
            pid: {"name": name, "value": cell(value)}
            for pid, (name, value) in result.summaries.items()
        },
        "count": result.count,
        "total_before_limit": result.total_before_limit,
        "diagnostics": [d.to_dict() for d in result.diagnostics],
    }
    if result.groups is not None:
        body["group_by"] = result.group_by
        body["groups"] = [
            {
                "key": cell(group.key),
                "label": "None" if group.key is None else to_text(group.key),
                "rows": group.rows,
                "summaries": {pid: cell(v) for pid, v in group.summaries.items()},
            }
            for group in result.groups
        ]
    return body


def _table(result: ViewResult) -> tuple[list[str], list[list[str]]]:
    header = [c.name for c in result.columns]
    rows = [[to_text(cells.get(c.id)) for c in result.columns] for cells in result.cells]
    return header, rows


class _Lines:
    """What ``csv.writer`` writes to (this package keeps off ``io``)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)


def _delimited(result: ViewResult, delimiter: str) -> str:
    out = _Lines()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    header, rows = _table(result)
    writer.writerow(header)
    writer.writerows(rows)
    return "".join(out.parts)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")


def _markdown(result: ViewResult) -> str:
    header, rows = _table(result)
    lines = [
        "| " + " | ".join(_md_cell(h) for h in header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    lines.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def render(result: ViewResult, fmt: str) -> str:
    """The text formats: ``csv``, ``tsv``, ``md``, ``paths``."""
    if fmt == "csv":
        return _delimited(result, ",")
    if fmt == "tsv":
        return _delimited(result, "\t")
    if fmt == "md":
        return _markdown(result)
    if fmt == "paths":
        return "".join(f"{path}\n" for path in result.paths)
    raise ValueError(f"unknown format {fmt!r}")
