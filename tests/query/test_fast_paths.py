"""Fast paths for lambdas, GROUP BY and FLATTEN agree with the general paths they stand in for.

- A call like ``filter(xs, (t) => …)`` runs the lambda per element without a function value
  (``query.compile._elementwise``): same values, same errors, as the plain call.
- GROUP BY members that are task rows are one cached merged dict (``TaskRow.value``).
- Sort keys cached with a column (``Column.keys``) are valid on any subset of its rows.
- FLATTEN of a cached field uses the column flattened once (``Column.flattened``).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from query import compile, engine
from query.columns import Column, flatten_values
from query.errors import QueryError
from query.functions import FUNCTIONS
from query.index import VaultIndex
from query.parsing.parser import parse_expression
from query.rows import TaskRow, plain
from query.semantics import compare
from query.sorting import keys_for
from query.temporal.dates import date_from_epoch_ms
from query.values import Function, Link, Value
from tests.query.engine_vault import BASE_MS, ENV, index_of, outcome

FILES = {
    "p/A.md": (
        "---\nrating: 4\ntags: [x, y]\n---\n"
        "- [ ] open [due:: 2024-01-05]\n"
        "- [x] done [due:: 2024-02-01]\n"
        "\t- [ ] nested [due:: 2024-03-01]\n"
    ),
    "p/B.md": "---\nrating: two\ntags: [y]\n---\n- [ ] b one\n- [X] b two [due:: 2024-01-03]\n",
    "q/C.md": "---\nrating: 2.5\ntags: [x, z, x]\n---\n- plain item\n",
    "q/D.md": "---\nrating: [1, 2]\n---\n- [ ] d task [due:: 2023-12-31]\n",
    "q/E.md": "---\nrating: 0\ntags: []\n---\n",
}


@pytest.fixture(scope="module")
def index() -> VaultIndex:
    return index_of(FILES)


LAMBDA_QUERIES = [
    'TABLE length(filter(file.tasks, (t) => !t.completed)) AS open FROM "p" '
    "WHERE any(file.tasks, (t) => !t.completed)",
    "TABLE map(file.tasks, (t) => t.due), all(file.tasks, (t) => t.due)",
    "TABLE none(file.tasks, (t) => t.completed), filter(file.lists, (t) => t.task)",
    "TABLE map(rating, (r) => r + 1)",
    "TABLE filter(rating, (r) => r)",
    "TABLE any(rating, (r) => r > 1)",
    "TABLE map(file.tasks, (t) => t.text + rating)",
    "TABLE map(file.tasks, (t, u) => [t.line, u, rating])",
    "TABLE map(file.tasks, (t, t) => t)",
    "TABLE map(file.etags, () => 1)",
    "TABLE filter(file.etags, (t) => t.x.y)",
    "TABLE map(file.etags, (t) => t * 2)",
    "TABLE map(file.etags, (t) => date(t) - 1)",
    "TABLE filter(file.tasks, (row) => row.line > 0)",
    "TABLE map(file.tasks, (x) => this.file.name)",
    "TABLE map(file.tasks, (t) => map(t.children, (c) => c.text))",
    "TABLE filter(file.tasks, (t) => !t.completed.x)",
    "TABLE map(file.tasks, (t) => t.due.year)",
]


@pytest.mark.parametrize("query", LAMBDA_QUERIES)
def test_lambda_calls_agree_with_function_values(
    query: str, index: VaultIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    fused = outcome(query, index)
    monkeypatch.setattr(compile, "ELEMENTWISE", {})
    monkeypatch.setattr(compile, "_CACHE", {})  # recompile without the fused calls
    assert outcome(query, index) == fused


@pytest.mark.parametrize(
    "call",
    [
        "any(xs, (t) => !t.completed)",
        "all(xs, (t) => t.done)",
        "none(xs, (t) => t)",
        "filter(xs, (t) => t > 1)",
        "map(xs, (t) => t + 1)",
        "map(xs, (t, u) => [t, u, other])",
        "filter(xs, (t) => t.a.b)",
        "map(xs, (t) => length(t))",
    ],
)
@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"completed": False, "done": 1, "a": {"b": 0}}, {"completed": True}],
        [1, 2.5, 0, None, "s", True, [3], {"a": 1}],
        [{"completed": "yes"}, {"completed": 0}, {"completed": None}],
        None,
        "text",
        3,
        {"a": 1},
        [date_from_epoch_ms(BASE_MS, UTC), Link("p/A.md")],
    ],
)
def test_elementwise_call_agrees_with_the_builtin(call: str, items: Any) -> None:
    """The fused compiled call against the built-in called with the compiled lambda value."""
    expr = parse_expression(call)
    assert isinstance(expr, compile.ast.Call) and isinstance(expr.callee, compile.ast.Variable)
    scope = compile.make_scope(env=ENV, this={}, resolve_link=lambda link: None, normalize_link=str)
    row = {"xs": items, "other": 7}
    fused = compile._compile(expr, None)
    function = compile._compile(expr.args[1], None)(row, scope)
    assert isinstance(function, Function)
    builtin = FUNCTIONS[expr.callee.name]
    assert _outcome(lambda: fused(row, scope)) == _outcome(
        lambda: builtin(scope.ctx, [items, function])
    )


def _outcome(run: Any) -> Any:
    try:
        return ("value", run())
    except QueryError as exc:
        return ("error", exc.message)


def test_task_rows_become_one_shared_merged_dict(index: VaultIndex) -> None:
    (_, row), *_ = index.task_row_list(index.paths)
    assert isinstance(row, TaskRow)
    value = row.value()
    assert value == row.merged() and list(value) == list(row.merged())
    assert row.value() is value and plain(row) is value
    assert row.merged() is not value  # a fresh copy, free to change


@pytest.mark.parametrize(
    "query",
    [
        'TASK FROM "p" WHERE due GROUP BY file.link',
        "TASK GROUP BY file.link",
        "TASK WHERE !completed GROUP BY rating",
        "TABLE length(rows) WHERE rating GROUP BY rating",
        "TABLE rows.file.name GROUP BY file.folder",
        "TABLE t FLATTEN file.etags AS t",
        'TABLE t FROM "q" FLATTEN file.etags AS t WHERE t = "#x"',
        'TABLE t WHERE rating FLATTEN file.etags AS t WHERE t != "#y"',
        "TABLE t FLATTEN rating AS t WHERE t",
        "TASK FLATTEN due AS d WHERE d < date(2024-02-01)",
        "TASK FLATTEN file.etags AS t GROUP BY t",
    ],
)
def test_cached_columns_give_the_plain_result(
    query: str, index: VaultIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = outcome(query, index)
    again = outcome(query, index)  # from the warm caches
    monkeypatch.setattr(engine, "column_path", lambda *args: None)
    assert outcome(query, index) == planned == again


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["a", "B", "b", "Café", "Cafe\u0301", "", "10", "9"]),
    st.sampled_from([Link("a.md"), Link("A.md"), Link("b.md", subpath="x")]),
    st.integers(0, 3).map(lambda day: date_from_epoch_ms(BASE_MS + 86_400_000 * day, UTC)),
)


@given(st.lists(VALUES, max_size=12), st.data())
def test_column_keys_hold_on_subsets(values: list[Value], data: st.DataObject) -> None:
    keys = Column(values).keys()
    if keys is None:
        return
    subset = sorted(data.draw(st.sets(st.integers(0, max(len(values) - 1, 0)))))
    subset = [i for i in subset if i < len(values)]
    for i in subset:
        for j in subset:
            expected = compare(values[i], values[j])
            got = (keys[i] > keys[j]) - (keys[i] < keys[j])
            assert got == (expected > 0) - (expected < 0)
    assert keys_for([values[i] for i in subset]) is not None


@given(st.lists(st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=8))
def test_flatten_values(values: list[Value]) -> None:
    column, owners = flatten_values(values)
    expected = [
        (position, element)
        for position, value in enumerate(values)
        for element in (value if isinstance(value, list) else [value])
    ]
    assert list(zip(owners, column.values, strict=True)) == expected


def test_flatten_keeps_each_element_with_its_row_when_some_rows_error() -> None:
    files = {
        "a.md": "---\nx: [1, 2]\n---\n",  # [1, 2] * 2 has no implementation: the row is dropped
        "b.md": "---\nx: text\n---\n",
        "c.md": "---\nx: [3, 4]\n---\n",
        "d.md": "---\nx: 5\n---\n",
    }
    kind, _, rows = outcome("TABLE y FLATTEN x + [] AS y", index_of(files))
    assert kind == "table"
    assert [(row[0].path, row[1]) for row in rows] == [
        ("a.md", 1),
        ("a.md", 2),
        ("b.md", "text"),
        ("c.md", 3),
        ("c.md", 4),
    ]  # 5 + [] has no implementation either
    _, _, rows = outcome("TABLE y FLATTEN x * 2 AS y", index_of(files))
    assert [(row[0].path, row[1]) for row in rows] == [("b.md", "texttext"), ("d.md", 10)]
