"""Time-zone identity the way Luxon models it, for :class:`query.values.Date`.

A Luxon ``DateTime`` carries a zone object; two dates are ``equals`` only when their zones
are equal.
We keep that identity as a string on ``Date.zone``:

* ``"local"`` — the query's local zone (Luxon's system zone);
* ``"UTC"``, ``"UTC+5"``, ``"UTC-4:30"`` — fixed offsets, named the way Luxon names them;
* an IANA name as written (``"Europe/Paris"``).

This module turns zone specifiers (``Z``, ``+05:30``, ``[Europe/Paris]``) into a ``tzinfo``
plus that identity, and back. It does no clock reading and no file I/O of its own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_FIXED_SPEC = re.compile(r"^utc(?:([+-]\d{1,2})(?::(\d{2}))?)?$", re.IGNORECASE)


def fixed_zone_name(offset_minutes: int) -> str:
    """Luxon's ``FixedOffsetZone.name``: ``UTC``, ``UTC+5``, ``UTC-4:30``."""
    if offset_minutes == 0:
        return "UTC"
    sign = "+" if offset_minutes > 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def fixed_zone(offset_minutes: int) -> tzinfo | None:
    """A fixed-offset ``tzinfo``, or None when Python cannot represent it (24 h or more)."""
    if abs(offset_minutes) >= 24 * 60:
        return None
    if offset_minutes == 0:
        return UTC
    return timezone(timedelta(minutes=offset_minutes))


def _signed_offset(hours_text: str, minutes_text: str | None) -> int:
    # Luxon's signedOffset: the minutes take the sign of the hours, including "-0".
    hours = int(hours_text)
    minutes = int(minutes_text) if minutes_text else 0
    negative = hours_text.startswith("-")
    return hours * 60 + (-minutes if negative else minutes)


@lru_cache(maxsize=256)
def _iana(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def resolve_zone(spec: str, local: tzinfo) -> tuple[tzinfo, str] | None:
    """Luxon's ``normalizeZone`` for a string: ``(tzinfo, identity)``, or None if unknown."""
    lowered = spec.lower()
    if lowered in ("local", "system", "default"):
        return local, "local"
    if lowered in ("utc", "gmt"):
        return UTC, "UTC"
    match = _FIXED_SPEC.match(lowered)
    if match:
        offset = _signed_offset(match.group(1), match.group(2)) if match.group(1) else 0
        tz = fixed_zone(offset)
        return None if tz is None else (tz, fixed_zone_name(offset))
    zone = _iana(spec)
    if zone is None:
        return None
    return zone, spec


def offset_minutes(dt: datetime) -> int:
    """The UTC offset of an aware datetime, in whole minutes."""
    offset = dt.utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)


def identity_for(tz: tzinfo, dt: datetime, local: tzinfo) -> str:
    """A zone identity for a ``tzinfo`` that did not come from a specifier."""
    if tz is local:
        return "local"
    if isinstance(tz, ZoneInfo):
        return tz.key
    return fixed_zone_name(offset_minutes(dt))
