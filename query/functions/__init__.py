"""The built-in function library of the expression language (SPEC §8).

The registry (``registry``) looks every Dataview function up by its exact name; the functions live
in small modules by family (``constructors``, ``numeric``, ``lists``, ``strings``, ``utility``);
argument dispatch and vectorisation in ``dispatch``; JavaScript regexes in ``js_regex``;
Dataview's remove-markdown (``display()``) in ``remove_markdown``.
"""

from query.functions.registry import (
    FUNCTIONS,
    BuiltinFunction,
    CallContext,
    call_function,
    function_arity_ok,
)

__all__ = ["FUNCTIONS", "BuiltinFunction", "CallContext", "call_function", "function_arity_ok"]
