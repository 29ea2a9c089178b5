"""DQL text → ``query.ast``: the public parsing API.

The grammar (``grammar.lark``, package data) is compiled once, lazily, into a Lark LALR parser with
a contextual lexer; ``query.parsing.tree`` turns its trees into AST nodes and
``query.parsing.syntax_errors`` turns its failures into :class:`QuerySyntaxError` (1-based line and
column, a caret line, and a message in words). No Lark type leaves this package.

Parsed queries are immutable, so ``parse_query`` keeps a small cache keyed by the text: dashboards
and query blocks re-run the same text often.
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo
from functools import cache, lru_cache
from importlib import resources
from typing import Any, cast

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from query import ast
from query.errors import QueryLimitError, caret_context
from query.limits import MAX_DEPTH
from query.parsing.syntax_errors import to_syntax_error
from query.parsing.tree import (
    DATE_SHORTHANDS,
    ToAst,
    parse_link_literal,
    parse_number,
    syntax_error_at,
    unescape_string,
)
from query.temporal.dates import date_shorthand, parse_date
from query.temporal.durations import parse_duration
from query.values import Date, Value

__all__ = ["RULES", "parse_expression", "parse_query", "parse_rule", "parse_source"]

RULES = ("number", "string", "bool", "identifier", "date", "duration", "link", "tag")
_TOKEN_RULES = ("number", "string", "bool", "identifier", "link", "tag")
_STARTS = ["query", "expression", "source_start", *(f"rule_{rule}" for rule in _TOKEN_RULES)]
_NOT_NEWLINE = re.compile(r"[^\n]")


_grammar_cache: str | None = None


def use_grammar_cache(path: str) -> None:
    """Keep the analysed grammar in the file ``path`` (Lark's cache: a start reads it in a few
    milliseconds instead of analysing the grammar for about a hundred). The caller owns the
    file's place — it is unpickled, so it must be private to the user. Call it before the
    first parse; later calls change nothing."""
    global _grammar_cache
    if _grammar_cache is None:
        _grammar_cache = path


@cache
def _lark() -> Lark:
    grammar = resources.files("query.parsing").joinpath("grammar.lark").read_text(encoding="utf-8")
    options: dict[str, Any] = {"cache": _grammar_cache} if _grammar_cache else {}
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=_STARTS,
        propagate_positions=True,
        maybe_placeholders=True,
        **options,
    )


def _tree(text: str, start: str) -> Any:
    parser = _lark()
    try:
        tree = parser.parse(text, start=start)
    except UnexpectedInput as exc:
        raise to_syntax_error(exc, text, parser, start) from None
    _check_depth(tree, text)
    return tree


def _check_depth(tree: Tree[Token], text: str) -> None:
    """Refuse a tree deeper than ``MAX_DEPTH`` before anything recursive walks it (the LALR
    parser builds trees without recursion; the AST transform, compilation and evaluation
    recurse once per level)."""
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if depth > MAX_DEPTH:
            line, column = _position(node)
            raise QueryLimitError(
                f"the query nests more than {MAX_DEPTH} levels deep (parentheses, lists, "
                "calls, lambdas or a long chain of operators)",
                line=line,
                column=column,
                context=caret_context(text, line, column),
            )
        stack.extend((child, depth + 1) for child in node.children)


def _position(node: Tree[Token]) -> tuple[int, int]:
    meta = node.meta
    if not meta.empty:
        return meta.line, meta.column
    for token in node.scan_values(lambda value: isinstance(value, Token)):
        return token.line or 1, token.column or 1
    return 1, 1


def _convert(text: str, start: str) -> Any:
    def reparse(inner: str, offset: int) -> ast.Expr:
        # Blank out everything before the content so positions stay those of the full text.
        padded = _NOT_NEWLINE.sub(" ", text[:offset]) + inner
        return cast(ast.Expr, _convert(padded, "expression"))

    return ToAst(text, reparse).transform(_tree(text, start))


@lru_cache(maxsize=512)
def parse_query(text: str) -> ast.Query:
    """Parse a full query (header, optional FROM, commands)."""
    return cast(ast.Query, _convert(text, "query"))


@lru_cache(maxsize=2048)
def parse_expression(text: str) -> ast.Expr:
    """Parse one expression (the whole text must be the expression)."""
    return cast(ast.Expr, _convert(text, "expression"))


def parse_source(text: str) -> ast.Source:
    """Parse a FROM source (``#tag and -"folder"``)."""
    return cast(ast.Source, _convert(text, "source_start"))


def parse_rule(rule: str, text: str, *, now: Date | None = None, local: tzinfo = UTC) -> Value:
    """The value one grammar production yields for the whole ``text`` (the corpus "rule" cases).

    ``date`` and ``duration`` take the text inside ``date(...)``/``dur(...)``; a date shorthand
    needs ``now``. Raises :class:`QuerySyntaxError` when the text is not that production.
    """
    if rule == "date":
        stripped = text.strip()
        value: Value = None
        if stripped in DATE_SHORTHANDS and now is not None:
            value = date_shorthand(stripped, now)
        elif stripped == text:
            value = parse_date(text, local)
        if value is None:
            message = "expected a date like 2021-04-18 or a shorthand like today"
            raise syntax_error_at(text, 0, message)
        return value
    if rule == "duration":
        duration = parse_duration(text)
        if duration is None:
            raise syntax_error_at(text, 0, "expected a duration like 1 hour or 4h30m")
        return duration
    if rule not in _TOKEN_RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    token: Token = _tree(text, f"rule_{rule}").children[0]
    if rule == "number":
        return parse_number(token)
    if rule == "string":
        return unescape_string(token)
    if rule == "bool":
        return token in ("true", "True")
    if rule == "link":
        return parse_link_literal(token)
    return str(token)
