"""The engine's shortcuts (``query.plan``) never change a result: each query runs with them and
with them switched off, and both answers must be identical (rows, order and errors)."""

from __future__ import annotations

import pytest

from query import commands, engine
from query.engine import execute
from query.index import VaultIndex
from query.sorting import sort_by_values
from tests.query.engine_vault import BASE_MS, ENV, index_of, outcome

FILES = {
    "Hub.md": "rating:: 3\n",
    "Café.md": "rating:: 5\n",
    "a/One.md": "rating:: 3\n[[Hub]] [[Hub#Part]] [[Nowhere]]\n",
    "a/Two.md": "rating:: 1\n[[Hub|alias]] ![[Café]]\n",
    "a/Three.md": "rating:: bad\n[[Cafe\u0301]] [[Nowhere]] #t\n",  # decomposed "é"
    "b/Four.md": "[[Café]] [[hub]] #t\n",
    "b/Five.md": "rating:: 3\n[[a/One]]\n",
    "b/Six.md": "rating:: 2\n- [ ] x [due:: 2024-01-02]\n",
}
# Equal mtimes for several notes, so that ties must keep the source order.
MTIMES = [0, 5, 5, 1, 5, 2, 2, 9]


@pytest.fixture(scope="module")
def index() -> VaultIndex:
    return index_of(FILES, [BASE_MS + 1000 * m for m in MTIMES])


QUERIES = [
    "LIST WHERE contains(file.outlinks, [[Hub]])",
    "LIST WHERE contains(file.outlinks, [[Café]])",
    "LIST WHERE contains(file.outlinks, [[Nowhere]])",
    "LIST WHERE contains(file.outlinks, [[Hub]]) AND rating > 2",
    "LIST WHERE contains(file.outlinks, [[Hub]]) AND !file.starred",
    "LIST WHERE contains(file.outlinks, [[Hub]]) AND length(rating) > 0",
    'LIST FROM "a" WHERE contains(file.outlinks, [[Hub]])',
    "LIST WHERE contains(file.outlinks, [[Hub]]) OR rating = 1",
    "TABLE file.mtime SORT file.mtime DESC LIMIT 3",
    "TABLE file.mtime SORT file.mtime ASC LIMIT 4",
    "TABLE file.mtime SORT file.mtime LIMIT 0",
    "TABLE file.mtime SORT file.mtime LIMIT -2",
    "TABLE file.mtime SORT file.mtime LIMIT 100",
    "TABLE rating SORT rating DESC, file.name ASC LIMIT 4",
    "TABLE rating SORT rating DESC, file.mtime DESC LIMIT 5",
    "TABLE rating SORT rating DESC",
    'TABLE rating FROM "b" SORT rating',
    "TABLE rating FROM #t SORT file.name DESC LIMIT 1",
    "TABLE rating WHERE rating SORT rating LIMIT 2",
    'LIST SORT file.mtime LIMIT "x"',
    "TABLE rating SORT file.name LIMIT 2.7",
    'TABLE rating SORT file.mtime LIMIT "x"',
    "TASK SORT due LIMIT 1",
]


@pytest.mark.parametrize("query", QUERIES)
def test_shortcuts_give_the_plain_result(
    query: str, index: VaultIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = outcome(query, index)
    for name in ("outlink_target", "column_path", "limit_value"):
        for module in (engine, commands):  # the shortcuts live in both
            if hasattr(module, name):
                monkeypatch.setattr(module, name, lambda *args: None)
    assert outcome(query, index) == planned


def test_outlink_prefilter_keeps_links_that_collate_equal(index: VaultIndex) -> None:
    rows = execute("LIST WHERE contains(file.outlinks, [[Hub]])", index, env=ENV).rows
    assert [link.path for link in rows] == ["a/One.md", "a/Two.md", "b/Four.md"]
    assert index.linking_candidates("Café.md") >= {"b/Four.md", "a/Two.md", "a/Three.md"}


def test_sort_limit_keeps_ties_in_source_order(index: VaultIndex) -> None:
    rows = execute("TABLE rating SORT file.mtime DESC LIMIT 3", index, env=ENV).rows
    # mtime 9 first, then the notes at 5 in path order (the source's order), cut at 3.
    assert [row[0].path for row in rows] == ["b/Six.md", "Café.md", "a/One.md"]


@pytest.mark.parametrize("limit", [0, 1, 3, 7, 20])
@pytest.mark.parametrize("down", [(False,), (True,), (True, True), (False, True)])
def test_top_k_equals_the_full_sort_cut(limit: int, down: tuple[bool, ...]) -> None:
    items = list(range(12))
    columns = [[i % 3 for i in items], [(i * 7) % 5 for i in items]][: len(down)]
    full = sort_by_values(items, columns, list(down))
    assert sort_by_values(items, columns, list(down), limit) == full[:limit]
