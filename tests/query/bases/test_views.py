# ruff: noqa: E501  (bases written inline as YAML strings read best on one line)
"""Views (SPEC §3, §10–12): filter trees, sort, groups, limit, summaries, formulas, `this`,
display names and the export formats, with metamorphic checks (SPEC §16.3)."""

from __future__ import annotations

import pytest

from query.bases.export import render
from tests.query.bases.helpers import json_of, rows, run

ALL_PROJECTS = 'filters:\n  and:\n    - file.inFolder("Projects")\n    - file.ext == "md"\n'


def test_section_1_every_file_is_a_row_attachments_included() -> None:
    got = rows("views:\n  - type: table\n")
    assert "Projects/diagram.png" in got and "Projects/report.pdf" in got and "Home.md" in got
    assert rows('filters: file.ext == "pdf"\n') == ["Projects/report.pdf"]


def test_section_2_2_and_or_and_not_is_none_of() -> None:
    base = ALL_PROJECTS + "views:\n  - type: table\n    filters:\n      not:\n"
    got = rows(base + '        - status == "done"\n        - status == "paused"\n')
    assert got == ["Projects/Alpha.md", "Projects/Delta.md"]
    either = rows(
        ALL_PROJECTS + "views:\n  - type: table\n    filters:\n      or: ['status == \"done\"', "
        "'price > 9']\n"
    )
    assert either == ["Projects/Alpha.md", "Projects/Gamma.md"]


def test_section_2_2_empty_groups_pass_every_row() -> None:
    everything = rows(ALL_PROJECTS)
    for op in ("and", "or", "not"):
        assert (
            rows(ALL_PROJECTS + f"views:\n  - type: table\n    filters:\n      {op}: []\n")
            == everything
        )


def test_metamorphic_not_equals_and_of_negations() -> None:
    nor = rows(
        ALL_PROJECTS
        + "views:\n  - type: table\n    filters:\n      not: ['price > 5', 'status == \"active\"']\n"
    )
    ands = rows(
        ALL_PROJECTS
        + "views:\n  - type: table\n    filters:\n      and: ['!(price > 5)', '!(status == \"active\")']\n"
    )
    assert nor == ands == ["Projects/Beta.md"]


def test_metamorphic_moving_a_conjunct_to_the_global_filter_keeps_the_rows() -> None:
    in_view = rows(
        'filters: file.inFolder("Projects")\nviews:\n  - type: table\n    filters: "price > 3"\n'
    )
    in_global = rows(
        'filters:\n  and: [file.inFolder("Projects"), "price > 3"]\nviews:\n  - type: table\n'
    )
    assert in_view == in_global == ["Projects/Alpha.md", "Projects/Beta.md", "Projects/Gamma.md"]


def test_section_3_sort_multi_key_with_empties_last_ascending_first_descending() -> None:
    view = (
        ALL_PROJECTS
        + "views:\n  - type: table\n    sort:\n      - property: due\n        direction: {d}\n      - property: file.name\n        direction: ASC\n"
    )
    assert rows(view.format(d="ASC")) == [
        "Projects/Beta.md", "Projects/Alpha.md", "Projects/Delta.md", "Projects/Gamma.md"
    ]  # fmt: skip
    assert rows(view.format(d="DESC")) == [
        "Projects/Delta.md", "Projects/Gamma.md", "Projects/Alpha.md", "Projects/Beta.md"
    ]  # fmt: skip


def test_metamorphic_sorting_is_stable_and_idempotent_and_order_never_changes_rows() -> None:
    base = (
        ALL_PROJECTS
        + "views:\n  - type: table\n    order: [{o}]\n    sort:\n      - property: status\n        direction: ASC\n"
    )
    one = rows(base.format(o="file.name, status"))
    two = rows(base.format(o="status, price, file.name"))
    assert one == two
    assert one == [
        "Projects/Alpha.md",
        "Projects/Delta.md",
        "Projects/Gamma.md",
        "Projects/Beta.md",
    ]


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_metamorphic_limit_n_is_a_prefix_of_limit_n_plus_1(n: int) -> None:
    base = (
        ALL_PROJECTS
        + "views:\n  - type: table\n    sort: [{{property: price, direction: DESC}}]\n    limit: {n}\n"
    )
    shorter, longer = rows(base.format(n=n)), rows(base.format(n=n + 1))
    assert len(shorter) == n and longer[:n] == shorter


def test_section_3_limit_applies_before_grouping_and_reports_the_total() -> None:
    body = json_of(
        ALL_PROJECTS + "views:\n  - type: table\n    sort: [{property: price, direction: DESC}]\n"
        "    limit: 2\n    groupBy: {property: status, direction: ASC}\n"
    )
    assert body["count"] == 2 and body["total_before_limit"] == 4
    assert [g["label"] for g in body["groups"]] == ["active", "done"]


def test_section_3_6_a_list_key_is_one_group_and_empties_form_the_none_group() -> None:
    body = json_of(
        ALL_PROJECTS
        + "views:\n  - type: table\n    groupBy: {property: categories, direction: ASC}\n"
    )
    labels = [g["label"] for g in body["groups"]]
    assert labels == ["main, side", "None"]
    assert [len(g["rows"]) for g in body["groups"]] == [1, 3]


