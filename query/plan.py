"""Shortcuts the engine may take without changing a query's result (no result is ever cached).

- ``outlink_target``: a WHERE that is ``contains(file.outlinks, [[x]])`` (alone or AND-ed with
  terms that cannot fail) only keeps pages holding a link equal to ``[[x]]``; the link index
  names a superset of them, so only those pages are evaluated. The predicate still runs on each
  survivor, so the result is the same; because no term can fail, dropping rows early cannot
  change which rows error (Dataview's "every row failed" rule) either.
- ``column_path``: a SORT key that is a plain field (``rating``) or a ``file`` field
  (``file.mtime``) reads the page without resolving links, so its values over one of the index's
  path sequences can be cached by the index with their sort keys.
- ``exact_link``: when that WHERE is the ``contains`` alone, pages holding a link with the very
  path string (no subpath, same type) are kept without evaluating it (``VaultIndex
  .exact_linkers``); only the other candidates are evaluated.
- ``limit_value``: a LIMIT right after a SORT lets the sort return only that many rows.

Other shortcuts live in ``query.columns`` (WHERE conjunctions of simple field tests, answered
from cached columns, which also keep their sort keys for GROUP BY and their flattened elements
for FLATTEN), ``query.reads`` (a WHERE right after FLATTEN that reads only the new name runs on
the elements) and ``query.compile`` (``filter``/``map``/``any``/``all``/``none`` with a lambda
literal apply it per element without making a function value).
"""

from __future__ import annotations

import math

from query import ast
from query.compile import Scope, compile_expression
from query.errors import EvaluationError
from query.values import Link

__all__ = ["column_path", "exact_link", "limit_value", "outlink_target"]

_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})


def _conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.BinaryOp) and expr.op in ("&", "and"):
        return [*_conjuncts(expr.left), *_conjuncts(expr.right)]
    return [expr]


def _is_outlinks_contains(expr: ast.Expr) -> Link | None:
    """The link literal of ``contains(file.outlinks, [[x]])``, else None."""
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.callee, ast.Variable)
        and expr.callee.name == "contains"
        and len(expr.args) == 2
    ):
        return None
    haystack, needle = expr.args
    if column_path(haystack) != ("file", "outlinks"):
        return None
    if isinstance(needle, ast.Literal) and type(needle.value) is Link:
        return needle.value
    return None


def _cannot_fail(expr: ast.Expr) -> bool:
    """Conservatively: evaluating ``expr`` on a page row never raises."""
    if isinstance(expr, (ast.Literal, ast.DateLiteral)):
        return True
    if isinstance(expr, ast.Variable):
        return True  # a row read (or ``this``): never an error
    if isinstance(expr, ast.Negate):
        return _cannot_fail(expr.operand)  # truthiness is total
    if isinstance(expr, ast.BinaryOp):
        # Comparisons use the total comparator; and/or only take truthiness.
        total = expr.op in _COMPARISONS or expr.op in ("&", "and", "|", "or")
        return total and _cannot_fail(expr.left) and _cannot_fail(expr.right)
    if isinstance(expr, ast.Index):
        # ``file.x`` on a page: ``file`` is always the implicit object, a plain dict.
        return column_path(expr) is not None
    return _is_outlinks_contains(expr) is not None


def outlink_target(expr: ast.Expr, scope: Scope) -> str | None:
    """The (normalised) path every row kept by the WHERE ``expr`` must link to, or None.

    Only valid on the page rows a source produced, before any other command ran.
    """
    target: Link | None = None
    for term in _conjuncts(expr):
        literal = _is_outlinks_contains(term)
        if literal is not None and target is None:
            target = literal
        elif not _cannot_fail(term):
            return None
    if target is None:
        return None
    # Evaluated as the query evaluates it (normalised through the scope, once per query).
    return scope.literal_link(target).path


def exact_link(expr: ast.Expr, scope: Scope) -> Link | None:
    """The (normalised) link ``[[x]]`` when the WHERE ``expr`` is exactly
    ``contains(file.outlinks, [[x]])`` with a link to a whole note, else None.

    Such a WHERE keeps every page holding a link of the same path *string*, type and no subpath
    (the comparator calls those equal without looking further), so the index can name those
    pages and only the other candidates need evaluating.
    """
    literal = _is_outlinks_contains(expr)
    if literal is None:
        return None
    link = scope.literal_link(literal)
    return link if link.subpath is None else None


def column_path(expr: ast.Expr) -> tuple[str, ...] | None:
    """``("name",)`` for a plain field, ``("file", "key")`` for a file field, else None."""
    if isinstance(expr, ast.Variable):
        return None if expr.name in ("this", "row") else (expr.name,)
    if (
        isinstance(expr, ast.Index)
        and isinstance(expr.obj, ast.Variable)
        and expr.obj.name == "file"
        and isinstance(expr.index, ast.Literal)
        and type(expr.index.value) is str
    ):
        return ("file", expr.index.value)
    return None


def limit_value(op: ast.Limit, scope: Scope) -> int | None:
    """The row count a LIMIT keeps when that does not depend on the row count (a non-negative
    number); None otherwise, including when it errors (the LIMIT reports that itself)."""
    try:
        value = compile_expression(op.expr)({}, scope)
    except EvaluationError:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    if value < 0:
        return None
    return None if math.isinf(value) else math.trunc(value)
