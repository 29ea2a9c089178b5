"""The Bases expression tree: frozen nodes with their 1-based position in the expression text.

Made by :mod:`query.bases.parser` and compiled by :mod:`query.bases.compile`; nothing else builds
them. ``Call.func`` is a :class:`Name` for a global function and a :class:`Member` for a method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = [
    "Binary",
    "Call",
    "Expr",
    "Index",
    "ListLit",
    "Literal",
    "Logical",
    "Member",
    "Name",
    "RegexLit",
    "Unary",
]


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any  # None, bool, number or str
    line: int
    column: int
    parenthesised: bool = False


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Member:
    target: Expr
    name: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Index:
    target: Expr
    index: Expr
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Call:
    func: Expr
    args: tuple[Expr, ...]
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Expr, ...]
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class RegexLit:
    source: str
    flags: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "!" or "-"
    operand: Expr
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # == != < <= > >= + - * / %
    left: Expr
    right: Expr
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Logical:
    op: str  # && or ||
    left: Expr
    right: Expr
    line: int
    column: int


Expr: TypeAlias = (
    Literal | Name | Member | Index | Call | ListLit | RegexLit | Unary | Binary | Logical
)


def walk(node: Expr) -> list[Expr]:
    """``node`` and every node below it, parents first."""
    out: list[Expr] = []
    stack: list[Expr] = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        if isinstance(current, Member):
            stack.append(current.target)
        elif isinstance(current, Index):
            stack.extend((current.target, current.index))
        elif isinstance(current, Call):
            stack.append(current.func)
            stack.extend(current.args)
        elif isinstance(current, ListLit):
            stack.extend(current.items)
        elif isinstance(current, Unary):
            stack.append(current.operand)
        elif isinstance(current, Binary | Logical):
            stack.extend((current.left, current.right))
    return out
