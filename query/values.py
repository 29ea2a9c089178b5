"""Dataview's value model: the types a field or an expression can hold.

Values are plain Python objects wherever Dataview's type maps onto one:

=============  ==========================================================
Dataview type  Python representation
=============  ==========================================================
null           ``None``
boolean        ``bool``
number         ``int`` or ``float`` (JS number semantics; NaN/Infinity ok)
string         ``str``
array          ``list``
object         ``dict[str, Value]``
link           :class:`Link`
date           :class:`Date` (Luxon-like: instant + zone identity)
duration       :class:`Duration` (a Luxon unit map)
function       :class:`Function`
widget         :class:`Widget` (``elink`` results, LIST "id: value" pairs)
=============  ==========================================================

This module holds the types only. Parsing and arithmetic for dates and durations live in
``query.temporal.dates``; ordering, truthiness and string conversion in ``query.semantics``.
It must stay free of I/O: no clock, no file system (the import-linter contract says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal, TypeAlias

from query.positional import pickled_by_position

LinkType = Literal["file", "header", "block"]


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a note, a heading in it, or a block in it.

    ``path`` is a full vault path once resolved (``Books/Dune.md``), or the text as written when the
    target does not exist. ``display`` and ``embed`` never take part in comparisons.

    ``written`` is the target exactly as the note wrote it, subpath included (``Other#Section
    One``, ``../Spaced Note.md``): set by the Markdown reader for links in a note's body (Obsidian
    Bases prints and matches links by it), None elsewhere. It never takes part in comparisons.
    """

    path: str
    display: str | None = None
    subpath: str | None = None
    type: LinkType = "file"
    embed: bool = False
    written: str | None = field(default=None, compare=False)

    def with_display(self, display: str | None) -> Link:
        return Link(self.path, display, self.subpath, self.type, self.embed, self.written)

    def with_path(self, path: str) -> Link:
        return Link(path, self.display, self.subpath, self.type, self.embed, self.written)

    def with_embed(self, embed: bool) -> Link:
        return Link(self.path, self.display, self.subpath, self.type, embed, self.written)

    def to_file(self) -> Link:
        """The link to the whole file, without subpath or display."""
        return Link(self.path)

    @property
    def file_name(self) -> str:
        """The target's file name without folders or a trailing ``.md`` (Dataview's
        ``fileName``)."""
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.endswith(".md") else name

    def obsidian_link(self) -> str:
        """The link text without brackets or display: ``path``, ``path#Heading`` or ``path#^id``."""
        if self.type == "header" and self.subpath is not None:
            return f"{self.path}#{self.subpath}"
        if self.type == "block" and self.subpath is not None:
            return f"{self.path}#^{self.subpath}"
        return self.path

    def markdown(self) -> str:
        """Dataview's rendering: always ``[[target|display]]``, the file title (plus ``> subpath``
        for heading and block links) when there is no display text."""
        target = self.obsidian_link().replace("|", "\\|")
        shown = self.display
        if not shown:
            shown = self.file_name
            if self.type != "file":
                shown += f" > {self.subpath}"
        return f"{'!' if self.embed else ''}[[{target}|{shown}]]"


ZoneKind = Literal["local", "fixed", "named"]


@dataclass(frozen=True, slots=True)
class Date:
    """A date-time with a zone, as Luxon's ``DateTime`` models it.

    ``dt`` is an aware :class:`datetime` whose ``tzinfo`` is the zone. ``zone`` is the zone's
    identity
    for equality: ``"local"`` (the query's local zone), a fixed offset written ``"UTC"`` or
    ``"UTC+5"``/``"UTC-4:30"`` (Luxon's names), or an IANA name. Luxon's ``equals`` needs the same
    instant *and* the same zone, so ``date(2021-01-01)`` (local) never equals
    ``date(2021-01-01T00:00:00Z)`` (fixed UTC), even when the local zone is UTC.

    An invalid date (``20211345`` in a file name) has ``invalid`` set to Luxon's reason and a
    meaningless ``dt``.
    """

    dt: datetime
    zone: str = "local"
    invalid: str | None = None

    @property
    def epoch_ms(self) -> float:
        return self.dt.timestamp() * 1000.0

    @property
    def tz(self) -> tzinfo | None:
        return self.dt.tzinfo


DURATION_UNITS: tuple[str, ...] = (
    "years",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
)


@dataclass(frozen=True, slots=True)
class Duration:
    """A Luxon duration: a unit map. Units hold their own amounts; nothing is converted implicitly.

    Equality is unit by unit (``dur(1 day) != dur(24 hours)``), with a missing unit equal to zero.
    Length comparisons convert with Luxon's casual matrix (see ``query.temporal.dates``).
    """

    years: float = 0
    months: float = 0
    weeks: float = 0
    days: float = 0
    hours: float = 0
    minutes: float = 0
    seconds: float = 0
    milliseconds: float = 0

    def units(self) -> dict[str, float]:
        """The non-zero units, largest first (the corpus's ``$dur`` encoding)."""
        out: dict[str, float] = {}
        for unit in DURATION_UNITS:
            amount = getattr(self, unit)
            if amount:
                out[unit] = amount
        return out


@dataclass(frozen=True, slots=True)
class Function:
    """A callable value: a lambda, or a built-in function used as a value."""

    call: Callable[[list[Any]], Any]
    name: str = "<lambda>"


@dataclass(frozen=True, slots=True)
class Widget:
    """A rendered widget: ``elink(url, display)`` or a LIST ``id: value`` pair."""

    kind: Literal["external-link", "list-pair"]
    data: dict[str, Any] = field(default_factory=dict)


Value: TypeAlias = Any
"""Any Dataview value (see the table above). ``Any`` because the union is recursive."""


# Pickled by position: the catalog cache holds tens of thousands of these (``query.positional``).
_make_link = pickled_by_position(Link, "_make_link")
_make_date = pickled_by_position(Date, "_make_date")
_make_duration = pickled_by_position(Duration, "_make_duration")
