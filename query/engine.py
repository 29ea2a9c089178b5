"""The DQL engine: one executor per query type over a :class:`VaultIndex`.

Execution follows Dataview (SPEC §3): the source gives a set of pages; each page (or, for TASK,
each task) becomes a row ``(id, data)``; the commands run top to bottom as a stream pipeline; the
header's expressions are evaluated last. A row whose expression errors is dropped; when *every*
row of an operation errors, the whole query fails with Dataview's message.

Expressions are compiled once per query into closures (``query.compile``); ``FROM`` is answered
from the index (tags, folders, link graph), never by scanning page objects.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from query import ast
from query.compile import Compiled, Scope, compile_expression, make_scope
from query.errors import EvaluationError, QueryExecutionError, QueryLimitError, caret_context
from query.index import VaultIndex
from query.parser import parse_query
from query.plan import column_path, limit_value, outlink_target
from query.results import QueryResult, TaskGroup
from query.rows import TaskRow, overlay, plain
from query.semantics import Env, compare, type_name
from query.sorting import sort_by_values
from query.sources import resolve_source
from query.values import Link, Value, Widget

__all__ = ["Limits", "execute", "resolve_source"]

Row = tuple[Value, Mapping[str, Value]]  # (id, data); data is a page, or an overlay on one


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds for one query. ``clock`` returns seconds (e.g. ``time.perf_counter``); without one,
    neither the time limit nor ``took_ms`` can be measured (this package reads no clock itself)."""

    max_rows: int | None = None
    timeout_s: float | None = None
    clock: Callable[[], float] | None = None


class _Deadline:
    """The time limit. Loops call ``check`` every 256 rows, so checking costs nothing."""

    def __init__(self, limits: Limits) -> None:
        self._clock = limits.clock
        self._start = self._clock() if self._clock else 0.0
        self._timeout = limits.timeout_s

    def check(self) -> None:
        if self._timeout is None or self._clock is None:
            return
        if self._clock() - self._start > self._timeout:
            raise QueryLimitError(
                f"the query ran longer than its time limit of {self._timeout:g} s; "
                "narrow its FROM or add a LIMIT"
            )

    def elapsed_ms(self) -> float:
        return (self._clock() - self._start) * 1000 if self._clock else 0.0


def execute(
    query: str | ast.Query,
    index: VaultIndex,
    *,
    origin: str | None = None,
    env: Env,
    limits: Limits = Limits(),
) -> QueryResult:
    """Run one DQL query (text or parsed) from the note ``origin`` and return its result."""
    deadline = _Deadline(limits)
    parsed = parse_query(query) if isinstance(query, str) else query
    this = index.page(origin) if origin else None
    scope = make_scope(
        env=env,
        this=this if this is not None else {},
        resolve_link=_link_resolver(index, origin),
        normalize_link=lambda target: index.normalize_path(target, origin or ""),
    )
    header = parsed.header
    if isinstance(query, str):
        _check_expressions(parsed, query)
    paths = resolve_source(parsed.source, index, origin) if parsed.source else index.paths
    rows = (
        _task_rows(index, paths) if isinstance(header, ast.TaskHeader) else _page_rows(index, paths)
    )

    group_name: str | None = None
    # The index's own path sequences (cached by identity) allow its cached columns and link maps
    # to stand in for per-row work, while the rows are still exactly the source's pages.
    plan = _Plan(index, paths if isinstance(paths, tuple) else None)
    if isinstance(header, ast.TaskHeader):
        plan.source = None
    text = query if isinstance(query, str) else None
    for position, op in enumerate(parsed.ops):
        following = parsed.ops[position + 1] if position + 1 < len(parsed.ops) else None
        plan.limit = (
            limit_value(following, scope)
            if isinstance(op, ast.Sort) and isinstance(following, ast.Limit)
            else None
        )
        rows, named = _apply(op, rows, scope, deadline, text, plan)
        plan.source = None  # rows are no longer the source's pages
        group_name = named if named is not None else group_name

    result = _finish(header, rows, scope, group_name, env, deadline)
    if limits.max_rows is not None and len(result.rows) > limits.max_rows:
        raise QueryLimitError(
            f"the query returned {len(result.rows)} rows, more than the limit of "
            f"{limits.max_rows}; add a LIMIT or a narrower FROM"
        )
    result.took_ms = deadline.elapsed_ms()
    return result


