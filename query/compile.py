"""Compiles ``ast.Expr`` trees once into nested closures ``(row, scope) -> Value``.

Per-row evaluation then runs plain Python calls: no tree walking and no dispatch on node types.
Semantics follow Dataview (SPEC §3.1, §5, §6): a bare identifier reads the row, then the global
``this``, then null; ``row[...]`` reads the row merged over the globals; calls go by exact name to
the built-in library (unknown names and impossible arities are a :class:`QuerySemanticError` at
compile time, with the position); lambdas become :class:`Function` values closing over the row;
``and``/``or`` evaluate both sides; link literals are normalised through the scope.

A :class:`Scope` carries everything evaluation needs besides the row: the environment (clock,
local zone, settings), ``this`` and the link handlers. Build one per query with ``make_scope``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

from query import ast
from query.access import field_value, index_value
from query.errors import EvaluationError, QuerySemanticError, caret_context
from query.functions import FUNCTIONS, BuiltinFunction, CallContext, function_arity_ok
from query.functions.dispatch import variant_error
from query.functions.lists import ELEMENTWISE
from query.lambdas import (
    ElementOf,
    fields_element,
    frame_element,
    lambda_of_fields,
    lambda_of_param,
    param_element,
)
from query.limits import UNLIMITED, Guard
from query.parsing.tree import DATE_SHORTHANDS
from query.reads import reads_only
from query.rows import OverlayRow, TaskRow, row_get
from query.semantics import COMPARISON_TESTS as _COMPARISON_TESTS
from query.semantics import Env, binary_op, compare, equals, truthy, type_name
from query.temporal.dates import date_shorthand, epoch_us, parse_date
from query.values import Date, Function, Link, Value

__all__ = ["Compiled", "Scope", "compile_expression", "make_scope"]

_MISSING: Any = object()
_dict_get = dict.get

Row: TypeAlias = Mapping[str, Value]


@dataclass(slots=True, eq=False)
class Scope:
    """Per-query evaluation state (not per row). ``this`` is the page holding the query."""

    env: Env
    this: Mapping[str, Value]
    resolve_link: Callable[[Link], Mapping[str, Value] | None]
    normalize_link: Callable[[str], str]
    guard: Guard = UNLIMITED
    ctx: CallContext = field(init=False)
    _dates: dict[str, Date | None] = field(init=False, default_factory=dict)
    _links: dict[int, tuple[Link, Link]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.ctx = CallContext(
            env=self.env,
            resolve_link=self.resolve_link,
            normalize_link=self.normalize_link,
            call_value=call_value,
            index_value=lambda obj, index: index_value(obj, index, self.resolve_link),
            guard=self.guard,
        )

    def literal_date(self, text: str) -> Date | None:
        """The value of ``date(text)`` as a literal, computed once per scope (clock and zone)."""
        try:
            return self._dates[text]
        except KeyError:
            pass
        if text in DATE_SHORTHANDS:
            value = date_shorthand(text, self.env.now)
        else:
            value = parse_date(text, self.env.local)
        self._dates[text] = value
        return value

    def literal_link(self, link: Link) -> Link:
        """A link literal with its path normalised, resolved once per scope."""
        # Keyed by identity: the literal is one AST constant, alive while the query runs, and
        # hashing a Link (a dataclass) costs more than resolving it twice.
        hit = self._links.get(id(link))
        if hit is not None and hit[0] is link:
            return hit[1]
        value = link.with_path(self.normalize_link(link.path))
        self._links[id(link)] = (link, value)
        return value


def make_scope(
    *,
    env: Env,
    this: Mapping[str, Value],
    resolve_link: Callable[[Link], Mapping[str, Value] | None],
    normalize_link: Callable[[str], str],
    guard: Guard = UNLIMITED,
) -> Scope:
    return Scope(env, this, resolve_link, normalize_link, guard)


Compiled: TypeAlias = Callable[[Row, Scope], Value]
_Made = TypeVar("_Made")  # what a lambda maker makes (``_lambda_by_shape``)


def call_value(fn: Value, args: list[Value]) -> Value:
    """Call a function value (a lambda) with positional arguments."""
    if isinstance(fn, Function):
        return fn.call(args)
    raise EvaluationError(f"Cannot call type '{type_name(fn)}' as a function")


_CACHE: dict[int, tuple[ast.Expr, Compiled]] = {}
_CACHE_LIMIT = 4096


def compile_expression(expr: ast.Expr, text: str | None = None) -> Compiled:
    """The closure evaluating ``expr``; ``text`` (the query) only improves error context.

    Results are cached by node identity, so re-running a cached parse compiles nothing.
    """
    hit = _CACHE.get(id(expr))
    if hit is not None and hit[0] is expr:
        return hit[1]
    compiled = _compile(expr, text)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[id(expr)] = (expr, compiled)
    return compiled


def _semantic_error(message: str, node: ast.Expr, text: str | None) -> QuerySemanticError:
    span = node.span
    context = caret_context(text, span.line, span.column) if text else None
    return QuerySemanticError(message, line=span.line, column=span.column, context=context)


def _compile(expr: ast.Expr, text: str | None) -> Compiled:
    if isinstance(expr, ast.Literal):
        return _literal(expr.value)
    if isinstance(expr, ast.DateLiteral):
        date_text = expr.text
        return lambda row, scope: scope.literal_date(date_text)
    if isinstance(expr, ast.Variable):
        return _variable(expr.name)
    if isinstance(expr, ast.Index):
        return _index(expr, text)
    if isinstance(expr, ast.Call):
        return _call(expr, text)
    if isinstance(expr, ast.BinaryOp):
        return _binary(expr.op, _compile(expr.left, text), _compile(expr.right, text))
    if isinstance(expr, ast.Negate):
        operand = _compile(expr.operand, text)

        def negate(row: Row, scope: Scope) -> Value:
            value = operand(row, scope)
            return not value if type(value) is bool else not truthy(value)

        return negate
    if isinstance(expr, ast.ListExpr):
        items = tuple(_compile(item, text) for item in expr.items)
        return lambda row, scope: [item(row, scope) for item in items]
    if isinstance(expr, ast.ObjectExpr):
        entries = tuple((key, _compile(value, text)) for key, value in expr.entries)
        return lambda row, scope: {key: value(row, scope) for key, value in entries}
    if isinstance(expr, ast.Lambda):
        return _lambda_by_shape(expr, text, lambda_of_fields, lambda_of_param, _lambda)
    raise TypeError(f"not an expression node: {type(expr).__name__}")


def _literal(value: Value) -> Compiled:
    if isinstance(value, Link):
        link = value
        key = id(link)

        def link_literal(row: Row, scope: Scope) -> Value:
            hit = scope._links.get(key)  # resolved once per query (see ``literal_link``)
            return hit[1] if hit is not None and hit[0] is link else scope.literal_link(link)

        return link_literal
    return lambda row, scope: value


def _variable(name: str) -> Compiled:
    if name == "this":
        return lambda row, scope: row_get(row, "this", scope.this)

    def read(row: Row, scope: Scope) -> Value:
        if type(row) is dict:  # plain page rows: the C lookup, no helper call
            return row.get(name)
        if type(row) is TaskRow:  # TASK rows: the task's entries, then the page's
            value = row.task.get(name, _MISSING)
            return row.page.get(name) if value is _MISSING else value
        if isinstance(row, OverlayRow):  # FLATTEN rows and lambda frames: own entries first
            value = _dict_get(row, name, _MISSING)
            if value is not _MISSING:
                return value
            return row_get(row.base, name)
        return row.get(name)

    return read


def _row_field(row: Row, scope: Scope, key: Value) -> Value:
    """``row[key]``: the row's data merged over the globals (only ``this``)."""
    if key is None:
        return None
    if not isinstance(key, str):
        raise EvaluationError('can only index into objects with strings (a.b or a["b"])')
    return row_get(row, key, scope.this if key == "this" else None)


