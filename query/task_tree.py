"""TASK results as Dataview shows them: each task once, children under their parent (SPEC §10).

The engine's TASK result is what Dataview's engine returns: every matching task or list item,
nested ones included, as its own row (in :class:`TaskGroup` after GROUP BY). Dataview's view
then nests them (``nestItems`` and ``Groupings.count`` in its ``task-view.tsx``), and so does
every rendering here (JSON, Markdown, CSV, the terminal), through :func:`shown`:

- each result is shown with *all* of its children, matching or not;
- a result whose parent is a result too, or a descendant of one, is not shown again at the top:
  only nested, under its parent;
- a result whose parent is not shown (it did not match, or is in another group) stays a root;
- the rule applies to one list of results at a time: the top level, or each innermost group;
- a group's count is the number of results in it (nested ones included; through sub-groups).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from query.values import Value

__all__ = ["TaskGroup", "children_of", "shown", "task_count"]


@dataclass(slots=True)
class TaskGroup:
    """A group of TASK results after ``GROUP BY`` (groups nest for repeated ``GROUP BY``)."""

    key: Value
    rows: list[Any]  # task objects (dicts) or nested TaskGroups


def task_count(rows: Sequence[Any]) -> int:
    """Dataview's ``Groupings.count``: the results in ``rows``, counted through groups."""
    return sum(task_count(row.rows) if isinstance(row, TaskGroup) else 1 for row in rows)


def children_of(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A task's child items (a ``FLATTEN`` may have stored something else under the key)."""
    children = item.get("children")
    if not isinstance(children, list):
        return []
    return [child for child in children if isinstance(child, Mapping)]


def shown(rows: Sequence[Any]) -> list[Any]:
    """``rows`` without the results shown nested under another result (Dataview's
    ``nestItems``), in their order; groups are kept (their rows are one list of their own)."""
    tasks = [row for row in rows if isinstance(row, Mapping)]
    if not tasks:
        return list(rows)
    present: set[tuple[Any, Any]] = set()  # (path, line) of every result and every descendant
    stack = list(tasks)
    while stack:
        item = stack.pop()
        key = (item.get("path"), item.get("line"))
        if key in present:
            continue  # (a FLATTEN can repeat a task; its children are the same)
        present.add(key)
        stack.extend(children_of(item))
    return [
        row
        for row in rows
        if not isinstance(row, Mapping)
        or row.get("parent") is None
        or (row.get("path"), row.get("parent")) not in present
    ]
