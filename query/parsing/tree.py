"""Turns Lark parse trees into ``query.ast`` nodes (the only module that sees a Lark tree).

It also decodes lexemes the way Dataview does: string escapes (only ``\\"`` and ``\\\\``; any other
backslash is kept), link literals (unescaped ``|`` splits off the display, ``#^`` a block, ``#`` a
normalised header), numbers, and ``date(...)``/``dur(...)`` literals. A ``date(...)`` or
``dur(...)`` whose content is not a valid date/duration is not a literal in Dataview but a call of
the ``date``/``dur`` function; ``reparse`` (given by the parser) reparses the content for that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC
from typing import Any, cast

from lark import Token, Transformer, v_args
from lark.tree import Meta

from query import ast
from query.errors import QuerySyntaxError, caret_context
from query.links import normalize_header
from query.temporal.dates import parse_date
from query.temporal.durations import parse_duration
from query.values import Link

DATE_SHORTHANDS = frozenset(
    {
        "now", "today", "yesterday", "tomorrow", "sow", "start-of-week", "eow", "end-of-week",
        "som", "start-of-month", "eom", "end-of-month", "soy", "start-of-year", "eoy",
        "end-of-year",
    }
)  # fmt: skip

Reparse = Callable[[str, int], ast.Expr]  # (text inside the parentheses, its offset) -> expression


def unescape_string(lexeme: str) -> str:
    """The value of a ``"..."`` lexeme: ``\\"`` and ``\\\\`` are escapes, other ``\\x`` stay."""
    body = lexeme[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(nxt if nxt in '"\\' else ch + nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _split_unescaped_pipe(inner: str) -> tuple[str, str | None]:
    pipe = -1
    while True:
        pipe = inner.find("|", pipe + 1)
        if pipe < 0:
            return inner.replace("\\|", "|"), None
        if pipe > 0 and inner[pipe - 1] == "\\":
            continue
        return inner[:pipe].replace("\\|", "|"), inner[pipe + 1 :]


def parse_link_literal(lexeme: str) -> Link:
    """The link for ``[[...]]`` or ``![[...]]`` as written in a query (the path is unresolved)."""
    embed = lexeme.startswith("!")
    inner = lexeme[3:-2] if embed else lexeme[2:-2]
    target, display = _split_unescaped_pipe(inner)
    if "#^" in target:
        parts = target.split("#^")
        return Link(parts[0], display, parts[1], "block", embed)
    if "#" in target:
        parts = target.split("#")
        return Link(parts[0], display, normalize_header(parts[1]), "header", embed)
    return Link(target, display, None, "file", embed)


def parse_number(lexeme: str) -> int | float:
    return float(lexeme) if "." in lexeme else int(lexeme)


def _inside_parens(lexeme: str) -> tuple[str, int]:
    """The stripped text between the first ``(`` and the last ``)``, and its offset in lexeme."""
    open_at = lexeme.index("(") + 1
    raw = lexeme[open_at : lexeme.rindex(")")]
    lead = len(raw) - len(raw.lstrip())
    return raw.strip(), open_at + lead


def is_date_literal_text(text: str) -> bool:
    return text in DATE_SHORTHANDS or parse_date(text, UTC) is not None


def _span(meta: Meta) -> ast.Span:
    if getattr(meta, "empty", True):
        return ast.Span()
    return ast.Span(meta.line, meta.column, meta.start_pos, meta.end_pos)


def _tspan(token: Token) -> ast.Span:
    return ast.Span(token.line or 1, token.column or 1, token.start_pos or 0, token.end_pos or 0)


def column_name(text: str) -> str:
    """Dataview's implicit column name: each line of the source text trimmed, joined with ''."""
    if "\n" not in text and "\r" not in text:
        return text.strip()
    return "".join(part.strip() for part in text.replace("\r", "\n").split("\n") if part)


def _children(items: list[Any]) -> list[Any]:
    """Children without keyword/punctuation tokens and without Lark's ``None`` placeholders."""
    return [item for item in items if item is not None and not isinstance(item, Token)]


_BOOL_OPS = {"and": "&", "or": "|"}


@v_args(meta=True)
class ToAst(Transformer[Token, Any]):
    """Bottom-up conversion; method names are the grammar's rule names and aliases."""

    def __init__(self, text: str, reparse: Reparse) -> None:
        super().__init__(visit_tokens=False)
        self._text = text
        self._reparse = reparse

    # ---- expressions ----

    def number(self, meta: Meta, c: list[Token]) -> ast.Expr:
        return ast.Literal(parse_number(c[0]), _span(meta))

    def string(self, meta: Meta, c: list[Token]) -> ast.Expr:
        return ast.Literal(unescape_string(c[0]), _span(meta))

    def boolean(self, meta: Meta, c: list[Token]) -> ast.Expr:
        return ast.Literal(c[0] in ("true", "True"), _span(meta))

    def null(self, meta: Meta, c: list[Token]) -> ast.Expr:
        return ast.Literal(None, _span(meta))

    def link(self, meta: Meta, c: list[Token]) -> ast.Expr:
        return ast.Literal(parse_link_literal(c[0]), _span(meta))

    def date_literal(self, meta: Meta, c: list[Token]) -> ast.Expr:
        inner, offset = _inside_parens(c[0])
        if is_date_literal_text(inner):
            return ast.DateLiteral(inner, _span(meta))
        return self._as_call("date", c[0], inner, offset, meta)

    def duration_literal(self, meta: Meta, c: list[Token]) -> ast.Expr:
        inner, offset = _inside_parens(c[0])
        value = parse_duration(inner)
        if value is not None:
            return ast.Literal(value, _span(meta))
        return self._as_call("dur", c[0], inner, offset, meta)

    def _as_call(self, name: str, token: Token, inner: str, offset: int, meta: Meta) -> ast.Expr:
        """Dataview's fallback: ``date(2021-13-01)`` is the call ``date(2021 - 13 - 01)``."""
        start = (token.start_pos or 0) + offset
        arg = self._reparse(inner, start)
        callee = ast.Variable(name, _tspan(token))
        return ast.Call(callee, (arg,), _span(meta))

    def variable(self, meta: Meta, c: list[Token]) -> ast.Expr:
        return ast.Variable(str(c[0]), _span(meta))

    def list_(self, meta: Meta, c: list[Any]) -> ast.Expr:
        return ast.ListExpr(tuple(_children(c)), _span(meta))

    def entry(self, meta: Meta, c: list[Any]) -> tuple[str, ast.Expr]:
        key = c[0]
        name = unescape_string(key) if key.type == "STRING" else str(key)
        return name, c[1]

    def object_(self, meta: Meta, c: list[Any]) -> ast.Expr:
        entries: dict[str, ast.Expr] = {}
        for name, value in (item for item in c if item is not None):
            entries[name] = value  # a repeated key keeps its first position and its last value
        return ast.ObjectExpr(tuple(entries.items()), _span(meta))

    def paren(self, meta: Meta, c: list[Any]) -> ast.Expr:
        # The span grows to cover the parentheses, so source-text column names keep them.
        inner = cast(ast.Expr, _children(c)[0])
        return dataclasses.replace(inner, span=_span(meta))

    def lambda_(self, meta: Meta, c: list[Any]) -> ast.Expr:
        head = str(c[0])
        inside = head[head.index("(") + 1 : head.rindex(")")]
        params = tuple(part.strip() for part in inside.split(",") if part.strip())
        return ast.Lambda(params, c[1], _span(meta))

    def dot(self, meta: Meta, c: list[Any]) -> ast.Expr:
        name: Token = c[2]
        return ast.Index(c[0], ast.Literal(str(name), _tspan(name)), _span(meta))

    def index(self, meta: Meta, c: list[Any]) -> ast.Expr:
        return ast.Index(c[0], c[2], _span(meta))

    def call(self, meta: Meta, c: list[Any]) -> ast.Expr:
        return ast.Call(c[0], tuple(_children(c[1:])), _span(meta))

    def negate(self, meta: Meta, c: list[Any]) -> ast.Expr:
        return ast.Negate(c[1], _span(meta))

    def binary(self, meta: Meta, c: list[Any]) -> ast.Expr:
        op = str(c[1])
        op = _BOOL_OPS.get(op.lower(), op)
        return ast.BinaryOp(cast(ast.BinaryOperator, op), c[0], c[2], _span(meta))

    def expression(self, meta: Meta, c: list[Any]) -> ast.Expr:
        return cast(ast.Expr, c[0])

    # ---- sources ----

    def source_start(self, meta: Meta, c: list[Any]) -> ast.Source:
        return cast(ast.Source, c[0])

    def source_binary(self, meta: Meta, c: list[Any]) -> ast.Source:
        if str(c[1]).lower() in ("and", "&"):
            return ast.BinarySource("and", c[0], c[2], _span(meta))
        return ast.BinarySource("or", c[0], c[2], _span(meta))

    def source_paren(self, meta: Meta, c: list[Any]) -> ast.Source:
        return cast(ast.Source, _children(c)[0])

    def source_negate(self, meta: Meta, c: list[Any]) -> ast.Source:
        return ast.NegatedSource(c[1], _span(meta))

    def source_outgoing(self, meta: Meta, c: list[Token]) -> ast.Source:
        lexeme = str(c[0])
        link = parse_link_literal(lexeme[lexeme.index("[[") : lexeme.rindex("]]") + 2])
        return ast.LinkSource(link.path, True, _span(meta))

    def source_link(self, meta: Meta, c: list[Token]) -> ast.Source:
        return ast.LinkSource(parse_link_literal(c[0]).path, False, _span(meta))

    def source_folder(self, meta: Meta, c: list[Token]) -> ast.Source:
        return ast.FolderSource(unescape_string(c[0]), _span(meta))

    def source_tag(self, meta: Meta, c: list[Token]) -> ast.Source:
        return ast.TagSource(str(c[0]), _span(meta))

    def source_csv(self, meta: Meta, c: list[Token]) -> ast.Source:
        lexeme = str(c[0])
        return ast.CsvSource(unescape_string(lexeme[lexeme.index('"') : -1]), _span(meta))

    # ---- queries ----

    def named(self, meta: Meta, c: list[Any]) -> ast.NamedField:
        expr: ast.Expr = c[0]
        alias = c[-1] if len(c) > 1 and isinstance(c[-1], Token) and c[-1].type != "AS" else None
        if alias is None:
            name = column_name(self._text[meta.start_pos : meta.end_pos])
        elif alias.type == "STRING":
            name = unescape_string(alias)
        else:
            name = str(alias)
        return ast.NamedField(name, expr, _span(meta))

    def list_header(self, meta: Meta, c: list[Any]) -> ast.Header:
        without_id = any(isinstance(x, Token) and x.type == "WITHOUT_ID" for x in c)
        exprs = _children(c)
        if not exprs:
            return ast.ListHeader(without_id, None, "", _span(meta))
        expr: ast.Expr = exprs[0]
        text = column_name(self._text[expr.span.start : expr.span.end])
        return ast.ListHeader(without_id, expr, text, _span(meta))

    def table_header(self, meta: Meta, c: list[Any]) -> ast.Header:
        without_id = any(isinstance(x, Token) and x.type == "WITHOUT_ID" for x in c)
        return ast.TableHeader(without_id, tuple(_children(c)), _span(meta))

    def task_header(self, meta: Meta, c: list[Any]) -> ast.Header:
        return ast.TaskHeader(_span(meta))

    def calendar_header(self, meta: Meta, c: list[Any]) -> ast.Header:
        return ast.CalendarHeader(_children(c)[0], _span(meta))

    def from_command(self, meta: Meta, c: list[Any]) -> ast.Op:
        return ast.UnknownOp(c[1], _span(meta))  # the first FROM is lifted out by ``query``

    def where_command(self, meta: Meta, c: list[Any]) -> ast.Op:
        return ast.Where(c[1], _span(meta))

    def sort_key(self, meta: Meta, c: list[Any]) -> ast.SortKey:
        descending = len(c) > 1 and str(c[1]).lower().startswith("desc")
        return ast.SortKey(c[0], descending, _span(meta))

    def sort_command(self, meta: Meta, c: list[Any]) -> ast.Op:
        return ast.Sort(tuple(_children(c)), _span(meta))

    def group_command(self, meta: Meta, c: list[Any]) -> ast.Op:
        return ast.GroupBy(c[1], _span(meta))

    def flatten_command(self, meta: Meta, c: list[Any]) -> ast.Op:
        return ast.Flatten(c[1], _span(meta))

    def limit_command(self, meta: Meta, c: list[Any]) -> ast.Op:
        return ast.Limit(c[1], _span(meta))

    def query(self, meta: Meta, c: list[Any]) -> ast.Query:
        header: ast.Header = c[0]
        ops: list[ast.Op] = list(c[1:])
        source: ast.Source = ast.FolderSource("")
        first = ops[0] if ops else None
        if isinstance(first, ast.UnknownOp):
            source = first.source  # FROM directly after the header is the query's source
            ops.pop(0)
        return ast.Query(header, source, tuple(ops), self._text, _span(meta))


def syntax_error_at(text: str, offset: int, message: str) -> QuerySyntaxError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    context = caret_context(text, line, column)
    return QuerySyntaxError(message, line=line, column=column, context=context)
