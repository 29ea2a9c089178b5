"""The machine's local time zone as a real IANA zone, so DST is right for every date.

``datetime.now().astimezone()`` only gives today's fixed offset; Dataview (Luxon) uses the system
zone with its rules. Order: ``$TZ``, then the ``/etc/localtime`` link's zone name, then
``/etc/timezone``, then today's fixed offset as a last resort.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def local_zone() -> tzinfo:
    for name in _candidate_names():
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    fallback = datetime.now().astimezone().tzinfo
    return fallback if fallback is not None else ZoneInfo("UTC")


def _candidate_names() -> list[str]:
    names: list[str] = []
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        names.append(tz)
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            names.append(target.split("zoneinfo/", 1)[1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        names.append(timezone_file.read_text(encoding="utf-8").strip())
    return names
