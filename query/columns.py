"""Column-wise WHERE: a conjunction of simple field tests answered from cached columns.

A WHERE whose terms are all of the forms

- ``f`` (truthiness of a field), ``!f``;
- ``f OP literal`` or ``literal OP f`` with ``OP`` a comparison (``= != < <= > >=``),

where ``f`` is a plain field (``due``) or a ``file`` field (``file.mtime``), keeps exactly the
rows where every term holds. None of these terms can raise (reads of a row never fail,
truthiness and the §6.2 comparator are total), so evaluating ``and`` lazily, term by term, in any
order, keeps the same rows as Dataview's eager evaluation, and the "every row failed" rule never
applies. The field values over a source's rows are cached by the index (``Column``), with their
truthiness and, for dates, their instants, so a query only runs the tests themselves.

Comparisons take the same fast paths as ``query.compile`` (plain numbers as Python numbers, valid
dates of one zone by instant); every other pair goes through ``compare``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from typing import Any

from query import ast
from query.compile import Scope, compile_expression
from query.plan import column_path
from query.semantics import COMPARISON_TESTS, compare, equals, truthy
from query.sorting import keys_for
from query.temporal.dates import epoch_us
from query.values import Date, Value

__all__ = ["Column", "Term", "column_terms", "flatten_values", "select"]

_FAST: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


_UNSET: Any = object()


class Column:
    """One field's values over a sequence of rows, with lazily derived truthiness, instants and
    sort keys (each derived list is deterministic, so concurrent fills are harmless)."""

    __slots__ = ("_flat", "_instants", "_keys", "_truth", "values")

    def __init__(self, values: list[Value]) -> None:
        self.values = values
        self._truth: list[bool] | None = None
        self._instants: list[int | None] | None = None
        self._keys: list[Any] | None = _UNSET
        self._flat: tuple[Column, list[int]] | None = None

    def flattened(self) -> tuple[Column, list[int]]:
        """:func:`flatten_values` of the values, computed once (FLATTEN of a cached field)."""
        if self._flat is None:
            self._flat = flatten_values(self.values)
        return self._flat

    def keys(self) -> list[Any] | None:
        """``keys_for(values)``: sort keys ordering the values as ``compare`` does, or None.

        Also valid for any subset of the rows: equal keys are exactly the pairs the comparator
        calls equal, and key order is its order, whatever other values share the column."""
        if self._keys is _UNSET:
            self._keys = keys_for(self.values)
        return self._keys

    def truth(self) -> list[bool]:
        if self._truth is None:
            self._truth = [v if type(v) is bool else truthy(v) for v in self.values]
        return self._truth

    def instants(self) -> list[int | None]:
        """Each valid date's instant (µs since the epoch); None for anything else."""
        if self._instants is None:
            self._instants = [
                epoch_us(v.dt) if type(v) is Date and v.invalid is None else None
                for v in self.values
            ]
        return self._instants


def flatten_values(values: list[Value]) -> tuple[Column, list[int]]:
    """FLATTEN's elements of ``values`` (a list gives its elements, anything else itself) as a
    column, and the position in ``values`` each element comes from."""
    elements: list[Value] = []
    owners: list[int] = []
    for position, value in enumerate(values):
        if isinstance(value, list):
            elements.extend(value)
            owners.extend(repeat(position, len(value)))
        else:
            elements.append(value)
            owners.append(position)
    return Column(elements), owners


@dataclass(frozen=True, slots=True)
class Term:
    """One conjunct: ``kind`` is "truthy", "falsy" or a comparison operator with the field on
    the left (``literal OP f`` is stored as ``f flipped-OP literal`` only for the fast paths;
    the comparator is always called in the written order)."""

    path: tuple[str, ...]
    kind: str
    literal: ast.Expr | None = None
    literal_first: bool = False


def _conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.BinaryOp) and expr.op in ("&", "and"):
        return [*_conjuncts(expr.left), *_conjuncts(expr.right)]
    return [expr]


def _is_literal(expr: ast.Expr) -> bool:
    return isinstance(expr, (ast.Literal, ast.DateLiteral))


