"""Argument dispatch for the built-in function library: typed variants and vectorisation.

Dataview declares each built-in as an ordered list of *variants* (argument type patterns such as
``("string", "number")`` or ``("*", "null")``, or a catch-all vararg), plus per-arity *vectorised
positions*. A call first checks vectorisation: if any vectorised position (for this argument count)
holds a list, the function is applied element-wise up to the shortest such list. Otherwise the first
variant whose pattern matches the argument types runs; if none matches the call fails with
``No implementation of 'f' found for arguments: t1, t2``.

This module holds that machinery and :class:`CallContext` (what a built-in may ask of the
evaluator). It knows nothing about individual functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from query.errors import EvaluationError
from query.limits import UNLIMITED, Guard
from query.semantics import Env, type_name
from query.values import Link, Value

Impl = Callable[..., Value]
"""A variant body: ``impl(ctx, *args)``."""


@dataclass
class CallContext:
    """What a built-in function can ask of the evaluator.

    ``resolve_link`` returns the linked page object (or None); ``normalize_link`` maps a path as
    written to the resolved full path (for ``link("x")``); ``call_value`` calls a function value
    (a lambda) with positional arguments. ``index_value`` evaluates ``obj[key]`` with the
    expression language's indexing rules (SPEC §5.5); when absent, a built-in fallback covering
    objects, links, lists and scalars is used (``extract`` needs it). ``guard`` meters the
    query's work and memory (``query.limits``): built-ins that loop over elements or build large
    values tick it.
    """

    env: Env
    resolve_link: Callable[[Link], Mapping[str, Value] | None]
    normalize_link: Callable[[str], str]
    call_value: Callable[[Value, list[Value]], Value]
    index_value: Callable[[Value, Value], Value] | None = None
    guard: Guard = UNLIMITED


@dataclass(frozen=True)
class _Variant:
    types: tuple[str, ...] | None  # None: accepts any number of arguments of any type
    impl: Impl


_Resolution = tuple[tuple[int, ...], "_Variant | None"]
"""How a call with given argument types runs: vectorised positions, else the variant."""


class BuiltinFunction:
    """One built-in: its variants in declaration order and its vectorised positions per arity."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._variants: list[_Variant] = []
        self._vectorized: dict[int, tuple[int, ...]] = {}
        self._by_arity: dict[int, tuple[_Variant, ...]] = {}  # filled lazily, per call arity
        self._resolved: dict[tuple[type, ...], _Resolution] = {}  # by argument types

    # -- building -------------------------------------------------------------------------
    def add(self, *types: str) -> Callable[[Impl], Impl]:
        """Decorator registering a typed variant; ``"*"`` matches any type (null included)."""

        def register(impl: Impl) -> Impl:
            self._by_arity.clear()
            self._resolved.clear()
            self._variants.append(_Variant(tuple(types), impl))
            return impl

        return register

    def variant(self, types: Sequence[str], impl: Impl) -> BuiltinFunction:
        self._by_arity.clear()
        self._resolved.clear()
        self._variants.append(_Variant(tuple(types), impl))
        return self

    def vararg(self, impl: Impl) -> BuiltinFunction:
        self._by_arity.clear()
        self._resolved.clear()
        self._variants.append(_Variant(None, impl))
        return self

    def vectorize(self, nargs: int, positions: Sequence[int]) -> BuiltinFunction:
        self._vectorized[nargs] = tuple(positions)
        return self

    # -- introspection --------------------------------------------------------------------
    def arity_ok(self, nargs: int) -> bool:
        return any(v.types is None or len(v.types) == nargs for v in self._variants)

    # -- calling --------------------------------------------------------------------------
    def __call__(self, ctx: CallContext, args: list[Value]) -> Value:
        # type_name depends on the Python type alone, so what a call does (vectorise over which
        # positions, or which variant runs) is fixed per tuple of Python types: resolve it once,
        # then each call is one dict lookup.
        signature = tuple(map(type, args))
        entry = self._resolved.get(signature)
        if entry is None:
            entry = self._resolve(signature, args)
        lists, variant = entry
        if lists:
            # Pairwise up to the shortest vectorised list, as Dataview does.
            nargs = len(args)
            count = min(len(args[p]) for p in lists)
            ctx.guard.tick(count)
            return [
                self(ctx, [args[i][k] if i in lists else args[i] for i in range(nargs)])
                for k in range(count)
            ]
        if variant is None:
            types = ", ".join(type_name(a) for a in args)
            raise EvaluationError(
                f"No implementation of '{self.name}' found for arguments: {types}"
            )
        try:
            return variant.impl(ctx, *args)
        except (RecursionError, ArithmeticError, ValueError) as exc:
            raise variant_error(self.name, exc) from exc

    def _resolve(self, signature: tuple[type, ...], args: list[Value]) -> _Resolution:
        """The vectorised positions holding lists, else the first variant matching the
        arguments' Dataview types (None: no variant does)."""
        nargs = len(args)
        positions = self._vectorized.get(nargs, ())
        lists = tuple(p for p in positions if p < nargs and issubclass(signature[p], list))
        found: _Variant | None = None
        if not lists:
            variants = self._by_arity.get(nargs)
            if variants is None:
                variants = self._variants_for(nargs)
            types = [type_name(a) for a in args]
            for v in variants:
                if v.types is None or all(
                    want == "*" or want == got for want, got in zip(v.types, types, strict=True)
                ):
                    found = v
                    break
        entry = (lists, found)
        if len(self._resolved) < 1024:  # bounded: signatures are few in practice
            self._resolved[signature] = entry
        return entry

    def _variants_for(self, nargs: int) -> tuple[_Variant, ...]:
        """The variants that can take ``nargs`` arguments, in declaration order."""
        variants = tuple(v for v in self._variants if v.types is None or len(v.types) == nargs)
        self._by_arity[nargs] = variants
        return variants


