"""The API token: generated once per vault, kept private, overridable from the environment.

Order: an explicit token (``--token``), then ``$VAULTQL_TOKEN``, then the token file for this vault
in the user config directory (``<config>/tokens/<vault key>.token``), created on first use with
``secrets`` (256 bits) and mode 0600. The vault key is a hash of the vault's absolute path, so two
vaults never share a token and the file name leaks nothing about the vault.

Whatever its source, a token must look like secret material (:func:`token_problem`): at least 16
visible ASCII characters (no whitespace), at least 10 of them different. A generated token (43
URL-safe characters) always passes; ``sixteen spaces`` or ``aaaaaaaaaaaaaaaa`` do not.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

import platformdirs

__all__ = [
    "ENV_VAR",
    "MIN_TOKEN_DISTINCT",
    "MIN_TOKEN_LENGTH",
    "TOKEN_RULE",
    "config_dir",
    "generate_token",
    "resolve_token",
    "token_path",
    "token_problem",
    "vault_key",
]

ENV_VAR = "VAULTQL_TOKEN"
TOKEN_BYTES = 32  # 256 bits
MIN_TOKEN_LENGTH = 16  # a guessable token is no protection; generated ones have 43
MIN_TOKEN_DISTINCT = 10  # "aaaa…" or "abababab…" is long but not secret
TOKEN_RULE = (
    f"at least {MIN_TOKEN_LENGTH} visible ASCII characters, no whitespace, "
    f"at least {MIN_TOKEN_DISTINCT} of them different"
)
log = logging.getLogger("vaultql.server")


def vault_key(vault: Path) -> str:
    """A stable, opaque key for a vault: the first 24 hex digits of its absolute path's SHA-256."""
    absolute = str(Path(vault).expanduser().resolve())
    return hashlib.sha256(absolute.encode("utf-8")).hexdigest()[:24]


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir("vaultql", appauthor=False))


def token_path(vault: Path, directory: Path | None = None) -> Path:
    return (directory or config_dir()) / "tokens" / f"{vault_key(vault)}.token"


def generate_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_problem(token: str) -> str | None:
    """Why ``token`` is too weak to guard the API (``None`` when it is fine)."""
    if any(not "!" <= char <= "~" for char in token):
        return "it has whitespace, control or non-ASCII characters"
    if len(token) < MIN_TOKEN_LENGTH:
        return f"it is too short ({len(token)} characters)"
    if len(set(token)) < MIN_TOKEN_DISTINCT:
        return f"it has too few different characters ({len(set(token))})"
    return None


def resolve_token(
    vault: Path,
    *,
    explicit: str | None = None,
    environ: Mapping[str, str] | None = None,
    directory: Path | None = None,
    create: bool = True,
) -> str | None:
    """The token to use for ``vault``; creates and stores one when none exists and ``create``."""
    if explicit:
        return explicit
    env_token = (os.environ if environ is None else environ).get(ENV_VAR)
    if env_token:
        return env_token
    path = token_path(vault, directory)
    existing = _read(path)
    if existing is not None or not create:
        return existing
    return _create(path)


def _read(path: Path) -> str | None:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Someone loosened the file; tighten it rather than refuse to start.
        log.warning("token file %s was readable by others; resetting its mode to 0600", path)
        path.chmod(0o600)
    return text or None


def _create(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = generate_token()
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # O_EXCL with mode 0600: the file is never readable by others, not even for an instant.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link() fails if another process created the token first; theirs wins.
            os.link(temp, path)
        except FileExistsError:
            winner = _read(path)
            if winner is not None:
                return winner
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return token
