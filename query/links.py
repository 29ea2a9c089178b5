"""Link text and link resolution, the way Obsidian and Dataview read them. Pure: no file system.

* :func:`parse_link_inner` turns the inside of ``[[…]]`` into a :class:`Link` written as-is
  (Dataview's ``Link.infer``): ``target#Heading`` becomes a header link with a normalised subpath,
  ``target#^id`` a block link, ``|display`` the display text.
* :func:`normalize_header` is Dataview's header normalisation for link subpaths (SPEC §9.4).
* :class:`LinkResolver` maps a link target to a vault path (Obsidian's ``getFirstLinkpathDest``).

Resolution order implemented by :meth:`LinkResolver.resolve`:

1. an empty target (``[[#Heading]]``) is the origin note itself;
2. a target starting with ``./`` or ``../`` is taken relative to the origin's folder; a leading
   ``/`` is dropped (vault-absolute);
3. the exact path, then the path plus ``.md``;
4. the same, ignoring case;
5. otherwise every file whose name matches the target's last segment (case-insensitive, with or
   without ``.md``) and whose path ends with the whole target; among several, a file in the
   origin's own folder wins, then the shortest path, then the alphabetically first path (Obsidian
   prefers the "closest" file; shortest-path is its documented tie-break for duplicates).

Unresolvable targets give ``None``; the caller keeps the link as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from query.values import Link

_EMOJI_EXTRA = frozenset("\u200d\ufe0f\u20e3")


def is_emoji_char(ch: str) -> bool:
    """Whether ``ch`` belongs to an emoji (pictographs, symbols, joiners, variation selectors)."""
    code = ord(ch)
    if code < 0x2000:
        return False
    if code >= 0x1F000 or ch in _EMOJI_EXTRA:
        return True
    return unicodedata.category(ch) == "So"


def _header_char_kept(ch: str) -> bool:
    return ch.isalnum() or ch in "_-" or is_emoji_char(ch)


@lru_cache(maxsize=4096)
def normalize_header(text: str) -> str:
    """Runs of characters other than letters, digits, ``_``, ``-`` and emoji become one space."""
    out: list[str] = []
    pending_space = False
    for ch in text:
        if _header_char_kept(ch):
            if pending_space and out:
                out.append(" ")
            pending_space = False
            out.append(ch)
        else:
            pending_space = True
    return "".join(out)


def parse_link_inner(inner: str, embed: bool = False) -> Link:
    """The :class:`Link` for the text inside ``[[…]]`` (unresolved: the path is as written)."""
    display: str | None = None
    bar = inner.find("|")
    if bar >= 0:
        display = inner[bar + 1 :].strip()
        inner = inner[:bar]
        # "[[a\|b]]" inside tables: the backslash escapes the pipe, it is not part of the target.
        if inner.endswith("\\"):
            inner = inner[:-1]
    hash_at = inner.find("#")
    if hash_at < 0:
        return Link(inner.strip(), display, None, "file", embed)
    path = inner[:hash_at].strip()
    sub = inner[hash_at + 1 :]
    if sub.startswith("^"):
        return Link(path, display, sub[1:].strip(), "block", embed)
    return Link(path, display, normalize_header(sub), "header", embed)


def display_text(link_text: str, alias: str | None) -> str:
    """Obsidian's ``displayText`` of a wikilink: the alias, else the target with `` > `` for ``#``."""
    if alias is not None:
        return alias
    text = link_text.strip()
    if "#" not in text:
        return text
    path, _, sub = text.partition("#")
    parts = [part for part in sub.split("#") if part]
    head = [path] if path else []
    return " > ".join(head + parts)


_REL_SEGMENTS = re.compile(r"/+")


def _join_relative(folder: str, target: str) -> str | None:
    """Join ``target`` onto ``folder``, folding ``.`` and ``..``; None when it climbs above root."""
    parts = folder.split("/") if folder else []
    for segment in _REL_SEGMENTS.split(target):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(segment)
    return "/".join(parts)


def _folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


class LinkResolver:
    """Resolves link targets against a fixed set of vault paths (notes and other files)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._exact: set[str] = set()
        self._lower: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = {}
        for path in paths:
            self._add(path)
        self._cache: dict[tuple[str, str], str | None] = {}

    def _add(self, path: str) -> None:
        self._exact.add(path)
        lowered = path.lower()
        previous = self._lower.get(lowered)
        if previous is None or path < previous:
            self._lower[lowered] = path
        name = lowered.rsplit("/", 1)[-1]
        self._by_name.setdefault(name, []).append(path)
        if name.endswith(".md"):
            self._by_name.setdefault(name[:-3], []).append(path)

    def __contains__(self, path: object) -> bool:
        return path in self._exact

    def resolve(self, target: str, origin: str) -> str | None:
        """The vault path ``target`` points to when written in ``origin``, or None."""
        key = (target, origin)
        try:
            return self._cache[key]
        except KeyError:
            pass
        found = self._resolve(target, origin)
        if len(self._cache) < 200_000:
            self._cache[key] = found
        return found

    def _resolve(self, target: str, origin: str) -> str | None:
        target = target.strip()
        if not target:
            return origin if origin in self._exact else None
        if target.startswith(("./", "../")):
            joined = _join_relative(_folder_of(origin), target)
            return None if joined is None else self._lookup_path(joined)
        target = target.lstrip("/")
        direct = self._lookup_path(target)
        if direct is not None:
            return direct
        return self._lookup_name(target, origin)

    def _lookup_path(self, path: str) -> str | None:
        for candidate in (path, path + ".md"):
            if candidate in self._exact:
                return candidate
        for candidate in (path, path + ".md"):
            found = self._lower.get(candidate.lower())
            if found is not None:
                return found
        return None

    def _lookup_name(self, target: str, origin: str) -> str | None:
        lowered = target.lower()
        name = lowered.rsplit("/", 1)[-1]
        candidates = self._by_name.get(name)
        if not candidates:
            return None
        if "/" in lowered:
            suffixes = ("/" + lowered, "/" + lowered + ".md")
            candidates = [p for p in candidates if p.lower().endswith(suffixes)]
            if not candidates:
                return None
        if len(candidates) == 1:
            return candidates[0]
        folder = _folder_of(origin)
        return min(candidates, key=lambda p: (_folder_of(p) != folder, len(p), p))
