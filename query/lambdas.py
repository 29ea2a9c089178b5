"""Lambdas whose body reads nothing of its frame but the parameter, compiled without a frame.

A lambda's body runs on a frame: its parameters over the enclosing row (``query.compile``
builds an overlay). When the body reads only the parameter (``query.fusion.reads_only``), a
plain one-entry dict gives the same values and errors through the plain-dict fast paths; when
it is just ``t.a.b`` or ``!t.a.b`` (``!t.completed`` over ``file.tasks``), the reads and the
negation are inlined into the call, with no frame at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from query.indexing import field_value
from query.semantics import truthy
from query.values import Function, Value

if TYPE_CHECKING:
    from query.compile import Compiled, Row, Scope

__all__ = ["lambda_of_fields", "lambda_of_param"]


def lambda_of_param(param: str, body: Compiled) -> Compiled:
    """A one-parameter lambda whose body reads nothing of its frame but the parameter
    (``query.fusion.reads_only``): the frame can be a plain one-entry dict, which evaluates the
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
