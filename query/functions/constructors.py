"""Constructor and conversion built-ins (SPEC §8 "Constructors and conversion").

``object list array date dur number string link embed elink typeof meta``. Each is declared as
Dataview declares it (ordered typed variants plus vectorised positions, see
``query.functions.dispatch``), so unlisted argument types fail the same way.
"""

from __future__ import annotations

import re

from query.errors import EvaluationError
from query.functions.dispatch import BuiltinFunction, CallContext, PlainFunction, js_number
from query.semantics import to_string, type_name
from query.temporal.dates import (
    date_from_epoch_ms,
    date_shorthand,
    parse_date,
    parse_date_with_format,
    parse_duration,
)
from query.values import Date, Link, Value, Widget

# Dataview's NUMBER_REGEX: the first signed decimal anywhere in the text (no exponent, no ".5").
NUMBER_PATTERN = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _object(_ctx: CallContext, *args: Value) -> Value:
    if len(args) % 2:
        raise EvaluationError("object() requires an even number of arguments")
    out: dict[str, Value] = {}
    for key, value in zip(args[::2], args[1::2], strict=True):
        if not isinstance(key, str):
            raise EvaluationError("keys should be of type string for object(key1, value1, ...)")
        out[key] = value
    return out


OBJECT = PlainFunction("object", _object, lambda n: True)
LIST = PlainFunction("list", lambda _ctx, *args: list(args), lambda n: True)
ARRAY = PlainFunction("array", lambda _ctx, *args: list(args), lambda n: True)


# -- date -------------------------------------------------------------------------------------
def _date_from_string(ctx: CallContext, text: str) -> Value:
    # Dataview's "datePlus": the ISO-like grammar or a shorthand such as "today".
    return parse_date(text, ctx.env.local) or date_shorthand(text, ctx.env.now)


def _date_from_link(ctx: CallContext, link: Link) -> Value:
    if link.display:
        parsed = parse_date(link.display, ctx.env.local)
        if parsed is not None:
            return parsed
    parsed = parse_date(link.path, ctx.env.local)
    if parsed is not None:
        return parsed
    page = ctx.resolve_link(link)
    if page is not None:
        file = page.get("file")
        if isinstance(file, dict) and isinstance(file.get("day"), Date):
            return file["day"]
    return None


def _date_with_format(ctx: CallContext, text: str, fmt: str) -> Value:
    if fmt in ("x", "X"):
        m = NUMBER_PATTERN.search(text)
        if m is None:
            raise EvaluationError(f"Not a number for format ({fmt}): {text}")
        # parseInt of the match: the integer part only.
        digits = m.group(0).split(".")[0]
        try:
            whole: float = int(digits)
        except ValueError:  # over Python's 4,300-digit limit: out of range, as in JavaScript
            whole = float(digits)
        return date_from_epoch_ms(whole * (1000 if fmt == "X" else 1), ctx.env.local)
    return parse_date_with_format(text, fmt, ctx.env.local, now=ctx.env.now, guard=ctx.guard)


DATE = (
    BuiltinFunction("date")
    .variant(("string",), _date_from_string)
    .variant(("date",), lambda _c, d: d)
    .variant(("link",), _date_from_link)
    .variant(("string", "string"), _date_with_format)
    .variant(("null", "string"), lambda _c, _d, _f: None)
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)

DUR = (
    BuiltinFunction("dur")
    .variant(("string",), lambda _c, s: parse_duration(s.strip()))
    .variant(("duration",), lambda _c, d: d)
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)


def _number_from_string(_ctx: CallContext, text: str) -> Value:
    m = NUMBER_PATTERN.search(text)
    return js_number(float(m.group(0))) if m else None


NUMBER = (
    BuiltinFunction("number")
    .variant(("number",), lambda _c, n: n)
    .variant(("string",), _number_from_string)
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)

STRING = BuiltinFunction("string").variant(("*",), lambda c, v: to_string(v, c.env))


# -- links ------------------------------------------------------------------------------------
def _file_link(
    ctx: CallContext, path: str, display: str | None = None, embed: bool = False
) -> Link:
    return Link(ctx.normalize_link(path), display=display, embed=embed)


LINK: BuiltinFunction = (
    BuiltinFunction("link")
    .variant(("string",), lambda c, p: _file_link(c, p))
    .variant(("link",), lambda _c, link: link)
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
    .variant(("string", "string"), lambda c, p, d: _file_link(c, p, d))
    .variant(("string", "string", "boolean"), lambda c, p, d, e: _file_link(c, p, d, e))
    .variant(("link", "string"), lambda _c, link, d: link.with_display(d))
    .variant(("null", "*"), lambda _c, _n, _x: None)
    .variant(("*", "null"), lambda c, x, _n: LINK(c, [x]))
    .vectorize(2, (0, 1))
)

EMBED = (
    BuiltinFunction("embed")
    .variant(("link",), lambda _c, link: link.with_embed(True))
    .vectorize(1, (0,))
    .variant(("link", "boolean"), lambda _c, link, e: link.with_embed(e))
    .variant(("null",), lambda _c, _n: None)
    .variant(("null", "*"), lambda _c, _n, _x: None)
    .variant(("*", "null"), lambda _c, _x, _n: None)
    .vectorize(2, (0, 1))
)


def _elink(url: str, display: str) -> Widget:
    return Widget("external-link", {"url": url, "display": display})


ELINK = (
    BuiltinFunction("elink")
    .variant(("string", "string"), lambda _c, u, d: _elink(u, d))
    .variant(("string", "null"), lambda _c, u, _n: _elink(u, u))
    .variant(("null", "*"), lambda _c, _n, _x: None)
    .vectorize(2, (0,))
    .variant(("string",), lambda _c, u: _elink(u, u))
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)

TYPEOF = BuiltinFunction("typeof").variant(("*",), lambda _c, v: type_name(v))

META = BuiltinFunction("meta").variant(
    ("link",),
    lambda _c, link: {
        "display": link.display,
        "embed": link.embed,
        "path": link.path,
        "subpath": link.subpath,
        "type": link.type,
    },
)

CONSTRUCTORS: dict[str, BuiltinFunction] = {
    "object": OBJECT,
    "list": LIST,
    "array": ARRAY,
    "date": DATE,
    "dur": DUR,
    "number": NUMBER,
    "string": STRING,
    "link": LINK,
    "embed": EMBED,
    "elink": ELINK,
    "typeof": TYPEOF,
    "meta": META,
}
