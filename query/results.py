"""Query results and their renderings: typed JSON cells, Markdown, CSV and a terminal table.

A :class:`QueryResult` holds Dataview values; the renderers here turn them into what clients see.
JSON cells are *typed* so a client never has to guess: a link is
``{"type": "link", "path", "display", "subpath"}``, a date ``{"type": "date", "iso", "text"}``, and
so on (the README lists every cell type). Markdown output is Dataview-like "frozen" output that can
be pasted into a note; the CSV and terminal renderings are for scripts and people.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from query.semantics import Env, to_string
from query.task_tree import TaskGroup, children_of, shown, task_count
from query.temporal.dates import human_duration
from query.values import Date, Duration, Function, Link, Value, Widget

__all__ = [
    "QueryResult",
    "TaskGroup",
    "json_cell",
    "render_value",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_text_table",
]

QueryType = Literal["list", "table", "task", "calendar"]


@dataclass(slots=True)
class QueryResult:
    """The outcome of one query.

    - ``list``: ``rows`` are the items: values, or ``Widget("list-pair")`` for ``id: value`` items.
    - ``table``: ``headers`` name the columns and ``rows`` are lists of values.
    - ``task``: ``rows`` are the matching task objects (dicts, children included; a matching
      child is a row of its own too, as Dataview's engine returns it) or :class:`TaskGroup`;
      the renderings show each once, nested (``query.task_tree``).
    - ``calendar``: ``rows`` are ``(date value, file link)`` pairs.
    """

    type: QueryType
    headers: list[str]
    rows: list[Any]
    took_ms: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Dataview's result count: the rows of a table, list or calendar (the groups after
        GROUP BY); for TASK every matching task, nested ones and those in groups included."""
        return task_count(self.rows) if self.type == "task" else len(self.rows)


# -- JSON ------------------------------------------------------------------------------------


def to_json(result: QueryResult, env: Env) -> dict[str, Any]:
    """The API's JSON body for a result: typed cells throughout."""

    def cell(value: Value) -> Any:
        return json_cell(value, env)

    body: dict[str, Any] = {"type": result.type, "headers": result.headers}
    if result.type == "table":
        body["rows"] = [[cell(v) for v in row] for row in result.rows]
    elif result.type == "list":
        body["items"] = [cell(v) for v in result.rows]
    elif result.type == "task":
        body["tasks"] = [_task_json(item, env) for item in shown(result.rows)]
    else:
        body["entries"] = [{"date": cell(d), "link": cell(link)} for d, link in result.rows]
    body["count"] = result.count
    body["took_ms"] = round(result.took_ms, 3)
    if result.warnings:
        body["warnings"] = result.warnings
    return body


def json_cell(value: Value, env: Env) -> Any:
    """One value as a typed JSON cell (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return {"type": "number", "value": "NaN" if math.isnan(value) else _inf(value)}
        return value
    if isinstance(value, Link):
        return {
            "type": "link",
            "path": value.path,
            "display": value.display,
            "subpath": value.subpath,
            "link_type": value.type,
            "embed": value.embed,
        }
    if isinstance(value, Date):
        if value.invalid is not None:
            return {"type": "date", "iso": None, "invalid": value.invalid, "text": "Invalid date"}
        iso = value.dt.isoformat(timespec="milliseconds")
        return {"type": "date", "iso": iso, "zone": value.zone, "text": to_string(value, env)}
    if isinstance(value, Duration):
        return {"type": "duration", "units": value.units(), "text": human_duration(value)}
    if isinstance(value, list):
        return [json_cell(v, env) for v in value]
    if isinstance(value, dict):
        if _is_task(value):
            return _task_json(value, env)
        return {"type": "object", "value": {k: json_cell(v, env) for k, v in value.items()}}
    if isinstance(value, Function):
        return {"type": "function"}
    if isinstance(value, Widget):
        if value.kind == "list-pair":
            return {
                "type": "pair",
                "key": json_cell(value.data.get("key"), env),
                "value": json_cell(value.data.get("value"), env),
            }
        return {
            "type": "external-link",
            "url": value.data.get("url"),
            "display": value.data.get("display"),
        }
    return {"type": "unknown", "text": str(value)}


def _inf(value: float) -> str:
    return "Infinity" if value > 0 else "-Infinity"


def _is_task(value: dict[str, Any]) -> bool:
    return "symbol" in value and "lineCount" in value and "path" in value


def _task_json(item: Any, env: Env) -> Any:
    if isinstance(item, TaskGroup):
        return {
            "type": "group",
            "key": json_cell(item.key, env),
            "rows": [_task_json(row, env) for row in shown(item.rows)],
            "count": task_count(item.rows),
        }
    if not isinstance(item, dict):  # not a task (a TASK query can FLATTEN anything into rows)
        return json_cell(item, env)
    out: dict[str, Any] = {
        "type": "task" if item.get("task") else "list-item",
        "path": item.get("path"),
        "line": item.get("line"),
        "text": item.get("text"),
        "status": item.get("status"),
        "checked": item.get("checked", False),
        "completed": item.get("completed", False),
        "link": json_cell(item.get("link"), env),
        "children": [_task_json(child, env) for child in children_of(item)],
    }
    for key in ("due", "scheduled", "start", "created", "completion"):
        if item.get(key) is not None:
            out[key] = json_cell(item[key], env)
    return out


# -- text renderings -----------------------------------------------------------------------------


def render_value(value: Value, env: Env, *, markdown: bool) -> str:
    """One value as text: links as ``[[path|display]]`` in Markdown, lists comma-separated."""
    if value is None:
        return env.settings.render_null_as if markdown else "-"
    if isinstance(value, Link):
        return value.markdown() if markdown else (value.display or value.file_name)
    if isinstance(value, list):
        return ", ".join(render_value(v, env, markdown=markdown) for v in value)
    if isinstance(value, dict) and _is_task(value):
        return str(value.get("text", ""))
    if isinstance(value, Widget) and value.kind == "external-link":
        url, display = value.data.get("url"), value.data.get("display")
        return f"[{display}]({url})" if markdown else str(display or url)
    return to_string(value, env)


def to_markdown(result: QueryResult, env: Env) -> str:
    """Dataview-like "frozen" Markdown: a pipe table, a bullet list, a task list."""

    def text(value: Value) -> str:
        return render_value(value, env, markdown=True).replace("\n", " ")

    lines: list[str] = []
    if result.type == "table":
        lines.append("| " + " | ".join(_md_cell(h) for h in result.headers) + " |")
        lines.append("|" + "|".join(" --- " for _ in result.headers) + "|")
        for row in result.rows:
            lines.append("| " + " | ".join(_md_cell(text(v)) for v in row) + " |")
    elif result.type == "list":
        for item in result.rows:
            if isinstance(item, Widget) and item.kind == "list-pair":
                lines.append(f"- {text(item.data.get('key'))}: {text(item.data.get('value'))}")
            else:
                lines.append(f"- {text(item)}")
    elif result.type == "task":
        _markdown_tasks(result.rows, lines, env, depth=0, level=4)
    else:
        for date, link in result.rows:
            lines.append(f"- {text(date)}: {text(link)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _markdown_tasks(
    rows: Sequence[Any], lines: list[str], env: Env, depth: int, level: int
) -> None:
    """A task list nested as Dataview shows it (``query.task_tree``): an ``h4`` (then ``h5``…)
    per group with its count (setting ``showResultCount``), each task with all its children."""
    for row in shown(rows):
        if isinstance(row, TaskGroup):
            key = render_value(row.key, env, markdown=True).replace("\n", " ")
            count = f" ({task_count(row.rows)})" if env.settings.show_result_count else ""
            lines.append(f"{'#' * min(level, 6)} {key}{count}")
            _markdown_tasks(row.rows, lines, env, depth, level + 1)
            continue
        indent = "    " * depth
        if not isinstance(row, dict):
            lines.append(f"{indent}- {render_value(row, env, markdown=True)}")
            continue
        body = str(row.get("text", "")).replace("\n", " ")
        if row.get("task"):
            lines.append(f"{indent}- [{row.get('status') or ' '}] {body}")
        else:
            lines.append(f"{indent}- {body}")
        _markdown_tasks(children_of(row), lines, env, depth + 1, level)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_csv(result: QueryResult, env: Env) -> str:
    """CSV with a header row; values rendered as plain text (links as their path)."""

    def text(value: Value) -> str:
        if isinstance(value, Link):
            return value.path
        return render_value(value, env, markdown=False) if value is not None else ""

    sink = _LineSink()
    writer = csv.writer(sink, lineterminator="\n")
    if result.type == "table":
        writer.writerow(result.headers)
        writer.writerows([text(v) for v in row] for row in result.rows)
    elif result.type == "list":
        writer.writerow(result.headers)
        for item in result.rows:
            if isinstance(item, Widget) and item.kind == "list-pair":
                writer.writerow([text(item.data.get("key")), text(item.data.get("value"))])
            else:
                writer.writerow([text(item)])
    elif result.type == "task":
        writer.writerow(["path", "line", "status", "text"])
        for task in _flat_tasks(result.rows):
            if not isinstance(task, dict):
                writer.writerow(["", "", "", text(task)])
                continue
            status = task.get("status") or ""
            writer.writerow([task.get("path"), task.get("line"), status, task.get("text")])
    else:
        writer.writerow(["date", "link"])
        writer.writerows([text(d), text(link)] for d, link in result.rows)
    return sink.text()


def _flat_tasks(rows: Sequence[Any]) -> list[Any]:
    """The items of a TASK result in the order the Markdown shows them: each shown task, then
    its children, depth first (so each appears once, right after its parent)."""
    out: list[Any] = []
    for row in shown(rows):
        if isinstance(row, TaskGroup):
            out.extend(_flat_tasks(row.rows))
        else:
            out.append(row)
            if isinstance(row, dict):
                out.extend(_flat_tasks(children_of(row)))
    return out


class _LineSink:
    """A minimal writable for :mod:`csv` (``io.StringIO`` is off limits in this pure package)."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def text(self) -> str:
        return "".join(self._parts)


def to_text_table(result: QueryResult, env: Env, width: int = 40) -> str:
    """A plain, aligned table for the terminal (long cells truncated to ``width``)."""
    if result.type == "task":
        lines: list[str] = []
        _markdown_tasks(result.rows, lines, env, depth=0, level=4)
        return "\n".join(lines) + "\n"

    def text(value: Value) -> str:
        rendered = render_value(value, env, markdown=False).replace("\n", " ")
        return rendered if len(rendered) <= width else rendered[: width - 1] + "…"

    rows: list[list[str]]
    if result.type == "table":
        headers, rows = result.headers, [[text(v) for v in row] for row in result.rows]
    elif result.type == "list":
        pair: Callable[[Any], list[str]] = lambda item: (  # noqa: E731
            [text(item.data.get("key")), text(item.data.get("value"))]
            if isinstance(item, Widget) and item.kind == "list-pair"
            else [text(item)]
        )
        rows = [pair(item) for item in result.rows]
        headers = result.headers if rows and len(rows[0]) == len(result.headers) else ["Item"]
    else:
        headers, rows = ["date", "link"], [[text(d), text(link)] for d, link in result.rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell_text in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], len(cell_text))
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out.extend(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in rows
    )
    count = len(result.rows)
    out.append(f"({count} {'row' if count == 1 else 'rows'}, {result.took_ms:.1f} ms)")
    return "\n".join(out) + "\n"
