"""Luxon's string output for dates and durations in the en-US locale.

``format_date`` is ``DateTime.toFormat``, ``format_duration`` is ``Duration.toFormat`` and
``human_duration`` is ``Duration.toHuman`` (with zero units left out). Macro tokens (``D``, ``DDD``,
``t``, ``fff`` …) reproduce what Node 20's ICU prints for en-US, including the narrow no-break space
before AM/PM. Nothing here parses; ``query.temporal.luxon_parse`` does that.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from query.temporal.durations import normalize_duration, shift_units, to_units
from query.temporal.zones import fixed_zone_name, offset_minutes
from query.values import Date, Duration

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NNBSP = "\u202f"  # ICU 72+ puts a narrow no-break space between the time and AM/PM
_US_ZONES = {
    "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time", "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time", "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
}  # fmt: skip


def parse_format(fmt: str) -> list[tuple[bool, str]]:
    """Luxon's ``Formatter.parseFormat``: runs of one character, quoted text and whitespace."""
    splits: list[tuple[bool, str]] = []
    current: str | None = None
    current_full = ""
    bracketed = False
    for char in fmt:
        if char == "'":
            if current_full:
                splits.append((bracketed or current_full.isspace(), current_full))
            current = None
            current_full = ""
            bracketed = not bracketed
        elif bracketed or char == current:
            current_full += char
        else:
            if current_full:
                splits.append((current_full.isspace(), current_full))
            current_full = char
            current = char
    if current_full:
        splits.append((bracketed or current_full.isspace(), current_full))
    return splits


def pad(value: float | int | str, width: int = 0) -> str:
    """Luxon's ``padStart``: zero-pad the digits, keeping a leading minus sign outside."""
    if isinstance(value, str):
        return value.rjust(width, "0")
    number = int(value) if float(value).is_integer() else value
    if number < 0:
        return "-" + str(-number).rjust(width, "0")
    return str(number).rjust(width, "0")


def _hour12(hour: int) -> int:
    return 12 if hour % 12 == 0 else hour % 12


def _offset_text(minutes: int, style: str) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    if style == "narrow":
        return f"{sign}{hours}" + (f":{mins:02d}" if mins else "")
    if style == "techie":
        return f"{sign}{hours:02d}{mins:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


def _zone_short(date: Date) -> str:
    minutes = offset_minutes(date.dt)
    abbreviation = date.dt.tzname() or ""
    if abbreviation in _US_ZONES:
        return abbreviation
    if minutes == 0:
        tz = date.dt.tzinfo
        is_utc = not isinstance(tz, ZoneInfo) or tz.key in ("UTC", "Etc/UTC", "Etc/UCT", "UCT")
        return "UTC" if is_utc else "GMT"
    return "GMT" + _offset_text(minutes, "narrow")


def _zone_long(date: Date) -> str:
    short = _zone_short(date)
    if short in _US_ZONES:
        return _US_ZONES[short]
    if short == "UTC":
        return "Coordinated Universal Time"
    minutes = offset_minutes(date.dt)
    return "GMT" if minutes == 0 else "GMT" + _offset_text(minutes, "short")


def zone_name(date: Date) -> str:
    """Luxon's ``zoneName``: the IANA name, or ``UTC``/``UTC+5`` for fixed offsets."""
    tz = date.dt.tzinfo
    if isinstance(tz, ZoneInfo):
        return tz.key
    if date.zone not in ("local",):
        return date.zone
    return fixed_zone_name(offset_minutes(date.dt))


def _date_part(dt: datetime, style: str) -> str:
    if style == "short":
        return f"{dt.month}/{dt.day}/{dt.year}"
    if style == "med":
        return f"{MONTHS[dt.month - 1][:3]} {dt.day}, {dt.year}"
    if style == "full":
        return f"{MONTHS[dt.month - 1]} {dt.day}, {dt.year}"
    return f"{WEEKDAYS[dt.weekday()]}, {MONTHS[dt.month - 1]} {dt.day}, {dt.year}"