def test_section_10_summaries_per_view_and_group_builtin_and_custom() -> None:
    body = json_of(
        ALL_PROJECTS + "summaries:\n  twice: 'values.sum() * 2'\nviews:\n  - type: table\n"
        "    order: [file.name, price, done]\n    groupBy: {property: status, direction: ASC}\n"
        "    summaries:\n      price: Average\n      done: Checked\n      note.status: twice\n"
    )
    assert body["summaries"]["note.price"] == {"name": "Average", "value": 5.5}
    assert body["summaries"]["note.done"] == {"name": "Checked", "value": 2}
    assert body["summaries"]["note.status"]["value"] is None  # no numbers among the statuses
    active = body["groups"][0]
    assert active["label"] == "active" and active["summaries"]["note.price"] == 5.5


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Sum", 22), ("Min", 1), ("Max", 10), ("Range", 9), ("Median", 5.5), ("Empty", 0),
     ("Filled", 4), ("Unique", 4), ("Unchecked", 0)],
)  # fmt: skip
def test_section_10_builtin_summaries(name: str, expected: object) -> None:
    body = json_of(ALL_PROJECTS + f"views:\n  - type: table\n    summaries:\n      price: {name}\n")
    assert body["summaries"]["note.price"]["value"] == expected


def test_section_3_3_formulas_chain_in_dependency_order_and_cycles_are_reported() -> None:
    body = json_of(
        ALL_PROJECTS
        + "formulas:\n  label: 'status + \" \" + formula.total'\n  total: price * quantity\n"
        "  a: formula.b + 1\n  b: formula.a + 1\nviews:\n  - type: table\n"
        "    order: [file.name, formula.label, formula.a]\n"
    )
    alpha = body["rows"][0]["cells"]
    assert alpha["formula.label"] == "active 30"
    assert alpha["formula.a"]["type"] == "error" and "cycle" in alpha["formula.a"]["message"]
    assert any(d["code"] == "formula-cycle" for d in body["diagnostics"])


def test_section_11_this_is_the_base_file_the_embedding_note_or_the_given_file() -> None:
    backlinks = "filters: file.hasLink(this.file)\nviews:\n  - type: table\n"
    assert rows(backlinks, this="Projects/Alpha.md") == [
        "Home.md", "People/Ann.md", "Projects/Beta.md"
    ]  # fmt: skip
    assert rows(backlinks, this="Projects/Beta.md") == ["Home.md", "Projects/Alpha.md"]
    assert rows(backlinks, this="Projects/view.base") == []
    same_folder = 'filters: file.inFolder(this.file.folder)\nviews:\n  - type: table\n    filters: file.ext == "md"\n'
    assert len(rows(same_folder, this="Projects/Alpha.md")) == 4
    assert rows('filters: "status == this.status"\n', this="Projects/Alpha.md") == [
        "Projects/Alpha.md", "Projects/Delta.md"
    ]  # fmt: skip


def test_section_3_8_display_names_and_the_default_column() -> None:
    body = json_of(
        ALL_PROJECTS + "properties:\n  note.status:\n    displayName: State\n  file.name:\n"
        "    displayName: ''\nviews:\n  - type: cards\n    order: [file.name, status, formula.none]\n"
    )
    assert [c["name"] for c in body["columns"]] == ["", "State", "none"]
    assert body["rows"][0]["cells"]["formula.none"] is None
    plain = json_of(ALL_PROJECTS)
    assert [c["id"] for c in plain["columns"]] == ["file.name"]


def test_section_12_exports() -> None:
    base = ALL_PROJECTS + (
        "properties:\n  note.status:\n    displayName: State\nviews:\n  - type: list\n"
        "    order: [file.name, status, owner]\n    limit: 2\n"
    )
    result = run(base)
    assert (
        render(result, "csv")
        == "file name,State,owner\nAlpha,active,[[People/Ann]]\nBeta,paused,\n"
    )
    assert render(result, "tsv").splitlines()[1] == "Alpha\tactive\t[[People/Ann]]"
    assert render(result, "paths") == "Projects/Alpha.md\nProjects/Beta.md\n"
    md = render(result, "md").splitlines()
    assert md[0] == "| file name | State | owner |" and md[1] == "| --- | --- | --- |"
    assert md[2] == "| Alpha | active | [[People/Ann]] |"
    body = json_of(base)
    owner = body["rows"][0]["cells"]["note.owner"]
    assert owner["type"] == "link" and owner["path"] == "People/Ann.md" and owner["resolved"]


def test_pushdown_gives_the_same_rows_as_a_full_scan() -> None:
    indexed = 'filters:\n  and: [file.hasTag("project"), file.hasLink("Projects/Alpha.md")]\n'
    scanned = "filters:\n  and: ['file.hasTag(\"project\") || false', 'file.hasLink(\"Projects/Alpha.md\") || false']\n"
    assert rows(indexed) == rows(scanned) == ["Projects/Beta.md"]
    assert rows('filters: file.hasProperty("categories")\n') == ["Projects/Delta.md"]


def test_unknown_view_types_yield_rows_like_a_table() -> None:
    assert rows(ALL_PROJECTS + "views:\n  - type: tasknotesTaskList\n    name: X\n", "X") == rows(
        ALL_PROJECTS
    )
