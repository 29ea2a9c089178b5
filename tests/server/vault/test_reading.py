"""Reading vault files: whole files, and never a byte from outside the vault (issue #12)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from server.vault import reading
from server.vault.reading import (
    ConfigReadError,
    OutsideVaultError,
    read_config,
    read_file,
)

SECRET = "aws_secret_access_key = 'TOPSECRET-CANARY'"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "sub").mkdir(parents=True)
    (root / "note.md").write_text("inside\n")
    (root / "sub" / "deep.md").write_text("deep\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text(SECRET)
    return root


@pytest.fixture(params=["descriptor path", "inode check"])
def check(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with the OS's descriptor path and with the portable fallback."""
    if request.param == "inode check":
        monkeypatch.setattr(reading, "_DESCRIPTOR_PATH", None)
    elif reading._DESCRIPTOR_PATH is None:
        pytest.skip("no descriptor path on this OS")
    return str(request.param)


def test_read_file_reads_whole_files_and_refuses_directories(tmp_path: Path, check: str) -> None:
    root = os.path.realpath(tmp_path)
    sizes = {"empty.md": 0, "small.md": 5, "big.md": 200_000}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    for name, size in sizes.items():
        found = read_file(tmp_path / name, root)
        assert found.data == (tmp_path / name).read_bytes() and found.size == size
        assert found.mtime_ms == (tmp_path / name).stat().st_mtime_ns / 1e6
    with pytest.raises(IsADirectoryError):
        read_file(tmp_path, root)
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "missing.md", root)
    with pytest.raises(OSError, match="too large"):
        read_file(tmp_path / "big.md", root, max_bytes=1000)


def test_symlinks_inside_are_read_and_symlinks_out_refused(vault: Path, check: str) -> None:
    root = os.path.realpath(vault)
    outside = vault.parent / "outside"
    os.symlink(vault / "note.md", vault / "alias.md")
    os.symlink(vault / "sub", vault / "linked")
    os.symlink(outside / "secret.md", vault / "escape.md")
    os.symlink(outside, vault / "out")
    os.symlink(outside / "nothing-here.md", vault / "dangling.md")
    assert read_file(vault / "alias.md", root).data == b"inside\n"
    assert read_file(vault / "linked" / "deep.md", root).data == b"deep\n"
    # A dangling symlink out of the vault is refused like one whose target exists: a reply must
    # not say whether something exists outside.
    for name in ("escape.md", "out/secret.md", "dangling.md", "out/nothing-here.md"):
        with pytest.raises(OutsideVaultError) as raised:
            read_file(vault / name, root)
        assert str(outside) not in str(raised.value) and "secret" not in str(raised.value)


def _swapping_open(
    monkeypatch: pytest.MonkeyPatch, target: Path, escape: Path, after: Callable[[], None]
) -> None:
    """``os.open`` of ``target`` finds it swapped for a symlink to ``escape``; ``after`` runs
    once it is open (to swap it back, say)."""
    real_open = os.open

    def swapped(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == os.fspath(target):
            target.unlink()
            os.symlink(escape, target)
            fd = real_open(path, *args, **kwargs)
            after()
            return fd
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(reading.os, "open", swapped)


def test_a_swap_just_before_the_open_is_caught_on_the_descriptor(
    vault: Path, check: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No check before the open can be trusted: the file is swapped after any such check.
    note = vault / "note.md"
    _swapping_open(monkeypatch, note, vault.parent / "outside" / "secret.md", lambda: None)
    with pytest.raises(OutsideVaultError):
        read_file(note, os.path.realpath(vault))


def test_a_swap_undone_right_after_the_open_is_still_caught(
    vault: Path, check: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The outside file was opened, then the note put back: the path now looks innocent, but the
    # descriptor (or its inode) is the outside file's.
    note = vault / "note.md"

    def restore() -> None:
        note.unlink()
        note.write_text("inside again\n")

    _swapping_open(monkeypatch, note, vault.parent / "outside" / "secret.md", restore)
    with pytest.raises(OutsideVaultError):
        read_file(note, os.path.realpath(vault))


def test_a_fifo_does_not_block_the_reader(vault: Path) -> None:
    os.mkfifo(vault / "pipe.md")
    started = time.monotonic()
    with pytest.raises(OSError, match="not a regular file"):
        read_file(vault / "pipe.md", os.path.realpath(vault))
    assert time.monotonic() - started < 1


def test_read_config_contained_capped_and_quiet(vault: Path) -> None:
    assert read_config(vault, ".vaultql.toml") is None
    (vault / ".vaultql.toml").write_text("[para]\n")
    assert read_config(vault, ".vaultql.toml") == b"[para]\n"
    (vault / ".vaultql.toml").unlink()
    outside = vault.parent / "outside"
    messages = []
    for target in (outside / "secret.md", outside / "nothing-here.toml"):
        os.symlink(target, vault / ".vaultql.toml")
        with pytest.raises(ConfigReadError) as raised:
            read_config(vault, ".vaultql.toml")
        messages.append(str(raised.value))
        (vault / ".vaultql.toml").unlink()
    # Whether the target exists or not, the same words, naming nothing outside.
    assert messages == [".vaultql.toml: not read: it is a symlink that leaves the vault"] * 2
    (vault / ".obsidian").symlink_to(outside)
    with pytest.raises(ConfigReadError, match="leaves the vault"):
        read_config(vault, ".obsidian/secret.md")
    (vault / "big.toml").write_bytes(b"#" * (reading.MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigReadError, match=r"big.toml: not read: larger than 1 MB"):
        read_config(vault, "big.toml")
    with pytest.raises(ConfigReadError, match="folder"):
        read_config(vault, "sub")
