"""Bases expression text → :mod:`query.bases.ast`, with positioned syntax errors.

The grammar (``grammar.lark``, package data) is compiled once, lazily, into an LALR parser with a
contextual lexer. Lark's failures become :class:`~query.errors.QuerySyntaxError` at the line and
column **in the base** (:class:`~query.bases.errors.Where`), with a message in words; no Lark type
leaves this module. The forms the app's parser refuses are refused here too, with the portable
spelling in the message: a method straight after a number literal (``5.isEmpty()`` → write
``(5).isEmpty()``), unary plus, object literals, chained comparisons. Depth is bounded
(``query.limits.MAX_DEPTH``). Parsed expressions are cached by text.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from query.bases import ast
from query.bases.errors import Where, positioned, syntax_error
from query.errors import QueryError, QueryLimitError
from query.limits import MAX_DEPTH

__all__ = ["CACHED_EXPRESSION_CHARS", "MAX_EXPRESSION_CHARS", "parse_expression"]

MAX_EXPRESSION_CHARS = 10_000
"""Characters in one expression. Real formulas and filters are a few hundred characters at
most; parsing costs about 25 µs a character (a 10,000-character list takes 0.25 s)."""

CACHED_EXPRESSION_CHARS = 1_024
"""Only expressions this short are kept in the parse cache (2,048 of them: a few MB at most)."""


@cache
def _lark() -> Lark:
    grammar = resources.files("query.bases").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True)


class _Refused(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _pos(token: Any) -> tuple[int, int]:
    meta = getattr(token, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.line, meta.column
    return getattr(token, "line", 1) or 1, getattr(token, "column", 1) or 1


def _unescape(raw: str) -> str:
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 == len(body):
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == "u" and len(body) >= i + 6:
            try:
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            except ValueError:
                out.append(nxt)
                i += 2
        elif nxt == "x" and len(body) >= i + 4:
            try:
                out.append(chr(int(body[i + 2 : i + 4], 16)))
                i += 4
            except ValueError:
                out.append(nxt)
                i += 2
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


@v_args(meta=True)
class _ToAst(Transformer[Token, ast.Expr]):
    def number(self, meta: Any, children: list[Token]) -> ast.Expr:
        text = str(children[0])
        value: float = float(text)
        if value.is_integer() and "e" not in text.lower() and "." not in text and value < 2**53:
            value = int(text)  # beyond 2**53 a JavaScript number is a double
        return ast.Literal(value, meta.line, meta.column)

    def string(self, meta: Any, children: list[Token]) -> ast.Expr:
        return ast.Literal(_unescape(str(children[0])), meta.line, meta.column)

    def true(self, meta: Any, children: list[Token]) -> ast.Expr:
        return ast.Literal(True, meta.line, meta.column)

    def false(self, meta: Any, children: list[Token]) -> ast.Expr:
        return ast.Literal(False, meta.line, meta.column)

    def null(self, meta: Any, children: list[Token]) -> ast.Expr:
        return ast.Literal(None, meta.line, meta.column)

    def name(self, meta: Any, children: list[Token]) -> ast.Expr:
        return ast.Name(str(children[0]), meta.line, meta.column)

    def regex(self, meta: Any, children: list[Token]) -> ast.Expr:
        text = str(children[0])
        end = text.rfind("/")
        return ast.RegexLit(text[1:end], text[end + 1 :], meta.line, meta.column)

    def list_lit(self, meta: Any, children: list[Any]) -> ast.Expr:
        items = children[0] if children and children[0] is not None else ()
        return ast.ListLit(tuple(items), meta.line, meta.column)

    def arguments(self, meta: Any, children: list[ast.Expr]) -> tuple[ast.Expr, ...]:
        return tuple(children)

    def paren(self, meta: Any, children: list[ast.Expr]) -> ast.Expr:
        inner = children[0]
        if isinstance(inner, ast.Literal):
            return ast.Literal(inner.value, inner.line, inner.column, True)
        return inner

    def _check_target(self, target: ast.Expr, meta: Any) -> None:
        if (
            isinstance(target, ast.Literal)
            and isinstance(target.value, int | float)
            and not isinstance(target.value, bool)
            and not target.parenthesised
        ):
            raise _Refused(
                "a method or member cannot follow a number literal directly; "
                f"write ({_number_text(target.value)}).method()",
                target.line,
                target.column,
            )

    def member(self, meta: Any, children: list[Any]) -> ast.Expr:
        target, name = children
        self._check_target(target, meta)
        return ast.Member(target, str(name), name.line, name.column)

    def index(self, meta: Any, children: list[Any]) -> ast.Expr:
        target, index = children
        self._check_target(target, meta)
        return ast.Index(target, index, meta.line, meta.column)

    def call(self, meta: Any, children: list[Any]) -> ast.Expr:
        func, args = children
        if not isinstance(func, ast.Name | ast.Member):
            raise _Refused("only functions and methods can be called", meta.line, meta.column)
        line, column = (func.line, func.column)
        return ast.Call(func, tuple(args or ()), line, column)

    def unary(self, meta: Any, children: list[Any]) -> ast.Expr:
        op, operand = children
        return ast.Unary(str(op), operand, meta.line, meta.column)

    def binary(self, meta: Any, children: list[Any]) -> ast.Expr:
        left, op, right = children
        return ast.Binary(str(op), left, right, op.line, op.column)

    def logical(self, meta: Any, children: list[Any]) -> ast.Expr:
        left, op, right = children
        return ast.Logical(str(op), left, right, op.line, op.column)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _too_deep(tree: Any) -> tuple[int, int] | None:
    """The position of the first node deeper than ``MAX_DEPTH`` levels, or None. Checked before
    anything recursive walks the tree (the LALR parser builds it without recursion; the AST
    transform, compilation and evaluation recurse once or twice per level), as DQL does."""
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if depth > MAX_DEPTH:
            return _pos(node)
        stack.extend((child, depth + 1) for child in node.children)
    return None


_EXPECTED_WORDS = {
    "RPAR": '")"',
    "RSQB": '"]"',
    "LPAR": '"("',
    "LSQB": '"["',
    "COMMA": '","',
    "DOT": '"."',
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "REGEX": "a regular expression",
    "$END": "the end of the expression",
}


def _describe(exc: UnexpectedInput, text: str) -> str:
    if isinstance(exc, UnexpectedCharacters):
        at = exc.pos_in_stream or 0
        ch = text[at] if at < len(text) else ""
        if ch == "{":
            return "object literals are not supported by Obsidian Bases"
        if ch in "\"'":
            return "unterminated string"
        return f"unexpected character {json.dumps(ch)}"
    if isinstance(exc, UnexpectedEOF):
        return "the expression ends too soon"
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return "the expression ends too soon"
        value = str(token)
        if token.type == "COMPARE":
            return f"unexpected {value!r}: comparisons cannot be chained; use && between them"
        if token.type == "ADD" and value == "+":
            return "unary plus is not supported by Obsidian Bases; remove the '+'"
        if token.type == "LBRACE" or value == "{":
            return "object literals are not supported by Obsidian Bases"
        expected = sorted(
            {_EXPECTED_WORDS.get(t, t) for t in exc.expected if not t.startswith("__")}
        )
        hint = f"; expected {', '.join(expected[:6])}" if expected else ""
        return f"unexpected {value!r}{hint}"
    return "invalid expression"


_Failure = tuple[bool, str, int, int]  # (a limit?, message, line, column)
_TOO_DEEP = (
    f"the expression nests more than {MAX_DEPTH} levels deep (parentheses, lists, calls, "
    "lambdas or a long chain of operators)"
)


def _parse(text: str) -> ast.Expr | _Failure:
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        line = getattr(exc, "line", 1) or 1
        column = getattr(exc, "column", 1) or 1
        if isinstance(exc, UnexpectedEOF) or line < 1:
            lines = text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
        return (False, _describe(exc, text), line, column)
    except RecursionError:
        return (True, _TOO_DEEP, 1, 1)
    deep = _too_deep(tree)
    if deep is not None:
        return (True, _TOO_DEEP, *deep)
    try:
        result: ast.Expr = _ToAst().transform(tree)
    except _Refused as exc:
        return (False, exc.message, exc.line, exc.column)
    except RecursionError:
        return (True, _TOO_DEEP, 1, 1)
    except Exception as exc:  # Lark wraps a transformer's exception
        inner = getattr(exc, "orig_exc", None)
        if isinstance(inner, _Refused):
            return (False, inner.message, inner.line, inner.column)
        if isinstance(inner, RecursionError):
            return (True, _TOO_DEEP, 1, 1)
        raise
    return result


@lru_cache(maxsize=2048)
def _parse_cached(text: str) -> ast.Expr | _Failure:
    return _parse(text)


def parse_expression(text: str, where: Where | None = None) -> ast.Expr:
    """The tree of one expression, or :class:`~query.errors.QuerySyntaxError` at its place."""
    if not isinstance(text, str):
        raise syntax_error("an expression must be a string", where)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise positioned(
            QueryLimitError,
            f"the expression is longer than {MAX_EXPRESSION_CHARS:,} characters",
            where,
        )
    if not text.strip():
        raise syntax_error("the expression is empty", where)
    parsed = _parse_cached(text) if len(text) <= CACHED_EXPRESSION_CHARS else _parse(text)
    if isinstance(parsed, tuple):
        limit, message, line, column = parsed
        if limit:
            raise positioned(QueryLimitError, message, where, line, column)
        raise syntax_error(message, where, line, column)
    return parsed


def is_syntax_error(exc: BaseException) -> bool:
    return isinstance(exc, QueryError) and exc.code == "syntax"
