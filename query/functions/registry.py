"""The built-in function library of the expression language (SPEC §8): the registry.

Every Dataview function is looked up here by its exact, case-sensitive name. The functions
themselves live in small modules by family (``functions_constructors``, ``functions_numeric``,
``functions_lists``, ``functions_strings``, ``functions_utility``); argument dispatch and
vectorisation in ``functions_dispatch``; JavaScript regex emulation in ``functions_regex``.

Public API::

    FUNCTIONS: Mapping[str, BuiltinFunction]
    call_function(name, args, ctx) -> Value          # raises EvaluationError
    function_arity_ok(name, nargs) -> bool
    CallContext(env, resolve_link, normalize_link, call_value, index_value=None)

Built-ins never touch I/O: links are resolved and lambdas called through the ``CallContext``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from query.errors import EvaluationError
from query.functions.constructors import CONSTRUCTORS
from query.functions.dispatch import BuiltinFunction, CallContext
from query.functions.lists import LISTS
from query.functions.numeric import NUMERIC
from query.functions.strings import STRINGS
from query.functions.utility import UTILITY
from query.values import Value

__all__ = ["FUNCTIONS", "BuiltinFunction", "CallContext", "call_function", "function_arity_ok"]

FUNCTIONS: Mapping[str, BuiltinFunction] = MappingProxyType(
    {**CONSTRUCTORS, **NUMERIC, **LISTS, **STRINGS, **UTILITY}
)


def call_function(name: str, args: list[Value], ctx: CallContext) -> Value:
    """Call the built-in ``name`` with already-evaluated arguments."""
    fn = FUNCTIONS.get(name)
    if fn is None:
        raise EvaluationError(f"Unrecognized function name '{name}'")
    return fn(ctx, list(args))


def function_arity_ok(name: str, nargs: int) -> bool:
    """Whether some variant of ``name`` accepts ``nargs`` arguments (False for unknown names).

    Only the count is checked: argument types are decided per row at run time, as in Dataview.
    """
    fn = FUNCTIONS.get(name)
    return fn is not None and fn.arity_ok(nargs)