def _index(expr: ast.Index, text: str | None) -> Compiled:
    is_row = isinstance(expr.obj, ast.Variable) and expr.obj.name == "row"
    if isinstance(expr.index, ast.Literal) and isinstance(expr.index.value, str):
        key: str = expr.index.value
        if is_row:
            return lambda row, scope: _row_field(row, scope, key)
        path = _dot_path(expr)
        if path is not None:
            return _path(path[0], path[1:])
        obj = _compile(expr.obj, text)

        def dot(row: Row, scope: Scope) -> Value:
            value = obj(row, scope)
            if type(value) is dict:
                return value.get(key)
            return field_value(value, key, scope.resolve_link)

        return dot
    index = _compile(expr.index, text)
    if is_row:
        return lambda row, scope: _row_field(row, scope, index(row, scope))
    obj = _compile(expr.obj, text)
    return lambda row, scope: index_value(obj(row, scope), index(row, scope), scope.resolve_link)


def _dot_path(expr: ast.Index) -> tuple[str, ...] | None:
    """``a.b.c`` (string keys on a plain variable) as ``("a", "b", "c")``; None otherwise."""
    keys: list[str] = []
    node: ast.Expr = expr
    while isinstance(node, ast.Index):
        if not (isinstance(node.index, ast.Literal) and isinstance(node.index.value, str)):
            return None
        keys.append(node.index.value)
        node = node.obj
    if not isinstance(node, ast.Variable) or node.name in ("this", "row"):
        return None
    keys.append(node.name)
    return tuple(reversed(keys))


