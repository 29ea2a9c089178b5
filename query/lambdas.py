"""Lambdas whose body reads nothing of its frame but the parameter, compiled without a frame.

A lambda's body runs on a frame: its parameters over the enclosing row (``query.compile``
builds an overlay). When the body reads only the parameter (``query.reads.reads_only``), a
plain one-entry dict gives the same values and errors through the plain-dict fast paths; when
it is just ``t.a.b`` or ``!t.a.b`` (``!t.completed`` over ``file.tasks``), the reads and the
negation are inlined into the call, with no frame at all.

The ``*_element`` makers give the same lambdas applied to one argument (``Function.call([x])``)
as plain callables, for calls that take a lambda literal and apply it per element
(``functions_lists.ELEMENTWISE``): no function value per row, no argument list per element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from query.access import field_value
from query.rows import OverlayRow
from query.semantics import truthy
from query.values import Function, Value

if TYPE_CHECKING:
    from query.compile import Compiled, Row, Scope

__all__ = [
    "ElementOf",
    "fields_element",
    "frame_element",
    "lambda_of_fields",
    "lambda_of_param",
    "param_element",
]

ElementOf: TypeAlias = "Callable[[Row, Scope], Callable[[Value], Value]]"
"""A lambda literal evaluated on a row: the lambda applied to one argument."""


def lambda_of_param(param: str, body: Compiled) -> Compiled:
    """A one-parameter lambda whose body reads nothing of its frame but the parameter
    (``query.reads.reads_only``): the frame can be a plain one-entry dict, which evaluates the
    body exactly as the overlay over the row would, through the plain-dict fast paths."""

    def make(row: Row, scope: Scope) -> Value:
        def call(args: list[Value]) -> Value:
            return body({param: args[0] if args else None}, scope)

        return Function(call)

    return make


def lambda_of_fields(keys: tuple[str, ...], negated: bool) -> Compiled:
    """``(t) => t.a.b`` or ``(t) => !t.a.b`` (e.g. ``!t.completed``): the body's reads (what
    ``_path`` does on the frame ``{t: arg}``) and negation, inlined into the call."""

    def make(row: Row, scope: Scope) -> Value:
        resolve = scope.resolve_link

        def call(args: list[Value]) -> Value:
            value = args[0] if args else None
            for key in keys:
                value = value.get(key) if type(value) is dict else field_value(value, key, resolve)
            if negated:
                return not value if type(value) is bool else not truthy(value)
            return value

        return Function(call)

    return make


def fields_element(keys: tuple[str, ...], negated: bool) -> ElementOf:
    """:func:`lambda_of_fields`'s lambda applied to one argument."""

    if len(keys) == 1 and negated:
        # ``!t.completed``, the usual filter over ``file.tasks``: one read, no loop.
        (key,) = keys

        def make_negated_read(row: Row, scope: Scope) -> Callable[[Value], Value]:
            resolve = scope.resolve_link

            def each(value: Value) -> Value:
                value = value.get(key) if type(value) is dict else field_value(value, key, resolve)
                return not value if type(value) is bool else not truthy(value)

            return each

        return make_negated_read

    def make(row: Row, scope: Scope) -> Callable[[Value], Value]:
        resolve = scope.resolve_link

        def each(value: Value) -> Value:
            for key in keys:
                value = value.get(key) if type(value) is dict else field_value(value, key, resolve)
            if negated:
                return not value if type(value) is bool else not truthy(value)
            return value

        return each

    return make


def param_element(param: str, body: Compiled) -> ElementOf:
    """:func:`lambda_of_param`'s lambda applied to one argument."""

    def make(row: Row, scope: Scope) -> Callable[[Value], Value]:
        return lambda value: body({param: value}, scope)

    return make


def frame_element(params: tuple[str, ...], body: Compiled) -> ElementOf:
    """Any lambda applied to one argument: the first parameter is it, the others null, over the
    row (the frame ``query.compile`` builds for a call)."""

    def make(row: Row, scope: Scope) -> Callable[[Value], Value]:
        def each(value: Value) -> Value:
            frame = OverlayRow({param: value if i == 0 else None for i, param in enumerate(params)})
            frame.base = row
            return body(frame, scope)

        return each

    return make