def _time_part(dt: datetime, seconds: bool, h24: bool = False) -> str:
    secs = f":{dt.second:02d}" if seconds else ""
    if h24:
        return f"{dt.hour:02d}:{dt.minute:02d}{secs}"
    meridiem = "AM" if dt.hour < 12 else "PM"
    return f"{_hour12(dt.hour)}:{dt.minute:02d}{secs}{_NNBSP}{meridiem}"


def _macro(date: Date, token: str) -> str | None:
    dt = date.dt
    date_styles = {"D": "short", "DD": "med", "DDD": "full", "DDDD": "huge"}
    if token in date_styles:
        return _date_part(dt, date_styles[token])
    times = {
        "t": (False, False, None), "tt": (True, False, None),
        "ttt": (True, False, "short"), "tttt": (True, False, "long"),
        "T": (False, True, None), "TT": (True, True, None),
        "TTT": (True, True, "short"), "TTTT": (True, True, "long"),
    }  # fmt: skip
    if token in times:
        with_seconds, h24, zone = times[token]
        text = _time_part(dt, with_seconds, h24)
        if zone:
            text += " " + (_zone_short(date) if zone == "short" else _zone_long(date))
        return text
    if token and token[0] in "fF" and len(token) <= 4 and token == token[0] * len(token):
        with_seconds = token[0] == "F"
        time = _time_part(dt, with_seconds)
        size = len(token)
        if size == 1:
            return f"{_date_part(dt, 'short')}, {time}"
        if size == 2:
            return f"{_date_part(dt, 'med')}, {time}"
        if size == 3:
            return f"{_date_part(dt, 'full')} at {time} {_zone_short(date)}"
        return f"{_date_part(dt, 'huge')} at {time} {_zone_long(date)}"
    return None


