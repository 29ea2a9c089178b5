"""String built-ins (SPEC §8 "Containers and strings", the string half).

``containsword regextest regexmatch regexreplace replace lower upper split startswith endswith
padleft padright substring truncate``. Regexes are JavaScript regexes
(``query.functions.js_regex``); lengths and offsets count UTF-16 code units as JS strings do."""

from __future__ import annotations

import re

from query.errors import EvaluationError
from query.functions.dispatch import (
    BuiltinFunction,
    CallContext,
    clamp_index,
    from_u16,
    to_integer,
    u16,
)
from query.functions.js_regex import js_replace_all, js_split, js_test
from query.limits import check_string_size
from query.values import Value


def _none(*_args: object) -> None:
    return None


def _false(*_args: object) -> bool:
    return False


# Dataview's escapeRegex: the characters it backslash-escapes before building a RegExp.
_JS_SPECIALS = re.compile(r"[.*+?^${}()|[\]\\]")


def _containsword(ctx: CallContext, hay: str, word: str) -> bool:
    # Dataview tests /.*\b<escaped word>\b.*/i; JS \b only knows ASCII word characters. The
    # ".*" on each side may match nothing, so searching the middle alone gives the same answer
    # in linear time (".*" first makes a search quadratic on a long text without the word).
    escaped = _JS_SPECIALS.sub(lambda m: "\\" + m.group(0), word)
    return js_test(r"\b" + escaped + r"\b", hay, ctx.guard, ignore_case=True)


def _nullable(fn: BuiltinFunction, *arities: int, vectorized: bool = True) -> BuiltinFunction:
    """Null passthrough: a null in any position (of these argument counts) gives null; with
    ``vectorized``, lists in every position map pairwise."""
    for arity in arities:
        for position in range(arity):
            pattern = tuple("null" if i == position else "*" for i in range(arity))
            fn = fn.variant(pattern, _none)
    if vectorized:
        for arity in arities:
            fn = fn.vectorize(arity, tuple(range(arity)))
    return fn


CONTAINSWORD = _nullable(
    BuiltinFunction("containsword").variant(("string", "string"), _containsword), 2
)

REGEXTEST = (
    BuiltinFunction("regextest")
    .variant(("string", "string"), lambda c, pattern, s: js_test(pattern, s, c.guard))
    .variant(("null", "*"), _false)
    .variant(("*", "null"), _false)
    .vectorize(2, (0, 1))
)


def _regexmatch(ctx: CallContext, pattern: str, text: str) -> bool:
    # Dataview anchors textually, and only when neither anchor is already written.
    if not pattern.startswith("^") and not pattern.endswith("$"):
        pattern = "^" + pattern + "$"
    return js_test(pattern, text, ctx.guard)


REGEXMATCH = (
    BuiltinFunction("regexmatch")
    .variant(("string", "string"), _regexmatch)
    .variant(("null", "*"), _false)
    .variant(("*", "null"), _false)
    .vectorize(2, (0, 1))
)


REGEXREPLACE = _nullable(
    BuiltinFunction("regexreplace").variant(
        ("string", "string", "string"),
        lambda c, s, pattern, repl: js_replace_all(s, pattern, repl, c.guard),
    ),
    3,
)


def _replace(ctx: CallContext, text: str, needle: str, repl: str) -> str:
    if needle == "":
        # JS split("") cuts between UTF-16 code units.
        units = u16(text)
        size = len(units) + len(repl) * max(len(units) - 1, 0)
        check_string_size(size)
        ctx.guard.tick(size)
        return from_u16(repl.join(units))
    if len(repl) > len(needle):
        size = len(text) + text.count(needle) * (len(repl) - len(needle))
        check_string_size(size)
        ctx.guard.tick(size)
    return text.replace(needle, repl)


REPLACE = _nullable(BuiltinFunction("replace").variant(("string", "string", "string"), _replace), 3)

