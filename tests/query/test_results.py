"""The result renderers: typed JSON cells, Markdown, CSV and the terminal table, exactly."""

from __future__ import annotations

from typing import Any

from query.results import QueryResult, json_cell, to_csv, to_json, to_markdown, to_text_table
from query.values import Duration, Function, Link, Widget
from tests.query.test_engine import run
from tests.query.test_robustness import ENV

DUNE = {
    "type": "link", "path": "Books/Dune.md", "display": None, "subpath": None,
    "link_type": "file", "embed": False,
}  # fmt: skip

TABLE = (
    'TABLE author, rating, published, dur(1 day) + dur(90 minutes) AS d, [1, "a|b"] AS l, '
    '1/0 AS inf FROM "Books" LIMIT 2'
)


def test_json_cells_are_typed() -> None:
    body = to_json(run(TABLE), ENV)
    assert body["type"] == "table" and body["count"] == 2 and body["took_ms"] == 0.0
    assert body["headers"] == ["File", "author", "rating", "published", "d", "l", "inf"]
    assert body["rows"][0] == [
        DUNE,
        "Frank Herbert",
        5,
        {"type": "date", "iso": "1965-08-01T00:00:00.000+00:00", "zone": "local",
         "text": "August 01, 1965"},
        {"type": "duration", "units": {"days": 1, "hours": 1, "minutes": 30},
         "text": "1 day, 1 hour, 30 minutes"},
        [1, "a|b"],
        {"type": "number", "value": "Infinity"},
    ]  # fmt: skip
    assert body["rows"][1][3] is None


def test_json_cells_for_the_other_types() -> None:
    assert json_cell(float("nan"), ENV) == {"type": "number", "value": "NaN"}
    assert json_cell({"a": Duration(hours=2)}, ENV) == {
        "type": "object",
        "value": {"a": {"type": "duration", "units": {"hours": 2}, "text": "2 hours"}},
    }
    assert json_cell(Function(lambda args: None), ENV) == {"type": "function"}
    assert json_cell(Widget("external-link", {"url": "https://x.org", "display": "x"}), ENV) == {
        "type": "external-link", "url": "https://x.org", "display": "x",
    }  # fmt: skip


def test_json_list_items_and_pairs() -> None:
    assert to_json(run('LIST WITHOUT ID file.name FROM "Books" LIMIT 2'), ENV)["items"] == [
        "Dune", "The Hobbit",
    ]  # fmt: skip
    items = to_json(run('LIST rating FROM "Books" LIMIT 1'), ENV)["items"]
    assert items == [{"type": "pair", "key": DUNE, "value": 5}]


def test_json_tasks_nest_children_and_groups() -> None:
    body = to_json(run('TASK FROM "Books" GROUP BY file.link'), ENV)
    first: dict[str, Any] = body["tasks"][0]
    assert first["type"] == "group" and first["key"] == DUNE
    assert first["rows"][0] == {
        "type": "task", "path": "Books/Dune.md", "line": 8,
        "text": "reread chapter 1 [due:: 2024-03-20]", "status": " ", "checked": False,
        "completed": False,
        "link": {"type": "link", "path": "Books/Dune.md", "display": None, "subpath": "Dune",
                 "link_type": "header", "embed": False},
        "children": [],
        "due": {"type": "date", "iso": "2024-03-20T00:00:00.000+00:00", "zone": "local",
                "text": "March 20, 2024"},
    }  # fmt: skip
    hobbit = body["tasks"][1]["rows"][0]
    assert [child["text"] for child in hobbit["children"]] == ["ask Sam first"]


def test_json_calendar_entries() -> None:
    body = to_json(run('CALENDAR file.mtime FROM "Books" LIMIT 1'), ENV)
    assert body["entries"] == [
        {"date": {"type": "date", "iso": "2024-01-03T00:00:00.000+00:00", "zone": "local",
                  "text": "January 03, 2024"}, "link": DUNE},
    ]  # fmt: skip


def test_markdown_table_escapes_pipes_and_renders_nulls() -> None:
    assert to_markdown(run(TABLE), ENV) == (
        "| File | author | rating | published | d | l | inf |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
        "| [[Books/Dune.md\\|Dune]] | Frank Herbert | 5 | August 01, 1965 | "
        "1 day, 1 hour, 30 minutes | 1, a\\|b | Infinity |\n"
        "| [[Books/The Hobbit.md\\|The Hobbit]] | [[Tolkien.md\\|Tolkien]] | 4 | \\- | "
        "1 day, 1 hour, 30 minutes | 1, a\\|b | Infinity |\n"
    )


