"""Dates and durations as Bases computes them: Moment.js arithmetic, formats and humanising.

Dates are local wall-clock values (:class:`Moment`, an aware datetime in the query's zone).
Durations are :class:`Span` (months, days, milliseconds kept apart, as Moment keeps them):
adding one to a date adds the months on the calendar (clamped to the month's end), then the days
on the calendar, then the milliseconds on the clock. ``date - date`` is a span of milliseconds.
Pure: the zone and "now" are parameters.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, datetime, timedelta, tzinfo

from query.bases.values import Moment, Span

__all__ = [
    "add_span",
    "diff",
    "format_moment",
    "from_epoch_ms",
    "humanize",
    "moment_string",
    "parse_moment",
    "parse_span",
    "relative",
    "span_as",
    "start_of_day",
]

_DAY_MS = 86_400_000
_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_SPAN_ITEM = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*,?")
_UNITS = {
    "y": "y", "yr": "y", "yrs": "y", "year": "y", "years": "y",
    "M": "M", "mo": "M", "month": "M", "months": "M",
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "d": "d", "day": "d", "days": "d",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "ms": "ms", "millisecond": "ms", "milliseconds": "ms",
}  # fmt: skip
_ISO_SPAN = re.compile(
    r"([+-])?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


# -- making dates ---------------------------------------------------------------------------------


def from_epoch_ms(ms: float, local: tzinfo) -> Moment:
    return Moment(datetime.fromtimestamp(ms / 1000.0, UTC).astimezone(local))


def _localize(naive: datetime, local: tzinfo) -> datetime:
    """A wall-clock time in ``local`` (a time skipped by DST moves forward, as Moment does)."""
    aware = naive.replace(tzinfo=local)
    back = aware.astimezone(UTC).astimezone(local)
    if back.replace(tzinfo=None) != naive:  # in a gap: take the later offset
        aware = naive.replace(tzinfo=local, fold=1)
    return aware


def parse_moment(text: str, local: tzinfo) -> Moment | None:
    """``YYYY-MM-DD`` (date-only), ``YYYY-MM-DD HH:mm[:ss[.SSS]]`` or ISO 8601 with ``T`` and an
    optional offset (converted to the local zone); None when it is not a date."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, frac, offset = match.groups()
    try:
        if hour is None:
            return Moment(_localize(datetime(int(year), int(month), int(day)), local), True)
        micro = int((frac or "0").ljust(6, "0")[:6])
        naive = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro
        )
    except ValueError:
        return None
    if offset is None:
        return Moment(_localize(naive, local))
    if offset == "Z":
        zone: tzinfo = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
        from datetime import timezone

        zone = timezone(sign * timedelta(minutes=minutes))
    return Moment(naive.replace(tzinfo=zone).astimezone(local))


def start_of_day(moment: Moment) -> Moment:
    local = moment.dt.tzinfo
    assert local is not None
    naive = moment.dt.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    return Moment(_localize(naive, local), True)


# -- durations ------------------------------------------------------------------------------------


def parse_span(text: str) -> Span | None:
    """``"1d"``, ``"2 weeks"``, ``"1M 4h"``, ``"-3 days"`` or ISO 8601 ``P1DT2H``; None when not
    a duration. Units are Moment's (``M`` months, ``m`` minutes)."""
    stripped = text.strip()
    if not stripped:
        return None
    iso = _ISO_SPAN.match(stripped)
    if iso is not None and stripped not in ("P", "-P", "+P", "PT"):
        sign = -1 if iso.group(1) == "-" else 1
        y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in iso.groups()[1:])
        return Span(
            sign * (y * 12 + mo),
            sign * (w * 7 + d),
            sign * (h * 3_600_000 + mi * 60_000 + s * 1000),
        )
    months = days = ms = 0.0
    position = 0
    found = False
    while position < len(stripped):
        item = _SPAN_ITEM.match(stripped, position)
        if item is None or item.end() == position:
            return None
        amount = float(item.group(1))
        word = item.group(2)
        unit = _UNITS.get(word) or _UNITS.get(word.lower()) if word not in ("M", "m") else word
        if unit is None:
            return None
        if unit == "y":
            months += amount * 12
        elif unit == "M":
            months += amount
        elif unit == "w":
            days += amount * 7
        elif unit == "d":
            days += amount
        else:
            ms += amount * {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}[unit]
        position = item.end()
        found = True
    return Span(_tidy(months), _tidy(days), _tidy(ms)) if found else None