def _path(name: str, keys: tuple[str, ...]) -> Compiled:
    """``name.k1.k2…`` in one closure: what nested ``dot`` closures compute, without the calls."""
    read = _variable(name)

    def walk(row: Row, scope: Scope) -> Value:
        value = row.get(name) if type(row) is dict else read(row, scope)
        for key in keys:
            if type(value) is dict:
                value = value.get(key)
            else:
                value = field_value(value, key, scope.resolve_link)
        return value

    return walk


def _call(expr: ast.Call, text: str | None) -> Compiled:
    args = tuple(_compile(arg, text) for arg in expr.args)
    callee = expr.callee
    if isinstance(callee, ast.Variable):
        name = callee.name
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise _semantic_error(f"Unrecognized function name '{name}'", callee, text)
        if not function_arity_ok(name, len(args)):
            count = f"{len(args)} argument{'s' if len(args) != 1 else ''}"
            raise _semantic_error(f"function '{name}' does not take {count}", callee, text)
        if len(args) == 1:
            (only,) = args
            return lambda row, scope: fn(scope.ctx, [only(row, scope)])
        if len(args) == 2:
            first, second = args
            over = ELEMENTWISE.get(name)
            lam = expr.args[1]
            if over is not None and isinstance(lam, ast.Lambda):
                return _elementwise(name, fn, over, first, second, _element_of(lam, text))
            return lambda row, scope: fn(scope.ctx, [first(row, scope), second(row, scope)])
        return lambda row, scope: fn(scope.ctx, [arg(row, scope) for arg in args])
    target = _compile(callee, text)

    def dynamic(row: Row, scope: Scope) -> Value:
        value = target(row, scope)
        values = [arg(row, scope) for arg in args]
        if isinstance(value, str) and value in FUNCTIONS:
            return FUNCTIONS[value](scope.ctx, values)
        return call_value(value, values)

    return dynamic


_NUMBER_TYPES = (int, float)
_FAST_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


_FAST_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}
_SAFE_INT = 2**53  # beyond this, JS numbers lose precision and Python ints would not
# Only int (op) int takes the fast path: float results need js_number's normalisation.


def _binary(op: str, left: Compiled, right: Compiled) -> Compiled:
    if op in ("&", "and"):
        # Both sides are evaluated, as Dataview does: an error on the right fails the row.
        def both(row: Row, scope: Scope) -> Value:
            a = left(row, scope)
            b = right(row, scope)
            # Booleans (what comparisons give) need no truthiness call.
            if not (a if type(a) is bool else truthy(a)):
                return False
            return b if type(b) is bool else truthy(b)

        return both
    if op in ("|", "or"):

        def either(row: Row, scope: Scope) -> Value:
            a = left(row, scope)
            b = right(row, scope)
            if a if type(a) is bool else truthy(a):
                return True
            return b if type(b) is bool else truthy(b)

        return either
    arithmetic = _FAST_ARITHMETIC.get(op)
    if arithmetic is not None:

        def calculate(row: Row, scope: Scope) -> Value:
            a = left(row, scope)
            b = right(row, scope)
            if type(a) is int and type(b) is int:
                result = arithmetic(a, b)
                if -_SAFE_INT < result < _SAFE_INT:
                    return result
            value = binary_op(op, a, b, scope.env)
            if type(value) is str or type(value) is list:
                scope.guard.tick(len(value))  # what "+" and "*" build (``query.limits``)
            return value

        return calculate
    fast = _FAST_COMPARE.get(op)
    if fast is not None:
        test = _COMPARISON_TESTS[op]
        # Plain numbers compare as Python numbers; everything else goes through the comparator
        # (equality through ``equals``, which answers unequal strings and links sooner).
        if op in ("=", "!="):
            negate = op == "!="

            def equality(row: Row, scope: Scope) -> Value:
                a = left(row, scope)
                b = right(row, scope)
                if type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES and a == a and b == b:
                    return fast(a, b)
                return equals(a, b) is not negate

            return equality

        def ordering(row: Row, scope: Scope) -> Value:
            a = left(row, scope)
            b = right(row, scope)
            if type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES and a == a and b == b:
                return fast(a, b)
            if (
                type(a) is Date
                and type(b) is Date
                and a.zone == b.zone
                and a.invalid is None
                and b.invalid is None
            ):
                # Valid dates in one zone order by instant alone (equal instants are equal).
                return fast(epoch_us(a.dt), epoch_us(b.dt))
            return test(compare(a, b))

        return ordering
    return lambda row, scope: binary_op(op, left(row, scope), right(row, scope), scope.env)


