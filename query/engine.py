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
from query.columns import Column, Term, column_terms, select
from query.compile import Compiled, Scope, compile_expression, make_scope
from query.errors import EvaluationError, QueryExecutionError, QueryLimitError, caret_context
from query.fusion import reads_only
from query.index import VaultIndex
from query.output import all_failed, finish
from query.parser import parse_query
from query.plan import column_path, exact_link, limit_value, outlink_target
from query.results import QueryResult
from query.rows import TaskRow, overlay, plain
from query.semantics import Env, compare, type_name
from query.sorting import keys_for, sort_by_values
from query.sources import resolve_source
from query.values import Link, Value

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
    tasks = isinstance(header, ast.TaskHeader)
    rows = _task_rows(index, paths) if tasks else _page_rows(index, paths)

    group_name: str | None = None
    # The index's own path sequences (cached by identity) allow its cached columns and link maps
    # to stand in for per-row work, while the rows are still exactly the source's rows.
    plan = _Plan(index, paths if isinstance(paths, tuple) else None, tasks=tasks, base=rows)
    text = query if isinstance(query, str) else None
    for position, op in enumerate(parsed.ops):
        if plan.skip:
            plan.skip = False  # the previous command ran this one with it
            continue
        following = parsed.ops[position + 1] if position + 1 < len(parsed.ops) else None
        plan.following = following
        plan.limit = (
            limit_value(following, scope)
            if isinstance(op, ast.Sort) and isinstance(following, ast.Limit)
            else None
        )
        rows, named = _apply(op, rows, scope, deadline, text, plan)
        if plan.kept:
            plan.kept = False  # a column-wise WHERE: the rows are still a selection of the source
        else:
            plan.source = None  # rows are no longer the source's rows
        group_name = named if named is not None else group_name

    result = finish(header, rows, scope, group_name, env, deadline.check)
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
    if isinstance(paths, tuple):
        return cast(list[Row], index.task_row_list(paths))
    rows: list[Row] = []
    for path in paths:
        rows.extend(index.task_rows(path))
    return rows


# -- commands --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    """What the engine knows about the rows: ``source`` is set while they are exactly
    ``base`` (``index.page_rows(source)``, or with ``tasks`` ``index.task_row_list(source)``) at
    ``positions`` (all of them when None); ``limit`` is the LIMIT following the current SORT;
    ``kept`` says the last command kept the rows a selection of the source."""

    index: VaultIndex
    source: tuple[str, ...] | None
    limit: int | None = None
    tasks: bool = False
    base: list[Row] | None = None
    positions: list[int] | None = None
    kept: bool = False
    following: ast.Op | None = None
    skip: bool = False

    def values(self, expr: ast.Expr) -> list[Value] | None:
        """``expr``'s values on the rows from the index's column cache, when it is a field read
        of the source's rows (such reads never error)."""
        path = column_path(expr)
        if self.source is None or path is None or self.base is None:
            return None
        column = self.index.where_column(self.source, path, self.tasks)
        if column is None:
            return None
        values = column.values
        if len(values) != len(self.base):
            return None
        return values if self.positions is None else [values[i] for i in self.positions]

    def columns(self, expr: ast.Expr) -> tuple[list[Term], list[Column]] | None:
        """The WHERE ``expr`` as column terms with their cached columns, when possible."""
        if self.source is None or self.base is None:
            return None
        terms = column_terms(expr)
        if terms is None:
            return None
        columns: list[Column] = []
        for term in terms:
            column = self.index.where_column(self.source, term.path, self.tasks)
            if column is None or len(column.values) != len(self.base):
                return None
            columns.append(column)
        return terms, columns


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
        planned = plan.columns(op.expr)
        if planned is not None and plan.base is not None:
            deadline.check()  # a column pass is one fast loop: checked around it, not inside
            plan.positions = select(*planned, plan.positions, scope)
            deadline.check()
            plan.kept = True
            base = plan.base
            return [base[i] for i in plan.positions], None
        if plan.source is not None and not plan.tasks and plan.positions is None:
            target = outlink_target(op.expr, scope)
            if target is not None:
                return _outlink_where(op, rows, scope, deadline, plan.index, plan.source), None
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
        return _group(op, rows, scope, deadline, plan.values(op.field.expr)), op.field.name
    if isinstance(op, ast.Flatten):
        following = plan.following
        fused = (
            following
            if isinstance(following, ast.Where) and reads_only(following.expr, op.field.name)
            else None
        )
        plan.skip = fused is not None
        return _flatten(op, rows, scope, deadline, plan.values(op.field.expr), fused), None
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


