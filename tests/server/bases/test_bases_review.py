"""Bases on the live index after the issue 17 review: hostile YAML, cached formulas that follow
the vault (files appearing, attachments edited), diagnostics for the text formats, the formula
cache's budget, code-block bookkeeping."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from query.errors import QueryLimitError, QuerySyntaxError
from server.application.bases_service import FormulaCache
from server.cli.main import main
from server.vault.base_files import MAX_ALIAS_NODES, load_base_yaml
from tests.server.server_helpers import app_over, make_service, make_vault

NOTES = {
    "A.md": "---\nstatus: active\nwhen: 2024-01-01\n---\nSee [[B]].\n",
    "B.md": "---\nstatus: paused\n---\n",
    "Home.md": "# Home\n\n```base\nfilters: file.hasLink(this)\nviews:\n  - type: list\n```\n",
}


# -- 1. YAML aliases ---------------------------------------------------------------------------


def _laughs(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join([*lines, f"views: *a{levels - 1}", ""])


def test_nested_aliases_are_refused_at_a_position_before_they_expand() -> None:
    text = _laughs(12)  # 9**12 values from 700 bytes
    started = time.perf_counter()
    with pytest.raises(QuerySyntaxError, match="aliases expand to more than") as info:
        load_base_yaml(text, name="laughs.base")
    assert time.perf_counter() - started < 5
    assert info.value.line is not None and info.value.context


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="refers to the value that holds it") as info:
        load_base_yaml("a: &a [1, *a]\nviews: []\n")
    assert info.value.line == 1


def test_ordinary_aliases_still_work_with_their_positions() -> None:
    data, positions = load_base_yaml(
        "shared: &f 'status == \"active\"'\nfilters: *f\nviews:\n  - filters: *f\n"
    )
    assert data["filters"] == data["views"][0]["filters"] == 'status == "active"'
    assert positions[("filters",)][0] == 1 and positions[("views", 0, "filters")][0] == 1
    small = _laughs(4)  # about 9**4 repeated values: under the cap
    assert MAX_ALIAS_NODES > 9**4
    assert len(load_base_yaml(small)[0]["views"]) == 9


# -- 5 and 11. the formula cache follows the vault -------------------------------------------


def test_a_cached_link_formula_resolves_once_its_file_appears(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", {"A.md": '---\nowner: "[[C]]"\n---\n'})
    service = make_service(root)
    service.load()
    app = app_over(service)
    yaml_text = "formulas:\n  o: owner\nviews:\n  - type: table\n    order: [formula.o]\n"
    assert app.base(yaml=yaml_text)["rows"][0]["cells"]["formula.o"]["resolved"] is False
    (root / "C.md").write_text("hi\n")
    service.apply_changes(["C.md"])
    rows = app.base(yaml=yaml_text)["rows"]
    assert rows[0]["cells"]["formula.o"]["resolved"] is True


def test_editing_an_attachment_is_a_new_revision_with_fresh_facts(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    (root / "pic.png").write_bytes(b"x" * 10)
    service = make_service(root)
    service.load()
    app = app_over(service)
    yaml_text = (
        "formulas:\n  sz: file.size * 1\nfilters: 'file.ext == \"png\"'\n"
        "views:\n  - type: table\n    order: [file.size, formula.sz]\n"
    )
    before = app.base(yaml=yaml_text)
    assert before["rows"][0]["cells"] == {"file.size": 10, "formula.sz": 10}
    (root / "pic.png").write_bytes(b"x" * 5000)
    assert service.apply_changes(["pic.png"]) is not None
    after = app.base(yaml=yaml_text)
    assert after["revision"] == before["revision"] + 1
    assert after["rows"][0]["cells"] == {"file.size": 5000, "formula.sz": 5000}
    # Touching it again without a change is no new revision.
    assert service.apply_changes(["pic.png"]) is None


def test_the_formula_cache_is_bounded_by_size() -> None:
    cache = FormulaCache(1000, max_bytes=100_000, max_value_bytes=20_000)
    for i in range(50):
        cache[("k", i)] = "x" * 10_000
    assert cache.bytes <= 100_000 and 0 < len(cache) < 50
    assert cache.get(("k", 49)) == "x" * 10_000 and cache.get(("k", 0), "gone") == "gone"
    cache[("big",)] = "x" * 50_000  # larger than one value may be: not kept
    assert cache.get(("big",)) is None
    cache[("none",)] = None
    assert cache.get(("none",), "missing") is None
    cache.clear()
    assert cache.bytes == 0 and len(cache) == 0


def test_a_huge_formula_value_is_not_kept_in_the_service_cache(tmp_path: Path) -> None:
    service = make_service(make_vault(tmp_path / "vault", NOTES))
    service.load()
    app = app_over(service)
    big = (
        "formulas:\n  s: 'file.name.repeat(300000)'\n"
        "views:\n  - type: table\n    order: [formula.s]\n"
    )
    app.base(yaml=big)
    cache = app._bases_service()[0].formula_cache
    assert len(cache) == 0 and cache.bytes == 0


# -- 4. deep YAML, deep values through the app -------------------------------------------------


def test_deep_values_are_a_limit_error_through_the_app(tmp_path: Path) -> None:
    service = make_service(make_vault(tmp_path / "vault", NOTES))
    service.load()
    app = app_over(service)
    deep = (
        'formulas:\n  deep: \'"x".repeat(50000).split("").reduce([acc], []).toString()\'\n'
        "views:\n  - type: table\n    order: [formula.deep]\n"
    )
    with pytest.raises(QueryLimitError):
        app.base(yaml=deep)
    with pytest.raises(QueryLimitError):
        app.base(
            yaml="views:\n  - type: table\n    order: [formula.f]\nformulas:\n  f: '"
            + "1+" * 300
            + "1'\n"
        )


# -- 10. diagnostics for the text formats ------------------------------------------------------

WITH_DIAGNOSTIC = (
    "formulas:\n  x: nope(1)\nviews:\n  - type: table\n    order: [file.name, formula.x]\n"
)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "paths"])
def test_text_answers_carry_their_diagnostics(tmp_path: Path, fmt: str) -> None:
    service = make_service(make_vault(tmp_path / "vault", NOTES))
    service.load()
    body = app_over(service).base(yaml=WITH_DIAGNOSTIC, fmt=fmt)
    assert [d["code"] for d in body["diagnostics"]] == ["unknown-function"]
    assert body["diagnostics"][0]["line"] == 2


def test_the_cli_prints_diagnostics_on_stderr_for_text_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_vault(tmp_path / "vault", {**NOTES, "Broken.base": WITH_DIAGNOSTIC})
    common = ["--index-dir", str(tmp_path / "index")]
    assert main(["base", str(root), "Broken.base", "--format", "csv", *common]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "file name,x"
    assert 'warning: line 2, column 6: formulas.x: Cannot find function "nope"' in captured.err


# -- 13. code blocks of deleted notes are forgotten ------------------------------------------


def test_code_blocks_of_deleted_notes_are_forgotten(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    service = make_service(root)
    service.load()
    app = app_over(service)
    assert [b["path"] for b in app.bases()["bases"]] == ["Home.md"]
    answerer = app._bases_service()[1]
    assert "Home.md" in answerer._blocks
    (root / "Home.md").unlink()
    service.apply_changes(["Home.md"])
    assert app.bases()["bases"] == []
    assert "Home.md" not in answerer._blocks


def test_listing_the_bases_is_under_the_query_limits(tmp_path: Path) -> None:
    from query.limits import Guard, Limits

    service = make_service(make_vault(tmp_path / "vault", NOTES))
    service.load()
    app = app_over(service)
    service_, answerer = app._bases_service()
    view = service_.view_of(service.snapshot().revision, service.snapshot().index)
    ticks = iter(range(10**6))
    expired = Guard(Limits(timeout_s=0.5, clock=lambda: float(next(ticks))))
    with pytest.raises(QueryLimitError, match="time limit"):
        answerer.listing(view, expired)
