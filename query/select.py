"""The final step of a query: the header's expressions over the rows, as a result (SPEC §3.2).

LIST, TABLE and CALENDAR evaluate their expressions per row, dropping rows that error (and
failing when every row does); TASK returns the task objects, or groups of them after GROUP BY.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from query import ast
from query.compile import Scope, compile_expression
from query.errors import EvaluationError, QueryExecutionError
from query.results import QueryResult, TaskGroup
from query.rows import TaskRow, plain
from query.semantics import Env
from query.values import Value, Widget

__all__ = ["all_failed", "finish"]

Row = tuple[Value, Mapping[str, Value]]  # (id, data); data is a page, or an overlay on one
Check = Callable[[], None]  # the deadline's check, called every 256 rows


_MESSAGE_CHARS = 500  # a message may quote a row's value, which can be megabytes


def all_failed(operation: str, errors: list[str]) -> QueryExecutionError:
    listed = "\n".join(f"- {_clipped(message)}" for message in errors[:3])
    return QueryExecutionError(
        f"Every row during operation '{operation}' failed with an error; first 3:\n\n{listed}"
    )


def _clipped(message: str) -> str:
    if len(message) <= _MESSAGE_CHARS:
        return message
    return f"{message[:_MESSAGE_CHARS]}… ({len(message):,} characters)"


def finish(
    header: ast.Header,
    rows: list[Row],
    scope: Scope,
    group_name: str | None,
    env: Env,
    check: Check,
) -> QueryResult:
    if isinstance(header, ast.TaskHeader):
        return QueryResult("task", [], [_task_output(data) for _, data in rows])
    if isinstance(header, ast.ListHeader):
        return _list(header, rows, scope, group_name, env, check)
    if isinstance(header, ast.TableHeader):
        return _table(header, rows, scope, group_name, env, check)
    if isinstance(header, ast.CalendarHeader):
        field = compile_expression(header.field.expr)
        entries = _extract(rows, lambda row: (field(row[1], scope), _file_link(row)), check)
        return QueryResult("calendar", ["date", "link"], entries)
    raise QueryExecutionError(f"unknown query type {type(header).__name__}")


def _file_link(row: Row) -> Value:
    file = row[1].get("file")
    return file.get("link") if isinstance(file, dict) else row[0]


def _extract(rows: list[Row], fn: Callable[[Row], Any], check: Check) -> list[Any]:
    """Evaluate the header's expressions per row; rows that error are dropped (SPEC §3.2)."""
    out: list[Any] = []
    errors: list[str] = []
    for position, row in enumerate(rows):
        if not position & 255:
            check()
        try:
            out.append(fn(row))
        except EvaluationError as exc:
            errors.append(exc.message)
    if rows and len(errors) == len(rows):
        raise all_failed("select", errors)
    return out


def _list(
    header: ast.ListHeader,
    rows: list[Row],
    scope: Scope,
    group_name: str | None,
    env: Env,
    check: Check,
) -> QueryResult:
    id_header = group_name or env.settings.table_id_column_name
    if header.expr is None:
        return QueryResult("list", [id_header], [row_id for row_id, _ in rows])
    value_of = compile_expression(header.expr)
    name = header.expr_text
    if header.without_id:
        items = _extract(rows, lambda row: value_of(row[1], scope), check)
        return QueryResult("list", [name], items)
    items = _extract(
        rows,
        lambda row: Widget("list-pair", {"key": row[0], "value": value_of(row[1], scope)}),
        check,
    )
    return QueryResult("list", [id_header, name], items)


def _table(
    header: ast.TableHeader,
    rows: list[Row],
    scope: Scope,
    group_name: str | None,
    env: Env,
    check: Check,
) -> QueryResult:
    columns = [compile_expression(field.expr) for field in header.fields]
    names = [field.name for field in header.fields]

    def row_values(row: Row) -> list[Value]:
        values = [column(row[1], scope) for column in columns]
        return values if header.without_id else [row[0], *values]

    out = _extract(rows, row_values, check)
    id_header = group_name or env.settings.table_id_column_name
    headers = names if header.without_id else [id_header, *names]
    return QueryResult("table", headers, out)


def _task_output(data: Mapping[str, Value]) -> Any:
    """A TASK row as output: the task object, or a group of them after GROUP BY."""
    if type(data) is TaskRow:
        return data.task
    if "rows" in data and "key" in data and "symbol" not in data:
        # A merged task (a plain dict with "symbol") is its own output: skip the call for it.
        members = [
            member if type(member) is dict and "symbol" in member else _task_output(member)
            for member in data["rows"]
        ]
        return TaskGroup(data["key"], members)
    return plain(data)
