"""The 16 global functions of Bases (SPEC §5).

``FUNCTIONS`` take evaluated arguments; ``LAZY_FUNCTIONS`` (``if``) take compiled ones and
evaluate only what they need. Failures are error values, never exceptions.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from query.bases.moment import from_epoch_ms, parse_moment, parse_span, start_of_day
from query.bases.semantics import to_text, truthy, type_name
from query.bases.values import BaseLink, ErrorValue, FileRef, Html, Icon, Image, Moment, Span, Value
from query.semantics import number_to_string

if TYPE_CHECKING:
    from query.bases.context import Context

__all__ = ["FUNCTIONS", "LAZY_FUNCTIONS", "as_file", "link_value"]

Function = Callable[[list[Value], "Context"], Value]


def _first_error(args: list[Value]) -> ErrorValue | None:
    for arg in args:
        if isinstance(arg, ErrorValue):
            return arg
    return None


def _date(args: list[Value], ctx: Context) -> Value:
    if not args or args[0] is None:
        return None
    value = args[0]
    if isinstance(value, ErrorValue | Moment):
        return value
    if isinstance(value, str):
        parsed = parse_moment(value, ctx.clock.local)
        if parsed is None:
            return ErrorValue(f'Unable to parse "{value}" as a date.')
        return parsed
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return from_epoch_ms(value, ctx.clock.local)
        except (ValueError, OverflowError, OSError):
            return ErrorValue(f"Unable to parse {number_to_string(value)} as a date.")
    return ErrorValue(f"Unable to parse a value of type {type_name(value)} as a date.")


def _duration(args: list[Value], ctx: Context) -> Value:
    if not args or args[0] is None:
        return None
    value = args[0]
    if isinstance(value, ErrorValue | Span):
        return value
    if isinstance(value, str):
        parsed = parse_span(value)
        if parsed is None:
            return ErrorValue(f'Unable to parse "{value}" as a duration.')
        return parsed
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Span(0, 0, value)
    return ErrorValue(f"Unable to parse a value of type {type_name(value)} as a duration.")


def _now(args: list[Value], ctx: Context) -> Value:
    return ctx.clock.now


def _today(args: list[Value], ctx: Context) -> Value:
    return start_of_day(ctx.clock.now)


def _number(args: list[Value], ctx: Context) -> Value:
    if not args:
        return ErrorValue("number() needs an argument")
    value = args[0]
    if isinstance(value, ErrorValue):
        return value
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return value
    if isinstance(value, Moment):
        ms = value.epoch_ms
        return int(ms) if float(ms).is_integer() else ms
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text) if text else 0.0
        except ValueError:
            return ErrorValue(f'Unable to parse "{value}" as a number.')
        if math.isinf(number) and text.lower() not in ("infinity", "+infinity", "-infinity"):
            return ErrorValue(f'Unable to parse "{value}" as a number.')
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return ErrorValue(f"Unable to parse a value of type {type_name(value)} as a number.")


def _list(args: list[Value], ctx: Context) -> Value:
    if not args:
        return []
    value = args[0]
    if isinstance(value, list | ErrorValue):
        return value
    if value is None:
        return []
    return [value]


def link_value(target: Value, display: Value, ctx: Context) -> Value:
    """``link(target, display?)``: a Link to a path, wikitext or URL, or to a File."""
    if isinstance(target, ErrorValue):
        return target
    if isinstance(target, FileRef):
        text = target.path
        resolved: str | None = target.path
    elif isinstance(target, BaseLink):
        text, resolved = target.text, target.resolved
    elif target is None:
        return None
    else:
        text = to_text(target).strip()
        if text.startswith("[[") and text.endswith("]]"):
            inner = text[2:-2]
            bar = inner.find("|")
            if bar >= 0 and display is None:
                display = inner[bar + 1 :].strip()
            text = (inner[:bar] if bar >= 0 else inner).strip()
        resolved = None if "://" in text else ctx.vault.resolve(text, ctx.path or "")
    shown: str | None
    if display is None:
        shown = None
    elif isinstance(display, Icon):
        shown = display.name
    else:
        shown = to_text(display)
    return BaseLink(text, shown, resolved)


def _link(args: list[Value], ctx: Context) -> Value:
    if not args:
        return ErrorValue("link() needs a target")
    return link_value(args[0], args[1] if len(args) > 1 else None, ctx)


def as_file(value: Value, ctx: Context) -> Value:
    """The File a path string, File or Link points to; null when none (SPEC §5 ``file``)."""
    if isinstance(value, ErrorValue) or value is None:
        return value
    if isinstance(value, FileRef):
        return FileRef(value.path)
    if isinstance(value, BaseLink):
        return FileRef(value.resolved) if value.resolved is not None else None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[[") and text.endswith("]]"):
            text = text[2:-2].split("|", 1)[0]
        found = ctx.vault.resolve(text, ctx.path or "")
        return FileRef(found) if found is not None else None
    return None


def _file(args: list[Value], ctx: Context) -> Value:
    return as_file(args[0] if args else None, ctx)


def _image(args: list[Value], ctx: Context) -> Value:
    value = args[0] if args else None
    if isinstance(value, ErrorValue):
        return value
    if isinstance(value, FileRef):
        return Image(value.path)
    if isinstance(value, BaseLink):
        return Image(value.resolved or value.text)
    return Image(to_text(value))


def _icon(args: list[Value], ctx: Context) -> Value:
    return Icon(to_text(args[0] if args else None))


def _html(args: list[Value], ctx: Context) -> Value:
    return Html(to_text(args[0] if args else None))


def _escape_html(args: list[Value], ctx: Context) -> Value:
    return html.escape(to_text(args[0] if args else None), quote=True).replace("&#x27;", "&#39;")


def _extreme(pick: Callable[..., Any]) -> Function:
    def run(args: list[Value], ctx: Context) -> Value:
        error = _first_error(args)
        if error is not None:
            return error
        numbers = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
        if not numbers:
            return None
        return pick(numbers)

    return run


def _random(args: list[Value], ctx: Context) -> Value:
    return ctx.clock.random()


def _if(args: list[Callable[[Context], Value]], ctx: Context) -> Value:
    if not args:
        return ErrorValue("if() needs a condition")
    condition = args[0](ctx)
    if isinstance(condition, ErrorValue):
        return condition
    if truthy(condition):
        return args[1](ctx) if len(args) > 1 else None
    return args[2](ctx) if len(args) > 2 else None


FUNCTIONS: dict[str, Function] = {
    "date": _date,
    "duration": _duration,
    "now": _now,
    "today": _today,
    "number": _number,
    "list": _list,
    "link": _link,
    "file": _file,
    "image": _image,
    "icon": _icon,
    "html": _html,
    "escapeHTML": _escape_html,
    "max": _extreme(max),
    "min": _extreme(min),
    "random": _random,
}
LAZY_FUNCTIONS: dict[str, Callable[[list[Callable[[Context], Value]], Context], Value]] = {
    "if": _if,
}
