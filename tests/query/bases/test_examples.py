"""The real bases in ../shared/bases/examples parse and evaluate (SPEC §16.4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from query.bases.view import run_view
from server.application.bases_service import scan_bases_vault
from server.vault.base_files import load_base_yaml
from tests.conftest import SHARED, require_shared
from tests.query.bases.helpers import LOCAL, clock, config

EXAMPLES = SHARED / "bases" / "examples"


def _base(path: Path):  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    data, positions = load_base_yaml(text, name=path.name)
    from query.bases.config import parse_base

    return parse_base(data, positions, text, name=path.name)


def test_maps_example_rows_as_the_spec_derives_them() -> None:
    root = require_shared(EXAMPLES / "obsidian-maps" / "vault")
    vault = scan_bases_vault(root, LOCAL)
    places = _base(root / "Places.base")
    everything = [
        "Centre Pompidou.md",
        "Eiffel Tower.md",
        "Jardin des Plantes.md",
        "Musée d'Orsay.md",
    ]
    for view in ("Map", "Type-based markers"):
        assert run_view(places, view, vault, clock(), this="Museums.md").paths == everything
    for view in ("Type map", "Type table"):
        result = run_view(places, view, vault, clock(), this="Museums.md")
        assert result.paths == ["Centre Pompidou.md", "Musée d'Orsay.md"]
        assert run_view(places, view, vault, clock(), this="Places.base").paths == []
    typed = run_view(places, "Type-based markers", vault, clock(), this="Museums.md")
    icons = {p: c["formula.Type icon"] for p, c in zip(typed.paths, typed.cells, strict=True)}
    assert icons == {
        "Centre Pompidou.md": "landmark", "Eiffel Tower.md": None,
        "Jardin des Plantes.md": None, "Musée d'Orsay.md": "landmark",
    }  # fmt: skip
    header = run_view(places, "Map", vault, clock()).columns
    assert [c.name for c in header] == ["Place", "Architect", "Rating"]
    table = run_view(places, "Type table", vault, clock(), this="Museums.md").columns
    assert [c.name for c in table] == ["Place", "Rating", "Address"]


@pytest.mark.parametrize(
    "name", ["Daily Notes Index.base", "Reading List.base", "Task Tracker.base"]
)
def test_skills_examples_compile_and_every_view_is_empty_over_its_own_folder(name: str) -> None:
    root = require_shared(EXAMPLES / "obsidian-skills" / "vault")
    vault = scan_bases_vault(root, LOCAL)
    base = _base(root / name)
    assert base.views
    for view in base.views:
        result = run_view(base, view.name, vault, clock(), this=name)
        assert result.paths == []
        assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics


def test_an_empty_base_lists_every_file() -> None:
    assert config("").views == []
