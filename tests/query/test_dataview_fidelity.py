"""Dataview 0.5.70 behaviour found on real vaults that the conformance corpus does not cover, as
data: each case is a query, the note it runs from, and what Dataview gives (SPEC §3.2, §4, §9.5).

* A key repeated in a page keeps one element per occurrence: a list-valued occurrence is not
  spread (``names: [Hans, peter]`` then ``names:: Peter`` is ``[[Hans, peter], "Peter"]``).
* A FLATTEN storing under the innermost GROUP BY's name undoes that grouping's meaning of the row
  id: the id column is headed ``File`` again (``GROUP BY genres FLATTEN genres``).
* Links written in a query resolve against every file of the vault, attachments included, with
  the resolver the notes' own links use (same folder, then shallowest, then shortest).
"""

from __future__ import annotations

from typing import Any

import pytest

from query.engine import execute
from query.index import VaultIndex
from query.results import to_csv, to_json, to_markdown
from query.values import Link
from tests.query.engine_vault import ENV, index_of, outcome

FILES: dict[str, str] = {
    "A.md": "",
    "B.md": "",
    "C.md": "",
    "Fields/Names.md": "---\nnames: [Hans, peter]\n---\nnames:: Peter\n",
    "Fields/Links.md": "links:: [[A]], [[B]]\nlinks:: [[C]]\n",
    "Fields/Scalars.md": "n:: 1\nn:: 2\n",
    "Fields/Three.md": "---\nk: [1, 2]\n---\n- k:: 3, 4\n\nk:: 5\n",
    "Genres/Dune.md": "---\ngenres: [scifi, classic]\n---\n",
    "Genres/Emma.md": "---\ngenres: [classic]\n---\n",
    "Gallery/See.md": "See [[A]].\n",
    "Gallery/Show.md": "![[pic.png]] and ![[missing.png]]\n",
    "att/pic.png": "PNG",
    "x/logo.png": "PNG",
    "y/z/logo.png": "PNG",
    "y/z/Uses.md": "![[logo.png]]\n",
    "Root.md": "![[logo.png]]\n",
}


@pytest.fixture(scope="module")
def index() -> VaultIndex:
    return index_of(FILES)


def table(headers: list[str], *rows: list[Any]) -> tuple[str, list[str], list[list[Any]]]:
    return ("table", headers, list(rows))


def listed(header: str, *items: Any) -> tuple[str, list[str], list[Any]]:
    return ("list", [header], list(items))


# -- 1. repeated keys: one element per occurrence ------------------------------------------------

REPEATED_KEYS = [
    (
        'TABLE WITHOUT ID names, length(names) FROM "Fields/Names.md"',
        table(["names", "length(names)"], [[["Hans", "peter"], "Peter"], 2]),
    ),
    (
        'TABLE WITHOUT ID links, length(links) FROM "Fields/Links.md"',
        table(
            ["links", "length(links)"],
            [[[Link("A.md"), Link("B.md")], Link("C.md")], 2],
        ),
    ),
    # Scalar occurrences make the flat list of the values, as before.
    (
        'TABLE WITHOUT ID n, length(n) FROM "Fields/Scalars.md"',
        table(["n", "length(n)"], [[1, 2], 2]),
    ),
    # Frontmatter, a list item and a line: each occurrence is one element.
    ('TABLE WITHOUT ID k FROM "Fields/Three.md"', table(["k"], [[[1, 2], [3, 4], 5]])),
    (
        'LIST WITHOUT ID names FROM "Fields/Names.md" FLATTEN names',
        listed("names", ["Hans", "peter"], "Peter"),
    ),
]


@pytest.mark.parametrize(("query", "expected"), REPEATED_KEYS)
def test_a_repeated_key_keeps_one_element_per_occurrence(
    index: VaultIndex, query: str, expected: Any
) -> None:
    assert outcome(query, index) == expected


# -- 2. the id column after GROUP BY and FLATTEN -------------------------------------------------

GROUPS = [
    ('TABLE rows.file.name AS names FROM "Genres" GROUP BY genres', ["genres", "names"]),
    (
        'TABLE rows.file.name AS names FROM "Genres" GROUP BY genres FLATTEN genres',
        ["File", "names"],
    ),
    ('TABLE length(rows) AS n FROM "Genres" GROUP BY genres AS g FLATTEN g', ["File", "n"]),
    # Another name leaves the grouping's meaning alone.
    ('TABLE length(rows) AS n FROM "Genres" GROUP BY genres FLATTEN genres AS g', ["genres", "n"]),
    ('TABLE length(rows) AS n FROM "Genres" GROUP BY genres FLATTEN rows', ["genres", "n"]),
    # Only the innermost grouping is undone; the outer one names the column again.
    (
        'TABLE length(rows) AS n FROM "Genres" GROUP BY file.folder GROUP BY genres FLATTEN genres',
        ["file.folder", "n"],
    ),
    (
        'TABLE length(rows) AS n FROM "Genres" GROUP BY file.folder FLATTEN genres',
        ["file.folder", "n"],
    ),
    (
        'TABLE length(rows) AS n FROM "Genres" GROUP BY genres FLATTEN genres '
        "GROUP BY length(rows)",
        ["length(rows)", "n"],
    ),
    ('TABLE length(rows) AS n FROM "Genres" FLATTEN genres GROUP BY genres', ["genres", "n"]),
    ('LIST FROM "Genres" GROUP BY genres FLATTEN genres', ["File"]),
    ('LIST length(rows) FROM "Genres" GROUP BY genres FLATTEN genres', ["File", "length(rows)"]),
]