def _tidy(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def span_as(span: Span, unit: str) -> float:
    """Moment's ``duration.as(unit)``: the whole length in ``unit`` (``y M w d h m s ms``)."""
    if unit in ("y", "M"):
        days = span.days + span.ms / _DAY_MS
        months = span.months + days * 4800 / 146097
        return months / 12 if unit == "y" else months
    days = span.days + round(span.months * 146097 / 4800)
    per_day = {"w": 1 / 7, "d": 1, "h": 24, "m": 1440, "s": 86400, "ms": _DAY_MS}[unit]
    per_ms = {"w": 1 / 604_800_000, "d": 1 / _DAY_MS, "h": 1 / 3_600_000, "m": 1 / 60_000,
              "s": 1 / 1000, "ms": 1}[unit]  # fmt: skip
    if unit == "ms":
        return math.floor(days * _DAY_MS) + span.ms
    return days * per_day + span.ms * per_ms


def span_millis(span: Span) -> float:
    return span_as(span, "ms")


def scale_span(span: Span, factor: float) -> Span:
    return Span(_tidy(span.months * factor), _tidy(span.days * factor), _tidy(span.ms * factor))


def add_spans(a: Span, b: Span, sign: int = 1) -> Span:
    return Span(
        _tidy(a.months + sign * b.months), _tidy(a.days + sign * b.days), _tidy(a.ms + sign * b.ms)
    )


def _js_round(value: float) -> int:
    return math.floor(value + 0.5)


def humanize(span: Span, *, suffix: bool = False) -> str:
    """Moment's ``duration.humanize()`` with the default thresholds (English)."""
    negative = span_as(span, "ms") < 0
    magnitude = Span(abs(span.months), abs(span.days), abs(span.ms))
    seconds = _js_round(span_as(magnitude, "s"))
    minutes = _js_round(span_as(magnitude, "m"))
    hours = _js_round(span_as(magnitude, "h"))
    days = _js_round(span_as(magnitude, "d"))
    months = _js_round(span_as(magnitude, "M"))
    years = _js_round(span_as(magnitude, "y"))
    if seconds <= 44:
        text = "a few seconds"
    elif seconds < 45:
        text = f"{seconds} seconds"
    elif minutes <= 1:
        text = "a minute"
    elif minutes < 45:
        text = f"{minutes} minutes"
    elif hours <= 1:
        text = "an hour"
    elif hours < 22:
        text = f"{hours} hours"
    elif days <= 1:
        text = "a day"
    elif days < 26:
        text = f"{days} days"
    elif months <= 1:
        text = "a month"
    elif months < 11:
        text = f"{months} months"
    elif years <= 1:
        text = "a year"
    else:
        text = f"{years} years"
    if not suffix:
        return text
    return f"{text} ago" if negative else f"in {text}"


def add_span(moment: Moment, span: Span, sign: int = 1) -> Moment:
    """``moment`` plus (or minus) ``span``: months and days on the calendar, then milliseconds.
    A date-only value stays date-only unless the span has a time part."""
    dt = moment.dt
    local = dt.tzinfo
    assert local is not None
    months = sign * span.months
    days = sign * span.days
    ms = sign * span.ms
    naive = dt.replace(tzinfo=None)
    if months:
        whole = int(months)
        total = naive.year * 12 + (naive.month - 1) + whole
        year, month = divmod(total, 12)
        day = min(naive.day, calendar.monthrange(year, month + 1)[1])
        naive = naive.replace(year=year, month=month + 1, day=day)
        fraction = months - whole
        if fraction:
            days += fraction * 30  # Moment rounds fractional months; close enough
    if days:
        whole_days = int(days)
        naive = naive + timedelta(days=whole_days)
        ms += (days - whole_days) * _DAY_MS
    result = _localize(naive, local) if (months or days) else dt
    if ms:
        result = (result.astimezone(UTC) + timedelta(milliseconds=ms)).astimezone(local)
    return Moment(result, moment.date_only and not ms)


def diff(a: Moment, b: Moment) -> Span:
    """``a - b`` as a span of milliseconds."""
    return Span(0, 0, _tidy(round(a.epoch_ms - b.epoch_ms, 3)))


def _month_diff(base: datetime, other: datetime) -> tuple[int, float]:
    """Moment's positive ``momentsDifference``: whole months, then the milliseconds left."""
    months = other.month - base.month + (other.year - base.year) * 12
    shifted = add_span(Moment(base), Span(months, 0, 0)).dt
    if shifted > other:
        months -= 1
        shifted = add_span(Moment(base), Span(months, 0, 0)).dt
    return months, (other - shifted).total_seconds() * 1000


def relative(moment: Moment, now: Moment) -> str:
    """Moment's ``fromNow()``: ``"in 74 years"``, ``"3 days ago"``."""
    if moment.dt >= now.dt:
        months, ms = _month_diff(now.dt, moment.dt)
        span = Span(months, 0, ms)
    else:
        months, ms = _month_diff(moment.dt, now.dt)
        span = Span(-months, 0, -ms)
    return humanize(span, suffix=True)


# -- strings --------------------------------------------------------------------------------------


def moment_string(moment: Moment) -> str:
    """The string form: ``YYYY-MM-DD`` for date-only values, else ``YYYY-MM-DDTHH:mm:ss`` (local,
    no offset; milliseconds only when there are some)."""
    dt = moment.dt
    if moment.date_only:
        return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond // 1000:
        text += f".{dt.microsecond // 1000:03d}"
    return text


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_TOKEN = re.compile(
    r"\[[^\]]*\]|YYYYYY|YYYY|YY|Y|Qo|Q|MMMM|MMM|Mo|MM|M|DDDD|DDDo|DDD|Do|DD|D|dddd|ddd|dd|do|d|E|e"
    r"|wo|ww|w|Wo|WW|W|GGGG|gggg|HH|H|hh|h|kk|k|mm|m|ss|s|SSS|SS|S|A|a|X|x|ZZ|Z|LTS|LT|LL?L?L?"
)


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _offset(dt: datetime, colon: bool) -> str:
    offset = dt.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{':' if colon else ''}{minutes % 60:02d}"


def _token(dt: datetime, token: str) -> str:
    if token.startswith("["):
        return token[1:-1]
    weekday = (dt.weekday() + 1) % 7  # Sunday = 0, as Moment counts
    iso_year, iso_week, iso_day = dt.isocalendar()
    # Locale weeks (en: weeks start on Sunday, the week holding 1 January is week 1).
    jan1 = dt.replace(month=1, day=1)
    jan1_weekday = (jan1.weekday() + 1) % 7
    locale_week = (dt.timetuple().tm_yday + jan1_weekday - 1) // 7 + 1
    hour12 = dt.hour % 12 or 12
    quarter = (dt.month - 1) // 3 + 1
    simple: dict[str, str] = {
        "YYYYYY": f"{dt.year:+07d}", "YYYY": f"{dt.year:04d}", "YY": f"{dt.year % 100:02d}",
        "Y": str(dt.year), "Q": str(quarter), "Qo": _ordinal(quarter),
        "MMMM": _MONTHS[dt.month - 1], "MMM": _MONTHS[dt.month - 1][:3], "MM": f"{dt.month:02d}",
        "M": str(dt.month), "Mo": _ordinal(dt.month), "DD": f"{dt.day:02d}", "D": str(dt.day),
        "Do": _ordinal(dt.day), "DDDD": f"{dt.timetuple().tm_yday:03d}",
        "DDD": str(dt.timetuple().tm_yday), "DDDo": _ordinal(dt.timetuple().tm_yday),
        "dddd": _DAYS[weekday], "ddd": _DAYS[weekday][:3], "dd": _DAYS[weekday][:2],
        "d": str(weekday), "do": _ordinal(weekday), "e": str(weekday), "E": str(iso_day),
        "w": str(locale_week), "ww": f"{locale_week:02d}", "wo": _ordinal(locale_week),
        "W": str(iso_week), "WW": f"{iso_week:02d}", "Wo": _ordinal(iso_week),
        "GGGG": f"{iso_year:04d}", "gggg": f"{dt.year:04d}",
        "HH": f"{dt.hour:02d}", "H": str(dt.hour), "hh": f"{hour12:02d}", "h": str(hour12),
        "kk": f"{dt.hour or 24:02d}", "k": str(dt.hour or 24),
        "mm": f"{dt.minute:02d}", "m": str(dt.minute),
        "ss": f"{dt.second:02d}", "s": str(dt.second),
        "SSS": f"{dt.microsecond // 1000:03d}", "SS": f"{dt.microsecond // 10000:02d}",
        "S": str(dt.microsecond // 100000), "A": "AM" if dt.hour < 12 else "PM",
        "a": "am" if dt.hour < 12 else "pm", "X": str(int(dt.timestamp())),
        "x": str(int(dt.timestamp() * 1000)), "Z": _offset(dt, True), "ZZ": _offset(dt, False),
        "LT": f"{hour12}:{dt.minute:02d} {'AM' if dt.hour < 12 else 'PM'}",
        "LTS": f"{hour12}:{dt.minute:02d}:{dt.second:02d} {'AM' if dt.hour < 12 else 'PM'}",
        "L": f"{dt.month:02d}/{dt.day:02d}/{dt.year:04d}",
        "LL": f"{_MONTHS[dt.month - 1]} {dt.day}, {dt.year}",
        "LLL": f"{_MONTHS[dt.month - 1]} {dt.day}, {dt.year} {hour12}:{dt.minute:02d} "
        f"{'AM' if dt.hour < 12 else 'PM'}",
        "LLLL": f"{_DAYS[weekday]}, {_MONTHS[dt.month - 1]} {dt.day}, {dt.year} {hour12}:"
        f"{dt.minute:02d} {'AM' if dt.hour < 12 else 'PM'}",
    }  # fmt: skip
    return simple.get(token, token)


def format_moment(moment: Moment, fmt: str) -> str:
    """Moment's ``format(fmt)`` (English): ``YYYY-MM-DD``, ``dddd, MMMM Do``, ``[week] W``…"""
    dt = moment.dt
    return _TOKEN.sub(lambda m: _token(dt, m.group(0)), fmt)
