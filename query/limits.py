"""What one query may cost: time, memory, the size of any value it builds, the depth of its text.

A query is hostile until proven otherwise: ``"a" * 500000000``, ``padleft("x", 536870888)``, a
``reduce`` that doubles a string thirty times, a FLATTEN of a million-element list on every page
or a catastrophic regex must end in a :class:`QueryLimitError`, soon, without taking the process
down or starving the other requests. Three mechanisms, each cheap enough for the hot paths:

- **Size caps, checked before allocating** (:data:`MAX_STRING`, :data:`MAX_LIST`): every
  operator and built-in that can build a string or list larger than its inputs (``+``, ``*``,
  ``padleft``, ``join``, ``replace``, ``regexreplace``, ``split``, ``flat``, ``string()`` of a
  list…) computes the size it is about to build and refuses one over the cap. No single value
  can then cost more than about 64 MB, and no single C-level step (which holds the GIL) more
  than tens of milliseconds.
- **A work meter** (:meth:`Guard.tick`): loops over elements and builders of large values add
  what they touch (elements, characters) to a counter; every :data:`TICK_STEP` units the guard
  checks the clock and the memory. Row loops call :meth:`Guard.check` every 256 rows. A row
  that does a lot of work is therefore interrupted inside the row, not after it.
- **Time and memory, checked together** (:meth:`Guard.check`): the clock against the time
  limit, and — at most every :data:`MEMORY_PROBE_S` seconds, or after every
  :data:`TICK_STEP` units of work — the process's resident memory against what it was when the
  query started plus ``Limits.max_memory``. The probe is passed in (``Limits.memory``): this
  package reads neither clocks nor ``/proc`` itself.

Regexes are matched with a time-out of the query's remaining time (``query.functions.js_regex``).
Parsing refuses trees deeper than :data:`MAX_DEPTH` (``query.parsing.parser``), with the position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from query.errors import QueryLimitError

MAX_STRING = 16 * 1024 * 1024
"""Characters in any string a query builds (16 M; V8 allows 2**29 - 24, then throws)."""

MAX_LIST = 1024 * 1024
"""Elements in any list a query builds (1 M)."""

MAX_PATTERN = 64 * 1024
"""Characters in a regular expression's source."""

MAX_DEPTH = 200
"""Levels of nesting in a parsed query (parentheses, lists, calls, operator chains, lambdas)."""

TICK_STEP = 1 << 16
"""Units of work (elements, characters) between two checks of the clock and the memory."""

MEMORY_PROBE_S = 0.01
"""The shortest interval between two reads of the process's memory by one query."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds for one query.

    ``clock`` returns seconds (e.g. ``time.perf_counter``); without one, neither the time limit
    nor ``took_ms`` can be measured. ``memory`` returns the process's resident bytes; without
    one, ``max_memory`` is not enforced (the size caps always are)."""

    max_rows: int | None = None
    timeout_s: float | None = None
    clock: Callable[[], float] | None = None
    max_memory: int | None = None
    memory: Callable[[], int] | None = None


