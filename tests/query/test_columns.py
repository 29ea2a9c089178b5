"""Column-wise WHERE (``query.columns``), cached TASK rows and FLATTEN + WHERE fusion
(``query.reads``) never change a result: each query runs with the shortcuts and without them,
and both answers must be identical (rows, order and errors)."""

from __future__ import annotations

from typing import Any

import pytest

from query import ast, commands, compile, engine
from query.columns import column_terms
from query.engine import Limits, execute
from query.errors import QueryError, QueryLimitError
from query.index import VaultIndex
from query.parsing.parser import parse_expression
from query.reads import reads_only
from tests.query.engine_vault import ENV, index_of, outcome

FILES = {
    "p/A.md": (
        "---\nrating: 4\ntags: [x, y]\n---\n"
        "- [ ] open [due:: 2024-01-05]\n"
        "- [x] done [due:: 2024-02-01]\n"
        "- [ ] late [due:: 2024-09-01]\n"
        "- [ ] text due [due:: soon]\n"
        "- [-] cancelled [due:: 2024-01-01T10:00:00+05:00]\n"
        "- [ ] no due\n"
        "\t- [ ] nested [due:: 2024-03-01] [completed:: true]\n"
    ),
    "p/B.md": (
        "---\nrating: two\ndue: 2024-01-01\ntags: [y]\n---\n"
        "- [ ] inherits page due\n"
        "- [ ] number due [due:: 5]\n"
        "- [ ] own file [file:: [[A]]]\n"
        "- [X] upper done [due:: 2024-01-03]\n"
    ),
    "q/C.md": "---\nrating: 2.5\ntags: [x, z, x]\n---\nrating:: 1\n- plain item\n",
    "q/D.md": "---\nrating: [1, 2]\nstarred: false\n---\n- [ ] d task [due:: 2023-12-31]\n",
    "q/E.md": "---\nrating: 0\ntags: []\n---\n- [ ] e task [due:: 2024-01-05T00:00:00Z]\n",
    "q/F.md": "---\nrating: \n---\n",
    "q/G.md": (
        '---\nnames: ["Café", "Cafe\u0301", "cafe", 3, null, "Café "]\n---\nword:: Cafe\u0301\n'
    ),
}

QUERIES = [
    "TASK WHERE !completed AND due AND due < date(2024-06-01)",
    "TASK WHERE due < date(2024-01-06)",
    "TASK WHERE date(2024-01-06) > due",
    "TASK WHERE due >= date(2024-01-05) AND due <= date(2024-03-01)",
    "TASK WHERE due = date(2024-01-05)",
    "TASK WHERE due != date(2024-01-05)",
    "TASK WHERE due > 3",
    'TASK WHERE due = "soon"',
    "TASK WHERE due = null",
    "TASK WHERE completed",
    "TASK WHERE !checked AND !completed",
    'TASK WHERE file.name = "A"',
    'TASK FROM "p" WHERE due AND due < date(2024-03-01) GROUP BY file.link',
    'TASK FROM "q" WHERE due < date(2024-06-01) WHERE !completed',
    "TASK WHERE rating > 3",
    "TABLE rating WHERE rating > 3 SORT rating DESC, file.name ASC LIMIT 50",
    "TABLE rating WHERE rating SORT file.name",
    "TABLE rating WHERE !rating",
    "TABLE rating WHERE rating >= 2 AND rating < 5 SORT rating",
    'TABLE rating WHERE rating = "two"',
    'TABLE rating WHERE rating != "two"',
    "TABLE rating WHERE null = rating",
    "TABLE rating WHERE rating < 3 AND null < rating",
    "TASK WHERE due > date(2024-01-02) AND null != due",
    "TABLE rating WHERE 2 < rating SORT file.name DESC LIMIT 2",
    'TABLE rating FROM "q" WHERE rating < 3 SORT rating DESC',
    "TABLE rating WHERE rating > 0 WHERE rating < 4 SORT rating, file.name",
    "LIST WHERE file.mtime > date(2024-01-01) SORT file.mtime DESC",
    'TABLE t FROM "q" FLATTEN file.etags AS t WHERE t = "#x"',
    'TABLE t FLATTEN file.tags AS t WHERE contains(t, "y")',
    "TABLE t FLATTEN rating AS t WHERE t > 1",
    "TABLE t FLATTEN rating AS t WHERE t.foo",
    'TABLE t FLATTEN rating AS t WHERE t + 1 > "a" * 2',
    "TABLE t FLATTEN rating AS t WHERE rating",
    "TABLE row FLATTEN rating AS row WHERE row",
    "TASK FLATTEN due AS d WHERE d < date(2024-02-01)",
    "TABLE t FLATTEN file.etags AS t WHERE any(file.tags, (x) => x = t)",
    'TABLE length(rows) FROM "p" GROUP BY rating',
    "TASK GROUP BY file.link",
    "TASK GROUP BY due",
    "TASK WHERE due GROUP BY file.link",
    "TASK WHERE !completed GROUP BY status",
    "TABLE rows.file.name GROUP BY rating",
    "TABLE length(rows) WHERE rating GROUP BY file.folder",
    "TABLE rows.file.name WHERE rating > 1 GROUP BY file.mday",
    "TABLE length(filter(file.tasks, (t) => !t.completed)) WHERE any(file.tasks, (t) => t.due)",
    "TABLE map(file.tasks, (t) => [t.due, t.rating, rating]) WHERE rating",
    "TABLE map(file.tasks, (row) => row.text), map(file.lists, (this) => this.text)",
    "TABLE map(file.tasks, (x) => this.file.name)",
    'TABLE n FLATTEN names AS n WHERE n = "Café"',
    'TABLE n FLATTEN names AS n WHERE n != "cafe"',
    'TABLE n FLATTEN names AS n WHERE "Cafe\u0301" = n AND n',
    "TABLE n FLATTEN names AS n WHERE n = 3",
    "TABLE n FLATTEN names AS n WHERE n",
    'TABLE word WHERE word = "Café"',
    'TABLE word WHERE "Café" != word',
    'TABLE file.name WHERE file.name = "Cafe\u0301"',
]


