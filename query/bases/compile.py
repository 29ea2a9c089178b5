"""Bases expression trees → closures over a :class:`~query.bases.context.Context`.

Each expression is compiled once into nested Python closures (no tree walk per row). Names:
``file``, ``note``, ``formula``, ``this`` and the locals of lambdas and summaries (``value``,
``index``, ``acc``, ``values``) are special; any other bare name is a note property of the row.
Member access on null is null; a member the value's type lacks is an error value (SPEC §4.3).
Unknown functions compile to an error value and a diagnostic (the app shows an error in the
cell). ``&&`` and ``||`` short-circuit and give booleans; ``if`` evaluates one branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from query.bases import ast
from query.bases.context import Context
from query.bases.errors import Where
from query.bases.functions import FUNCTIONS, LAZY_FUNCTIONS
from query.bases.members import get_index, get_member
from query.bases.methods import METHOD_NAMES, call_method
from query.bases.semantics import arithmetic, compare_values, equal, truthy
from query.bases.values import ErrorValue, FileRef, Pattern, Value
from query.errors import QueryError
from query.functions.js_regex import compile_js

__all__ = ["Compiled", "Diagnostic", "Fn", "compile_expression"]

Fn = Callable[[Context], Value]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: str  # "error" or "warning"
    code: str
    where: str
    message: str
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "where": self.where,
            "message": self.message,
        }
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        return out


@dataclass(slots=True)
class Compiled:
    """One compiled expression: ``run(context)``, the formulas it reads, its diagnostics."""

    run: Fn
    formulas: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    uses_this: bool = False
    row_local: bool = True  # reads the row's own file only: no clock, no this, no other file


class _Compiler:
    def __init__(self, where: Where | None, locals_: frozenset[str]) -> None:
        self.where = where
        self.locals = locals_
        self.formulas: set[str] = set()
        self.diagnostics: list[Diagnostic] = []
        self.uses_this = False
        self.row_local = True

    def warn(self, code: str, message: str, node: Any) -> None:
        where = self.where
        line, column = node.line, node.column
        if where is not None:
            line, column = where.at(line, column)
        self.diagnostics.append(
            Diagnostic("warning", code, where.label if where else "", message, line, column)
        )

    def compile(self, node: ast.Expr) -> Fn:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        result: Fn = method(node)
        return result

    # -- leaves ------------------------------------------------------------------------------

    def _literal(self, node: ast.Literal) -> Fn:
        value = node.value
        return lambda ctx: value

    def _listlit(self, node: ast.ListLit) -> Fn:
        items = [self.compile(item) for item in node.items]
        return lambda ctx: [item(ctx) for item in items]

    def _regexlit(self, node: ast.RegexLit) -> Fn:
        try:
            flags = node.flags
            compiled = compile_js(
                node.source, "i" in flags, dot_all="s" in flags, multiline="m" in flags
            )
        except QueryError as exc:
            self.warn("regex", exc.message, node)
            error = ErrorValue(exc.message)
            return lambda ctx: error
        value = Pattern(node.source, node.flags, compiled)
        return lambda ctx: value

    def _name(self, node: ast.Name) -> Fn:
        name = node.name
        if name in self.locals:
            return lambda ctx: ctx.locals.get(name) if ctx.locals else None
        if name == "file":
            return lambda ctx: FileRef(ctx.path) if ctx.path is not None else None
        if name == "this":
            self.uses_this = True
            self.row_local = False
            return lambda ctx: FileRef(ctx.this, True) if ctx.this is not None else None
        if name == "note":
            return lambda ctx: ctx.vault.properties(ctx.path) if ctx.path is not None else {}
        if name == "formula":
            # Every formula, or one chosen at run time (formula["n" + "ow"]): dependencies
            # unknown, so never cached.
            self.row_local = False
            return lambda ctx: _all_formulas(ctx)
        return lambda ctx: _local_or_property(ctx, name)

    # -- access ------------------------------------------------------------------------------

    def _member(self, node: ast.Member) -> Fn:
        target, name = node.target, node.name
        if isinstance(target, ast.Name) and target.name not in self.locals:
            if target.name == "formula":
                return self._formula_ref(name, node)
            if target.name == "note":
                return lambda ctx: ctx.vault.property(ctx.path, name) if ctx.path else None
            if target.name == "file" and name in ("backlinks", "links", "embeds"):
                self.row_local = False
        if name in ("backlinks", "links", "embeds"):
            self.row_local = False
        obj = self.compile(target)
        return lambda ctx: get_member(obj(ctx), name, ctx)

    def _formula_ref(self, name: str, node: Any) -> Fn:
        self.formulas.add(name)

        def run(ctx: Context) -> Value:
            table = ctx.formulas
            if table is None:
                return ErrorValue(f'Unknown formula "{name}"')
            result: Value = table.value(name, ctx)
            return result

        return run

    def _index(self, node: ast.Index) -> Fn:
        target = node.target
        if (
            isinstance(target, ast.Name)
            and target.name == "formula"
            and "formula" not in self.locals
            and isinstance(node.index, ast.Literal)
            and isinstance(node.index.value, str)
        ):
            return self._formula_ref(node.index.value, node)
        obj = self.compile(target)
        key = self.compile(node.index)
        return lambda ctx: get_index(obj(ctx), key(ctx), ctx)

    # -- calls -------------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> Fn:
        func = node.func
        if isinstance(func, ast.Name):
            return self._function(func.name, node)
        assert isinstance(func, ast.Member)
        name = func.name
        if name not in METHOD_NAMES:
            self.warn("unknown-method", f'Cannot find function "{name}" on any type', func)
        if name in ("filter", "map", "reduce"):
            return self._lambda_method(func, node)
        if name in ("asFile", "linksTo", "hasLink", "backlinks", "relative"):
            self.row_local = False  # other files, or the clock (relative: "3 days ago")
        target = self.compile(func.target)
        args = [self.compile(arg) for arg in node.args]
        return lambda ctx: call_method(target(ctx), name, [a(ctx) for a in args], ctx)

    def _lambda_method(self, func: ast.Member, node: ast.Call) -> Fn:
        target = self.compile(func.target)
        inner = _Compiler(self.where, self.locals | {"value", "index", "acc"})
        bodies = [inner.compile(arg) for arg in node.args]
        self.formulas |= inner.formulas
        self.diagnostics.extend(inner.diagnostics)
        self.uses_this |= inner.uses_this
        self.row_local &= inner.row_local
        name = func.name
        return lambda ctx: call_method(target(ctx), name, bodies, ctx)

    def _function(self, name: str, node: ast.Call) -> Fn:
        if name in ("now", "today", "random", "file", "link"):
            self.row_local = False
        lazy = LAZY_FUNCTIONS.get(name)
        if lazy is not None:
            args = [self.compile(arg) for arg in node.args]
            return lambda ctx: lazy(args, ctx)
        function = FUNCTIONS.get(name)
        if function is None:
            self.warn("unknown-function", f'Cannot find function "{name}"', node)
            error = ErrorValue(f'Cannot find function "{name}"')
            return lambda ctx: error
        args = [self.compile(arg) for arg in node.args]
        return lambda ctx: function([a(ctx) for a in args], ctx)

    # -- operators ---------------------------------------------------------------------------

    def _unary(self, node: ast.Unary) -> Fn:
        operand = self.compile(node.operand)
        if node.op == "!":
            return lambda ctx: not truthy(operand(ctx))

        def negate(ctx: Context) -> Value:
            value = operand(ctx)
            if isinstance(value, ErrorValue) or value is None:
                return value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return -value
            return ErrorValue(f"Cannot negate a value of type {type(value).__name__}")

        return negate

    def _binary(self, node: ast.Binary) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        op = node.op
        if op == "==":
            return lambda ctx: equal(left(ctx), right(ctx), ctx.clock.local)
        if op == "!=":
            return lambda ctx: not equal(left(ctx), right(ctx), ctx.clock.local)
        if op in ("<", "<=", ">", ">="):
            test: Callable[[int], bool] = {
                "<": _less,
                "<=": _at_most,
                ">": _more,
                ">=": _at_least,
            }[op]

            def compare(ctx: Context) -> Value:
                a, b = left(ctx), right(ctx)
                if isinstance(a, ErrorValue):
                    return a
                if isinstance(b, ErrorValue):
                    return b
                order = compare_values(a, b, ctx.clock.local)
                return False if order is None else test(order)

            return compare
        return lambda ctx: arithmetic(op, left(ctx), right(ctx), ctx.clock.local)

    def _logical(self, node: ast.Logical) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        if node.op == "&&":
            return lambda ctx: truthy(left(ctx)) and truthy(right(ctx))
        return lambda ctx: truthy(left(ctx)) or truthy(right(ctx))


def _less(order: int) -> bool:
    return order < 0


def _at_most(order: int) -> bool:
    return order <= 0


def _more(order: int) -> bool:
    return order > 0


def _at_least(order: int) -> bool:
    return order >= 0


def _local_or_property(ctx: Context, name: str) -> Value:
    if ctx.locals is not None and name in ctx.locals:
        return ctx.locals[name]
    if ctx.path is None:
        return None
    return ctx.vault.property(ctx.path, name)


def _all_formulas(ctx: Context) -> Value:
    table = ctx.formulas
    if table is None:
        return {}
    return {name: table.value(name, ctx) for name in table.names()}


def compile_expression(
    node: ast.Expr, where: Where | None = None, *, locals_: frozenset[str] = frozenset()
) -> Compiled:
    """Compile one parsed expression; ``locals_`` are names bound by the caller (``values`` in
    a summary formula)."""
    compiler = _Compiler(where, locals_)
    run = compiler.compile(node)
    return Compiled(
        run, compiler.formulas, compiler.diagnostics, compiler.uses_this, compiler.row_local
    )
