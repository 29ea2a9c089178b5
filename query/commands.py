"""The row-level DQL commands: WHERE, SORT, LIMIT, GROUP BY and FLATTEN.

Each command takes the rows ``(id, data)`` and returns the rows it keeps or makes, exactly as
Dataview's pipeline does (SPEC §3.2): a row whose expression errors is dropped, and when every row
of an operation errors the whole query fails with Dataview's message. The engine
(``query.engine``) decides which command runs how; shortcuts that read the index's cached columns
live there and in ``query.plan``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

from query import ast
from query.columns import Column, column_terms, flatten_values, select
from query.compile import Compiled, Scope, compile_expression
from query.errors import EvaluationError, QueryExecutionError
from query.index import VaultIndex
from query.limits import Guard
from query.plan import exact_link, outlink_target
from query.rows import TaskRow, overlay, plain
from query.select import all_failed
from query.semantics import compare, type_name
from query.sorting import keys_for, sort_by_values
from query.values import Value

Row = tuple[Value, Mapping[str, Value]]  # (id, data); data is a page, or an overlay on one


def outlink_where(
    op: ast.Where,
    rows: list[Row],
    scope: Scope,
    deadline: Guard,
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
        return filter_rows(predicate, kept, scope, deadline)
    # The rows are the source's pages in its order: find the candidates' positions in it, not
    # the pages (reading 50k scattered page objects costs more than the whole test).
    at = index.positions(source)
    chosen = sorted(at[path] for path in candidates if path in at)
    exact = exact_link(op.expr, scope)
    if exact is None:
        return filter_rows(predicate, [rows[i] for i in chosen], scope, deadline)
    # The WHERE is that one test: pages holding the very link are kept without evaluating it.
    sure = index.exact_linkers(exact.path, exact.type)
    unsure = [rows[i] for i in chosen if source[i] not in sure]
    passed = {id(row) for row in filter_rows(predicate, unsure, scope, deadline)}
    return [rows[i] for i in chosen if source[i] in sure or id(rows[i]) in passed]


def filter_rows(expr: Compiled, rows: list[Row], scope: Scope, deadline: Guard) -> list[Row]:
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


def sort_rows(
    op: ast.Sort, rows: list[Row], scope: Scope, deadline: Guard, limit: int | None
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


def limit_rows(op: ast.Limit, rows: list[Row], scope: Scope) -> list[Row]:
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
    return rows[: js_slice_end(value, len(rows))]


def js_slice_end(value: float, length: int) -> int:
    """``Array.prototype.slice(0, value)``'s end index."""
    if math.isnan(value):
        return 0
    if math.isinf(value):
        return length if value > 0 else 0
    end = math.trunc(value)
    return max(length + end, 0) if end < 0 else min(end, length)


def group_rows(
    op: ast.GroupBy,
    rows: list[Row],
    scope: Scope,
    deadline: Guard,
    values: list[Value] | None = None,
    keys: list[Any] | None = None,
) -> list[Row]:
    """GROUP BY (``values``: the key's values on the rows, when cached; ``keys``: their sort
    keys, when cached too)."""
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
    sort_keys = keys if keys is not None else keys_for([key for key, _ in keyed])
    if sort_keys is not None:
        # Equal sort keys are exactly the pairs the comparator calls equal (``query.sorting``):
        # group by them, in the stable order they give, without calling the comparator.
        # Members become values (``rows``): task rows as their cached merged dict (``plain``,
        # inlined for them), overlays merged.
        members = [data.value() if type(data) is TaskRow else plain(data) for _, data in keyed]
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


def flatten_rows(
    op: ast.Flatten,
    rows: list[Row],
    scope: Scope,
    deadline: Guard,
    values: list[Value] | None = None,
    where: ast.Where | None = None,
    flat: tuple[Column, list[int]] | None = None,
) -> list[Row]:
    """FLATTEN (``values``: the flattened expression's values, when cached; ``flat``: those
    values already flattened, as ``Column.flattened`` gives); with ``where``, a following WHERE
    that reads only the new name (``query.reads``), run on the elements before any row is
    built."""
    name = op.field.name
    if flat is not None:
        deadline.check()
    column, owners = flat if flat is not None else _flatten(op, rows, scope, deadline, values)
    elements = column.values
    kept: Sequence[int] = range(len(elements))
    if where is not None:
        terms = column_terms(where.expr)
        if terms is not None and all(term.path == (name,) for term in terms):
            # Simple tests of the element: column-wise over the elements (``query.columns``).
            deadline.check()
            kept = select(terms, [column] * len(terms), None, scope)
        else:
            light: list[Row] = [(k, {name: element}) for k, element in enumerate(elements)]
            passed = filter_rows(compile_expression(where.expr), light, scope, deadline)
            kept = [cast(int, k) for k, _ in passed]
    out: list[Row] = []
    for count, i in enumerate(kept):
        if not count & 4095:
            deadline.tick(4096)  # a row per element: the memory grows here
        row_id, data = rows[owners[i]]
        out.append((row_id, overlay({name: elements[i]}, data)))
    return out


def _flatten(
    op: ast.Flatten,
    rows: list[Row],
    scope: Scope,
    deadline: Guard,
    values: list[Value] | None,
) -> tuple[Column, list[int]]:
    """The flattened values (lists give their elements, other values themselves) and each
    element's row position; rows whose expression errors give none."""
    if values is not None:
        return flatten_values(values)
    value_of = compile_expression(op.field.expr)
    computed: list[Value] = []
    positions: list[int] = []  # the rows whose expression did not error
    errors: list[str] = []
    for position, (_, data) in enumerate(rows):
        if not position & 255:
            deadline.check()
        try:
            value = value_of(data, scope)
        except EvaluationError as exc:
            errors.append(exc.message)
            continue
        if type(value) is list:
            deadline.tick(len(value))  # each element becomes a row
        computed.append(value)
        positions.append(position)
    if rows and len(errors) == len(rows):
        raise all_failed("flatten", errors)
    column, owners = flatten_values(computed)
    if errors:
        owners = [positions[owner] for owner in owners]
    return column, owners