@pytest.fixture(scope="module")
def index() -> VaultIndex:
    return index_of(FILES)


@pytest.mark.parametrize("query", QUERIES)
def test_shortcuts_give_the_plain_result(
    query: str, index: VaultIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = outcome(query, index)
    again = outcome(query, index)  # from the warm caches
    for name in ("column_terms", "reads_only", "column_path", "keys_for"):
        for module in (engine, commands):  # the shortcuts live in both
            if hasattr(module, name):
                monkeypatch.setattr(module, name, lambda *args: None)
    assert outcome(query, index) == planned == again


def test_the_vault_exercises_the_columns(index: VaultIndex) -> None:
    rows = execute("TASK WHERE !completed AND due AND due < date(2024-06-01)", index, env=ENV).rows
    # Dates of other zones (slow path) are kept by instant; "soon" and 5 are not dates, and
    # "string" and "number" both sort after "date"; a task without ``due`` sees the page's.
    assert [task["text"].split(" [")[0] for task in rows] == [
        "open",
        "cancelled",
        "nested",
        "inherits page due",
        "own file",
        "d task",
        "e task",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("due", 1),
        ("!completed AND due AND due < date(2024-06-01)", 3),
        ("3 <= file.size", 1),
        ("due < date(today) AND rating", 2),
        ("length(due) > 0", None),
        ("due < rating", None),
        ("this.due", None),
        ("due OR completed", None),
    ],
)
def test_column_terms(text: str, expected: int | None) -> None:
    terms = column_terms(parse_expression(text))
    assert (None if terms is None else len(terms)) == expected


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ('t = "x"', "t", True),
        ('contains(t, lower("Y")) AND t.a[0]', "t", True),
        ("t = rating", "t", False),
        ("any(t, (x) => x)", "t", False),
        ("this", "this", False),
        ("row.t", "row", False),
    ],
)
def test_reads_only(text: str, name: str, expected: bool) -> None:
    assert reads_only(parse_expression(text), name) is expected


@pytest.mark.parametrize(
    "body",
    [
        "!t.completed",
        "t.due < date(2024-01-06)",
        "t",
        "!t",
        "t.missing",
        "t.due.year",
        "!t.completed.x",
        "rating",
        "this",
        "t + 1",
    ],
)
def test_lambda_frames_agree(body: str) -> None:
    """The one-entry frame of a lambda reading only its parameter gives what the overlay
    frame over the row gives (bodies reading more keep the overlay)."""
    lam = parse_expression(f"(t) => {body}")
    assert isinstance(lam, ast.Lambda)
    plain_body = compile._compile(lam.body, None)
    scope = compile.make_scope(
        env=ENV, this={"rating": 9}, resolve_link=lambda link: None, normalize_link=str
    )
    row = {"rating": 2, "t": "shadowed"}
    fast = compile.compile_expression(lam)(row, scope)
    slow = compile._lambda(lam.params, plain_body)(row, scope)
    tasks: list[Any] = [
        {"completed": False, "due": None},
        {"completed": True, "due": ENV.now},
        {"completed": {"x": 0}},
        3,
        None,
        [1],
        [{"completed": 1}, {"due": 2}],
        "text",
    ]
    for task in tasks:
        try:
            expected: Any = slow.call([task])
        except QueryError as exc:
            expected = exc.message
        try:
            got: Any = fast.call([task])
        except QueryError as exc:
            got = exc.message
        assert got == expected


@pytest.mark.parametrize(
    "query",
    [
        "TASK WHERE !completed AND due < date(2024-06-01)",
        "TABLE rating WHERE rating > 1",
        'TABLE t FLATTEN file.etags AS t WHERE t = "#x"',
        "LIST WHERE contains(file.outlinks, [[A]])",
    ],
)
def test_shortcuts_honour_the_time_limit(query: str, index: VaultIndex) -> None:
    ticks = iter(range(1_000_000))
    limits = Limits(timeout_s=0.5, clock=lambda: float(next(ticks)))  # one second per reading
    with pytest.raises(QueryLimitError, match="time limit"):
        execute(query, index, env=ENV, limits=limits)
