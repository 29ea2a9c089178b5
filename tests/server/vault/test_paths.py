"""Vault-relative path safety."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.vault.paths import (
    UnsafePathError,
    is_within,
    normalize_vault_path,
    resolve_in_vault,
    to_vault_path,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Notes/a.md", "Notes/a.md"),
        ("./Notes//a.md", "Notes/a.md"),
        ("Notes\\Sub\\a.md", "Notes/Sub/a.md"),
        ("Notes/./a.md/", "Notes/a.md"),
    ],
)
def test_normalises(raw: str, clean: str) -> None:
    assert normalize_vault_path(raw) == clean


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/etc/passwd",
        "../x.md",
        "a/../../x",
        "a\\..\\..\\x",
        "C:\\x.md",
        "c:/x",
        "a\x00b",
        ".",
        "\\\\server\\x",
    ],
)
def test_rejects_unsafe_paths(bad: str) -> None:
    with pytest.raises(UnsafePathError):
        normalize_vault_path(bad)


def test_symlink_escape_is_refused(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    outside = tmp_path / "outside"
    vault.mkdir()
    outside.mkdir()
    (outside / "secret.md").write_text("s")
    (vault / "inside.md").write_text("i")
    os.symlink(outside, vault / "link")
    assert resolve_in_vault(vault, "inside.md") == vault / "inside.md"
    with pytest.raises(UnsafePathError):
        resolve_in_vault(vault, "link/secret.md")
    assert is_within(vault, vault / "inside.md")
    assert not is_within(vault, vault / "link" / "secret.md")
    assert to_vault_path(vault, vault / "a" / "b.md") == "a/b.md"
