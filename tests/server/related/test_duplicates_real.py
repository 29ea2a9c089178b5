"""Duplicates on the real model: planted copies found, a real vault has none."""

from __future__ import annotations

from pathlib import Path

import pytest

from query.index import VaultIndex
from server.related.related_service import RelatedService
from tests.server.related.conftest import Build, copy_vault

SOURCE = "vault/00_GetStarted/Knowledge management with Zettelkasten.md"


@pytest.mark.slow
def test_a_real_vault_has_no_duplicates_at_default_thresholds(
    demo: tuple[RelatedService, VaultIndex],
) -> None:
    service, _ = demo
    assert service.duplicates()["pairs"] == []


@pytest.mark.slow
def test_planted_copy_and_near_copy_are_found(build: Build, tmp_path: Path) -> None:
    root = copy_vault("notebook-demo", tmp_path)
    original = (root / SOURCE).read_text(encoding="utf-8")
    (root / "vault/Zettelkasten copy.md").write_text(original, encoding="utf-8")
    words = original.split(" ")
    edited = " ".join(w.upper() if i % 40 == 7 else w for i, w in enumerate(words))
    edited = edited.replace("Zettelkasten", "Zettelkasten", 1) + "\nOne more closing line.\n"
    (root / "vault/Archive/Old Zettelkasten notes.md").parent.mkdir(parents=True)
    (root / "vault/Archive/Old Zettelkasten notes.md").write_text(edited, encoding="utf-8")
    service, _ = build(root, "planted-duplicates")
    pairs = service.duplicates()["pairs"]
    found = {(p["kind"], p["original"], p["duplicate"]): p for p in pairs}
    exact = found[("exact", SOURCE, "vault/Zettelkasten copy.md")]
    assert exact["original_because"] == "the other name looks like a copy"
    near = [p for p in pairs if p["kind"] == "near"]
    assert {frozenset((p["original"], p["duplicate"])) for p in near} >= {
        frozenset((SOURCE, "vault/Archive/Old Zettelkasten notes.md"))
    }
    for pair in near:
        assert 0.8 <= pair["scores"]["jaccard"] < 1.0
        assert pair["scores"]["cosine"] is None or pair["scores"]["cosine"] > 0.9
    assert all(p["original"] != p["duplicate"] for p in pairs)
    # Thresholds are parameters: demanding identical text leaves only the exact pair.
    strict = service.duplicates(near_threshold=1.0, semantic_threshold=1.0)["pairs"]
    assert [p["kind"] for p in strict] == ["exact"] * len(strict) and strict
