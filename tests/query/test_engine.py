"""The engine end to end over a small real vault (``engine_vault``): every query type, the
commands, Dataview's LIMIT and error quirks, limits, and the row overlays' merged view."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from query.engine import Limits, execute
from query.errors import QueryExecutionError, QueryLimitError, QuerySemanticError
from query.index import VaultIndex
from query.results import QueryResult, TaskGroup
from query.rows import OverlayRow, TaskRow, overlay, plain, row_get, task_row
from query.values import Link, Widget
from tests.query.engine_vault import build_index
from tests.query.test_robustness import ENV

INDEX: VaultIndex = build_index()


NO_LIMITS = Limits()


def run(text: str, origin: str | None = "Home.md", limits: Limits = NO_LIMITS) -> QueryResult:
    return execute(text, INDEX, origin=origin, env=ENV, limits=limits)


def names(values: list[Any]) -> list[str]:
    """Links as their file names; other values unchanged (keeps expectations short)."""
    return [v.file_name if isinstance(v, Link) else v for v in values]


class TestList:
    def test_plain_list_is_every_note_in_path_order(self) -> None:
        result = run("LIST")
        assert (result.type, result.headers) == ("list", ["File"])
        assert names(result.rows) == [
            "Dune", "The Hobbit", "Unrated", "2024-03-15", "Home", "Inbox", "Tolkien",
        ]  # fmt: skip

    def test_list_with_expression_pairs_id_and_value(self) -> None:
        result = run('LIST author FROM "Books"')
        assert result.headers == ["File", "author"]
        assert all(isinstance(item, Widget) and item.kind == "list-pair" for item in result.rows)
        pairs = [(i.data["key"].file_name, i.data["value"]) for i in result.rows]
        assert pairs == [
            ("Dune", "Frank Herbert"),
            ("The Hobbit", Link("Tolkien.md")),
            ("Unrated", "Anonymous"),
        ]

    def test_without_id_gives_bare_values(self) -> None:
        result = run('LIST WITHOUT ID author FROM "Books"')
        assert result.headers == ["author"]
        assert result.rows == ["Frank Herbert", Link("Tolkien.md"), "Anonymous"]


class TestTable:
    def test_columns_sort_and_nulls(self) -> None:
        result = run("TABLE author, rating FROM #book SORT rating DESC")
        assert result.headers == ["File", "author", "rating"]
        assert [names(row) for row in result.rows] == [
            ["Dune", "Frank Herbert", 5],
            ["The Hobbit", "Tolkien", 4],
            ["Unrated", "Anonymous", None],
        ]

    def test_without_id_and_named_columns(self) -> None:
        result = run(
            'TABLE WITHOUT ID file.name AS Name, length(file.tasks) AS "Tasks" SORT file.name'
        )
        assert result.headers == ["Name", "Tasks"]
        assert result.rows == [
            ["2024-03-15", 1], ["Dune", 2], ["Home", 0], ["Inbox", 1], ["The Hobbit", 2],
            ["Tolkien", 0], ["Unrated", 0],
        ]  # fmt: skip

    def test_sort_ascending_puts_nulls_first_and_keeps_ties_stable(self) -> None:
        result = run("TABLE rating SORT rating")
        assert names([row[0] for row in result.rows]) == [
            "Unrated", "2024-03-15", "Home", "Inbox", "Tolkien", "The Hobbit", "Dune",
        ]  # fmt: skip

    def test_multi_key_sort_mixes_directions(self) -> None:
        result = run("TABLE WITHOUT ID file.folder, file.name SORT file.folder DESC, file.name ASC")
        assert result.rows == [
            ["Daily", "2024-03-15"], ["Books", "Dune"], ["Books", "The Hobbit"],
            ["Books", "Unrated"], ["", "Home"], ["", "Inbox"], ["", "Tolkien"],
        ]  # fmt: skip

    def test_sort_falls_back_to_the_comparator_for_mixed_zones(self) -> None:
        # Dates in two zones have no sort key; the comparator still orders them by instant.
        result = run(
            "TABLE WITHOUT ID d FLATTEN [date(2024-01-02T00:00:00Z), date(2024-01-01), "
            'date(2024-01-03T00:00:00+05:00)] AS d WHERE file.name = "Home" SORT d'
        )
        assert [row[0].dt.day for row in result.rows] == [1, 2, 3]

    def test_sort_by_link_and_string_collation(self) -> None:
        result = run(
            'TABLE WITHOUT ID x FLATTEN ["b", "B", "a", "10", "9", [[Inbox]], null] AS x '
            'WHERE file.name = "Home" SORT x'
        )
        assert result.rows == [[None], [Link("Inbox.md")], ["10"], ["9"], ["a"], ["b"], ["B"]]


class TestTask:
    def test_task_rows_are_tasks_with_page_fields_visible(self) -> None:
        result = run('TASK WHERE !completed AND author = "Frank Herbert"')
        assert result.type == "task"
        assert [task["text"] for task in result.rows] == ["reread chapter 1 [due:: 2024-03-20]"]

    def test_nested_tasks_are_rows_too(self) -> None:
        result = run("TASK WHERE !completed")
        assert [(t["path"], t["line"]) for t in result.rows] == [
            ("Books/Dune.md", 8), ("Books/The Hobbit.md", 5), ("Books/The Hobbit.md", 6),
            ("Daily/2024-03-15.md", 2), ("Inbox.md", 0),
        ]  # fmt: skip

    def test_task_fields_win_over_page_fields(self) -> None:
        result = run('TASK FROM "Books" WHERE text = "buy a copy"')
        assert [t["completed"] for t in result.rows] == [True]

    def test_group_by_gives_task_groups(self) -> None:
        result = run('TASK FROM "Books" WHERE !completed GROUP BY file.link')
        assert all(isinstance(group, TaskGroup) for group in result.rows)
        groups = [(g.key.file_name, [t["text"] for t in g.rows]) for g in result.rows]
        assert groups == [
            ("Dune", ["reread chapter 1 [due:: 2024-03-20]"]),
            ("The Hobbit", ["lend to Sam [due:: 2024-02-01]", "ask Sam first"]),
        ]

    def test_null_dates_compare_below_dates(self) -> None:
        result = run("TASK WHERE due < date(2024-03-01)")
        assert [t["text"] for t in result.rows] == [
            "buy a copy", "lend to Sam [due:: 2024-02-01]", "ask Sam first", "call mum #family",
            "triage the inbox",
        ]  # fmt: skip


class TestCalendar:
    def test_calendar_gives_date_and_file_link(self) -> None:
        result = run('CALENDAR file.mtime FROM "Books"')
        assert result.headers == ["date", "link"]
        assert [(d.dt.day, link.file_name) for d, link in result.rows] == [
            (3, "Dune"), (4, "The Hobbit"), (5, "Unrated"),
        ]  # fmt: skip


class TestGroupAndFlatten:
    def test_group_by_names_the_id_column_and_collects_rows(self) -> None:
        result = run('TABLE rows.file.name AS names FROM "Books" GROUP BY rating')
        assert result.headers == ["rating", "names"]
        assert result.rows == [[None, ["Unrated"]], [4, ["The Hobbit"]], [5, ["Dune"]]]

    def test_group_by_as_and_key(self) -> None:
        result = run(
            'TABLE WITHOUT ID key, anon, length(rows) AS n FROM "Books" '
            'GROUP BY author = "Anonymous" AS anon'
        )
        assert result.rows == [[False, False, 2], [True, True, 1]]

    def test_nested_group_by_groups_the_groups(self) -> None:
        result = run(
            'TABLE length(rows) AS groups FROM "Books" GROUP BY rating GROUP BY length(rows)'
        )
        assert result.headers == ["length(rows)", "groups"]
        assert result.rows == [[1, 3]]

    def test_grouped_task_rows_are_merged_objects(self) -> None:
        result = run(
            'TABLE rows.text AS texts, rows.author AS authors FROM "Books" '
            "FLATTEN file.tasks AS t GROUP BY t.completed"
        )
        # FLATTEN over pages keeps page fields; the grouped rows are plain dicts with both.
        assert result.rows == [
            [False, [None, None, None], ["Frank Herbert", Link("Tolkien.md"), Link("Tolkien.md")]],
            [True, [None], ["Frank Herbert"]],
        ]

    def test_flatten_lists_and_scalars(self) -> None:
        result = run('LIST WITHOUT ID t FROM "Books" FLATTEN file.etags AS t')
        assert result.rows == ["#book", "#scifi", "#book", "#fantasy", "#book"]
        scalar = run('LIST WITHOUT ID r FROM "Books" FLATTEN rating AS r')
        assert scalar.rows == [5, 4, None]

    def test_flatten_then_where_reads_the_new_field(self) -> None:
        result = run(
            'LIST WITHOUT ID file.name FROM #book FLATTEN file.etags AS t WHERE t = "#fantasy"'
        )
        assert result.rows == ["The Hobbit"]


class TestSources:
    def test_tag_and_negated_folder(self) -> None:
        assert names(run('LIST FROM #book AND -"Books/Unrated"').rows) == ["Dune", "The Hobbit"]

    def test_link_source_and_outgoing(self) -> None:
        assert names(run("LIST FROM [[Tolkien]]").rows) == ["The Hobbit", "Home"]
        assert names(run("LIST FROM outgoing([[Home]])").rows) == ["Dune", "Tolkien"]

    def test_this_is_the_origin_page(self) -> None:
        result = run("LIST WITHOUT ID this.file.name LIMIT 1", origin="Inbox.md")
        assert result.rows == ["Inbox"]


class TestLimit:
    @pytest.mark.parametrize(
        ("limit", "count"), [("2", 2), ("0", 0), ("-2", 5), ("2.7", 2), ("100", 7)]
    )
    def test_limit_slices_like_javascript(self, limit: str, count: int) -> None:
        assert len(run(f"LIST LIMIT {limit}").rows) == count

    def test_limit_must_be_a_number(self) -> None:
        with pytest.raises(QueryExecutionError, match="limit should be a number, but got 'string'"):
            run('LIST LIMIT "x"')

    def test_limit_is_applied_in_command_order(self) -> None:
        assert names(run("LIST LIMIT 3 SORT file.name DESC").rows) == [
            "Unrated", "The Hobbit", "Dune",
        ]  # fmt: skip


class TestErrors:
    def test_rows_that_error_are_dropped(self) -> None:
        # `null - 1` has no implementation: notes without a rating error and are dropped.
        result = run("LIST WHERE rating - 1 > 3")
        assert names(result.rows) == ["Dune"]

    def test_every_row_failing_fails_the_query(self) -> None:
        with pytest.raises(QueryExecutionError) as caught:
            run("LIST WHERE file.name - 1")
        message = caught.value.message
        assert message.startswith("Every row during operation 'where' failed with an error")
        assert "- No implementation found for 'string - number'" in message

    @pytest.mark.parametrize(
        ("query", "operation"),
        [
            ("TABLE file.name - 1", "select"),
            ("LIST WHERE true SORT file.name - 1", "sort"),
            ("LIST GROUP BY file.name - 1", "group"),
            ("LIST FLATTEN file.name - 1", "flatten"),
        ],
    )
    def test_every_operation_reports_total_failure(self, query: str, operation: str) -> None:
        with pytest.raises(QueryExecutionError, match=f"operation '{operation}'"):
            run(query)

    def test_misplaced_from_is_positioned(self) -> None:
        with pytest.raises(QueryExecutionError) as caught:
            run('LIST WHERE true FROM "Books"')
        error = caught.value
        assert error.message.startswith("Unrecognized query operation 'folder'")
        assert "FROM must come directly after" in error.message
        assert (error.line, error.column) == (1, 17)
        assert error.context == 'LIST WHERE true FROM "Books"\n                ^'

    def test_unknown_function_is_semantic(self) -> None:
        with pytest.raises(QuerySemanticError) as caught:
            run("LIST WHERE nope(1)")
        assert (caught.value.line, caught.value.column) == (1, 12)


class TestLimits:
    def test_max_rows(self) -> None:
        with pytest.raises(QueryLimitError, match="7 rows, more than the limit of 5"):
            run("LIST", limits=Limits(max_rows=5))
        assert len(run("LIST", limits=Limits(max_rows=7)).rows) == 7

    def test_timeout_uses_the_given_clock(self) -> None:
        ticks: Iterator[float] = iter(range(0, 10_000, 10))
        with pytest.raises(QueryLimitError, match="time limit of 5 s"):
            run("LIST WHERE true", limits=Limits(timeout_s=5, clock=lambda: next(ticks)))

    def test_took_ms_comes_from_the_clock(self) -> None:
        times = iter([1.0, 1.25])
        result = run("LIST LIMIT 1", limits=Limits(clock=lambda: next(times)))
        assert result.took_ms == pytest.approx(250.0)

    def test_without_a_clock_nothing_is_timed(self) -> None:
        assert run("LIST LIMIT 1").took_ms == 0.0


class TestRows:
    """The overlays the engine uses instead of copying pages must read like the merged dict."""

    PAGE: ClassVar[dict[str, Any]] = {"a": 1, "b": 2, "file": {"name": "x"}}
    TASK: ClassVar[dict[str, Any]] = {"b": 3, "c": 4}

    def test_task_row_reads_task_over_page(self) -> None:
        row = task_row(self.TASK, self.PAGE)
        assert isinstance(row, TaskRow)
        assert (row["a"], row["b"], row.get("c"), row.get("z", 9)) == (1, 3, 4, 9)
        assert "a" in row and "z" not in row
        assert plain(row) == {"a": 1, "b": 3, "file": {"name": "x"}, "c": 4}
        assert list(row) == ["a", "b", "file", "c"] and len(row) == 4

    def test_overlay_chains_and_copies_merged(self) -> None:
        inner = overlay({"c": 5}, task_row(self.TASK, self.PAGE))
        outer = overlay({"d": 6}, inner)
        assert isinstance(outer, OverlayRow) and isinstance(outer, dict)
        assert [row_get(outer, k) for k in "abcdz"] == [1, 3, 5, 6, None]
        assert dict(outer) == {"a": 1, "b": 3, "file": {"name": "x"}, "c": 5, "d": 6}
        assert {**outer} == dict(outer) == outer.copy() == outer
        assert outer.get("a") == 1 and outer["d"] == 6 and "a" in outer and len(outer) == 5
        assert list(outer.items())[-1] == ("d", 6)
        assert self.PAGE == {"a": 1, "b": 2, "file": {"name": "x"}}  # bases are never touched

    def test_lambdas_see_the_row_through_their_frame(self) -> None:
        result = run('TASK FROM "Books" WHERE any([1], (x) => author = "Frank Herbert" AND x = 1)')
        assert [t["line"] for t in result.rows] == [8, 9]

    def test_row_index_reads_the_merged_row(self) -> None:
        result = run('TASK FROM "Books" WHERE row["author"] = "Frank Herbert" AND row["line"] = 9')
        assert [t["text"] for t in result.rows] == ["buy a copy"]
