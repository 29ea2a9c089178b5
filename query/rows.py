"""Row data without copying: views of one mapping's entries over another's.

A TASK row is the task's keys over its page's (SPEC §3.1); a FLATTEN row is its source row plus
one key; a lambda's frame is its parameters over the row. Copying the page for each of these
(tens of thousands per query) cost more than evaluating the query, so the engine uses views:

- :class:`TaskRow`: a task over its page, three slot stores to build, cached by the index;
- :class:`OverlayRow`: a ``dict`` of own entries whose misses fall through to ``base``. Being a
  ``dict``, ``type_name`` says "object" and ``isinstance(x, dict)`` paths still work; every
  Python-level mapping method sees the merged view.

Hot code reads rows with :func:`row_get` (or inlines it), which uses the C ``dict.get`` for own
entries. :func:`plain` merges a view into a plain dict where a row becomes a value (GROUP BY's
``rows``). Nothing here mutates a base: pages and tasks are shared by every query.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from query.values import Value

_MISSING: Any = object()
_dict_get = dict.get
_dict_contains = dict.__contains__
_dict_iter = dict.__iter__


class OverlayRow(dict[str, Value]):
    """``own`` entries over ``base``'s; reads see the merge, in the merged dict's key order."""

    __slots__ = ("base",)
    base: Mapping[str, Value]  # set right after construction (see ``overlay``)

    # -- the merged view -------------------------------------------------------------------------

    def get(self, key: str, default: Value = None) -> Value:
        return row_get(self, key, default)

    def __missing__(self, key: str) -> Value:
        return self.base[key]

    def __contains__(self, key: object) -> bool:
        return _dict_contains(self, key) or key in self.base

    def __iter__(self) -> Iterator[str]:
        return self._merged_keys()

    def _merged_keys(self) -> Iterator[str]:
        # Base keys first (own values replace them in place), then the own-only keys: the order
        # ``{**base, **own}`` would have.
        for key in self.base:
            yield key
        for key in _dict_iter(self):
            if key not in self.base:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self._merged_keys())

    def keys(self) -> Any:
        return self.merged().keys()

    def items(self) -> Any:
        return self.merged().items()

    def values(self) -> Any:
        return self.merged().values()

    def copy(self) -> dict[str, Value]:
        return self.merged()

    def __eq__(self, other: object) -> bool:
        return self.merged() == other

    __hash__ = None

    def __repr__(self) -> str:
        return f"OverlayRow({dict(_dict_iter_items(self))!r} over {self.base!r})"

    def merged(self) -> dict[str, Value]:
        """A plain dict of the merged entries (what copying the base and updating it gives)."""
        base = self.base
        out = base.merged() if isinstance(base, (OverlayRow, TaskRow)) else dict(base)
        out.update(_dict_iter_items(self))
        return out


class TaskRow(Mapping[str, Value]):
    """A TASK row: the task's entries over its page's (SPEC §3.1), copying neither.

    Not a ``dict``: building one is three slot stores (``task_row``), where copying even the
    task alone cost more than evaluating a typical WHERE. It never becomes a value itself: GROUP
    BY merges it (``value``), and the TASK output is ``task``.
    """

    __slots__ = ("_value", "page", "task")
    task: dict[str, Value]
    page: Mapping[str, Value]
    _value: dict[str, Value] | None

    def get(self, key: str, default: Value = None) -> Value:
        value = self.task.get(key, _MISSING)
        return self.page.get(key, default) if value is _MISSING else value

    def __getitem__(self, key: str) -> Value:
        value = self.task.get(key, _MISSING)
        return self.page[key] if value is _MISSING else value

    def __contains__(self, key: object) -> bool:
        return key in self.task or key in self.page

    def __iter__(self) -> Iterator[str]:
        return iter(self.merged())

    def __len__(self) -> int:
        return len(self.merged())

    def merged(self) -> dict[str, Value]:
        out = dict(self.page)
        out.update(self.task)
        return out

    def value(self) -> dict[str, Value]:
        """The merged entries as one shared dict, built on first use and kept: the row is cached
        by the index, so a task grouped again costs nothing. Merging ~32 entries per task was half
        of a 13k-task TASK … GROUP BY at 50k notes (≈ 2 µs each, and as much again to free them
        with the result). The price is memory for tasks ever grouped: ≈ 830 bytes each on the
        benchmark vaults (≈ 75 MB if all 90k tasks of the 50k-note vault are). Shared like
        pages, so never mutated (``merged`` gives a fresh copy)."""
        value = self._value
        if value is None:
            value = self._value = {**self.page, **self.task}
        return value


_new_task_row = object.__new__


def task_row(task: dict[str, Value], page: Mapping[str, Value]) -> TaskRow:
    row: TaskRow = _new_task_row(TaskRow)
    row.task = task
    row.page = page
    row._value = None
    return row


def overlay(own: Mapping[str, Value], base: Mapping[str, Value]) -> OverlayRow:
    """An :class:`OverlayRow` of ``own`` over ``base`` (``dict.__init__`` copies ``own`` in C)."""
    row = OverlayRow(own)
    row.base = base
    return row


def _dict_iter_items(row: OverlayRow) -> Iterator[tuple[str, Value]]:
    return iter(dict.items(row))


def row_get(row: Mapping[str, Value], key: str, default: Value = None) -> Value:
    """``row.get(key, default)`` for plain dicts and overlays alike, fast for both."""
    if type(row) is dict:
        return row.get(key, default)
    while isinstance(row, OverlayRow):
        value = _dict_get(row, key, _MISSING)
        if value is not _MISSING:
            return value
        row = row.base
    return row.get(key, default)


def plain(row: Mapping[str, Value]) -> dict[str, Value]:
    """The row as a plain dict: overlays merged, plain dicts and task rows' shared values
    returned as they are (never to be mutated)."""
    if type(row) is dict:
        return row
    if type(row) is TaskRow:
        return row.value()
    if isinstance(row, OverlayRow):
        return row.merged()
    return dict(row)