@pytest.mark.parametrize(("query", "headers"), GROUPS)
def test_flatten_of_the_group_key_resets_the_id_column(
    index: VaultIndex, query: str, headers: list[str]
) -> None:
    assert outcome(query, index)[1] == headers


def test_the_reset_header_reaches_every_output_format(index: VaultIndex) -> None:
    query = 'TABLE rows.file.name AS names FROM "Genres" GROUP BY genres FLATTEN genres'
    result = execute(query, index, env=ENV)
    # The rows keep their group key as id; one row per flattened element.
    assert result.rows == [
        [["classic"], ["Emma"]],
        [["scifi", "classic"], ["Dune"]],
        [["scifi", "classic"], ["Dune"]],
    ]
    assert to_json(result, ENV)["headers"] == ["File", "names"]
    assert to_markdown(result, ENV).splitlines()[:3] == [
        "| File | names |",
        "| --- | --- |",
        "| classic | Emma |",
    ]
    assert to_csv(result, ENV).splitlines()[:2] == ["File,names", "classic,Emma"]


# -- 3. links written in a query resolve to attachments too --------------------------------------

LINKS = [
    ("LIST FROM [[pic.png]]", None, listed("File", Link("Gallery/Show.md"))),
    (
        'LIST WITHOUT ID link("pic.png") FROM "Gallery/Show.md"',
        None,
        listed('link("pic.png")', Link("att/pic.png")),
    ),
    (
        'LIST WITHOUT ID meta(link("pic.png")).path FROM "Gallery/Show.md"',
        None,
        listed('meta(link("pic.png")).path', "att/pic.png"),
    ),
    (
        'LIST WITHOUT ID [[pic.png]] FROM "Gallery/Show.md"',
        None,
        listed("[[pic.png]]", Link("att/pic.png")),
    ),
    (
        'LIST WITHOUT ID contains(file.outlinks, link("pic.png")) FROM "Gallery"',
        None,
        listed('contains(file.outlinks, link("pic.png"))', False, True),
    ),
    # The same test as a WHERE answered from the link maps.
    (
        "LIST WHERE contains(file.outlinks, [[pic.png]])",
        None,
        listed("File", Link("Gallery/Show.md")),
    ),
    # Notes resolve as before; an unresolved target still finds the notes that wrote it.
    ("LIST FROM [[A]]", None, listed("File", Link("Fields/Links.md"), Link("Gallery/See.md"))),
    ("LIST FROM [[missing.png]]", None, listed("File", Link("Gallery/Show.md"))),
    # An attachment is no source of links: Dataview fails the lookup.
    (
        "LIST FROM outgoing([[pic.png]])",
        None,
        (
            "error",
            "QueryExecutionError",
            'Could not find file "pic.png" during link lookup - does it exist?',
        ),
    ),
    # Two attachments named logo.png: the one in the query's folder, else the shallowest.
    ("LIST FROM [[logo.png]]", "y/z/Uses.md", listed("File", Link("y/z/Uses.md"))),
    ("LIST FROM [[logo.png]]", "Root.md", listed("File", Link("Root.md"))),
    (
        'LIST WITHOUT ID link("logo.png") FROM "Root.md"',
        "y/z/Uses.md",
        listed('link("logo.png")', Link("y/z/logo.png")),
    ),
    (
        'LIST WITHOUT ID link("logo.png") FROM "Root.md"',
        "Gallery/See.md",
        listed('link("logo.png")', Link("x/logo.png")),
    ),
    # The query's link and the note's own embed resolve alike, from the same note.
    (
        'LIST WITHOUT ID contains(file.outlinks, link("logo.png")) FROM "Root.md" OR "y/z/Uses.md"',
        "y/z/Uses.md",
        listed('contains(file.outlinks, link("logo.png"))', False, True),
    ),
]


@pytest.mark.parametrize(("query", "origin", "expected"), LINKS)
def test_query_links_resolve_against_every_file(
    index: VaultIndex, query: str, origin: str | None, expected: Any
) -> None:
    assert outcome(query, index, origin) == expected
