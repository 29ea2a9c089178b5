"""Token generation, storage (0600, per vault), environment override, strength."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from server.application.tokens import (
    ENV_VAR,
    generate_token,
    resolve_token,
    token_path,
    token_problem,
)
from tests.server.server_helpers import TOKEN


def test_generated_tokens_have_256_bits() -> None:
    token = generate_token()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 256
    assert generate_token() != token


def test_token_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    first = resolve_token(vault, environ={}, directory=tmp_path / "cfg")
    path = token_path(vault, tmp_path / "cfg")
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_token(vault, environ={}, directory=tmp_path / "cfg") == first
    assert list(path.parent.glob("*.tmp")) == []


def test_tokens_are_per_vault(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    cfg = tmp_path / "cfg"
    assert resolve_token(a, environ={}, directory=cfg) != resolve_token(
        b, environ={}, directory=cfg
    )
    assert token_path(a, cfg) != token_path(b, cfg)
    stem = token_path(a, cfg).name.removesuffix(".token")
    assert len(stem) == 24 and all(c in "0123456789abcdef" for c in stem)  # names no folder


def test_environment_and_explicit_tokens_win(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    env = {ENV_VAR: "from-the-environment-0123456789"}
    assert resolve_token(tmp_path, environ=env, directory=cfg) == env[ENV_VAR]
    assert resolve_token(tmp_path, explicit="explicit", environ=env, directory=cfg) == "explicit"
    assert not token_path(tmp_path, cfg).exists()  # nothing stored when overridden


def test_loosened_token_file_is_tightened(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    token = resolve_token(tmp_path, environ={}, directory=cfg)
    path = token_path(tmp_path, cfg)
    path.chmod(0o644)
    assert resolve_token(tmp_path, environ={}, directory=cfg) == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_create_returns_none(tmp_path: Path) -> None:
    assert resolve_token(tmp_path, environ={}, directory=tmp_path / "c", create=False) is None


def test_generated_and_test_tokens_are_strong() -> None:
    assert all(token_problem(generate_token()) is None for _ in range(2000))
    assert token_problem(TOKEN) is None
    assert token_problem("from-the-environment-0123456789") is None
    assert token_problem("0123456789abcdef") is None  # 16 characters, 16 different


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "too short"),
        ("0123456789abcde", "too short"),
        (" " * 16, "whitespace"),
        ("\t" * 20, "whitespace"),
        ("0123456789 abcdef", "whitespace"),
        (" 0123456789abcdef", "whitespace"),
        ("0123456789abcdef\n", "whitespace"),
        ("0123456789abcdef\x00", "control"),
        ("0123456789abcdef\u00a0", "non-ASCII"),
        ("пароль-0123456789abcdef", "non-ASCII"),
        ("a" * 64, "different characters (1)"),
        ("abcdefghiabcdefghiabcdefghi", "different characters (9)"),
    ],
)
def test_weak_tokens_are_named(token: str, reason: str) -> None:
    problem = token_problem(token)
    assert problem is not None and reason in problem
