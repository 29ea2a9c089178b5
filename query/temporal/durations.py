"""Luxon-compatible durations: parsing Dataview's duration text, shifting, normalising, lengths.

A :class:`query.values.Duration` is a unit map. Luxon converts between units with its *casual*
matrix (a year is 365 days or 52 weeks or 12 months, a month is 30 days or 4 weeks). The functions
here port Luxon 3.4's ``shiftTo``, ``normalize`` and ``toMillis`` over that matrix, keeping
JavaScript's floating-point order of operations so results match Dataview to the last bit.
"""

from __future__ import annotations

import math
import re

from query.values import DURATION_UNITS, Duration

# Luxon's unit order, largest first. Quarters exist in Luxon's matrix but never in our values.
ORDERED_UNITS: tuple[str, ...] = (
    "years",
    "quarters",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
)

_DAY_MS = 24 * 60 * 60 * 1000
_LOW_ORDER: dict[str, dict[str, float]] = {
    "weeks": {
        "days": 7,
        "hours": 7 * 24,
        "minutes": 7 * 24 * 60,
        "seconds": 7 * 24 * 60 * 60,
        "milliseconds": 7 * _DAY_MS,
    },
    "days": {"hours": 24, "minutes": 24 * 60, "seconds": 24 * 60 * 60, "milliseconds": _DAY_MS},
    "hours": {"minutes": 60, "seconds": 60 * 60, "milliseconds": 60 * 60 * 1000},
    "minutes": {"seconds": 60, "milliseconds": 60 * 1000},
    "seconds": {"milliseconds": 1000},
}
CASUAL_MATRIX: dict[str, dict[str, float]] = {
    "years": {
        "quarters": 4,
        "months": 12,
        "weeks": 52,
        "days": 365,
        "hours": 365 * 24,
        "minutes": 365 * 24 * 60,
        "seconds": 365 * 24 * 60 * 60,
        "milliseconds": 365 * _DAY_MS,
    },
    "quarters": {
        "months": 3,
        "weeks": 13,
        "days": 91,
        "hours": 91 * 24,
        "minutes": 91 * 24 * 60,
        "seconds": 91 * 24 * 60 * 60,
        "milliseconds": 91 * _DAY_MS,
    },
    "months": {
        "weeks": 4,
        "days": 30,
        "hours": 30 * 24,
        "minutes": 30 * 24 * 60,
        "seconds": 30 * 24 * 60 * 60,
        "milliseconds": 30 * _DAY_MS,
    },
    **_LOW_ORDER,
}

# Dataview's unit spellings. Luxon's parser tries them longest first and never backtracks.
_UNIT_SPELLINGS: dict[str, str] = {
    "year": "years", "years": "years", "yr": "years", "yrs": "years",
    "month": "months", "months": "months", "mo": "months", "mos": "months",
    "week": "weeks", "weeks": "weeks", "wk": "weeks", "wks": "weeks", "w": "weeks",
    "day": "days", "days": "days", "d": "days",
    "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours", "h": "hours",
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "m": "minutes",
    "second": "seconds", "seconds": "seconds", "sec": "seconds", "secs": "seconds",
    "s": "seconds",
}  # fmt: skip
_SPELLINGS_LONGEST_FIRST = sorted(_UNIT_SPELLINGS, key=len, reverse=True)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_WS = re.compile(r"\s*")
_COMMA_SEP = re.compile(r"\s*,\s*")

Units = dict[str, float]


def tidy(value: float) -> float:
    """Integral floats become ints so values print like JavaScript numbers (``2`` not ``2.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def to_units(d: Duration) -> Units:
    """The units Luxon would hold for ``d`` (its non-zero units)."""
    return {unit: float(amount) for unit, amount in d.units().items()}


def from_units(units: Units) -> Duration:
    values = {unit: tidy(units.get(unit, 0) or 0) for unit in DURATION_UNITS}
    return Duration(**values)


def _parse_item(text: str, pos: int) -> tuple[str, float, int] | None:
    number = _NUMBER.match(text, pos)
    if number is None:
        return None
    after = _WS.match(text, number.end())
    at = after.end() if after else number.end()
    for spelling in _SPELLINGS_LONGEST_FIRST:
        if text.startswith(spelling, at):
            return _UNIT_SPELLINGS[spelling], float(number.group()), at + len(spelling)
    return None


def parse_duration(text: str) -> Duration | None:
    """Dataview's duration grammar over the whole text (SPEC §7.2), not normalised."""
    first = _parse_item(text, 0)
    if first is None:
        return None
    items = [first]
    pos = first[2]
    while True:
        comma = _COMMA_SEP.match(text, pos)
        sep_end = comma.end() if comma else pos
        if not comma:
            ws = _WS.match(text, pos)
            sep_end = ws.end() if ws else pos
        item = _parse_item(text, sep_end)
        if item is None:
            break
        items.append(item)
        pos = item[2]
    if pos != len(text):
        return None
    # Luxon's plus drops units that sum to exactly zero.
    total: Units = {}
    for unit, amount, _ in items:
        total[unit] = total.get(unit, 0.0) + amount
    return from_units({unit: amount for unit, amount in total.items() if amount != 0})