def test_markdown_lists_and_calendar() -> None:
    assert to_markdown(run('LIST rating FROM "Books" LIMIT 2'), ENV) == (
        "- [[Books/Dune.md|Dune]]: 5\n- [[Books/The Hobbit.md|The Hobbit]]: 4\n"
    )
    assert to_markdown(run('CALENDAR file.mtime FROM "Books" LIMIT 1'), ENV) == (
        "- January 03, 2024: [[Books/Dune.md|Dune]]\n"
    )
    assert to_markdown(run('LIST FROM "Nowhere"'), ENV) == ""


def test_markdown_tasks_nest_children_once_and_head_groups() -> None:
    # "ask Sam first" matches too, but is shown only under its parent, as Dataview nests it.
    assert to_markdown(run('TASK FROM "Books/The Hobbit"'), ENV) == (
        "- [ ] lend to Sam [due:: 2024-02-01]\n    - [ ] ask Sam first\n"
    )
    assert to_markdown(run('TASK FROM "Books" GROUP BY file.link'), ENV) == (
        "#### [[Books/Dune.md|Dune]] (2)\n"
        "- [ ] reread chapter 1 [due:: 2024-03-20]\n"
        "- [x] buy a copy\n"
        "#### [[Books/The Hobbit.md|The Hobbit]] (2)\n"
        "- [ ] lend to Sam [due:: 2024-02-01]\n"
        "    - [ ] ask Sam first\n"
    )


def test_csv_quotes_and_uses_paths() -> None:
    assert to_csv(run(TABLE), ENV) == (
        "File,author,rating,published,d,l,inf\n"
        'Books/Dune.md,Frank Herbert,5,"August 01, 1965","1 day, 1 hour, 30 minutes",'
        '"1, a|b",Infinity\n'
        'Books/The Hobbit.md,Tolkien.md,4,,"1 day, 1 hour, 30 minutes","1, a|b",Infinity\n'
    )
    assert to_csv(run('TASK FROM "Books/The Hobbit"'), ENV) == (
        "path,line,status,text\n"
        "Books/The Hobbit.md,5, ,lend to Sam [due:: 2024-02-01]\n"
        "Books/The Hobbit.md,6, ,ask Sam first\n"
    )


def test_text_table_aligns_and_counts() -> None:
    lines = to_text_table(run(TABLE), ENV).split("\n")
    widths = "File        author         rating  published        d" + " " * 26
    assert lines[0] == widths + "l       inf"
    assert lines[1] == "----------  -------------  ------  ---------------  " + "  ".join(
        ["-" * 25, "-" * 6, "-" * 8]
    )
    assert lines[2:] == [
        "Dune        Frank Herbert  5       August 01, 1965  1 day, 1 hour, 30 minutes  "
        "1, a|b  Infinity",
        "The Hobbit  Tolkien        4       -                1 day, 1 hour, 30 minutes  "
        "1, a|b  Infinity",
        "(2 rows, 0.0 ms)",
        "",
    ]
    assert to_text_table(run('LIST rating FROM "Books" LIMIT 1'), ENV) == (
        "File  rating\n----  ------\nDune  5\n(1 row, 0.0 ms)\n"
    )


def test_text_table_truncates_long_cells() -> None:
    result = QueryResult("table", ["x"], [["a" * 50], [Link("B/Long.md", display="Shown")]])
    assert to_text_table(result, ENV, width=10).splitlines()[2:4] == ["aaaaaaaaa…", "Shown"]


def test_a_function_value_is_a_typed_cell_shown_as_function_everywhere() -> None:
    result = run('TABLE WITHOUT ID (x) => x AS f, [(x) => 1] AS fs FROM "Books" LIMIT 1')
    assert to_json(result, ENV)["rows"] == [[{"type": "function"}, [{"type": "function"}]]]
    assert to_markdown(result, ENV) == "| f | fs |\n| --- | --- |\n| <function> | <function> |\n"
    assert to_csv(result, ENV) == "f,fs\n<function>,<function>\n"
    assert "<function>  <function>" in to_text_table(result, ENV)


def test_markdown_and_dates_follow_the_settings() -> None:
    from dataclasses import replace

    from query.semantics import Settings

    env = replace(
        ENV,
        settings=Settings(
            render_null_as="n/a", default_date_format="yyyy-MM-dd", table_id_column_name="Note"
        ),
    )
    result = run('TABLE published, nothing FROM "Books" LIMIT 1')  # the id header is set here
    assert result.headers == ["File", "published", "nothing"]
    env_result = execute_with(env, 'TABLE published, nothing FROM "Books" LIMIT 1')
    assert to_markdown(env_result, env) == (
        "| Note | published | nothing |\n| --- | --- | --- |\n"
        "| [[Books/Dune.md\\|Dune]] | 1965-08-01 | n/a |\n"
    )
    assert to_json(env_result, env)["rows"][0][1]["text"] == "1965-08-01"


def execute_with(env: Any, query: str) -> QueryResult:
    from query.engine import execute
    from tests.query.test_engine import INDEX

    return execute(query, INDEX, origin="Home.md", env=env)
