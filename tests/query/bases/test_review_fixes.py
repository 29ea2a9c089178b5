# ruff: noqa: E501  (bases written inline as YAML strings read best on one line)
"""The formula cache serves no stale value; regexes behave as JavaScript's; ``file.tags`` and
the index shortcuts agree with row-by-row evaluation (issue 17 review)."""

from __future__ import annotations

from typing import Any

import pytest

from query.bases.compile import compile_expression
from query.bases.context import Clock
from query.bases.moment import from_epoch_ms
from query.bases.parser import parse_expression
from query.bases.values import BaseLink
from query.bases.vault import BasesVault
from query.bases.view import run_view
from query.index import VaultIndex
from server.vault.catalog import Catalog, SourceFile
from server.vault.markdown import frontmatter_links
from tests.query.bases.helpers import LOCAL, NOW, T0, clock, config, evaluate

# -- a vault with chosen notes, attachments and attachment facts -------------------------------


def _vault(
    notes: dict[str, str],
    attachments: tuple[str, ...] = (),
    facts: dict[str, tuple[int, float, float]] | None = None,
) -> BasesVault:
    sources = [
        SourceFile(p, t.encode(), T0, T0 + i) for i, (p, t) in enumerate(sorted(notes.items()))
    ]
    catalog = Catalog.from_sources(sources, local=LOCAL, other_paths=attachments)
    index = VaultIndex(catalog.records(), catalog.resolver)
    known = facts or {}
    return BasesVault(
        index,
        local=LOCAL,
        attachments=catalog.other_files,
        stat=lambda path: known.get(path, (100, T0, T0)),
        frontmatter_links=frontmatter_links,
    )


def _cells(
    yaml_text: str, vault: BasesVault, cache: dict[Any, Any], now: Clock | None = None
) -> list[dict[str, Any]]:
    return run_view(config(yaml_text), None, vault, now or clock(), formula_cache=cache).cells


# -- 5. the formula cache -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "row_local"),
    [
        ("price * 2", True),
        ("file.name.lower()", True),
        ("date(due).relative()", False),  # reads the clock
        ("file.mtime.relative()", False),
        ('formula["n" + "ow"]', False),  # a formula chosen at run time
        ("formula", False),
        ("[1].map(formula)", False),
        ("now()", False),
        ("this.file.name", False),
    ],
)
def test_what_the_formula_cache_may_keep(text: str, row_local: bool) -> None:
    assert compile_expression(parse_expression(text)).row_local is row_local


def test_relative_is_recomputed_when_the_clock_moves() -> None:
    vault = _vault({"A.md": "---\nwhen: 2024-01-01\n---\n"})
    yaml_text = "formulas:\n  rel: date(when).relative()\nviews:\n  - type: table\n    order: [formula.rel]\n"
    cache: dict[Any, Any] = {}
    first = _cells(yaml_text, vault, cache)[0]["formula.rel"]
    later = Clock(from_epoch_ms(NOW.timestamp() * 1000 + 6 * 365 * 86_400_000, LOCAL), LOCAL)
    second = _cells(yaml_text, vault, cache, later)[0]["formula.rel"]
    assert first != second and second == "6 years ago"


def test_a_formula_holding_a_link_follows_the_files_that_appear() -> None:
    notes = {"A.md": '---\nowner: "[[C]]"\n---\n'}
    yaml_text = 'formulas:\n  o: owner\nfilters: file.name == "A"\nviews:\n  - type: table\n    order: [formula.o]\n'
    cache: dict[Any, Any] = {}
    before = _cells(yaml_text, _vault(notes), cache)[0]["formula.o"]
    assert isinstance(before, BaseLink) and before.resolved is None
    after = _cells(yaml_text, _vault({**notes, "C.md": "hi\n"}), cache)[0]["formula.o"]
    assert after.resolved == "C.md"


def test_a_view_with_the_same_files_shares_the_cached_values() -> None:
    notes = {"A.md": "---\nprice: 2\n---\n"}
    first, second = _vault(notes), _vault(notes)
    second.files_generation = first.files_generation  # what BasesService does for equal paths
    yaml_text = "formulas:\n  d: price * 2\nviews:\n  - type: table\n    order: [formula.d]\n"
    cache: dict[Any, Any] = {}
    _cells(yaml_text, first, cache)
    assert len(cache) == 1
    _cells(yaml_text, second, cache)
    assert len(cache) == 1


def test_attachment_formulas_are_keyed_by_size_and_times() -> None:
    yaml_text = "formulas:\n  sz: file.size * 1\nfilters: 'file.ext == \"png\"'\nviews:\n  - type: table\n    order: [formula.sz]\n"
    cache: dict[Any, Any] = {}
    small = _vault({}, ("pic.png",), {"pic.png": (10, T0, T0)})
    large = _vault({}, ("pic.png",), {"pic.png": (5000, T0, T0 + 1000)})
    large.files_generation = small.files_generation
    assert _cells(yaml_text, small, cache)[0]["formula.sz"] == 10
    assert _cells(yaml_text, large, cache)[0]["formula.sz"] == 5000


