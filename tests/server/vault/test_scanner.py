"""Walking a vault: exclusions, symlinks, and what counts as a note."""

from __future__ import annotations

import json
import os
from pathlib import Path

from server.vault.exclusions import Exclusions
from server.vault.scanner import walk_vault


def _write(root: Path, rel: str, text: str = "x") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_exclusions_always_config_and_obsidian(tmp_path: Path) -> None:
    for rel in [
        "a.md",
        "b.txt",
        ".obsidian/workspace.md",
        ".git/x.md",
        ".trash/old.md",
        "sub/.git/deep.md",
        "Templates/t.md",
        "Temporary.md",
        "drafts/d.md",
        "x.excalidraw.md",
        "keep/k.md",
        "index/cache.md",
    ]:
        _write(tmp_path, rel)
    _write(
        tmp_path,
        ".obsidian/app.json",
        json.dumps({"userIgnoreFilters": ["Templates/", "/\\.excalidraw\\.md$/", "/[/"]}),
    )
    exclusions = Exclusions.for_vault(tmp_path, ["drafts/", "*.tmp"], tmp_path / "index")
    assert exclusions.problems == ()
    walk = walk_vault(tmp_path, exclusions)
    assert [rel for rel, _ in walk.notes] == ["Temporary.md", "a.md", "keep/k.md"]
    assert walk.other_files == ["b.txt"]
    # .obsidian, .git, .trash, sub/.git, Templates, drafts, index dirs + the excalidraw file
    assert walk.excluded == 8
    assert walk.problems == []


def test_broken_app_json_is_reported_not_fatal(tmp_path: Path) -> None:
    _write(tmp_path, ".obsidian/app.json", "{not json")
    exclusions = Exclusions.for_vault(tmp_path)
    assert len(exclusions.problems) == 1 and "not JSON" in exclusions.problems[0]
    assert not exclusions.excludes_file("a.md")


def test_symlinks_inside_followed_once_loops_and_escapes_reported(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    _write(vault, "real/n.md")
    _write(tmp_path, "outside/secret.md")
    os.symlink(vault / "real", vault / "alias")  # inside: a second view of real/
    os.symlink(vault, vault / "real" / "loop")  # loop back to the root
    os.symlink(tmp_path / "outside", vault / "escape")
    os.symlink(vault / "self.md", vault / "self.md")  # a link to itself
    walk = walk_vault(vault, Exclusions())
    notes = [rel for rel, _ in walk.notes]
    assert "real/n.md" in notes
    assert not any(rel.startswith("escape") for rel in notes)
    kinds = {problem.path: problem.kind for problem in walk.problems}
    assert kinds["escape"] == "symlink-escape"
    assert kinds["self.md"] == "symlink-loop"
    assert "real/loop" in kinds and kinds["real/loop"] == "symlink-loop"
    # real/ and alias/ are the same directory: only one of them is walked
    assert sum(1 for rel in notes if rel.endswith("n.md")) == 1
