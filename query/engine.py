"""The DQL engine: one executor per query type over a :class:`VaultIndex`.

Execution follows Dataview (SPEC §3): the source gives a set of pages; each page (or, for TASK,
each task) becomes a row ``(id, data)``; the commands run top to bottom as a stream pipeline; the
header's expressions are evaluated last. A row whose expression errors is dropped; when *every*
row of an operation errors, the whole query fails with Dataview's message.

Expressions are compiled once per query into closures (``query.compile``); ``FROM`` is answered
from the index (tags, folders, link graph), never by scanning page objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from query import ast
from query.columns import Column, Term, column_terms, select
from query.commands import (
    Row,
    filter_rows,
    flatten_rows,
    group_rows,
    limit_rows,
    outlink_where,
    sort_rows,
)
from query.compile import Scope, compile_expression, make_scope
from query.errors import QueryExecutionError, QueryLimitError, caret_context
from query.index import VaultIndex
from query.limits import Guard, Limits
from query.parsing.parser import parse_query
from query.plan import column_path, limit_value, outlink_target
from query.reads import reads_only
from query.results import QueryResult
from query.select import finish
from query.semantics import Env
from query.sorting import sort_by_values
from query.sources import resolve_source
from query.values import Link, Value

__all__ = ["Limits", "execute", "query_scope", "resolve_source"]

_NO_LIMITS = Limits()


def execute(
    query: str | ast.Query,
    index: VaultIndex,
    *,
    origin: str | None = None,
    env: Env,
    limits: Limits = _NO_LIMITS,
) -> QueryResult:
    """Run one DQL query (text or parsed) from the note ``origin`` and return its result.

    Whatever the query does, it ends in a result or a :class:`QueryError`: exhausting the
    time, memory or size limits (``query.limits``), nesting too deeply or running the process
    out of memory is a :class:`QueryLimitError`."""
    guard = Guard(limits)
    try:
        result = _execute(query, index, origin, env, guard)
    except RecursionError:
        raise QueryLimitError(
            "the query nests too deeply (an expression, a value or a list within lists)"
        ) from None
    except MemoryError:
        raise QueryLimitError("the query ran out of memory; narrow it or add a LIMIT") from None
    if limits.max_rows is not None and len(result.rows) > limits.max_rows:
        raise QueryLimitError(
            f"the query returned {len(result.rows)} rows, more than the limit of "
            f"{limits.max_rows}; add a LIMIT or a narrower FROM"
        )
    result.took_ms = guard.elapsed_ms()
    return result


def _execute(
    query: str | ast.Query, index: VaultIndex, origin: str | None, env: Env, deadline: Guard
) -> QueryResult:
    parsed = parse_query(query) if isinstance(query, str) else query
    scope = query_scope(index, origin, env, deadline)
    header = parsed.header
    if isinstance(query, str):
        _check_expressions(parsed, query)
    paths = resolve_source(parsed.source, index, origin) if parsed.source else index.paths
    tasks = isinstance(header, ast.TaskHeader)
    rows = _task_rows(index, paths) if tasks else _page_rows(index, paths)

    # The names of the GROUP BYs still in force, innermost last: they head the id column.
    groups: list[str] = []
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
        rows = _apply(op, rows, scope, deadline, text, plan)
        if plan.kept:
            plan.kept = False  # a column-wise WHERE: the rows are still a selection of the source
        else:
            plan.source = None  # rows are no longer the source's rows
        _track_groups(op, groups)

    return finish(header, rows, scope, groups[-1] if groups else None, env, deadline.check)


def query_scope(index: VaultIndex, origin: str | None, env: Env, guard: Guard) -> Scope:
    """What a query (or an inline expression) held by the note ``origin`` evaluates in: ``this``
    is that note's page (an empty object when there is none), links resolve from it."""
    this = index.page(origin) if origin else None
    return make_scope(
        env=env,
        this=this if this is not None else {},
        resolve_link=_link_resolver(index, origin),
        normalize_link=lambda target: index.normalize_path(target, origin or ""),
        guard=guard,
    )


def _track_groups(op: ast.Op, groups: list[str]) -> None:
    """Dataview's meaning of the row id: GROUP BY makes it the group key (named after the
    GROUP BY); a FLATTEN storing under the innermost group's name undoes that grouping's
    meaning, so ``GROUP BY genres FLATTEN genres`` heads the id column ``File`` again."""
    if isinstance(op, ast.GroupBy):
        groups.append(op.field.name)
    elif isinstance(op, ast.Flatten) and groups and groups[-1] == op.field.name:
        groups.pop()


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
        column = self._column(expr)
        if column is None:
            return None
        values = column.values
        return values if self.positions is None else [values[i] for i in self.positions]

    def keys(self, expr: ast.Expr) -> list[Any] | None:
        """The sort keys of :meth:`values` (``query.sorting.keys_for``), cached with the column;
        None when there are none or no cached column."""
        column = self._column(expr)
        keys = None if column is None else column.keys()
        if keys is None:
            return None
        return keys if self.positions is None else [keys[i] for i in self.positions]

    def whole_column(self, expr: ast.Expr) -> Column | None:
        """``expr``'s cached column when the rows are all of the source's, in order."""
        return self._column(expr) if self.positions is None else None

    def _column(self, expr: ast.Expr) -> Column | None:
        path = column_path(expr)
        if self.source is None or path is None or self.base is None:
            return None
        column = self.index.where_column(self.source, path, self.tasks)
        if column is None or len(column.values) != len(self.base):
            return None
        return column

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
    deadline: Guard,
    text: str | None,
    plan: _Plan,
) -> list[Row]:
    """Run one command."""
    if isinstance(op, ast.Where):
        planned = plan.columns(op.expr)
        if planned is not None and plan.base is not None:
            deadline.check()  # a column pass is one fast loop: checked around it, not inside
            plan.positions = select(*planned, plan.positions, scope)
            deadline.check()
            plan.kept = True
            base = plan.base
            return [base[i] for i in plan.positions]
        if plan.source is not None and not plan.tasks and plan.positions is None:
            target = outlink_target(op.expr, scope)
            if target is not None:
                return outlink_where(op, rows, scope, deadline, plan.index, plan.source)
        return filter_rows(compile_expression(op.expr), rows, scope, deadline)
    if isinstance(op, ast.Sort):
        columns = _cached_columns(op, plan)
        if columns is not None:
            values, keys = columns
            down = [key.descending for key in op.keys]
            return sort_by_values(rows, values, down, plan.limit, keys)
        return sort_rows(op, rows, scope, deadline, plan.limit)
    if isinstance(op, ast.Limit):
        return limit_rows(op, rows, scope)
    if isinstance(op, ast.GroupBy):
        key_values, sort_keys = plan.values(op.field.expr), plan.keys(op.field.expr)
        return group_rows(op, rows, scope, deadline, key_values, sort_keys)
    if isinstance(op, ast.Flatten):
        following = plan.following
        fused = (
            following
            if isinstance(following, ast.Where) and reads_only(following.expr, op.field.name)
            else None
        )
        plan.skip = fused is not None
        column = plan.whole_column(op.field.expr)
        flat = column.flattened() if column is not None else None
        cached = plan.values(op.field.expr) if flat is None else None
        return flatten_rows(op, rows, scope, deadline, cached, fused, flat)
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
