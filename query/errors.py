"""The query package's exception tree. Nothing else escapes ``query``.

::

    QueryError                      base: code, message, line?, column?, context?
    ├── QuerySyntaxError            the text is not DQL (code "syntax")          → HTTP 400
    ├── QuerySemanticError          parses, but cannot run: unknown function,    → HTTP 422
    │                               wrong arity (code "semantic")
    ├── QueryExecutionError         the query as a whole failed while running:   → HTTP 422
    │                               every row errored, LIMIT is not a number,
    │                               misplaced FROM (code "execution")
    ├── QueryLimitError             a time or row limit was hit (code "limit")   → HTTP 422
    └── EvaluationError             one expression failed on one row (code       → HTTP 422
                                    "evaluation"); the engine drops that row as
                                    Dataview does, and only surfaces it when
                                    every row failed

``line`` and ``column`` are 1-based; ``context`` is the offending source line followed by a caret
line pointing at the column.
"""

from __future__ import annotations


class QueryError(Exception):
    code = "query"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        context: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.context = context

    def to_dict(self) -> dict[str, object]:
        """The JSON error body's inner object (``{"error": <this>}``)."""
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        if self.column is not None:
            out["column"] = self.column
        if self.context is not None:
            out["context"] = self.context
        return out

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        text = f"{where}{self.message}"
        return f"{text}\n{self.context}" if self.context else text


class QuerySyntaxError(QueryError):
    code = "syntax"


class QuerySemanticError(QueryError):
    code = "semantic"


class QueryExecutionError(QueryError):
    code = "execution"


class QueryLimitError(QueryError):
    code = "limit"


class EvaluationError(QueryError):
    code = "evaluation"


CONTEXT_WIDTH = 160
"""The widest source line a context shows whole; longer ones are cut around the column."""


def caret_context(text: str, line: int, column: int) -> str:
    """The source line ``line`` (1-based) and a caret under ``column`` (1-based); a line over
    :data:`CONTEXT_WIDTH` characters is shown as a window around the column, cut with "…"."""
    lines = text.splitlines() or [""]
    source = lines[min(max(line, 1), len(lines)) - 1]
    offset = max(column - 1, 0)
    if len(source) > CONTEXT_WIDTH:
        half = CONTEXT_WIDTH // 2
        start = max(min(offset - half, len(source) - CONTEXT_WIDTH), 0)
        end = start + CONTEXT_WIDTH
        window = source[start:end]
        if start:
            window, offset = "…" + window, offset - start + 1
        if end < len(source):
            window += "…"
        source = window
    return f"{source}\n{' ' * offset}^"
