"""TASK results shown as Dataview shows them: each task once, a child only under its parent when
the parent is shown, group counts (``query.task_tree``; SPEC §10, Dataview's ``nestItems``).

One table of cases, each checked in every rendering: the JSON tree, the Markdown and the CSV
must show the same items, each once, in the same order."""

from __future__ import annotations

from typing import Any

import pytest

from query.engine import execute
from query.results import QueryResult, to_csv, to_json, to_markdown
from query.task_tree import TaskGroup, shown, task_count
from tests.query.engine_vault import ENV, index_of

FILES = {
    "Tasks.md": (
        "- [ ] A\n"  # 0
        "    - [ ] A1\n"  # 1
        "        - [ ] A1a\n"  # 2
        "    - [x] A2\n"  # 3
        "- [x] B\n"  # 4
        "    - [ ] B1\n"  # 5
    ),
    "Other.md": "- [ ] C\n    - note under C\n",
}
INDEX = index_of(FILES)


def run(query: str) -> QueryResult:
    return execute(query, INDEX, env=ENV)


# A shown task: (text, [its shown children]); a group: ("#", key, count, [rows]).
Tree = list[Any]

CASES: list[tuple[str, str, Tree, int]] = [
    (
        "every task: children only under their parents",
        'TASK FROM "Tasks"',
        [("A", [("A1", [("A1a", [])]), ("A2", [])]), ("B", [("B1", [])])],
        6,
    ),
    (
        "a matching child of a parent that does not match is a root",
        'TASK FROM "Tasks" WHERE !completed',
        [("A", [("A1", [("A1a", [])]), ("A2", [])]), ("B1", [])],
        4,
    ),
    (
        "a grandchild whose grandparent is shown stays nested (its parent is a descendant)",
        'TASK FROM "Tasks" WHERE text = "A" OR text = "A1a"',
        [("A", [("A1", [("A1a", [])]), ("A2", [])])],
        2,
    ),
    (
        "a matching child's children are shown, matching or not",
        'TASK FROM "Tasks" WHERE text = "A1"',
        [("A1", [("A1a", [])])],
        1,
    ),
    (
        "children whose parent did not match, in result order",
        'TASK FROM "Tasks" WHERE completed',
        [("A2", []), ("B", [("B1", [])])],
        2,
    ),
    (
        "the result's order is kept (SORT), children follow the note",
        'TASK FROM "Tasks" SORT line DESC',
        [("B", [("B1", [])]), ("A", [("A1", [("A1a", [])]), ("A2", [])])],
        6,
    ),
    (
        "list items come with their task",
        'TASK FROM "Other"',
        [("C", [("note under C", [])])],
        1,
    ),
    (
        "a FLATTEN repeating a task shows each copy",
        'TASK FROM "Tasks" WHERE text = "B" FLATTEN [1, 2] AS n',
        [("B", [("B1", [])]), ("B", [("B1", [])])],
        2,
    ),
    (
        "GROUP BY: the rule applies within each group; a child in another group is a root there",
        'TASK FROM "Tasks" GROUP BY completed',
        [
            ("#", False, 4, [("A", [("A1", [("A1a", [])]), ("A2", [])]), ("B1", [])]),
            ("#", True, 2, [("A2", []), ("B", [("B1", [])])]),
        ],
        6,
    ),
    (
        "GROUP BY: one group per parent and child",
        'TASK FROM "Tasks" WHERE text = "A" OR text = "A1" GROUP BY text',
        [
            ("#", "A", 1, [("A", [("A1", [("A1a", [])]), ("A2", [])])]),
            ("#", "A1", 1, [("A1", [("A1a", [])])]),
        ],
        2,
    ),
    (
        "repeated GROUP BY: counts add up through the sub-groups",
        'TASK FROM "Tasks" GROUP BY completed GROUP BY "all"',
        [
            (
                "#",
                "all",
                6,
                [
                    ("#", False, 4, [("A", [("A1", [("A1a", [])]), ("A2", [])]), ("B1", [])]),
                    ("#", True, 2, [("A2", []), ("B", [("B1", [])])]),
                ],
            )
        ],
        6,
    ),
    ("nothing matches", 'TASK FROM "Tasks" WHERE false', [], 0),
]


def _json_tree(cells: list[Any]) -> Tree:
    out: Tree = []
    for cell in cells:
        if cell["type"] == "group":
            out.append(("#", cell["key"], cell["count"], _json_tree(cell["rows"])))
        else:
            out.append((cell["text"], _json_tree(cell["children"])))
    return out


def _items(tree: Tree) -> list[str]:
    """The tasks of a tree in the order they are shown."""
    out: list[str] = []
    for node in tree:
        if node[0] == "#":
            out.extend(_items(node[3]))
        else:
            out.append(node[0])
            out.extend(_items(node[1]))
    return out


def _markdown(tree: Tree, depth: int = 0, level: int = 4) -> list[str]:
    lines: list[str] = []
    for node in tree:
        if node[0] == "#":
            key = str(node[1]).lower() if isinstance(node[1], bool) else node[1]
            lines.append(f"{'#' * level} {key} ({node[2]})")
            lines.extend(_markdown(node[3], depth, level + 1))
        else:
            lines.append(f"{'    ' * depth}- {node[0]}")
            lines.extend(_markdown(node[1], depth + 1, level))
    return lines


@pytest.mark.parametrize(("why", "query", "tree", "count"), CASES, ids=[c[0] for c in CASES])
def test_json_shows_each_task_once_nested_with_counts(
    why: str, query: str, tree: Tree, count: int
) -> None:
    body = to_json(run(query), ENV)
    assert _json_tree(body["tasks"]) == tree
    assert body["count"] == count


@pytest.mark.parametrize(("why", "query", "tree", "count"), CASES, ids=[c[0] for c in CASES])
def test_markdown_and_csv_show_what_the_json_shows(
    why: str, query: str, tree: Tree, count: int
) -> None:
    result = run(query)
    markdown = to_markdown(result, ENV).splitlines()
    unchecked = [line.replace("[ ] ", "").replace("[x] ", "") for line in markdown]
    assert unchecked == _markdown(tree)
    csv_texts = [line.rsplit(",", 1)[-1] for line in to_csv(result, ENV).splitlines()[1:]]
    assert csv_texts == _items(tree)


def test_the_engine_keeps_every_matching_task_as_a_row() -> None:
    # Dataview's engine returns the matching children as rows too (the conformance corpus
    # checks that); only the renderings nest them.
    result = run('TASK FROM "Tasks" WHERE !completed')
    assert [task["text"] for task in result.rows] == ["A", "A1", "A1a", "B1"]
    assert [task["text"] for task in shown(result.rows)] == ["A", "B1"]
    assert result.count == task_count(result.rows) == 4


def test_counts_of_other_query_types_are_their_rows() -> None:
    assert run("LIST").count == 2
    assert run("TABLE file.name GROUP BY true").count == 1
    grouped = run('TASK FROM "Tasks" GROUP BY completed')
    assert all(isinstance(group, TaskGroup) for group in grouped.rows)
    assert grouped.count == 6 and len(grouped.rows) == 2


def test_markdown_group_counts_follow_show_result_count() -> None:
    from dataclasses import replace

    from query.semantics import Settings

    quiet = replace(ENV, settings=Settings(show_result_count=False))
    text = to_markdown(run('TASK FROM "Tasks" WHERE text = "B" GROUP BY completed'), quiet)
    assert text == "#### true\n- [x] B\n    - [ ] B1\n"