def units_to_millis(units: Units) -> float:
    """Luxon's ``durationToMillis`` over the casual matrix (smallest unit first, like Luxon)."""
    total = units.get("milliseconds", 0.0)
    for unit in reversed(ORDERED_UNITS[:-1]):
        amount = units.get(unit)
        if amount:
            total += amount * CASUAL_MATRIX[unit]["milliseconds"]
    return total


def duration_millis(d: Duration) -> float:
    """The casual length of ``d`` in milliseconds (for ordering and truthiness)."""
    return units_to_millis(to_units(d))


def _normalize_values(vals: Units) -> None:
    """Luxon 3.4 ``normalizeValues`` (mutates ``vals``); only units present take part."""
    if any(not math.isfinite(v) for v in vals.values()):
        return
    factor = -1.0 if units_to_millis(vals) < 0 else 1.0
    previous: str | None = None
    for current in reversed(ORDERED_UNITS):
        if current not in vals:
            continue
        if previous is not None:
            conv = CASUAL_MATRIX[current][previous]
            roll_up = float(math.floor(vals[previous] * factor / conv))
            vals[current] += roll_up * factor
            vals[previous] -= roll_up * conv * factor
        previous = current
    previous = None
    for current in ORDERED_UNITS:
        if current not in vals:
            continue
        if previous is not None:
            fraction = math.fmod(vals[previous], 1)
            vals[previous] -= fraction
            vals[current] += fraction * CASUAL_MATRIX[previous][current]
        previous = current


def shift_units(vals: Units, targets: tuple[str, ...]) -> Units:
    """Luxon 3.4 ``Duration.shiftTo(...targets)`` on a unit map."""
    if any(not math.isfinite(v) for v in vals.values()):
        return dict(vals)
    built: Units = {}
    accumulated: Units = {}
    last_unit = targets[-1]
    for unit in ORDERED_UNITS:
        if unit in targets:
            last_unit = unit
            own = 0.0
            for acc_unit in accumulated:
                own += CASUAL_MATRIX[acc_unit][unit] * accumulated[acc_unit]
                accumulated[acc_unit] = 0.0
            if unit in vals:
                own += vals[unit]
            whole = float(math.trunc(own))
            built[unit] = whole
            accumulated[unit] = (own * 1000 - whole * 1000) / 1000
        elif unit in vals:
            accumulated[unit] = vals[unit]
    for acc_unit, amount in accumulated.items():
        if amount != 0:
            if acc_unit == last_unit:
                built[last_unit] += amount
            else:
                built[last_unit] += amount / CASUAL_MATRIX[last_unit][acc_unit]
    _normalize_values(built)
    return built


def normalize_duration(d: Duration) -> Duration:
    """Dataview's ``normalizeDuration``: Luxon ``shiftToAll().normalize()`` (SPEC §7.3)."""
    shifted = shift_units(to_units(d), DURATION_UNITS)
    _normalize_values(shifted)
    return from_units(shifted)


def duration_as(d: Duration, unit: str) -> float:
    """Luxon ``Duration.as(unit)``: the total length in one unit, possibly fractional."""
    units = to_units(d)
    shifted = shift_units(units, (unit,))
    if unit not in shifted:  # infinite or NaN amounts (``dur(1 day) / 0``) are not shifted
        return sum(units.values())  # ±Infinity, or NaN, as Luxon's arithmetic gives
    return tidy(shifted[unit])


def negate_duration(d: Duration) -> Duration:
    return from_units({unit: -amount for unit, amount in to_units(d).items()})


def plus_durations(a: Duration, b: Duration) -> Duration:
    """Luxon ``plus`` (not normalised)."""
    out = to_units(a)
    for unit, amount in to_units(b).items():
        out[unit] = out.get(unit, 0.0) + amount
    return from_units(out)


def scale_duration(d: Duration, factor: float) -> Duration:
    """Luxon ``mapUnits(x => x * factor)`` (not normalised)."""
    return from_units({unit: amount * factor for unit, amount in to_units(d).items()})