def test_an_unknown_attachment_stamp_is_not_cached() -> None:
    vault = BasesVault(
        _vault({}).index, local=LOCAL, attachments=("x.png",), stat=lambda path: None
    )
    cache: dict[Any, Any] = {}
    _cells(
        "formulas:\n  n: file.name\nviews:\n  - type: table\n    order: [formula.n]\n", vault, cache
    )
    assert cache == {}


# -- 7. regular expressions as JavaScript's ----------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"abc".split(/(?:)/)', ["a", "b", "c"]),
        ('"a1b2c".split(/\\d/)', ["a", "b", "c"]),
        ('"a1b".split(/(\\d)/)', ["a", "1", "b"]),
        ('",a,".split(/,/)', ["", "a", ""]),
        ('"".split(/x/)', [""]),
        ('"".split(/(?:)/)', []),
        ('"a,b,c".split(/,/, 2)', ["a", "b"]),
        ('/a.b/.matches("a\\nb")', False),
        ('/a.b/s.matches("a\\nb")', True),
        ('/^b$/.matches("a\\nb")', False),
        ('/^b$/m.matches("a\\nb")', True),
        ('/^b$/m.matches("a\\rb\\rc")', True),
        ('/A/i.matches("a")', True),
        ('"a.a".replace(/a/g, "b")', "b.b"),
        ('"a.a".replace(/a/, "b")', "b.a"),
        ('"l1\\nl2".replace(/^l/gm, "L")', "L1\nL2"),
    ],
)
def test_regexes_follow_javascript(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


# -- 8. file.tags from string frontmatter, as Obsidian and the index read it -------------------

TAG_NOTES = {
    "A.md": '---\ntags: "project, learning/programming"\n---\n#inline\n',
    "B.md": "---\ntags: one two\n---\n",
    "C.md": "---\nTag: [x, '', y]\n---\n",
    "D.md": "---\ntags: [project]\n---\n",
}


def test_string_frontmatter_tags_are_split_like_obsidian() -> None:
    vault = _vault(TAG_NOTES)
    assert vault.tags("A.md") == ["#project", "#learning/programming", "#inline"]
    assert vault.tags("B.md") == ["#one", "#two"]
    assert vault.tags("C.md") == ["#x", "#y"]


@pytest.mark.parametrize(
    "tag", ["project", "learning", "learning/programming", "one", "x", "inline"]
)
def test_the_tag_shortcut_agrees_with_row_evaluation(tag: str) -> None:
    vault = _vault(TAG_NOTES)
    pushed = f"filters: 'file.hasTag(\"{tag}\")'\nviews: []\n"
    full = f"filters: '!!file.hasTag(\"{tag}\")'\nviews: []\n"
    answer = run_view(config(pushed), None, vault, clock()).paths
    assert answer == run_view(config(full), None, vault, clock()).paths and answer


def test_a_string_of_tags_is_no_tag_of_its_own() -> None:
    vault = _vault(TAG_NOTES)
    pushed = "filters: 'file.hasTag(\"project, learning/programming\")'\nviews: []\n"
    full = "filters: '!!file.hasTag(\"project, learning/programming\")'\nviews: []\n"
    assert run_view(config(pushed), None, vault, clock()).paths == []
    assert run_view(config(full), None, vault, clock()).paths == []


# -- 9. file.ext == "" ------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["", "png", "PNG", "md", "gitignore"])
def test_the_extension_shortcut_agrees_with_row_evaluation(ext: str) -> None:
    vault = _vault({"A.md": "a\n"}, ("LICENSE", "pic.png", "pic2.PNG", "dir/.gitignore", "a.b.png"))
    pushed = f"filters: 'file.ext == \"{ext}\"'\nviews: []\n"
    full = f"filters: '!!(file.ext == \"{ext}\")'\nviews: []\n"
    answer = run_view(config(pushed), None, vault, clock()).paths
    assert answer == run_view(config(full), None, vault, clock()).paths and answer


def test_files_without_an_extension_are_found() -> None:
    vault = _vault({"A.md": "a\n"}, ("LICENSE", "pic.png"))
    assert run_view(
        config("filters: 'file.ext == \"\"'\nviews: []\n"), None, vault, clock()
    ).paths == ["LICENSE"]


# -- 13. a wikilink property holding single brackets ---------------------------------------------


def test_a_wikilink_value_may_hold_single_brackets() -> None:
    vault = _vault({"A.md": '---\nowner: "[[Note [draft] v2]]"\n---\n', "Note [draft] v2.md": ""})
    owner = vault.property("A.md", "owner")
    assert isinstance(owner, BaseLink) and owner.resolved == "Note [draft] v2.md"