def _elementwise(
    name: str,
    fn: BuiltinFunction,
    over: Callable[[CallContext, list[Value], Callable[[Value], Value]], Value],
    items_of: Compiled,
    lambda_of: Compiled,
    element_of: ElementOf,
) -> Compiled:
    """``filter(xs, (t) => …)`` and the like: on a list, the ``(array, function)`` variant's
    loop (``functions_lists.ELEMENTWISE``) runs with the lambda applied directly, as the call
    would run it, errors included; anything else is the plain call. This halved lambdas over
    ``file.tasks`` at 50k notes (a function value per row, ``call_value`` per element)."""

    def elementwise(row: Row, scope: Scope) -> Value:
        items = items_of(row, scope)
        if type(items) is list:
            try:
                return over(scope.ctx, items, element_of(row, scope))
            except (RecursionError, ArithmeticError, ValueError) as exc:
                raise variant_error(name, exc) from exc  # as ``fn`` reports them
        return fn(scope.ctx, [items, lambda_of(row, scope)])

    return elementwise


def _element_of(expr: ast.Lambda, text: str | None) -> ElementOf:
    """The lambda literal applied to one argument, as its compiled ``Function`` would be."""
    return _lambda_by_shape(expr, text, fields_element, param_element, frame_element)


def _lambda_by_shape(
    expr: ast.Lambda,
    text: str | None,
    of_fields: Callable[[tuple[str, ...], bool], _Made],
    of_param: Callable[[str, Compiled], _Made],
    of_frame: Callable[[tuple[str, ...], Compiled], _Made],
) -> _Made:
    """A lambda literal made by the cheapest maker its body allows: ``t.a.b`` / ``!t.a.b``
    (``of_fields``), a body reading only its one parameter (``of_param``), else a frame over
    the row (``of_frame``)."""
    body = _compile(expr.body, text)
    if len(expr.params) == 1 and reads_only(expr.body, expr.params[0]):
        fields = _param_fields(expr.body, expr.params[0])
        if fields is not None:
            return of_fields(*fields)
        return of_param(expr.params[0], body)
    return of_frame(expr.params, body)


def _lambda(params: tuple[str, ...], body: Compiled) -> Compiled:
    def make(row: Row, scope: Scope) -> Value:
        def call(args: list[Value]) -> Value:
            # The parameters over the enclosing row, as an overlay: copying the row for every
            # element of a list dominated lambda-heavy queries.
            frame = OverlayRow(
                {param: args[i] if i < len(args) else None for i, param in enumerate(params)}
            )
            frame.base = row
            return body(frame, scope)

        return Function(call)

    return make


def _param_fields(body: ast.Expr, param: str) -> tuple[tuple[str, ...], bool] | None:
    """``(keys, negated)`` when ``body`` is ``param.k1.k2…`` or ``!param.k1.k2…``."""
    negated = isinstance(body, ast.Negate)
    node = body.operand if isinstance(body, ast.Negate) else body
    path = _dot_path(node) if isinstance(node, ast.Index) else None
    if path is None or path[0] != param:
        return None
    return path[1:], negated