LOWER = (
    BuiltinFunction("lower")
    .variant(("string",), lambda _c, s: s.lower())
    .variant(("null",), _none)
    .vectorize(1, (0,))
)
UPPER = (
    BuiltinFunction("upper")
    .variant(("string",), lambda _c, s: s.upper())
    .variant(("null",), _none)
    .vectorize(1, (0,))
)

SPLIT = _nullable(  # not vectorised: a list argument is an error
    BuiltinFunction("split")
    .variant(("string", "string"), lambda c, s, delim: js_split(s, delim, None, c.guard))
    .variant(("string", "string", "number"), lambda c, s, d, n: js_split(s, d, n, c.guard)),
    2,
    3,
    vectorized=False,
)


def _null2(fn: BuiltinFunction) -> BuiltinFunction:
    return _nullable(fn, 2)


STARTSWITH = _null2(
    BuiltinFunction("startswith").variant(("string", "string"), lambda _c, s, p: s.startswith(p))
)
ENDSWITH = _null2(
    BuiltinFunction("endswith").variant(("string", "string"), lambda _c, s, p: s.endswith(p))
)


# V8's maximum string length (2**29 - 24 code units).
_MAX_STRING_LENGTH = 2**29 - 24


def _pad(text: str, length: float, pad: str, *, left: bool) -> str:
    units = u16(text)
    target = to_integer(length)
    pad_units = u16(pad)
    if target <= len(units) or not pad_units:
        return text
    if target > _MAX_STRING_LENGTH:
        raise EvaluationError("Invalid string length")  # V8's RangeError, not a huge allocation
    check_string_size(int(target))
    fill = int(target) - len(units)
    filler = (pad_units * (fill // len(pad_units) + 1))[:fill]
    return from_u16(filler + units if left else units + filler)


def _padding(name: str, *, left: bool) -> BuiltinFunction:
    return _nullable(
        BuiltinFunction(name)
        .variant(("string", "number"), lambda _c, s, n: _pad(s, n, " ", left=left))
        .variant(("string", "number", "string"), lambda _c, s, n, p: _pad(s, n, p, left=left)),
        2,
        3,
    )


PADLEFT = _padding("padleft", left=True)
PADRIGHT = _padding("padright", left=False)


def js_substring(text: str, start: float, end: float | None = None) -> str:
    """``String.prototype.substring``: clamp to the string, then swap reversed bounds."""
    units = u16(text)
    lo = clamp_index(to_integer(start), len(units))
    hi = len(units) if end is None else clamp_index(to_integer(end), len(units))
    if lo > hi:
        lo, hi = hi, lo
    return from_u16(units[lo:hi])


SUBSTRING = _nullable(
    BuiltinFunction("substring")
    .variant(("string", "number"), lambda _c, s, a: js_substring(s, a))
    .variant(("string", "number", "number"), lambda _c, s, a, b: js_substring(s, a, b)),
    2,
    3,
)


def _truncate(_ctx: CallContext, text: str, length: float, suffix: str = "...") -> Value:
    room = length - len(u16(suffix))
    if len(u16(text)) > room:
        return js_substring(text, 0, max(0, room)) + suffix
    return text


TRUNCATE = _nullable(
    BuiltinFunction("truncate")
    .variant(("string", "number", "string"), _truncate)
    .variant(("string", "number"), _truncate),
    2,
    3,
)

STRINGS: dict[str, BuiltinFunction] = {
    "containsword": CONTAINSWORD,
    "regextest": REGEXTEST,
    "regexmatch": REGEXMATCH,
    "regexreplace": REGEXREPLACE,
    "replace": REPLACE,
    "lower": LOWER,
    "upper": UPPER,
    "split": SPLIT,
    "startswith": STARTSWITH,
    "endswith": ENDSWITH,
    "padleft": PADLEFT,
    "padright": PADRIGHT,
    "substring": SUBSTRING,
    "truncate": TRUNCATE,
}
