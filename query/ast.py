"""The DQL syntax tree: frozen dataclasses produced by ``query.parsing.parser``.

Nothing outside the parser sees a Lark tree; every consumer (the compiler, the engine, the corpus
encoder) works on these nodes. Each node carries a :class:`Span` pointing back into the query text,
so errors found after parsing (unknown functions, bad LIMIT) can still show line, column and a
caret. Spans never take part in equality: two trees that mean the same thing compare equal.

Literal values are already Dataview values (``query.values``), except date literals, whose value
depends on the clock and the local zone (``date(today)``); those stay text until compiled.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from typing import Literal as TypingLiteral
from typing import TypeAlias

from query.values import Value


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node came from: 1-based ``line``/``column`` of its start, 0-based offsets."""

    line: int = 1
    column: int = 1
    start: int = 0
    end: int = 0


_NO_SPAN = Span()


# ---- Expressions ----


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string, boolean, null, link or duration literal."""

    value: Value
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DateLiteral:
    """``date(2021-04-18)`` or ``date(today)``; ``text`` is what was inside the parentheses."""

    text: str
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Index:
    """``obj.name`` (index is a string literal) or ``obj[expr]``."""

    obj: Expr
    index: Expr
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    """``callee(args)``. A bare-name callee names a built-in function (never a variable)."""

    callee: Expr
    args: tuple[Expr, ...]
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


BinaryOperator: TypeAlias = TypingLiteral[
    "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "|"
]


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """A binary operator; ``and``/``or`` are stored as ``&``/``|``."""

    op: BinaryOperator
    left: Expr
    right: Expr
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Negate:
    """``!expr``: the opposite of the operand's truthiness."""

    operand: Expr
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListExpr:
    items: tuple[Expr, ...]
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    """``{ key: expr, ... }``; a duplicated key keeps the last entry (already resolved here)."""

    entries: tuple[tuple[str, Expr], ...]
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Lambda:
    params: tuple[str, ...]
    body: Expr
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


Expr: TypeAlias = (
    Literal
    | DateLiteral
    | Variable
    | Index
    | Call
    | BinaryOp
    | Negate
    | ListExpr
    | ObjectExpr
    | Lambda
)


# ---- Sources (FROM) ----


@dataclass(frozen=True, slots=True)
class TagSource:
    tag: str
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FolderSource:
    """A folder or a single file (``""`` is the whole vault)."""

    path: str
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LinkSource:
    """``[[note]]`` (pages linking to it) or ``outgoing([[note]])`` (pages it links to).

    ``target`` is the link path as written, without subpath or display (``""`` for ``[[#]]``)."""

    target: str
    outgoing: bool = False
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CsvSource:
    path: str
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NegatedSource:
    inner: Source
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class BinarySource:
    """``and``/``&`` (intersection, op ``"and"``) or ``or``/``|`` (union, op ``"or"``)."""

    op: TypingLiteral["and", "or"]
    left: Source
    right: Source
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


Source: TypeAlias = TagSource | FolderSource | LinkSource | CsvSource | NegatedSource | BinarySource


def source_kind(source: Source) -> str:
    """Dataview's name for a source's kind (used in "Unrecognized query operation" errors)."""
    if isinstance(source, TagSource):
        return "tag"
    if isinstance(source, FolderSource):
        return "folder"
    if isinstance(source, LinkSource):
        return "link"
    if isinstance(source, CsvSource):
        return "csv"
    if isinstance(source, NegatedSource):
        return "negate"
    return "binaryop"


# ---- Queries ----


@dataclass(frozen=True, slots=True)
class NamedField:
    """An expression with its column/field name (``AS`` name, or the expression's source text)."""

    name: str
    expr: Expr
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListHeader:
    """``LIST [WITHOUT ID] [expr]``; ``expr_text`` is the expression's column name."""

    without_id: bool
    expr: Expr | None
    expr_text: str = ""
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TableHeader:
    without_id: bool
    fields: tuple[NamedField, ...]
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TaskHeader:
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CalendarHeader:
    field: NamedField
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


Header: TypeAlias = ListHeader | TableHeader | TaskHeader | CalendarHeader


@dataclass(frozen=True, slots=True)
class Where:
    expr: Expr
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SortKey:
    expr: Expr
    descending: bool = False
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Sort:
    keys: tuple[SortKey, ...]
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Limit:
    expr: Expr
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class GroupBy:
    field: NamedField
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Flatten:
    field: NamedField
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class UnknownOp:
    """A ``FROM`` that is not directly after the header: it parses, but execution must fail with
    ``Unrecognized query operation '<source type>'`` as in Dataview."""

    source: Source
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


Op: TypeAlias = Where | Sort | Limit | GroupBy | Flatten | UnknownOp


@dataclass(frozen=True, slots=True)
class Query:
    header: Header
    source: Source
    ops: tuple[Op, ...]
    text: str = _field(default="", compare=False, repr=False)
    span: Span = _field(default=_NO_SPAN, compare=False, repr=False)


Node: TypeAlias = Expr | Source | Query | Header | Op | NamedField | SortKey
