"""One view of a base, evaluated (SPEC §3): filters, formulas, sort, limit, groups, summaries.

:func:`run_view` takes a :class:`~query.bases.config.BaseConfig`, the view's name, the
:class:`~query.bases.vault.BasesVault` of one revision, the clock, ``this`` and the guard, and
returns a :class:`ViewResult` of Bases values (rendered by :mod:`query.bases.export`).

1. candidates: every file, narrowed by the filters the index answers (:mod:`~.pushdown`);
2. filter: global ∧ view filter; ``and``/``or``; **``not`` is "none of"**; an empty group passes;
   an expression that errors does not pass (and is reported once);
3. formulas: lazily per row, memoised, cycles reported (:class:`~.formulas.FormulaTable`);
4. sort: stable, multi-key; numbers, dates, natural case-insensitive text, false < true;
   empties last ascending and first descending; without keys, by path;
5. limit, on the sorted rows; 6. groups, one level, a list key is one group, the null group
   apart; 7. summaries over the view's rows and each group's (built-in names and custom ones).

A filter expression that does not parse is a positioned error (the view cannot be answered); a
formula or summary that does not parse is an error diagnostic and empty cells, as in the app.

The guard (time and memory) is checked at every row of every loop — filtering, sorting, grouping,
cells, summaries — since one row's formulas may take long; the methods count their own work.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from query.bases.compile import Compiled, Diagnostic, compile_expression
from query.bases.config import BaseConfig, FilterNode, PropertyId, SortKey, ViewConfig
from query.bases.context import Clock, Context
from query.bases.formulas import FormulaTable
from query.bases.members import FILE_FIELDS, file_field
from query.bases.moment import diff
from query.bases.parser import parse_expression
from query.bases.pushdown import candidates
from query.bases.semantics import is_blank, sort_key, to_text, truthy
from query.bases.values import ErrorValue, Moment, Value
from query.bases.vault import BasesVault
from query.errors import QueryError, QueryLimitError
from query.limits import UNLIMITED, Guard

__all__ = ["BUILTIN_SUMMARIES", "Column", "Group", "ViewResult", "run_view"]

_FILE_NAMES = {
    "name": "file name",
    "basename": "file base name",
    "path": "file path",
    "folder": "folder",
    "ext": "file extension",
    "size": "file size",
    "ctime": "created time",
    "mtime": "modified time",
    "tags": "tags",
    "links": "links",
    "embeds": "embeds",
    "backlinks": "backlinks",
    "properties": "properties",
    "file": "file",
}


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    name: str
    kind: str


@dataclass(slots=True)
class Group:
    key: Value
    rows: list[int]
    summaries: dict[str, Value] = field(default_factory=dict)


@dataclass(slots=True)
class ViewResult:
    base: str
    view: str
    view_type: str
    this: str | None
    columns: list[Column]
    paths: list[str]
    cells: list[dict[str, Value]]
    groups: list[Group] | None
    summaries: dict[str, tuple[str, Value]]
    total_before_limit: int
    diagnostics: list[Diagnostic]
    group_by: str | None = None
    views: tuple[str, ...] = ()  # every view of the base, by name

    @property
    def count(self) -> int:
        return len(self.paths)


def display_name(config: BaseConfig, prop: PropertyId) -> str:
    shown = config.display_names.get(prop.id)
    if shown is not None:
        return shown
    if prop.kind == "file":
        return _FILE_NAMES.get(prop.name, prop.name)
    return prop.name


class _Filter:
    """A compiled filter tree; ``errors`` collects the first error per expression."""

    def __init__(
        self, node: FilterNode | None, diagnostics: list[Diagnostic], guard: Guard = UNLIMITED
    ) -> None:
        self.diagnostics = diagnostics
        self.reported: set[str] = set()
        self.guard = guard
        self.test = self._compile(node) if node is not None else None

    def _compile(self, node: FilterNode) -> Callable[[Context], bool]:
        self.guard.check()
        if node.op == "expr":
            compiled = compile_expression(parse_expression(node.text, node.where), node.where)
            self.diagnostics.extend(compiled.diagnostics)
            run = compiled.run
            label = node.where.label

            def test(ctx: Context) -> bool:
                value = run(ctx)
                if isinstance(value, ErrorValue):
                    if label not in self.reported:
                        self.reported.add(label)
                        self.diagnostics.append(
                            Diagnostic(
                                "warning",
                                "filter-error",
                                label,
                                value.message,
                                node.where.line,
                                node.where.column,
                            )
                        )
                    return False
                return truthy(value)

            return test
        children = [self._compile(child) for child in node.children]
        if node.op == "and":
            return lambda ctx: all(child(ctx) for child in children)
        if node.op == "or":
            if not children:
                return lambda ctx: True
            return lambda ctx: any(child(ctx) for child in children)
        return lambda ctx: not any(child(ctx) for child in children)  # not: none of


def _formula_table(
    config: BaseConfig,
    diagnostics: list[Diagnostic],
    cache: MutableMapping[Any, Value] | None,
    guard: Guard = UNLIMITED,
) -> FormulaTable:
    compiled: dict[str, Compiled] = {}
    for name, (text, where) in config.formulas.items():
        guard.check()
        try:
            compiled[name] = compile_expression(parse_expression(text, where), where)
        except QueryError as exc:
            if exc.code == "limit":
                raise
            diagnostics.append(
                Diagnostic("error", exc.code, where.label, exc.message, exc.line, exc.column)
            )
            compiled[name] = Compiled(lambda ctx: None, row_local=True)
            continue
        diagnostics.extend(compiled[name].diagnostics)
    texts = {name: text for name, (text, _) in config.formulas.items()}
    table = FormulaTable(compiled, texts, cache=cache)
    diagnostics.extend(table.diagnostics)
    return table


def property_value(prop: PropertyId, ctx: Context) -> Value:
    path = ctx.path
    if path is None:
        return None
    if prop.kind == "file":
        return file_field(path, prop.name, ctx) if prop.name in FILE_FIELDS else None
    if prop.kind == "formula":
        return ctx.formulas.value(prop.name, ctx) if ctx.formulas is not None else None
    return ctx.vault.property(path, prop.name)


def _sort_rows(rows: list[Context], keys: list[SortKey], guard: Guard) -> list[Context]:
    ordered = list(rows)
    for key in reversed(keys):
        filled: list[tuple[tuple[Any, ...], Context]] = []
        blank: list[Context] = []
        for ctx in ordered:
            guard.check()
            value = property_value(key.property, ctx)
            if is_blank(value):
                blank.append(ctx)
            else:
                filled.append((sort_key(value), ctx))
        filled.sort(key=lambda pair: pair[0], reverse=key.descending)
        ordered_filled = [ctx for _, ctx in filled]
        ordered = blank + ordered_filled if key.descending else ordered_filled + blank
    return ordered


def _group_key(value: Value) -> tuple[Any, ...]:
    if is_blank(value):
        return ("",)
    return (to_text(value).casefold(),)


# -- summaries ------------------------------------------------------------------------------------


def _numbers(values: list[Value]) -> list[float]:
    return [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def _tidy(value: float) -> float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _numeric(fn: Callable[[list[float]], float]) -> Callable[[list[Value]], Value]:
    def run(values: list[Value]) -> Value:
        numbers = _numbers(values)
        return _tidy(fn(numbers)) if numbers else None

    return run


def _dates(values: list[Value]) -> list[Moment]:
    return [v for v in values if isinstance(v, Moment)]


def _range(values: list[Value]) -> Value:
    dates = _dates(values)
    if dates and not _numbers(values):
        earliest = min(dates, key=lambda d: d.epoch_ms)
        latest = max(dates, key=lambda d: d.epoch_ms)
        return diff(latest, earliest)
    numbers = _numbers(values)
    return _tidy(max(numbers) - min(numbers)) if numbers else None


def _unique(values: list[Value]) -> Value:
    return len({to_text(v) for v in values if not is_blank(v)})


BUILTIN_SUMMARIES: dict[str, Callable[[list[Value]], Value]] = {
    "average": _numeric(lambda n: sum(n) / len(n)),
    "sum": _numeric(sum),
    "min": _numeric(min),
    "max": _numeric(max),
    "range": _range,
    "median": _numeric(lambda n: float(statistics.median(n))),
    "stddev": _numeric(lambda n: float(statistics.pstdev(n))),
    "earliest": lambda v: min(_dates(v), key=lambda d: d.epoch_ms, default=None),
    "latest": lambda v: max(_dates(v), key=lambda d: d.epoch_ms, default=None),
    "checked": lambda v: sum(1 for x in v if x is True),
    "unchecked": lambda v: sum(1 for x in v if x is False),
    "empty": lambda v: sum(1 for x in v if is_blank(x)),
    "filled": lambda v: sum(1 for x in v if not is_blank(x)),
    "unique": _unique,
}


SummaryFn = Callable[[list[Value], Context], Value]


def _builtin(fn: Callable[[list[Value]], Value]) -> SummaryFn:
    return lambda values, ctx: fn(values)


def _custom(run: Callable[[Context], Value]) -> SummaryFn:
    return lambda values, ctx: run(ctx.child({"values": values}))


class _Summaries:
    def __init__(
        self,
        config: BaseConfig,
        view: ViewConfig,
        diagnostics: list[Diagnostic],
        guard: Guard = UNLIMITED,
    ) -> None:
        self.entries: list[tuple[PropertyId, str, SummaryFn]] = []
        for prop_id, name in view.summaries.items():
            guard.check()
            prop = PropertyId(*prop_id.split(".", 1))
            builtin = BUILTIN_SUMMARIES.get(name.lower())
            if builtin is not None:
                self.entries.append((prop, name, _builtin(builtin)))
                continue
            custom = config.summaries.get(name)
            if custom is None:
                diagnostics.append(
                    Diagnostic(
                        "warning",
                        "unknown-summary",
                        f"views[{view.index}].summaries.{prop_id}",
                        f"no summary named {name!r} (built-in or under summaries)",
                    )
                )
                continue
            text, where = custom
            try:
                compiled = compile_expression(
                    parse_expression(text, where), where, locals_=frozenset({"values"})
                )
            except QueryError as exc:
                if exc.code == "limit":
                    raise
                diagnostics.append(
                    Diagnostic("error", exc.code, where.label, exc.message, exc.line, exc.column)
                )
                continue
            diagnostics.extend(compiled.diagnostics)
            run = compiled.run
            self.entries.append((prop, name, _custom(run)))

    def compute(self, rows: list[Context], base: Context) -> dict[str, tuple[str, Value]]:
        out: dict[str, tuple[str, Value]] = {}
        guard = base.guard
        for prop, name, fn in self.entries:
            values = []
            for ctx in rows:
                guard.check()
                values.append(property_value(prop, ctx))
            guard.tick(len(values))
            out[prop.id] = (name, fn(values, base))
        return out


def run_view(
    config: BaseConfig,
    view_name: str | None,
    vault: BasesVault,
    clock: Clock,
    *,
    this: str | None = None,
    guard: Guard = UNLIMITED,
    limit: int | None = None,
    formula_cache: MutableMapping[Any, Value] | None = None,
) -> ViewResult:
    """Evaluate one view (see the module docstring). ``limit`` caps the rows below the view's
    own ``limit``. Whatever the base does, this ends in a result or a :class:`QueryError`:
    the guard's time and memory limits, a value nested too deeply to walk (a ``reduce`` that
    wraps a list in a list 50,000 times) or running out of memory is a
    :class:`QueryLimitError`, as for DQL (``query.engine.execute``)."""
    try:
        return _run_view(config, view_name, vault, clock, this, guard, limit, formula_cache)
    except RecursionError:
        raise QueryLimitError(
            "the base nests too deeply (an expression, a value or a list within lists)"
        ) from None
    except MemoryError:
        raise QueryLimitError("the base ran out of memory; narrow its filters or limit") from None


def _run_view(
    config: BaseConfig,
    view_name: str | None,
    vault: BasesVault,
    clock: Clock,
    this: str | None,
    guard: Guard,
    limit: int | None,
    formula_cache: MutableMapping[Any, Value] | None,
) -> ViewResult:
    view = config.view(view_name)
    diagnostics: list[Diagnostic] = list(config.diagnostics)
    formulas = _formula_table(config, diagnostics, formula_cache, guard)
    global_filter = _Filter(config.filters, diagnostics, guard)
    view_filter = _Filter(view.filters, diagnostics, guard)
    base = Context(vault, clock, this=this, formulas=formulas, guard=guard)
    rows: list[Context] = []
    tests = [t for t in (global_filter.test, view_filter.test) if t is not None]
    for path in candidates((config.filters, view.filters), vault, this):
        guard.check()  # every row: one row's formulas may take long (the clock read is cheap)
        ctx = base.for_row(path)
        if all(test(ctx) for test in tests):
            rows.append(ctx)
    if view.sort:
        rows = _sort_rows(rows, view.sort, guard)
    total = len(rows)
    caps = [n for n in (view.limit, limit) if n is not None]
    if caps:
        rows = rows[: min(caps)]
    groups: list[Group] | None = None
    summaries = _Summaries(config, view, diagnostics, guard)
    if view.group_by is not None:
        rows, groups = _group(rows, view.group_by, summaries, base)
    order = view.order or [PropertyId("file", "name")]
    columns = [Column(p.id, display_name(config, p), p.kind) for p in order]
    cells = []
    for ctx in rows:
        guard.check()
        cells.append({p.id: property_value(p, ctx) for p in order})
    return ViewResult(
        base=config.name,
        view=view.name,
        view_type=view.type,
        this=this,
        columns=columns,
        paths=[ctx.path or "" for ctx in rows],
        cells=cells,
        groups=groups,
        summaries=summaries.compute(rows, base),
        total_before_limit=total,
        diagnostics=_unique_diagnostics(diagnostics),
        group_by=view.group_by.property.id if view.group_by else None,
    )


def _group(
    rows: list[Context], key: SortKey, summaries: _Summaries, base: Context
) -> tuple[list[Context], list[Group]]:
    buckets: dict[tuple[Any, ...], tuple[Value, list[Context]]] = {}
    for ctx in rows:
        base.guard.check()
        value = property_value(key.property, ctx)
        slot = _group_key(value)
        if slot not in buckets:
            buckets[slot] = (None if is_blank(value) else value, [])
        buckets[slot][1].append(ctx)
    filled = [b for s, b in buckets.items() if s != ("",)]
    filled.sort(key=lambda b: sort_key(b[0]), reverse=key.descending)
    blank = [buckets[("",)]] if ("",) in buckets else []
    ordered = blank + filled if key.descending else filled + blank
    out_rows: list[Context] = []
    groups: list[Group] = []
    for value, members in ordered:
        start = len(out_rows)
        out_rows.extend(members)
        group = Group(value, list(range(start, len(out_rows))))
        group.summaries = {pid: v for pid, (_, v) in summaries.compute(members, base).items()}
        groups.append(group)
    return out_rows, groups


def _unique_diagnostics(items: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for item in items:
        key = (item.code, item.where, item.message)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
