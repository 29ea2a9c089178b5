"""Vault-relative path safety: every path a client or a link names goes through here.

A vault path is ``/``-separated, relative to the vault root, without ``.`` or ``..`` segments.
:func:`normalize_vault_path` turns user input into that form or raises :class:`UnsafePathError`
(absolute paths, drive letters, ``..`` escapes, NUL bytes, backslash tricks);
:func:`resolve_in_vault` additionally follows symlinks on disk and refuses anything that ends
up outside the vault root.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


class UnsafePathError(ValueError):
    """The path is not a safe vault-relative path."""


def normalize_vault_path(path: str) -> str:
    """The canonical vault-relative form of ``path``; raises :class:`UnsafePathError`."""
    if not isinstance(path, str) or not path:
        raise UnsafePathError("empty path")
    if "\x00" in path:
        raise UnsafePathError("path contains a NUL byte")
    # Windows separators and drive letters would escape on some systems: treat "\" as "/" and
    # refuse anything that looks rooted.
    text = path.replace("\\", "/")
    if text.startswith("/") or (len(text) >= 2 and text[1] == ":" and text[0].isalpha()):
        raise UnsafePathError("absolute paths are not allowed")
    parts: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            raise UnsafePathError("'..' is not allowed in vault paths")
        parts.append(segment)
    if not parts:
        raise UnsafePathError("empty path")
    return "/".join(parts)


def is_within(root: Path, candidate: Path) -> bool:
    """Whether the real path of ``candidate`` lies inside the real path of ``root``."""
    try:
        real_root = Path(os.path.realpath(root))
        real = Path(os.path.realpath(candidate))
    except (OSError, ValueError):
        return False
    return real == real_root or real.is_relative_to(real_root)


def resolve_in_vault(root: Path, path: str) -> Path:
    """The absolute file-system path of vault path ``path``, refusing symlink escapes."""
    relative = normalize_vault_path(path)
    candidate = Path(root) / PurePosixPath(relative)
    if not is_within(root, candidate):
        raise UnsafePathError("path leaves the vault")
    return candidate


def to_vault_path(root: Path, absolute: Path) -> str:
    """The vault-relative ``/`` form of a path under ``root`` (no symlink resolution)."""
    return PurePosixPath(Path(absolute).relative_to(root)).as_posix()
