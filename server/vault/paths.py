"""Vault-relative path safety: every path a client or a link names goes through here.

A vault path is ``/``-separated, relative to the vault root, without ``.`` or ``..`` segments.
:func:`strict_vault_path` is the HTTP API's policy: it accepts only paths already in that form
and refuses everything else with the reason (nothing is "repaired", so no two spellings reach the
same note). :func:`normalize_vault_path` is the command line's friendlier policy: it turns user
input into that form or raises :class:`UnsafePathError` (absolute paths, drive letters, ``..``
escapes, NUL bytes, backslash tricks);
:func:`resolve_in_vault` additionally follows symlinks on disk and refuses anything that ends
up outside the vault root.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from server.errors import BadPathError

MAX_PATH_CHARS = 1024
MAX_SEGMENT_BYTES = 255
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsafePathError(BadPathError, ValueError):
    """The path is not a safe vault-relative path."""


def strict_vault_path(path: str) -> str:
    """``path`` when it is already a plain vault-relative path (decoded once), else
    :class:`UnsafePathError` saying why: empty, ``.`` or ``..`` segments, a leading ``/`` or
    ``~``, a drive letter or UNC prefix, a backslash, control characters or NUL, leftover ``%XX``
    escapes (double encoding), over-long names."""
    if not path:
        raise UnsafePathError("empty")
    if len(path) > MAX_PATH_CHARS:
        raise UnsafePathError(f"longer than {MAX_PATH_CHARS} characters")
    if _CONTROL.search(path):
        raise UnsafePathError("control character or NUL")
    if "\\" in path:
        raise UnsafePathError("backslash")
    if path.startswith(("/", "~")) or _DRIVE.match(path):
        raise UnsafePathError("absolute path")
    if _ESCAPE.search(path):
        raise UnsafePathError("percent-escape left after decoding (double encoding)")
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            raise UnsafePathError("empty, '.' or '..' segment")
        if len(segment.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
            raise UnsafePathError(f"a name longer than {MAX_SEGMENT_BYTES} bytes")
    return path


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
