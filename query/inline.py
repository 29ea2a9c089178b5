"""Inline queries (`` `= expr` ``, SPEC §12): one expression, and its value as Dataview shows it.

:func:`evaluate` is Dataview's ``executeInline``: the expression is evaluated once, with no row,
and ``this`` bound to the page of the note holding it (an empty object when there is none), so a
bare ``file.name`` is null and ``this.file.name`` the note's name. Unlike a query's rows, an
error is not dropped: it is the answer (:class:`~query.errors.EvaluationError`). The text of the
expression gets the positioned syntax and semantic errors and the limits of a query.

:func:`inline_text` is Dataview's ``renderValue`` for an inline query (lists not expanded), as the
Markdown Dataview hands to Obsidian's renderer: strings, numbers and booleans as they are, links
``[[path|display]]``, null as the ``renderNullAs`` setting, dates in the local zone with the
date or date-time format setting, durations in words, lists ``a, b`` (``<empty list>``), objects
``k: v, k2: v2`` (``<empty object>``), functions ``<function>``, and ``...`` below the
``maxRecursiveRenderDepth`` setting.
"""

from __future__ import annotations

from collections.abc import Mapping

from query.compile import compile_expression
from query.engine import query_scope
from query.errors import QueryLimitError
from query.index import VaultIndex
from query.limits import MAX_STRING, Guard, Limits, check_string_size
from query.parsing.parser import parse_expression
from query.semantics import Env, number_to_string, render_date
from query.temporal.dates import human_duration, to_local
from query.values import Date, Duration, Function, Link, Value, Widget

__all__ = ["evaluate", "inline_text"]

_NO_LIMITS = Limits()
_ROW: Mapping[str, Value] = {}


def evaluate(
    expression: str,
    index: VaultIndex,
    *,
    origin: str | None = None,
    env: Env,
    limits: Limits = _NO_LIMITS,
) -> Value:
    """The value of ``expression`` from the note ``origin`` (see the module docstring)."""
    guard = Guard(limits)
    try:
        compiled = compile_expression(parse_expression(expression), expression)
        return compiled(_ROW, query_scope(index, origin, env, guard))
    except RecursionError:
        raise QueryLimitError(
            "the expression nests too deeply (a value or a list within lists)"
        ) from None
    except MemoryError:
        raise QueryLimitError("the expression ran out of memory") from None


def inline_text(value: Value, env: Env) -> str:
    """``value`` as an inline query shows it (see the module docstring)."""
    parts: list[str] = []
    _Renderer(env, parts).render(value, 0)
    return "".join(parts)


class _Renderer:
    """Appends the pieces of one rendering to ``parts``, refusing a text over ``MAX_STRING``
    before it is built (a page rendered whole can be large)."""

    def __init__(self, env: Env, parts: list[str]) -> None:
        self.env = env
        self.parts = parts
        self.size = 0

    def add(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_STRING:
            check_string_size(self.size, "rendering")
        self.parts.append(text)

    def render(self, value: Value, depth: int) -> None:
        env = self.env
        settings = env.settings
        if depth > settings.max_recursive_render_depth:
            self.add("...")
        elif value is None:
            self.add(settings.render_null_as)
        elif isinstance(value, bool):
            self.add("true" if value else "false")
        elif isinstance(value, (int, float)):
            self.add(number_to_string(value))
        elif isinstance(value, str):
            self.add(value)
        elif isinstance(value, Date):
            self.add(render_date(to_local(value, env.local), settings))
        elif isinstance(value, Duration):
            self.add(human_duration(value))
        elif isinstance(value, Link):
            self.add(value.markdown())
        elif isinstance(value, Widget):
            self._widget(value, depth)
        elif isinstance(value, Function) or callable(value):
            self.add("<function>")
        elif isinstance(value, (list, tuple)):
            self._joined(list(value), depth, "<empty list>", keys=None)
        elif isinstance(value, Mapping):
            self._joined(list(value.values()), depth, "<empty object>", keys=list(value))
        else:
            self.add(str(value))

    def _widget(self, widget: Widget, depth: int) -> None:
        if widget.kind == "list-pair":
            self.render(widget.data.get("key"), depth)
            self.add(": ")
            self.render(widget.data.get("value"), depth)
        elif widget.kind == "external-link":
            url, display = widget.data.get("url"), widget.data.get("display")
            self.add(f"[{display if display is not None else url}]({url})")
        else:
            self.add(f"<unknown widget '{widget.kind}>")  # sic: Dataview's text

    def _joined(self, values: list[Value], depth: int, empty: str, keys: list[str] | None) -> None:
        if not values:
            self.add(empty)
            return
        for position, item in enumerate(values):
            if position:
                self.add(", ")
            if keys is not None:
                self.add(f"{keys[position]}: ")
            self.render(item, depth + 1)
