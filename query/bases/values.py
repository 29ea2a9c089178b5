"""The values of the Bases expression language (SPEC §6.10), beside the plain Python ones.

=========  =====================================================================
Bases      Python
=========  =====================================================================
null       ``None`` (a missing property too)
boolean    ``bool``;  number: ``int``/``float`` (JavaScript numbers)
string     ``str``; a tag (``file.tags``, a ``tags`` property) is :class:`Tag`
list       ``list``;  object: ``dict[str, value]``
date       :class:`Moment` (a local date-time, or a date-only value)
duration   :class:`Span` (Moment's months / days / milliseconds)
link       :class:`BaseLink` (the target as written, its display, the file it resolves to)
file       :class:`FileRef` (a vault path; ``this`` is one with ``context`` set)
regexp     :class:`Pattern`;  html / icon / image: :class:`Html`, :class:`Icon`, :class:`Image`
error      :class:`ErrorValue` (errors are values: they propagate and render in a cell)
=========  =====================================================================

Why not ``query.values``: Bases dates know whether they are date-only (their string form
differs), durations are Moment's (calendar months apart from milliseconds, humanised), and a
link keeps the text it was written with *and* the file it resolves to (``toString`` prints the
former, equality compares the latter). :mod:`query.bases.cells` converts to the project's typed
cells. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

__all__ = [
    "BaseLink",
    "ErrorValue",
    "FileRef",
    "Html",
    "Icon",
    "Image",
    "Moment",
    "Pattern",
    "Span",
    "Tag",
    "Value",
    "approximate_size",
]

Value: TypeAlias = Any
"""Any Bases value (see the table above)."""


class Tag(str):
    """A tag (``#project/a`` or ``project/a``): a string whose ``contains`` is hierarchical."""

    __slots__ = ()

    @property
    def bare(self) -> str:
        return self.lstrip("#").lower()

    def matches(self, wanted: str) -> bool:
        """Whether this tag is ``wanted`` or nested under it, case-insensitively."""
        want = wanted.lstrip("#").lower()
        mine = self.bare
        return bool(want) and (mine == want or mine.startswith(want + "/"))


@dataclass(frozen=True, slots=True)
class Moment:
    """A date: an aware local date-time; ``date_only`` values print without their time."""

    dt: datetime
    date_only: bool = False

    @property
    def epoch_ms(self) -> float:
        return self.dt.timestamp() * 1000.0


@dataclass(frozen=True, slots=True)
class Span:
    """A Moment.js duration: calendar ``months``, ``days`` and ``ms`` kept apart."""

    months: float = 0
    days: float = 0
    ms: float = 0


@dataclass(frozen=True, slots=True)
class BaseLink:
    """A link. ``text`` is the target as written (subpath included: ``Other#Section One``),
    ``display`` the shown text (None: none given), ``resolved`` the vault path it points to
    (None: unresolved, or an external URL)."""

    text: str
    display: str | None = None
    resolved: str | None = None
    embed: bool = False

    @property
    def target(self) -> str:
        """The target without its ``#subpath``."""
        return self.text.split("#", 1)[0].strip()


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file of the vault by path. ``context`` marks ``this``: its members are note properties
    (``this.status``) besides ``this.file``."""

    path: str
    context: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regular expression literal ``/source/flags``; ``compiled`` is JavaScript-flavoured."""

    source: str
    flags: str
    compiled: Any = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Html:
    text: str


@dataclass(frozen=True, slots=True)
class Icon:
    name: str


@dataclass(frozen=True, slots=True)
class Image:
    src: str


@dataclass(frozen=True, slots=True)
class ErrorValue:
    """A failed evaluation: rendered as its message, falsy, propagated by operators."""

    message: str


def approximate_size(value: Value, limit: int) -> int:
    """Roughly the bytes ``value`` holds (strings by length, containers by their items and
    their items' sizes), counted until the count passes ``limit`` (then a number over it). A
    value shared twice is counted twice: an over-estimate, which is safe for a cache budget."""
    total = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        children: Any = ()
        if isinstance(item, str):
            total += 56 + len(item)
        elif isinstance(item, list | tuple):
            total += 56 + 8 * len(item)
            children = item
        elif isinstance(item, dict):
            total += 64 + 16 * len(item)
            children = [*item.keys(), *item.values()] if total <= limit else ()
        elif isinstance(item, BaseLink):
            total += 80 + len(item.text) + len(item.display or "") + len(item.resolved or "")
        elif isinstance(item, FileRef):
            total += 64 + len(item.path)
        elif isinstance(item, Html | ErrorValue):
            total += 64 + len(item.text if isinstance(item, Html) else item.message)
        else:
            total += 32
        if total > limit:
            return total
        stack.extend(children)
    return total