class Guard:
    """One query's meter: the time limit, the memory budget and the work counter.

    Everything that evaluates a query gets the same guard (through ``Scope.guard`` and
    ``CallContext.guard``); a guard built from ``Limits()`` only counts."""

    __slots__ = (
        "_baseline",
        "_budget",
        "_clock",
        "_deadline",
        "_memory",
        "_next_probe",
        "_start",
        "_timeout",
        "_work",
    )

    def __init__(self, limits: Limits | None = None) -> None:
        limits = limits or Limits()
        self._clock = limits.clock
        self._start = self._clock() if self._clock else 0.0
        self._timeout = limits.timeout_s
        self._deadline = (
            self._start + limits.timeout_s
            if limits.timeout_s is not None and self._clock is not None
            else None
        )
        self._memory = limits.memory if limits.max_memory is not None else None
        self._budget = limits.max_memory or 0
        self._baseline = self._memory() if self._memory is not None else 0
        self._next_probe = self._start
        self._work = 0

    def check(self) -> None:
        """Raise :class:`QueryLimitError` when the time is up or the memory budget is spent."""
        clock = self._clock
        if clock is None:
            return
        now = clock()
        if self._deadline is not None and now > self._deadline:
            raise QueryLimitError(
                f"the query ran longer than its time limit of {self._timeout:g} s; "
                "narrow its FROM or add a LIMIT"
            )
        if self._memory is not None and now >= self._next_probe:
            self._next_probe = now + MEMORY_PROBE_S
            self.check_memory()

    def check_memory(self) -> None:
        if self._memory is None:
            return
        grown = self._memory() - self._baseline
        if grown > self._budget:
            raise QueryLimitError(
                f"the query needed more than its memory budget of {_megabytes(self._budget)}; "
                "narrow its FROM, add a LIMIT or build smaller values"
            )

    def tick(self, units: int) -> None:
        """Count ``units`` of work (elements or characters about to be touched or built)."""
        self._work += units
        if self._work >= TICK_STEP:
            self._work = 0
            self.check()
            self.check_memory()

    def remaining(self) -> float | None:
        """Seconds left before the time limit (None: no limit), never below a millisecond."""
        if self._deadline is None or self._clock is None:
            return None
        return max(self._deadline - self._clock(), 0.001)

    def elapsed_ms(self) -> float:
        return (self._clock() - self._start) * 1000 if self._clock else 0.0

    def timed_out(self) -> QueryLimitError:
        """The error for a step (a regex) that ran out of the remaining time."""
        return QueryLimitError(
            f"the query ran longer than its time limit of {self._timeout or 0:g} s "
            "(in a regular expression); simplify the pattern or narrow the query"
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def check_string_size(length: int, what: str = "string") -> None:
    """Refuse to build a string of ``length`` characters over :data:`MAX_STRING`."""
    if length > MAX_STRING:
        raise QueryLimitError(
            f"the query would build a {what} of {length:,} characters, over the limit of "
            f"{MAX_STRING:,}"
        )


def check_list_size(length: int, what: str = "list") -> None:
    """Refuse to build a list of ``length`` elements over :data:`MAX_LIST`."""
    if length > MAX_LIST:
        raise QueryLimitError(
            f"the query would build a {what} of {length:,} elements, over the limit of {MAX_LIST:,}"
        )


UNLIMITED = Guard()
"""A guard that only counts: for evaluation outside a query (tests, the corpus runner)."""


_T = TypeVar("_T")
_FIRST_SLICE = 0.25  # CPU seconds a match may take before it is timed against the wall clock
_MIN_SLICE = 0.005


def within_time(guard: Guard, attempt: Callable[[float | None], _T]) -> _T:
    """``attempt(timeout)`` — one call of the ``regex`` package with a ``timeout`` — ended by the
    query's wall-clock deadline; past it, :class:`QueryLimitError`.

    The regex engine's time-out counts the matching thread's CPU time, which runs slower than
    the wall clock while other processes share the CPU (a 2 s time-out took 7.4 s beside three
    busy processes). So a match first gets a short CPU time-out; one that needs longer runs
    again with twice as long, or with what the wall-clock time left allows at the share of the
    CPU the last attempt got, whichever is less. A match needing n CPU seconds costs at most
    about 2n; a catastrophic one ends within about one attempt of the deadline."""
    remaining = guard.remaining()
    if remaining is None:
        return attempt(None)
    cpu = min(_FIRST_SLICE, remaining)
    while True:
        try:
            return attempt(cpu)
        except TimeoutError:
            pass
        left = guard.remaining() or 0.0
        wall = remaining - left
        share = min(cpu / wall, 1.0) if wall > 0 else 1.0
        remaining = left
        cpu = min(cpu * 2, left * share)
        if cpu < _MIN_SLICE:
            raise guard.timed_out()
