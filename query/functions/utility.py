"""Utility and formatting built-ins (SPEC §8 "Utility and formatting").

``default ldefault choice display striptime dateformat durationformat currencyformat localtime
hash``. Date and duration formatting is delegated to ``query.temporal.dates`` (Luxon's token
language); ``display`` reproduces Dataview's ``normalizeMarkdown`` (link stripping, then the
``remove-markdown`` package's rules with its default options; see
``query.functions.remove_markdown``)."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from query.errors import EvaluationError
from query.functions.dispatch import BuiltinFunction, CallContext, to_integer, u16
from query.functions.remove_markdown import link_label, normalize_markdown
from query.limits import UNLIMITED, Guard
from query.semantics import to_string, truthy
from query.temporal.dates import format_date, format_duration, local_date, to_local
from query.values import Date, Link, Value

DEFAULT = (
    BuiltinFunction("default")
    .variant(("*", "*"), lambda _c, v, fallback: fallback if v is None else v)
    .vectorize(2, (0, 1))
)
LDEFAULT = BuiltinFunction("ldefault").variant(
    ("*", "*"), lambda _c, v, fallback: fallback if v is None else v
)
CHOICE = (
    BuiltinFunction("choice")
    .variant(("*", "*", "*"), lambda _c, cond, a, b: a if truthy(cond) else b)
    .vectorize(3, (0,))
)


# -- display ----------------------------------------------------------------------------------
def dataview_link_markdown(link: Link) -> str:
    """``Link.markdown()`` as Dataview writes it: the display, else the file title (> subpath)."""
    target = link.path.replace("|", "\\|")
    if link.type == "header" and link.subpath is not None:
        target += "#" + link.subpath.replace("|", "\\|")
    elif link.type == "block" and link.subpath is not None:
        target += "#^" + link.subpath.replace("|", "\\|")
    if link.display:
        label = link.display
    else:
        label = link.file_name
        if link.type in ("header", "block"):
            label += f" > {link.subpath}"
    return f"{'!' if link.embed else ''}[[{target}|{label}]]"


def _display(ctx: CallContext, value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_display(ctx, item) for item in value)
    if isinstance(value, str):
        return normalize_markdown(value)
    if isinstance(value, Link):
        if value.display:
            return _display(ctx, value.display)
        return link_label(dataview_link_markdown(value))
    return to_string(value, ctx.env)


DISPLAY = BuiltinFunction("display").variant(("*",), _display)


# -- dates ------------------------------------------------------------------------------------
def _striptime(ctx: CallContext, date: Date) -> Value:
    if date.invalid is not None:
        return date
    return local_date(date.dt.year, date.dt.month, date.dt.day, local=ctx.env.local)


STRIPTIME = (
    BuiltinFunction("striptime")
    .variant(("date",), _striptime)
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)
DATEFORMAT = (
    BuiltinFunction("dateformat")
    .variant(("date", "string"), lambda _c, d, fmt: format_date(d, fmt))
    .variant(("null", "string"), lambda _c, _n, _f: None)
    .vectorize(2, (0,))
)
DURATIONFORMAT = (
    BuiltinFunction("durationformat")
    .variant(("duration", "string"), lambda _c, d, fmt: format_duration(d, fmt))
    .variant(("null", "string"), lambda _c, _n, _f: None)
    .vectorize(2, (0,))
)
LOCALTIME = (
    BuiltinFunction("localtime")
    .variant(("date",), lambda c, d: to_local(d, c.env.local))
    .variant(("null",), lambda _c, _n: None)
    .vectorize(1, (0,))
)


# -- currencyformat ---------------------------------------------------------------------------
# en-US symbols and minor-unit digits from CLDR/ISO 4217 for common codes; any other well-formed
# code is written as "XYZ 1,234.56" (with a no-break space), as Intl.NumberFormat does.
_CURRENCY_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "INR": "₹", "CAD": "CA$",
    "AUD": "A$", "NZD": "NZ$", "HKD": "HK$", "MXN": "MX$", "BRL": "R$", "KRW": "₩", "ILS": "₪",
    "VND": "₫", "TWD": "NT$", "XAF": "FCFA", "XOF": "F\u202fCFA", "XPF": "CFPF", "XCD": "EC$",
    "PHP": "₱",
}  # fmt: skip
_ZERO_DIGIT = {"JPY", "KRW", "VND", "XAF", "XOF", "XPF", "CLP", "ISK", "UGX", "PYG", "RWF"}
_ZERO_DIGIT |= {"BIF", "DJF", "GNF", "KMF", "VUV"}
_THREE_DIGIT = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}


def currency_format(amount: float, code: str = "USD") -> str:
    """``Intl.NumberFormat("en-US", {style: "currency", currency: code}).format(amount)``."""
    if not re.fullmatch(r"[A-Za-z]{3}", code):
        raise EvaluationError(f"Invalid currency code : {code}")
    code = code.upper()
    if math.isnan(amount):
        number, negative = "NaN", False
    elif math.isinf(amount):
        number, negative = "∞", amount < 0
    else:
        digits = 0 if code in _ZERO_DIGIT else 3 if code in _THREE_DIGIT else 2
        # ICU rounds the shortest decimal form of the double, ties away from zero.
        with localcontext() as dec:
            dec.prec = 400  # doubles reach 1e308; keep every integer digit
            fixed = Decimal(repr(float(amount))).quantize(
                Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
            )
        # Intl's default sign display marks every negative input, -0.001 → "-$0.00" included.
        negative = math.copysign(1.0, amount) < 0
        number = f"{abs(fixed):,.{digits}f}"
    symbol = _CURRENCY_SYMBOLS.get(code)
    body = f"{symbol}{number}" if symbol else f"{code}\u00a0{number}"
    return f"-{body}" if negative else body


CURRENCYFORMAT = (
    BuiltinFunction("currencyformat")
    .variant(("number", "string"), lambda _c, n, code: currency_format(n, code))
    .variant(("null", "string"), lambda _c, _n, _code: None)
    .variant(("number",), lambda _c, n: currency_format(n))
    .variant(("null",), lambda _c, _n: None)
    .vectorize(2, (0,))
)


# -- hash -------------------------------------------------------------------------------------
def _int32(x: float) -> int:
    """ECMAScript ToInt32."""
    if isinstance(x, float) and not math.isfinite(x):
        return 0
    n = int(to_integer(x)) & 0xFFFFFFFF
    return n - 2**32 if n >= 2**31 else n


def _imul(a: int, b: int) -> int:
    """``Math.imul`` on 32-bit patterns, returned as an unsigned 32-bit pattern."""
    return (a * b) & 0xFFFFFFFF


_HASH_STEP = 4096


def cyrb53(text: str, seed: float = 0, guard: Guard = UNLIMITED) -> int:
    """bryc's public-domain cyrb53 53-bit string hash, bit-exact with the JS original."""
    s = _int32(seed) & 0xFFFFFFFF
    h1 = 0xDEADBEEF ^ s
    h2 = 0x41C6CE57 ^ s
    units = u16(text)  # charCodeAt: UTF-16 code units
    for start in range(0, len(units), _HASH_STEP):
        guard.tick(_HASH_STEP * 16)  # about a microsecond per unit, in Python
        for unit in units[start : start + _HASH_STEP]:
            ch = ord(unit)
            h1 = _imul(h1 ^ ch, 2654435761)
            h2 = _imul(h2 ^ ch, 1597334677)
    h1 = _imul(h1 ^ (h1 >> 16), 2246822507)
    h1 ^= _imul(h2 ^ (h2 >> 13), 3266489909)
    h2 = _imul(h2 ^ (h2 >> 16), 2246822507)
    h2 ^= _imul(h1 ^ (h1 >> 13), 3266489909)
    return 4294967296 * (2097151 & h2) + h1


HASH = (
    BuiltinFunction("hash")
    .variant(("string", "number"), lambda c, seed, variant: cyrb53(seed, variant, c.guard))
    .variant(("string", "string"), lambda c, seed, text: cyrb53(seed + text, 0, c.guard))
    .variant(("string", "string", "number"), lambda c, s, t, v: cyrb53(s + t, v, c.guard))
)

UTILITY: dict[str, BuiltinFunction] = {
    "default": DEFAULT,
    "ldefault": LDEFAULT,
    "display": DISPLAY,
    "choice": CHOICE,
    "striptime": STRIPTIME,
    "dateformat": DATEFORMAT,
    "durationformat": DURATIONFORMAT,
    "currencyformat": CURRENCYFORMAT,
    "localtime": LOCALTIME,
    "hash": HASH,
}
