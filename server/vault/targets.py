"""Naming a note the way a person or an assistant does: by path, by wikilink text, or by alias.

:func:`resolve_target` turns what a client wrote — ``Projects/Website Redesign.md``,
``Website Redesign``, ``[[Website Redesign#Tasks]]``, ``![[Note^block]]``, ``[[Note|shown]]`` or
one of a note's aliases — into one vault path, the way Obsidian follows a link from the vault's
root (``query.links.LinkResolver``: exact path, then path plus ``.md``, case-insensitively, then
the shortest unique file name), and says how it got there (:class:`Target`). A heading or block
written after ``#`` is handed back for the caller to read.

The text is checked as a path first (``strict_vault_path``: no ``..``, absolute paths, NUL,
backslashes…), so a hostile target is refused with :class:`~server.errors.BadPathError` before
anything is looked up; nothing here touches the disk. A target that names no note raises
:class:`~server.errors.UnknownTargetError` with up to five "did you mean" candidates (notes
whose name or alias contains the text, then the closest names by spelling).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from query.index import VaultIndex
from query.links import parse_link_inner
from server.errors import BadRequestError, UnknownTargetError
from server.vault.paths import MAX_PATH_CHARS, strict_vault_path

__all__ = ["MAX_TARGET_CHARS", "NameTable", "Target", "resolve_target"]

MAX_TARGET_CHARS = MAX_PATH_CHARS + 256  # a path plus a heading or block and a display text
CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # the note's vault path
    resolved_from: str | None  # the text as given, when it was not the path itself
    via: Literal["path", "link", "alias"]
    heading: str | None = None  # ``[[Note#Heading]]``: the heading path as written
    block: str | None = None  # ``[[Note#^id]]``: the block id


class NameTable:
    """Every note's name and aliases of one index, lower-cased, for aliases and suggestions."""

    def __init__(self, index: VaultIndex) -> None:
        self.aliases: dict[str, str] = {}
        self.names: dict[str, str] = {}  # lower-cased name or alias → its note (first by path)
        for record in index:
            self.names.setdefault(record.name.lower(), record.path)
            for alias in record.aliases:
                key = alias.strip().lower()
                if key:
                    self.aliases.setdefault(key, record.path)
                    self.names.setdefault(key, record.path)

    def suggest(self, text: str, limit: int = CANDIDATES) -> list[str]:
        """Paths of the notes ``text`` most likely meant: names containing it (or contained in
        it) first, shortest first; then the closest spellings."""
        wanted = text.strip().lower().removesuffix(".md").rsplit("/", 1)[-1]
        if not wanted:
            return []
        found: dict[str, None] = {}
        containing = sorted(
            (name for name in self.names if wanted in name or (len(name) >= 3 and name in wanted)),
            key=lambda name: (abs(len(name) - len(wanted)), name),
        )
        for name in containing[: limit * 2]:
            found.setdefault(self.names[name], None)
        if len(found) < limit:
            for name in self._close(wanted, limit):
                found.setdefault(self.names[name], None)
        return list(found)[:limit]

    def _close(self, wanted: str, limit: int) -> list[str]:
        """Names spelled like ``wanted``, whole or by their start (a typo in the first words
        of a long title), best first."""
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(wanted)
        scored: list[tuple[float, str]] = []
        for name in self.names:
            best = 0.0
            for candidate in (name, name[: len(wanted)]) if len(name) > len(wanted) else (name,):
                matcher.set_seq1(candidate)
                if matcher.real_quick_ratio() >= 0.7 and matcher.quick_ratio() >= 0.7:
                    best = max(best, matcher.ratio())
            if best >= 0.7:
                scored.append((-best, name))
        return [name for _, name in sorted(scored)[:limit]]


def resolve_target(index: VaultIndex, text: str, names: NameTable | None = None) -> Target:
    """The note ``text`` names (module docstring). Raises ``BadRequestError`` (empty, too long),
    ``BadPathError`` (not a safe vault-relative path) or ``UnknownTargetError``."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequestError('"target" must be a non-empty note path or link')
    if len(text) > MAX_TARGET_CHARS:
        raise BadRequestError(f'"target" is longer than {MAX_TARGET_CHARS} characters')
    given = text.strip()
    if index.get(given) is not None:  # the path itself: the common case, and the fastest
        return Target(strict_vault_path(given), None, "path")
    inner = given
    if inner.startswith("!"):
        inner = inner[1:]
    if inner.startswith("[[") and inner.endswith("]]"):
        inner = inner[2:-2]
    link = parse_link_inner(inner)
    target = link.path.strip()
    if not target:
        raise BadRequestError(f"{given!r} names a heading or block but no note")
    target = strict_vault_path(target)  # BadPathError: '..', '/x', NUL, '\\'…
    heading = link.subpath if link.type == "header" else None
    block = link.subpath if link.type == "block" else None
    if heading is not None:  # as written (the link's subpath is normalised)
        heading = inner.partition("#")[2].partition("|")[0].strip()
    resolved = index.resolve(target, "")
    if resolved is not None and index.get(resolved) is not None:
        return Target(resolved, given if given != resolved else None, "link", heading, block)
    table = names or NameTable(index)
    by_alias = table.aliases.get(target.lower())
    if by_alias is not None:
        return Target(by_alias, given, "alias", heading, block)
    if resolved is not None:
        raise UnknownTargetError(f"{given!r} is a file of the vault but not a note ({resolved})")
    candidates = table.suggest(target)
    hint = f"; did you mean: {', '.join(candidates)}" if candidates else ""
    raise UnknownTargetError(f"no note matches {given!r}{hint}", candidates)
