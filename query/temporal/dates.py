"""Luxon-compatible dates for Dataview: parsing, shorthands, calendar arithmetic, corpus encoding.

Dates are :class:`query.values.Date` values: an aware ``datetime`` plus Luxon's zone identity
(``query.temporal.zones``). The local zone and "now" are always parameters; this module never reads
a clock. Durations live in ``query.temporal.durations`` and formatting in
``query.temporal.luxon_format`` and ``query.temporal.luxon_parse``; they are re-exported here so
callers have one import for the date API."""

from __future__ import annotations

import math
import re
from calendar import monthrange
from datetime import UTC, datetime, timedelta, tzinfo

from query.errors import EvaluationError
from query.temporal.durations import (
    duration_as,
    duration_millis,
    negate_duration,
    normalize_duration,
    parse_duration,
    plus_durations,
    scale_duration,
    shift_units,
    to_units,
)
from query.temporal.luxon_format import format_date, format_duration, human_duration
from query.temporal.luxon_parse import parse_date_with_format
from query.temporal.zones import fixed_zone, fixed_zone_name, offset_minutes, resolve_zone
from query.values import Date, Duration

__all__ = [
    "add_duration",
    "date_field",
    "date_from_epoch_ms",
    "date_shorthand",
    "date_to_corpus",
    "duration_as",
    "duration_field",
    "duration_millis",
    "epoch_us",
    "format_date",
    "format_duration",
    "human_duration",
    "invalid_date",
    "local_date",
    "negate_duration",
    "normalize_duration",
    "parse_date",
    "parse_date_with_format",
    "parse_duration",
    "plus_durations",
    "same_zone",
    "scale_duration",
    "start_of_day",
    "subtract_dates",
    "to_local",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_MS = 86_400_000

# SPEC §7.1. The zone is only recognised after seconds; milliseconds need exactly three digits.
# The zone-name class mirrors Dataview's JavaScript class [0-9A-Za-z+-\/], where "+-\/" is a range.
_DATE_RE = re.compile(
    r"(\d{4})-(\d{2})"
    r"(?:-(\d{2})"
    r"(?:T(\d{2})"
    r"(?::(\d{2})"
    r"(?::(\d{2})(?:\.(\d{3}))?"
    r"(?:([+-])(\d{1,2}(?::\d{2})?)|(Z)|\[([0-9A-Za-z+,\-./]+)\])?"
    r")?)?)?)?"
)


def epoch_us(dt: datetime) -> int:
    """The exact instant of an aware datetime in microseconds since the epoch.

    Subtracting from a UTC epoch avoids Python's same-tzinfo shortcut, which ignores ``fold``.
    """
    if dt.fold == 0:
        # Only fold-0 datetimes are cached: a fold-1 one compares equal to its fold-0 twin.
        cached = _EPOCH_CACHE.get(dt)
        if cached is not None:
            return cached
    delta = dt - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if dt.fold == 0:
        if len(_EPOCH_CACHE) >= _EPOCH_CACHE_LIMIT:
            _EPOCH_CACHE.clear()
        _EPOCH_CACHE[dt] = micros
    return micros


# Sorting and comparing dates needs their instants again and again; ``datetime`` caches its own
# hash, so a lookup is far cheaper than the aware subtraction. Equal keys are equal instants.
_EPOCH_CACHE: dict[datetime, int] = {}
_EPOCH_CACHE_LIMIT = 262_144


def same_zone(a: Date, b: Date) -> bool:
    """Luxon's zone equality (part of ``DateTime.equals``)."""
    return a.zone == b.zone


def invalid_date(reason: str, local: tzinfo) -> Date:
    """An invalid date, as Luxon makes for out-of-range units (``20211345`` in a file name)."""
    return Date(EPOCH.astimezone(local), "local", reason)


def _from_wall(tz: tzinfo, naive: datetime) -> datetime:
    # Attaching the zone then round-tripping through UTC resolves DST gaps the way Luxon does
    # (a wall time that does not exist is pushed forward).
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _wall(
    year: int,
    month: int,
    day: float = 1,
    hour: float = 0,
    minute: float = 0,
    second: float = 0,
    millisecond: float = 0,
) -> datetime:
    """A naive wall-clock datetime where every unit but the month may overflow (like Date.UTC)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    base = datetime(year, month, 1)
    return base + timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=second, milliseconds=millisecond
    )


def _make(tz: tzinfo, zone: str, naive: datetime) -> Date:
    return Date(_from_wall(tz, naive), zone)


def local_date(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    millisecond: int = 0,
    *,
    local: tzinfo,
) -> Date:
    """Luxon ``DateTime.fromObject`` in the local zone: out-of-range units give an invalid date."""
    in_range = (
        1 <= month <= 12
        and 1 <= year <= 9999
        and 1 <= day <= monthrange(year, month)[1]
        and 0 <= minute <= 59
        and 0 <= second <= 59
        and 0 <= millisecond <= 999
        and (0 <= hour <= 23 or (hour == 24 and minute == second == millisecond == 0))
    )
    if not in_range:
        return invalid_date("unit out of range", local)
    return _make(local, "local", _wall(year, month, day, hour, minute, second, millisecond))


def parse_date(text: str, local: tzinfo) -> Date | None:
    """Dataview's date grammar over the whole string (SPEC §7.1); None if it is not a date."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1:
        return None
    day, hour, minute, second, milli = (int(g) if g else 0 for g in match.group(3, 4, 5, 6, 7))
    day = day if match.group(3) else 1
    tz, zone = local, "local"
    if match.group(8):
        sign, amount = match.group(8), match.group(9)
        hours_text, _, minutes_text = amount.partition(":")
        minutes = int(hours_text) * 60 + (int(minutes_text) if minutes_text else 0)
        offset = -minutes if sign == "-" else minutes
        fixed = fixed_zone(offset)
        if fixed is None:
            return None
        tz, zone = fixed, fixed_zone_name(offset)
    elif match.group(10):
        tz, zone = UTC, "UTC"
    elif match.group(11):
        resolved = resolve_zone(match.group(11), local)
        if resolved is None:
            return None
        tz, zone = resolved
    try:
        return _make(tz, zone, _wall(year, month, day, hour, minute, second, milli))
    except (OverflowError, ValueError):
        return None


def start_of_day(date: Date) -> Date:
    """Midnight of the date's own calendar day, in its own zone."""
    if date.invalid:
        return date
    dt = date.dt
    return _make(_tz(date), date.zone, datetime(dt.year, dt.month, dt.day))


def _tz(date: Date) -> tzinfo:
    tz = date.dt.tzinfo
    return tz if tz is not None else UTC


def to_local(date: Date, local: tzinfo) -> Date:
    """The same instant in the local zone (Luxon ``toLocal``)."""
    if date.invalid:
        return date
    return Date(date.dt.astimezone(local), "local")


def date_from_epoch_ms(ms: float, local: tzinfo) -> Date:
    """Luxon ``DateTime.fromMillis`` in the local zone."""
    if not math.isfinite(ms) or abs(ms) > 8.64e15:
        return invalid_date("Timestamp out of range", local)
    try:
        return Date((EPOCH + timedelta(milliseconds=ms)).astimezone(local), "local")
    except OverflowError:
        return invalid_date("Timestamp out of range", local)


def date_shorthand(name: str, now: Date) -> Date | None:
    """Dataview's date shorthands relative to ``now``; weeks start on Monday (SPEC §7.1)."""
    day = Duration(days=1)
    if name == "now":
        return now
    today = start_of_day(now)
    if name == "today":
        return today
    if name == "yesterday":
        return add_duration(today, day, -1)
    if name == "tomorrow":
        return add_duration(today, day)
    dt = today.dt
    if name in ("sow", "start-of-week", "eow", "end-of-week"):
        start = add_duration(today, Duration(days=dt.isoweekday() - 1), -1)
        return start if name.startswith("s") else _end_of(start, Duration(weeks=1))
    if name in ("som", "start-of-month", "eom", "end-of-month"):
        start = _make(_tz(now), now.zone, datetime(dt.year, dt.month, 1))
        return start if name.startswith("s") else _end_of(start, Duration(months=1))
    if name in ("soy", "start-of-year", "eoy", "end-of-year"):
        start = _make(_tz(now), now.zone, datetime(dt.year, 1, 1))
        return start if name.startswith("s") else _end_of(start, Duration(years=1))
    return None


def _end_of(start: Date, period: Duration) -> Date:
    # Luxon's endOf: the start of the next period minus one millisecond.
    return add_duration(add_duration(start, period), Duration(milliseconds=1), -1)


def add_duration(date: Date, d: Duration, sign: int = 1) -> Date:
    """Luxon ``DateTime.plus`` / ``minus``: calendar units first (clamping the day), then time."""
    if date.invalid:
        return date
    units = to_units(d if sign >= 0 else negate_duration(d))

    def whole(unit: str) -> int:
        return math.trunc(units.get(unit, 0.0))

    dt = date.dt
    year = dt.year + whole("years")
    month = dt.month + whole("months")
    norm_year = year + (month - 1) // 12
    norm_month = (month - 1) % 12 + 1
    try:
        last_day = monthrange(norm_year, norm_month)[1]
        day = min(dt.day, last_day) + whole("days") + whole("weeks") * 7
        naive = _wall(year, month, day, dt.hour, dt.minute, dt.second) + timedelta(
            microseconds=dt.microsecond
        )
        moved = _from_wall(_tz(date), naive)
        fractions = {
            unit: units.get(unit, 0.0) - whole(unit)
            for unit in ("years", "months", "weeks", "days")
        }
        rest = {**fractions, **{u: units.get(u, 0.0) for u in _TIME_UNITS}}
        millis = shift_units(rest, ("milliseconds",))["milliseconds"]
        if millis:
            moved = (moved.astimezone(UTC) + timedelta(milliseconds=millis)).astimezone(_tz(date))
    except (OverflowError, ValueError) as exc:
        raise EvaluationError(f"date out of range: {exc}") from exc
    return Date(moved, date.zone)


_TIME_UNITS = ("hours", "minutes", "seconds", "milliseconds")


def _later(a: Date, b: Date) -> bool:
    return epoch_us(a.dt) > epoch_us(b.dt)


def _day_diff(earlier: Date, later: Date) -> int:
    # Luxon compares the wall-clock calendar days of both dates.
    return later.dt.date().toordinal() - earlier.dt.date().toordinal()


def _diff(earlier: Date, later: Date) -> dict[str, float]:
    """Luxon's ``diff`` in years, months, days, hours, minutes, seconds, milliseconds."""
    cursor = earlier
    results: dict[str, float] = {}
    differs = (
        ("years", lambda a, b: b.dt.year - a.dt.year),
        ("months", lambda a, b: b.dt.month - a.dt.month + (b.dt.year - a.dt.year) * 12),
        ("days", _day_diff),
    )
    for unit, differ in differs:
        delta = differ(cursor, later)
        high_water = add_duration(cursor, Duration(**{unit: delta}))
        if _later(high_water, later):
            cursor = add_duration(cursor, Duration(**{unit: delta - 1}))
            delta -= 1
        else:
            cursor = high_water
        results[unit] = float(delta)
    remaining = (epoch_us(later.dt) - epoch_us(cursor.dt)) / 1000
    low = shift_units({"milliseconds": remaining}, _TIME_UNITS)
    for unit, amount in low.items():
        results[unit] = results.get(unit, 0.0) + amount
    return results


def subtract_dates(a: Date, b: Date) -> Duration:
    """Dataview's ``date - date``: Luxon ``a.diff(b, ...)`` then ``shiftToAll().normalize()``."""
    if a.invalid or b.invalid:
        raise EvaluationError("cannot subtract invalid dates")
    other_is_later = _later(b, a)
    earlier, later = (a, b) if other_is_later else (b, a)
    units = _diff(earlier, later)
    if other_is_later:
        units = {unit: -amount if amount else 0.0 for unit, amount in units.items()}
    raw = Duration(**{u: units.get(u, 0.0) for u in units if u != "quarters"})
    return normalize_duration(raw)


def _corpus_offset(minutes: int) -> str:
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def date_to_corpus(date: Date) -> str:
    """The conformance corpus's ``$date`` text for a date (SPEC §1)."""
    if date.invalid:
        return "invalid"
    dt = date.dt
    day = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
    millis = dt.microsecond // 1000
    if date.zone == "local" and (dt.hour, dt.minute, dt.second, millis) == (0, 0, 0, 0):
        return day
    text = f"{day}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    if millis:
        text += f".{millis:03d}"
    if date.zone == "local":
        return text
    if date.zone == "UTC" or date.zone.startswith(("UTC+", "UTC-")):
        return text + _corpus_offset(offset_minutes(dt))
    return f"{text}[{date.zone}]"


_DATE_FIELDS = ("year", "month", "day", "hour", "minute", "second", "millisecond")
_DURATION_FIELDS = {
    "year": "years", "years": "years", "month": "months", "months": "months", "weeks": "weeks",
    "day": "days", "days": "days", "hour": "hours", "hours": "hours", "minute": "minutes",
    "minutes": "minutes", "second": "seconds", "seconds": "seconds",
    "millisecond": "milliseconds", "milliseconds": "milliseconds",
}  # fmt: skip


def date_field(date: Date, name: str) -> float | None:
    """``date.<name>`` (SPEC §5.5): calendar fields in the date's own zone, else None.

    ``weekyear`` is the ISO week number and ``week`` the week of the month (Dataview's definitions).
    An invalid date yields NaN for every known field, like Luxon's getters.
    """
    known = (*_DATE_FIELDS, "weekday", "weekyear", "week")
    if name not in known:
        return None
    if date.invalid:
        return math.nan
    dt = date.dt
    if name == "millisecond":
        return dt.microsecond // 1000
    if name == "weekday":
        return dt.isoweekday()
    if name == "weekyear":
        return dt.isocalendar()[1]
    if name == "week":
        return dt.day // 7 + 1
    value: int = getattr(dt, name)
    return value


def duration_field(d: Duration, name: str) -> float | None:
    """``duration.<name>`` (SPEC §5.5): the total length in that unit (``week`` is not a field)."""
    unit = _DURATION_FIELDS.get(name)
    return None if unit is None else duration_as(d, unit)