def _expressions(parsed: ast.Query) -> Iterator[ast.Expr]:
    header = parsed.header
    if isinstance(header, ast.ListHeader) and header.expr is not None:
        yield header.expr
    elif isinstance(header, ast.TableHeader):
        yield from (field.expr for field in header.fields)
    elif isinstance(header, ast.CalendarHeader):
        yield header.field.expr
    for op in parsed.ops:
        if isinstance(op, (ast.Where, ast.Limit)):
            yield op.expr
        elif isinstance(op, ast.Sort):
            yield from (key.expr for key in op.keys)
        elif isinstance(op, (ast.GroupBy, ast.Flatten)):
            yield op.field.expr


def _check_expressions(parsed: ast.Query, text: str) -> None:
    """Compile every expression up front, with the text, so that an unknown function or a wrong
    arity is reported with its source line and caret, before any row is read. (Compilation is
    cached per node, so the operations below reuse these closures.)"""
    for expr in _expressions(parsed):
        compile_expression(expr, text)


def _link_resolver(
    index: VaultIndex, origin: str | None
) -> Callable[[Link], Mapping[str, Value] | None]:
    def resolve(link: Link) -> Mapping[str, Value] | None:
        page = index.page(link.path)
        if page is None:
            target = index.resolve(link.path, origin or "")
            page = index.page(target) if target else None
        return page

    return resolve


# -- rows ------------------------------------------------------------------------------------------


def _page_rows(index: VaultIndex, paths: Iterable[str]) -> list[Row]:
    return cast(list[Row], index.page_rows(paths))  # a fresh list: ops may not mutate it


def _task_rows(index: VaultIndex, paths: Iterable[str]) -> list[Row]:
    """One row per task (nested ones included): the task's keys over the page's (SPEC §3.1)."""
    rows: list[Row] = []
    for path in paths:
        rows.extend(index.task_rows(path))
    return rows


# -- commands --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    """What the engine knows about the rows: ``source`` is set while they are exactly
    ``index.page_rows(source)``; ``limit`` is the LIMIT following the current SORT."""

    index: VaultIndex
    source: tuple[str, ...] | None
    limit: int | None = None


def _apply(
    op: ast.Op,
    rows: list[Row],
    scope: Scope,
    deadline: _Deadline,
    text: str | None,
    plan: _Plan,
) -> tuple[list[Row], str | None]:
    """Run one command; also returns the group name when the command is a GROUP BY."""
    if isinstance(op, ast.Where):
        if plan.source is not None:
            target = outlink_target(op.expr, scope)
            if target is not None:
                candidates = plan.index.linking_candidates(target)
                rows = [row for row in rows if row[1]["file"]["path"] in candidates]
        return _where(compile_expression(op.expr), rows, scope, deadline), None
    if isinstance(op, ast.Sort):
        columns = _cached_columns(op, plan)
        if columns is not None:
            values, keys = columns
            down = [key.descending for key in op.keys]
            return sort_by_values(rows, values, down, plan.limit, keys), None
        return _sort(op, rows, scope, deadline, plan.limit), None
    if isinstance(op, ast.Limit):
        return _limit(op, rows, scope), None
    if isinstance(op, ast.GroupBy):
        return _group(op, rows, scope, deadline), op.field.name
    if isinstance(op, ast.Flatten):
        return _flatten(op, rows, scope, deadline), None
    span = op.span
    raise QueryExecutionError(
        f"Unrecognized query operation '{_op_name(op)}'"
        + (
            ": FROM must come directly after LIST, TABLE, TASK or CALENDAR, before WHERE, "
            "SORT and the other commands"
            if isinstance(op, ast.UnknownOp)
            else ""
        ),
        line=span.line,
        column=span.column,
        context=caret_context(text, span.line, span.column) if text else None,
    )


def _op_name(op: ast.Op) -> str:
    source = getattr(op, "source", None)
    return ast.source_kind(source) if source is not None else type(op).__name__.lower()


def _all_failed(operation: str, errors: list[str]) -> QueryExecutionError:
    listed = "\n".join(f"- {message}" for message in errors[:3])
    return QueryExecutionError(
        f"Every row during operation '{operation}' failed with an error; first 3:\n\n{listed}"
    )


def _where(expr: Compiled, rows: list[Row], scope: Scope, deadline: _Deadline) -> list[Row]:
    from query.semantics import truthy

    kept: list[Row] = []
    errors: list[str] = []
    for position, row in enumerate(rows):
        if not position & 255:
            deadline.check()
        try:
            value = expr(row[1], scope)
            if value if type(value) is bool else truthy(value):
                kept.append(row)
        except EvaluationError as exc:
            errors.append(exc.message)
    if rows and len(errors) == len(rows):
        raise _all_failed("where", errors)
    return kept


def _cached_columns(
    op: ast.Sort, plan: _Plan
) -> tuple[list[list[Value]], list[list[Any] | None]] | None:
    """The sort keys' values and keys from the index's column cache, when every key is a plain
    or ``file`` field read straight off the source's pages (such reads never error)."""
    if plan.source is None:
        return None
    paths = [column_path(key.expr) for key in op.keys]
    if any(path is None for path in paths):
        return None
    values: list[list[Value]] = []
    keys: list[list[Any] | None] = []
    for path in paths:
        assert path is not None
        column, column_keys = plan.index.column(plan.source, path)
        values.append(column)
        keys.append(column_keys)
    return values, keys


