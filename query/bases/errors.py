"""Bases errors: the query package's tree (``query.errors``), with the place in the base.

A Bases problem is one of ``query.errors``' classes, so every surface already knows its code and
HTTP status: a malformed base or expression is a :class:`~query.errors.QuerySyntaxError`
(``syntax``, 400); a well-formed base that cannot run (an unknown view, a formula cycle where a
cell needs it) a :class:`~query.errors.QuerySemanticError` (``semantic``, 422); a limit a
:class:`~query.errors.QueryLimitError`. ``line`` and ``column`` are 1-based **in the base's
text** (the ``.base`` file or the code block), and ``context`` is that line with a caret.

:class:`Where` says where an expression sits in the base, so an error inside it is reported at
the right line and column of the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass

from query.errors import QueryError, QuerySemanticError, QuerySyntaxError, caret_context

__all__ = ["Where", "positioned", "semantic_error", "syntax_error"]


@dataclass(frozen=True, slots=True)
class Where:
    """An expression's place: ``label`` (``formulas.total``, ``views[0].filters.and[1]``), the
    base's ``source`` text, the 1-based ``line``/``column`` of the expression's first character
    and the ``indent`` of its continuation lines (block scalars)."""

    label: str = ""
    source: str | None = None
    line: int = 1
    column: int = 1
    indent: int = 0

    def at(self, line: int, column: int) -> tuple[int, int]:
        """The base position of ``(line, column)`` in the expression."""
        if line <= 1:
            return self.line, self.column + column - 1
        return self.line + line - 1, self.indent + column


def positioned(
    cls: type[QueryError], message: str, where: Where | None, line: int = 1, column: int = 1
) -> QueryError:
    """An error of ``cls`` at ``(line, column)`` of the expression ``where`` describes."""
    if where is None:
        return cls(message, line=line, column=column)
    base_line, base_column = where.at(line, column)
    label = f"{where.label}: " if where.label else ""
    context = caret_context(where.source, base_line, base_column) if where.source else None
    return cls(f"{label}{message}", line=base_line, column=base_column, context=context)


def syntax_error(message: str, where: Where | None, line: int = 1, column: int = 1) -> QueryError:
    return positioned(QuerySyntaxError, message, where, line, column)


def semantic_error(message: str, where: Where | None, line: int = 1, column: int = 1) -> QueryError:
    return positioned(QuerySemanticError, message, where, line, column)
