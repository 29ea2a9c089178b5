"""Walking a vault on disk, read-only and without ever crashing.

:func:`walk_vault` lists the Markdown notes (``*.md``) and the other files (attachments, which
links may point to) under the vault root. It follows a symlink only when its target stays inside
the vault and has not been visited yet, so symlink loops and escapes are reported, not followed.
Every failure becomes a :class:`Problem` for that path; the walk goes on. Reading the files is
:func:`server.vault.reading.read_file`'s job, which checks containment again at read time (a
walk's answer can be stale by then). Nothing here writes to the vault.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from server.vault.exclusions import Exclusions
from server.vault.reading import ESCAPE_MESSAGE, Stamp, stamp_of


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one file: ``kind`` is a short code, ``message`` the details."""

    path: str
    kind: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind, "message": self.message}


@dataclass(slots=True)
class WalkResult:
    notes: list[tuple[str, Path]] = field(default_factory=list)  # (vault path, absolute path)
    stamps: dict[str, Stamp] = field(default_factory=dict)  # each note's size and times
    other_files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    excluded: int = 0
    real_root: str = ""  # the root's real path: what read_file checks containment against


def _join(rel_dir: str, name: str) -> str:
    return f"{rel_dir}/{name}" if rel_dir else name


def walk_vault(root: Path, exclusions: Exclusions) -> WalkResult:
    """Every note and other file under ``root`` that ``exclusions`` lets through."""
    real_root = os.path.realpath(root)
    result = WalkResult(real_root=real_root)
    try:
        root_stat = os.stat(real_root)
    except OSError as exc:
        result.problems.append(Problem("", "unreadable", f"vault root: {exc.strerror or exc}"))
        return result
    visited = {(root_stat.st_dev, root_stat.st_ino)}
    pending: list[tuple[str, str]] = [(str(root), "")]
    # Symlinked directories wait until every real directory is walked, so a note reachable both
    # ways is listed under its real path.
    linked: list[tuple[os.DirEntry[str], str]] = []
    while pending or linked:
        if not pending:
            entry, rel = linked.pop(0)
            _visit(entry, rel, real_root, exclusions, visited, pending, result)
            continue
        abs_dir, rel_dir = pending.pop()
        try:
            with os.scandir(abs_dir) as handle:
                entries = sorted(handle, key=lambda e: e.name)
        except OSError as exc:
            result.problems.append(Problem(rel_dir, "unreadable", f"directory: {exc.strerror}"))
            continue
        for entry in entries:
            rel = _join(rel_dir, entry.name)
            if _is_linked_dir(entry):
                linked.append((entry, rel))
            else:
                _visit(entry, rel, real_root, exclusions, visited, pending, result)
    result.notes.sort()
    result.other_files.sort()
    return result


def _is_linked_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink() and entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _visit(
    entry: os.DirEntry[str],
    rel: str,
    real_root: str,
    exclusions: Exclusions,
    visited: set[tuple[int, int]],
    pending: list[tuple[str, str]],
    result: WalkResult,
) -> None:
    try:
        is_link = entry.is_symlink()
        if is_link:
            target = os.path.realpath(entry.path)
            if not (target == real_root or target.startswith(real_root + os.sep)):
                result.problems.append(Problem(rel, "symlink-escape", ESCAPE_MESSAGE))
                return
        info = entry.stat(follow_symlinks=True)
    except OSError as exc:
        kind = "symlink-loop" if exc.errno == errno.ELOOP else "unreadable"
        result.problems.append(Problem(rel, kind, exc.strerror or str(exc)))
        return
    if stat.S_ISDIR(info.st_mode):
        if exclusions.excludes_dir(rel):
            result.excluded += 1
            return
        key = (info.st_dev, info.st_ino)
        if key in visited:
            result.problems.append(Problem(rel, "symlink-loop", "directory already visited"))
            return
        visited.add(key)
        pending.append((entry.path, rel))
        return
    if not stat.S_ISREG(info.st_mode):
        return  # sockets, FIFOs, devices: never opened
    if exclusions.excludes_file(rel):
        result.excluded += 1
        return
    if rel.endswith(".md"):
        result.notes.append((rel, Path(entry.path)))
        result.stamps[rel] = stamp_of(info)
    else:
        result.other_files.append(rel)