def _term(expr: ast.Expr) -> Term | None:
    path = column_path(expr)
    if path is not None:
        return Term(path, "truthy")
    if isinstance(expr, ast.Negate):
        path = column_path(expr.operand)
        return Term(path, "falsy") if path is not None else None
    if isinstance(expr, ast.BinaryOp) and expr.op in _FAST:
        left, right = column_path(expr.left), column_path(expr.right)
        if left is not None and _is_literal(expr.right):
            return Term(left, expr.op, expr.right, False)
        if right is not None and _is_literal(expr.left):
            return Term(right, expr.op, expr.left, True)
    return None


def column_terms(expr: ast.Expr) -> list[Term] | None:
    """The WHERE ``expr`` as column terms, when every conjunct is one; else None."""
    terms: list[Term] = []
    for part in _conjuncts(expr):
        term = _term(part)
        if term is None:
            return None
        terms.append(term)
    return terms


def select(
    terms: Sequence[Term],
    columns: Sequence[Column],
    positions: list[int] | None,
    scope: Scope,
) -> list[int]:
    """The positions (ascending, among ``positions`` or all rows) where every term holds;
    ``columns[k]`` holds ``terms[k]``'s field over all the rows."""
    order = sorted(range(len(terms)), key=lambda k: terms[k].kind not in ("truthy", "falsy"))
    kept: list[int] | None = positions
    for k in order:
        term, column = terms[k], columns[k]
        if term.kind in ("truthy", "falsy"):
            mask = column.truth()
            if term.kind == "falsy":
                mask = [not flag for flag in mask]
            if kept is None:
                kept = list(compress(range(len(mask)), mask))
            else:
                kept = [i for i in kept if mask[i]]
        else:
            every = range(len(column.values)) if kept is None else kept
            kept = _compare(term, column, every, scope)
    return kept if kept is not None else []


def _compare(term: Term, column: Column, positions: Sequence[int], scope: Scope) -> list[int]:
    assert term.literal is not None
    literal = compile_expression(term.literal)({}, scope)
    values = column.values
    test = COMPARISON_TESTS[term.kind]
    first = term.literal_first
    fast = _FAST[_FLIPPED[term.kind] if first else term.kind]  # applied as (field, literal)

    if term.kind in ("=", "!="):
        # ``equals`` answers unequal strings and links without collating them, as compile does.
        negate = term.kind == "!="
        if type(literal) is str:
            return _string_equality(literal, negate, values, positions)

        def slow(value: Value) -> bool:
            return (equals(literal, value) if first else equals(value, literal)) is not negate

    else:

        def slow(value: Value) -> bool:
            return test(compare(literal, value) if first else compare(value, literal))

    null = slow(None)  # a missing field (the common value): one answer for every null
    if type(literal) in (int, float) and literal == literal:
        kept: list[int] = []
        for i in positions:
            v = values[i]
            if v is None:
                ok = null
            elif type(v) is int or (type(v) is float and not math.isnan(v)):
                ok = fast(v, literal)
            else:
                ok = slow(v)
            if ok:
                kept.append(i)
        return kept
    if type(literal) is Date and literal.invalid is None:
        instants = column.instants()
        at, zone = epoch_us(literal.dt), literal.zone
        return [
            i
            for i in positions
            if (
                fast(instant, at)
                if (instant := instants[i]) is not None and values[i].zone == zone
                else (null if values[i] is None else slow(values[i]))
            )
        ]
    return [i for i in positions if (null if (v := values[i]) is None else slow(v))]


def _string_equality(
    literal: str, negate: bool, values: list[Value], positions: Sequence[int]
) -> list[int]:
    """``value = literal`` (``!=`` with ``negate``): equal strings are equal; unequal printable
    ASCII strings never collate equal (``semantics.equals``); anything else asks ``equals``
    (which is symmetric when either side is a string: other types never equal one)."""
    plain = literal.isascii() and literal.isprintable()
    # Columns repeat a few strings many times (a FLATTEN of tags: 45k elements, few distinct
    # tags), so each distinct string is tested once.
    answers: dict[str, bool] = {}
    kept: list[int] = []
    for i in positions:
        value = values[i]
        if value is None:
            same = False  # null sorts before every string
        elif type(value) is str:
            known = answers.get(value)
            if known is not None:
                same = known
            elif value == literal:
                same = answers[value] = True
            elif plain and value.isascii() and value.isprintable():
                same = answers[value] = False
            else:
                same = answers[value] = equals(value, literal)
        else:
            same = equals(value, literal)
        if same is not negate:
            kept.append(i)
    return kept
