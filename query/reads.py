"""Which expressions may be evaluated over a one-entry row instead of the full row.

FLATTEN builds one row per element: the source row plus the flattened name. A WHERE right after
it that reads nothing but that name (no other field, no ``row``, ``this`` or lambda, whose frames
read through to the row) gives the same value, or the same error, on the one-entry row
``{name: element}``: function calls see only their arguments and the scope, never the row. So
the engine can run that WHERE on the elements and build full rows only for the survivors.
"""

from __future__ import annotations

from query import ast

__all__ = ["reads_only"]


def reads_only(expr: ast.Expr, name: str) -> bool:
    """Whether evaluating ``expr`` reads no row entry but ``name`` (conservatively)."""
    if name in ("row", "this"):
        return False
    return _reads_only(expr, name)


def _reads_only(expr: ast.Expr, name: str) -> bool:
    if isinstance(expr, (ast.Literal, ast.DateLiteral)):
        return True
    if isinstance(expr, ast.Variable):
        return expr.name == name
    if isinstance(expr, ast.Index):
        return _reads_only(expr.obj, name) and _reads_only(expr.index, name)
    if isinstance(expr, ast.Call):
        # A callee named by a plain identifier is the built-in function of that name (resolved
        # at compile time), not a read of the row.
        callee_ok = isinstance(expr.callee, ast.Variable) or _reads_only(expr.callee, name)
        return callee_ok and all(_reads_only(arg, name) for arg in expr.args)
    if isinstance(expr, ast.BinaryOp):
        return _reads_only(expr.left, name) and _reads_only(expr.right, name)
    if isinstance(expr, ast.Negate):
        return _reads_only(expr.operand, name)
    if isinstance(expr, ast.ListExpr):
        return all(_reads_only(item, name) for item in expr.items)
    if isinstance(expr, ast.ObjectExpr):
        return all(_reads_only(value, name) for _, value in expr.entries)
    return False  # lambdas (their frames read through to the row) and anything unforeseen