def _sort(
    op: ast.Sort, rows: list[Row], scope: Scope, deadline: _Deadline, limit: int | None
) -> list[Row]:
    functions = [compile_expression(key.expr) for key in op.keys]
    kept: list[Row] = []
    columns: list[list[Value]] = [[] for _ in functions]
    single, first = (functions[0], columns[0]) if len(functions) == 1 else (None, [])
    errors: list[str] = []
    for position, row in enumerate(rows):
        if not position & 255:
            deadline.check()
        try:
            if single is not None:
                value = single(row[1], scope)
            else:
                values = [fn(row[1], scope) for fn in functions]
        except EvaluationError as exc:
            errors.append(exc.message)
            continue
        kept.append(row)
        if single is not None:
            first.append(value)
        else:
            for column, value in zip(columns, values, strict=True):
                column.append(value)
    if rows and len(errors) == len(rows):
        raise _all_failed("sort", errors)
    return sort_by_values(kept, columns, [key.descending for key in op.keys], limit)


def _limit(op: ast.Limit, rows: list[Row], scope: Scope) -> list[Row]:
    from query.semantics import to_string

    try:
        value = compile_expression(op.expr)({}, scope)
    except EvaluationError as exc:
        raise QueryExecutionError(f"Failed to execute 'limit' statement: {exc.message}") from exc
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QueryExecutionError(
            "Failed to execute 'limit' statement: limit should be a number, but got "
            f"'{type_name(value)}' ({to_string(value, scope.env)})"
        )
    return rows[: _js_slice_end(value, len(rows))]


def _js_slice_end(value: float, length: int) -> int:
    """``Array.prototype.slice(0, value)``'s end index."""
    if math.isnan(value):
        return 0
    if math.isinf(value):
        return length if value > 0 else 0
    end = math.trunc(value)
    return max(length + end, 0) if end < 0 else min(end, length)


def _group(op: ast.GroupBy, rows: list[Row], scope: Scope, deadline: _Deadline) -> list[Row]:
    key_of = compile_expression(op.field.expr)
    keyed: list[tuple[Value, Mapping[str, Value]]] = []
    errors: list[str] = []
    for position, (_, data) in enumerate(rows):
        if not position & 255:
            deadline.check()
        try:
            keyed.append((key_of(data, scope), data))
        except EvaluationError as exc:
            errors.append(exc.message)
    if rows and len(errors) == len(rows):
        raise _all_failed("group", errors)
    keyed = sort_by_values(keyed, [[key for key, _ in keyed]], [False])
    groups: list[tuple[Value, dict[str, Value]]] = []
    for key, data in keyed:
        # Group members become values (``rows``), so overlays are merged into plain objects.
        if groups and compare(groups[-1][0], key) == 0:
            groups[-1][1]["rows"].append(plain(data))
        else:
            groups.append((key, {"key": key, "rows": [plain(data)]}))
    name = op.field.name
    for key, group in groups:
        group[name] = key
    return list(groups)