def _token(date: Date, token: str) -> str:
    dt = date.dt
    millis = dt.microsecond // 1000
    iso_year, iso_week, iso_weekday = dt.isocalendar()
    epoch_ms = (date.dt - _EPOCH) // timedelta(milliseconds=1)
    simple: dict[str, Callable[[], str]] = {
        "S": lambda: pad(millis),
        "u": lambda: pad(millis, 3),
        "SSS": lambda: pad(millis, 3),
        "uu": lambda: pad(millis // 10, 2),
        "uuu": lambda: pad(millis // 100),
        "s": lambda: pad(dt.second),
        "ss": lambda: pad(dt.second, 2),
        "m": lambda: pad(dt.minute),
        "mm": lambda: pad(dt.minute, 2),
        "h": lambda: pad(_hour12(dt.hour)),
        "hh": lambda: pad(_hour12(dt.hour), 2),
        "H": lambda: pad(dt.hour),
        "HH": lambda: pad(dt.hour, 2),
        "Z": lambda: _offset_text(offset_minutes(dt), "narrow"),
        "ZZ": lambda: _offset_text(offset_minutes(dt), "short"),
        "ZZZ": lambda: _offset_text(offset_minutes(dt), "techie"),
        "ZZZZ": lambda: _zone_short(date),
        "ZZZZZ": lambda: _zone_long(date),
        "z": lambda: zone_name(date),
        "a": lambda: "AM" if dt.hour < 12 else "PM",
        "d": lambda: pad(dt.day),
        "dd": lambda: pad(dt.day, 2),
        "c": lambda: pad(iso_weekday),
        "E": lambda: pad(iso_weekday),
        "ccc": lambda: WEEKDAYS[iso_weekday - 1][:3],
        "EEE": lambda: WEEKDAYS[iso_weekday - 1][:3],
        "cccc": lambda: WEEKDAYS[iso_weekday - 1],
        "EEEE": lambda: WEEKDAYS[iso_weekday - 1],
        "ccccc": lambda: WEEKDAYS[iso_weekday - 1][0],
        "EEEEE": lambda: WEEKDAYS[iso_weekday - 1][0],
        "L": lambda: pad(dt.month),
        "M": lambda: pad(dt.month),
        "LL": lambda: pad(dt.month, 2),
        "MM": lambda: pad(dt.month, 2),
        "LLL": lambda: MONTHS[dt.month - 1][:3],
        "MMM": lambda: MONTHS[dt.month - 1][:3],
        "LLLL": lambda: MONTHS[dt.month - 1],
        "MMMM": lambda: MONTHS[dt.month - 1],
        "LLLLL": lambda: MONTHS[dt.month - 1][0],
        "MMMMM": lambda: MONTHS[dt.month - 1][0],
        "y": lambda: pad(dt.year),
        "yy": lambda: pad(str(dt.year)[-2:], 2),
        "yyyy": lambda: pad(dt.year, 4),
        "yyyyyy": lambda: pad(dt.year, 6),
        "G": lambda: "AD",
        "GG": lambda: "Anno Domini",
        "GGGGG": lambda: "A",
        "kk": lambda: pad(str(iso_year)[-2:], 2),
        "kkkk": lambda: pad(iso_year, 4),
        "W": lambda: pad(iso_week),
        "WW": lambda: pad(iso_week, 2),
        "o": lambda: pad(dt.timetuple().tm_yday),
        "ooo": lambda: pad(dt.timetuple().tm_yday, 3),
        "q": lambda: pad((dt.month - 1) // 3 + 1),
        "qq": lambda: pad((dt.month - 1) // 3 + 1, 2),
        "X": lambda: str(epoch_ms // 1000),
        "x": lambda: str(epoch_ms),
    }
    if token in simple:
        return simple[token]()
    macro = _macro(date, token)
    return token if macro is None else macro


def format_date(date: Date, fmt: str) -> str:
    """Luxon ``DateTime.toFormat(fmt)`` in en-US, in the date's own zone."""
    if date.invalid:
        return "Invalid DateTime"
    return "".join(val if literal else _token(date, val) for literal, val in parse_format(fmt))


_DURATION_FIELDS = {
    "S": "milliseconds",
    "s": "seconds",
    "m": "minutes",
    "h": "hours",
    "d": "days",
    "w": "weeks",
    "M": "months",
    "y": "years",
}


def format_duration(d: Duration, fmt: str) -> str:
    """Luxon ``Duration.toFormat(fmt)``: shift to the units named in the format, then floor each."""
    tokens = parse_format(fmt)
    units = tuple(
        dict.fromkeys(
            _DURATION_FIELDS[val[0]]
            for literal, val in tokens
            if not literal
            if val[0] in _DURATION_FIELDS
        )
    )
    values = to_units(d)
    if units:
        ordered = tuple(u for u in _DURATION_ORDER if u in units)
        values = shift_units(values, ordered)
    out: list[str] = []
    for literal, val in tokens:
        field = None if literal else _DURATION_FIELDS.get(val[0])
        if field is None:
            out.append(val)
        else:
            amount = values.get(field, 0.0)
            out.append(pad(math.floor(amount), len(val)) if math.isfinite(amount) else "NaN")
    return "".join(out)


_DURATION_ORDER = (
    "years", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds",
)  # fmt: skip


def intl_number(value: float) -> str:
    """``Intl.NumberFormat('en-US')`` defaults: grouping, at most three fraction digits."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    try:
        rounded = Decimal(repr(float(value))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return repr(value)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def human_duration(d: Duration) -> str:
    """Dataview's duration text (``renderMinimalDuration``): Luxon ``toHuman()`` of the normalised
    duration without its zero units, e.g. ``"1 hour, 30 minutes"``; a zero duration gives ``""``.
    """
    parts: list[str] = []
    for unit, amount in normalize_duration(d).units().items():
        number = intl_number(float(amount))
        name = unit[:-1] if number.lstrip("-") == "1" else unit
        parts.append(f"{number} {name}")
    return ", ".join(parts)