class PlainFunction(BuiltinFunction):
    """A built-in with hand-written argument handling (``list``, ``object``, ``extract``)."""

    def __init__(self, name: str, impl: Impl, arities: Callable[[int], bool]) -> None:
        super().__init__(name)
        self._impl = impl
        self._arities = arities

    def arity_ok(self, nargs: int) -> bool:
        return self._arities(nargs)

    def __call__(self, ctx: CallContext, args: list[Value]) -> Value:
        return run_variant(self.name, self._impl, ctx, args)


def run_variant(name: str, impl: Impl, ctx: CallContext, args: list[Value]) -> Value:
    """Run one variant; Python-level numeric failures become a row error, as JS errors do."""
    try:
        return impl(ctx, *args)
    except (RecursionError, ArithmeticError, ValueError) as exc:
        raise variant_error(name, exc) from exc


def variant_error(name: str, exc: RecursionError | ArithmeticError | ValueError) -> EvaluationError:
    """The row error for a Python failure inside ``name``'s variant (JS would yield NaN or
    Infinity, or throw a RangeError; either way only this row fails)."""
    if isinstance(exc, RecursionError):
        return EvaluationError(f"{name}(): value nested too deeply")
    return EvaluationError(f"{name}(): {exc}")


def js_number(x: float) -> int | float:
    """A float result as the plain number Dataview would show: integral values become ``int``.

    Non-finite values and magnitudes beyond 2**53 stay floats so they print as JS would.
    """
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def to_integer(x: float) -> float:
    """ECMAScript ToIntegerOrInfinity for a number argument (NaN → 0, truncation toward zero)."""
    if isinstance(x, int):
        return int(x)
    if math.isnan(x):
        return 0
    if math.isinf(x):
        return float(x)
    return math.trunc(x)


def clamp_index(x: float, length: int) -> int:
    """A ToIntegerOrInfinity result clamped into ``[0, length]`` (inf-safe)."""
    if x <= 0:
        return 0
    if x >= length:
        return length
    return int(x)


def u16(text: str) -> str:
    """The string as UTF-16 code units (astral characters become surrogate pairs).

    JS string lengths and offsets count code units; working on this form reproduces them.
    """
    if text.isascii() or max(text) < "\U00010000":  # max: one C loop, not a Python one
        return text
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x10000:
            out.append(ch)
        else:
            cp -= 0x10000
            out.append(chr(0xD800 + (cp >> 10)))
            out.append(chr(0xDC00 + (cp & 0x3FF)))
    return "".join(out)


_SURROGATE = re.compile("[\ud800-\udfff]")


def from_u16(units: str) -> str:
    """Inverse of :func:`u16`: recombine surrogate pairs (lone surrogates are kept)."""
    if _SURROGATE.search(units) is None:
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