def _flatten(op: ast.Flatten, rows: list[Row], scope: Scope, deadline: _Deadline) -> list[Row]:
    value_of = compile_expression(op.field.expr)
    name = op.field.name
    out: list[Row] = []
    errors: list[str] = []
    for position, (row_id, data) in enumerate(rows):
        if not position & 255:
            deadline.check()
        try:
            value = value_of(data, scope)
        except EvaluationError as exc:
            errors.append(exc.message)
            continue
        for element in value if isinstance(value, list) else [value]:
            out.append((row_id, overlay({name: element}, data)))
    if rows and len(errors) == len(rows):
        raise _all_failed("flatten", errors)
    return out


# -- final extraction ------------------------------------------------------------------------------


def _finish(
    header: ast.Header,
    rows: list[Row],
    scope: Scope,
    group_name: str | None,
    env: Env,
    deadline: _Deadline,
) -> QueryResult:
    if isinstance(header, ast.TaskHeader):
        return QueryResult("task", [], [_task_output(data) for _, data in rows])
    if isinstance(header, ast.ListHeader):
        return _list(header, rows, scope, group_name, env, deadline)
    if isinstance(header, ast.TableHeader):
        return _table(header, rows, scope, group_name, env, deadline)
    if isinstance(header, ast.CalendarHeader):
        field = compile_expression(header.field.expr)
        entries = _extract(rows, lambda row: (field(row[1], scope), _file_link(row)), deadline)
        return QueryResult("calendar", ["date", "link"], entries)
    raise QueryExecutionError(f"unknown query type {type(header).__name__}")


def _file_link(row: Row) -> Value:
    file = row[1].get("file")
    return file.get("link") if isinstance(file, dict) else row[0]


def _extract(rows: list[Row], fn: Callable[[Row], Any], deadline: _Deadline) -> list[Any]:
    """Evaluate the header's expressions per row; rows that error are dropped (SPEC §3.2)."""
    out: list[Any] = []
    errors: list[str] = []
    for position, row in enumerate(rows):
        if not position & 255:
            deadline.check()
        try:
            out.append(fn(row))
        except EvaluationError as exc:
            errors.append(exc.message)
    if rows and len(errors) == len(rows):
        raise _all_failed("select", errors)
    return out


def _list(
    header: ast.ListHeader,
    rows: list[Row],
    scope: Scope,
    group_name: str | None,
    env: Env,
    deadline: _Deadline,
) -> QueryResult:
    id_header = group_name or env.settings.table_id_column_name
    if header.expr is None:
        return QueryResult("list", [id_header], [row_id for row_id, _ in rows])
    value_of = compile_expression(header.expr)
    name = header.expr_text
    if header.without_id:
        items = _extract(rows, lambda row: value_of(row[1], scope), deadline)
        return QueryResult("list", [name], items)
    items = _extract(
        rows,
        lambda row: Widget("list-pair", {"key": row[0], "value": value_of(row[1], scope)}),
        deadline,
    )
    return QueryResult("list", [id_header, name], items)


def _table(
    header: ast.TableHeader,
    rows: list[Row],
    scope: Scope,
    group_name: str | None,
    env: Env,
    deadline: _Deadline,
) -> QueryResult:
    columns = [compile_expression(field.expr) for field in header.fields]
    names = [field.name for field in header.fields]

    def row_values(row: Row) -> list[Value]:
        values = [column(row[1], scope) for column in columns]
        return values if header.without_id else [row[0], *values]

    out = _extract(rows, row_values, deadline)
    id_header = group_name or env.settings.table_id_column_name
    headers = names if header.without_id else [id_header, *names]
    return QueryResult("table", headers, out)


def _task_output(data: Mapping[str, Value]) -> Any:
    """A TASK row as output: the task object, or a group of them after GROUP BY."""
    if type(data) is TaskRow:
        return data.task
    if "rows" in data and "key" in data and "symbol" not in data:
        return TaskGroup(data["key"], [_task_output(member) for member in data["rows"]])
    return plain(data)