def _outlink_where(
    op: ast.Where,
    rows: list[Row],
    scope: Scope,
    deadline: _Deadline,
    index: VaultIndex,
    source: tuple[str, ...],
) -> list[Row]:
    """A WHERE on the source's pages that ``query.plan.outlink_target`` names a target for."""
    target = outlink_target(op.expr, scope)
    assert target is not None
    deadline.check()
    candidates = index.linking_candidates(target)
    predicate = compile_expression(op.expr)
    if len(rows) != len(source):
        kept = [row for row in rows if row[1]["file"]["path"] in candidates]
        return _where(predicate, kept, scope, deadline)
    # The rows are the source's pages in its order: find the candidates' positions in it, not
    # the pages (reading 50k scattered page objects costs more than the whole test).
    at = index.positions(source)
    chosen = sorted(at[path] for path in candidates if path in at)
    exact = exact_link(op.expr, scope)
    if exact is None:
        return _where(predicate, [rows[i] for i in chosen], scope, deadline)
    # The WHERE is that one test: pages holding the very link are kept without evaluating it.
    sure = index.exact_linkers(exact.path, exact.type)
    unsure = [rows[i] for i in chosen if source[i] not in sure]
    passed = {id(row) for row in _where(predicate, unsure, scope, deadline)}
    return [rows[i] for i in chosen if source[i] in sure or id(rows[i]) in passed]


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
        raise all_failed("where", errors)
    return kept


def _cached_columns(
    op: ast.Sort, plan: _Plan
) -> tuple[list[list[Value]], list[list[Any] | None]] | None:
    """The sort keys' values and keys from the index's column cache, when every key is a plain
    or ``file`` field read straight off the source's pages (such reads never error)."""
    if plan.source is None or plan.tasks:
        return None
    paths = [column_path(key.expr) for key in op.keys]
    if any(path is None for path in paths):
        return None
    values: list[list[Value]] = []
    keys: list[list[Any] | None] = []
    for path in paths:
        assert path is not None
        column, column_keys = plan.index.column(plan.source, path)
        if plan.positions is not None:
            # A column-wise WHERE selected these rows: the same values and keys, subset.
            at = plan.positions
            column = [column[i] for i in at]
            column_keys = None if column_keys is None else [column_keys[i] for i in at]
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
        raise all_failed("sort", errors)
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


def _group(
    op: ast.GroupBy,
    rows: list[Row],
    scope: Scope,
    deadline: _Deadline,
    values: list[Value] | None = None,
) -> list[Row]:
    """GROUP BY (``values``: the key's values on the rows, when cached)."""
    key_of = compile_expression(op.field.expr)
    keyed: list[tuple[Value, Mapping[str, Value]]] = []
    errors: list[str] = []
    if values is not None:
        deadline.check()
        keyed = [(key, data) for key, (_, data) in zip(values, rows, strict=True)]
        rows = []  # nothing left to evaluate
    for position, (_, data) in enumerate(rows):
        if not position & 255:
            deadline.check()
        try:
            keyed.append((key_of(data, scope), data))
        except EvaluationError as exc:
            errors.append(exc.message)
    if rows and len(errors) == len(rows):
        raise all_failed("group", errors)
    groups: list[tuple[Value, dict[str, Value]]] = []
    sort_keys = keys_for([key for key, _ in keyed])
    if sort_keys is not None:
        # Equal sort keys are exactly the pairs the comparator calls equal (``query.sorting``):
        # group by them, in the stable order they give, without calling the comparator.
        # Members become values (``rows``): task rows are merged as ``TaskRow.merged`` does,
        # inline (``{**page, **task}`` has the same keys, order and values), the rest by ``plain``.
        members = [
            {**data.page, **data.task} if type(data) is TaskRow else plain(data)
            for _, data in keyed
        ]
        last: Any = None
        for i in sorted(range(len(keyed)), key=sort_keys.__getitem__):
            if groups and sort_keys[i] == last:
                groups[-1][1]["rows"].append(members[i])
            else:
                key = keyed[i][0]
                groups.append((key, {"key": key, "rows": [members[i]]}))
            last = sort_keys[i]
    else:
        keyed = sort_by_values(keyed, [[key for key, _ in keyed]], [False])
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


def _flatten(
    op: ast.Flatten,
    rows: list[Row],
    scope: Scope,
    deadline: _Deadline,
    values: list[Value] | None = None,
    where: ast.Where | None = None,
) -> list[Row]:
    """FLATTEN (``values``: the flattened expression's values, when cached); with ``where``, a
    following WHERE that reads only the new name (``query.fusion``), run on the elements
    before any row is built."""
    value_of = compile_expression(op.field.expr)
    name = op.field.name
    flat: list[tuple[Value, Mapping[str, Value], Value]] = []
    errors: list[str] = []
    for position, (row_id, data) in enumerate(rows):
        if not position & 255:
            deadline.check()
        if values is not None:
            value = values[position]
        else:
            try:
                value = value_of(data, scope)
            except EvaluationError as exc:
                errors.append(exc.message)
                continue
        for element in value if isinstance(value, list) else [value]:
            flat.append((row_id, data, element))
    if rows and len(errors) == len(rows):
        raise all_failed("flatten", errors)
    if where is not None:
        terms = column_terms(where.expr)
        if terms is not None and all(term.path == (name,) for term in terms):
            # Simple tests of the element: column-wise over the elements (``query.columns``).
            elements = Column([item[2] for item in flat])
            deadline.check()
            positions = select(terms, [elements] * len(terms), None, scope)
            flat = [flat[i] for i in positions]
        else:
            light: list[Row] = [(k, {name: item[2]}) for k, item in enumerate(flat)]
            kept = _where(compile_expression(where.expr), light, scope, deadline)
            flat = [flat[cast(int, k)] for k, _ in kept]
    return [(row_id, overlay({name: element}, data)) for row_id, data, element in flat]
