"""Numeric and aggregation built-ins (SPEC §8 "Numeric").

``round trunc floor ceil min max sum product average reduce minby maxby``. Rounding follows JS
(``Math.round`` rounds half toward +∞; ``round(n, d)`` is ``parseFloat(n.toFixed(d))``, computed
on the exact binary value, so ``round(1.005, 2)`` is 1). Folds go through
``query.semantics.binary_op`` so strings concatenate and durations add exactly as ``+`` does.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from query.errors import EvaluationError
from query.functions.dispatch import BuiltinFunction, CallContext, js_number, to_integer
from query.semantics import binary_op, compare
from query.values import Value


def js_round(x: float) -> int | float:
    """``Math.round``: the nearest integer, ties toward +∞."""
    if isinstance(x, int):
        return x
    if not math.isfinite(x):
        return x
    low = math.floor(x)
    return js_number(float(low + 1 if x - low >= 0.5 else low))


def _to_fixed(x: float, digits: float) -> int | float:
    """``parseFloat(x.toFixed(digits))`` for digits > 0."""
    if to_integer(digits) > 100:
        raise EvaluationError("toFixed() digits argument must be between 0 and 100")
    d = int(to_integer(digits))
    if not math.isfinite(x) or abs(x) >= 1e21:
        return x
    # toFixed rounds the exact binary value, ties away from zero.
    with localcontext() as dec:
        dec.prec = 250  # enough for any double below 1e21 at 100 decimals
        fixed = Decimal(x).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)
    return js_number(float(fixed))


def _js_unary(fn: Any) -> Any:
    def apply(_ctx: CallContext, x: float) -> Value:
        if isinstance(x, int) or not math.isfinite(x):
            return x
        return js_number(float(fn(x)))

    return apply


ROUND = (
    BuiltinFunction("round")
    .variant(("number",), lambda _c, n: js_round(n))
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
    .variant(("number", "number"), lambda _c, n, p: js_round(n) if p <= 0 else _to_fixed(n, p))
    .variant(("number", "null"), lambda _c, n, _p: js_round(n))
    .variant(("null", "*"), lambda _c, _n, _p: None)
    .vectorize(2, (0,))
)
TRUNC = (
    BuiltinFunction("trunc")
    .variant(("number",), _js_unary(math.trunc))
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)
FLOOR = (
    BuiltinFunction("floor")
    .variant(("number",), _js_unary(math.floor))
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)
CEIL = (
    BuiltinFunction("ceil")
    .variant(("number",), _js_unary(math.ceil))
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)


def _extremum(name: str, keep_left: Any) -> BuiltinFunction:
    """``min``/``max``: pairwise with nulls skipped, one list argument spread, else variadic."""
    fn = BuiltinFunction(name)

    def fold(ctx: CallContext, *args: Value) -> Value:
        if not args:
            return None
        acc = args[0]
        for item in args[1:]:
            acc = fn(ctx, [acc, item])
        return acc

    return (
        fn.variant(("*", "null"), lambda _c, a, _n: a)
        .variant(("null", "*"), lambda _c, _n, b: b)
        .variant(("*", "*"), lambda _c, a, b: a if keep_left(compare(a, b)) else b)
        .variant(("array",), lambda c, items: fn(c, list(items)))
        .vararg(fold)
    )


MIN = _extremum("min", lambda order: order <= 0)
MAX = _extremum("max", lambda order: order > 0)

_REDUCE_OPS = ("+", "-", "*", "/", "&", "|")


def _reduce_op(ctx: CallContext, items: list[Value], op: str) -> Value:
    if not items:
        return None
    if op not in _REDUCE_OPS:
        raise EvaluationError("reduce(array, op) supports '+', '-', '/', '*', '&', and '|'")
    acc = items[0]
    guard = ctx.guard
    guard.tick(len(items))
    for item in items[1:]:
        acc = binary_op(op, acc, item, ctx.env)
        if type(acc) is str or type(acc) is list:
            guard.tick(len(acc))  # each step copies the sum so far
    return acc


def _reduce_fn(ctx: CallContext, items: list[Value], fn: Value) -> Value:
    if not items:
        return None
    acc = items[0]
    ctx.guard.tick(len(items))
    for item in items[1:]:
        if item is None:  # Dataview skips nulls here to ease summing optional fields
            continue
        acc = ctx.call_value(fn, [acc, item])
    return acc


REDUCE = (
    BuiltinFunction("reduce")
    .variant(("array", "string"), _reduce_op)
    .variant(("array", "function"), _reduce_fn)
    .variant(("null", "*"), lambda _c, _a, _b: None)
    .variant(("*", "null"), lambda _c, _a, _b: None)
    .vectorize(2, (1,))
)
SUM = (
    BuiltinFunction("sum")
    .variant(("array",), lambda c, items: _reduce_op(c, items, "+"))
    .variant(("*",), lambda _c, x: x)
)
PRODUCT = (
    BuiltinFunction("product")
    .variant(("array",), lambda c, items: _reduce_op(c, items, "*"))
    .variant(("*",), lambda _c, x: x)
)


def _average(ctx: CallContext, items: list[Value]) -> Value:
    if not items:
        return None
    total = _reduce_op(ctx, items, "+")
    if total is None:
        return None
    return binary_op("/", total, len(items), ctx.env)


AVERAGE = BuiltinFunction("average").variant(("array",), _average).variant(("*",), lambda _c, x: x)


def _by(name: str, keep_left: Any) -> BuiltinFunction:
    def pick(ctx: CallContext, items: list[Value], fn: Value) -> Value:
        if not items:
            return None
        ctx.guard.tick(len(items))
        keyed = [(ctx.call_value(fn, [item]), item) for item in items]
        keyed = [(key, item) for key, item in keyed if key is not None]
        if not keyed:
            return items[0]
        best = keyed[0]
        for candidate in keyed[1:]:
            if not keep_left(compare(best[0], candidate[0])):
                best = candidate
        return best[1]

    return (
        BuiltinFunction(name)
        .variant(("array", "function"), pick)
        .variant(("null", "function"), lambda _c, _a, _f: None)
    )


MINBY = _by("minby", lambda order: order <= 0)
MAXBY = _by("maxby", lambda order: order > 0)

NUMERIC: dict[str, BuiltinFunction] = {
    "round": ROUND,
    "trunc": TRUNC,
    "floor": FLOOR,
    "ceil": CEIL,
    "min": MIN,
    "max": MAX,
    "sum": SUM,
    "product": PRODUCT,
    "average": AVERAGE,
    "reduce": REDUCE,
    "minby": MINBY,
    "maxby": MAXBY,
}
