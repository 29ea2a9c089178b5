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
   origin's own folder wins, then the one fewest folders deep, then the shortest path, then the
   alphabetically first (Obsidian prefers the "closest" file; this makes the choice
   deterministic).

Unresolvable targets give ``None``; the caller keeps the link as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from query.values import Link

# Emoji and pictographic symbols, as ranges: arrows, technical and miscellaneous symbols, dingbats,
# the supplementary pictograph planes, plus the joiner, variation selector and keycap combiner.
EMOJI_RANGES = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2190-\u21ff\u2300-\u23ff\u24c2\u25a0-\u27bf"
    "\u2900-\u297f\u2b00-\u2bff\u3030\u303d\u3297\u3299\u200d\ufe0f\u20e3"
    "\U0001f000-\U0001faff"
)
_EMOJI_CHAR = re.compile(f"[{EMOJI_RANGES}]")
_HEADER_DROPPED = re.compile(f"[^\\w\\-{EMOJI_RANGES}]+")


def is_emoji_char(ch: str) -> bool:
    """Whether ``ch`` belongs to an emoji (pictographs, symbols, joiners, variation selectors)."""
    return _EMOJI_CHAR.match(ch) is not None


@lru_cache(maxsize=4096)
def normalize_header(text: str) -> str:
    """Runs of characters other than letters, digits, ``_``, ``-`` and emoji become one space."""
    # Fast path: letters and digits (exactly what ``\w`` matches besides ``_``) separated by
    # single spaces are already normal.
    if text.replace(" ", "").isalnum() and "  " not in text and text[0] != " " != text[-1]:
        return text
    return _HEADER_DROPPED.sub(" ", text).strip()


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
    """Obsidian's ``displayText``: the alias, else the target with ``#`` shown as `` > ``."""
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
        self._cache: dict[str, str | None] = {}

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

    def with_changes(self, added: Iterable[str] = (), removed: Iterable[str] = ()) -> LinkResolver:
        """A resolver for this one's paths minus ``removed`` plus ``added``; this one is left
        unchanged (published snapshots keep resolving with it).

        Copy-on-write: the tables are copied shallowly (a C-level copy, milliseconds at 50k
        paths) and only the name buckets a change touches are rebuilt, instead of re-reading
        every path as the constructor does.
        """
        new = LinkResolver.__new__(LinkResolver)
        new._exact = set(self._exact)
        new._lower = dict(self._lower)
        new._by_name = dict(self._by_name)  # buckets are shared: never mutate one in place
        new._cache = {}
        for path in removed:
            new._drop(path)
        for path in added:
            if path not in new._exact:
                new._add_copying(path)
        return new

    @staticmethod
    def _name_keys(lowered: str) -> tuple[str, ...]:
        name = lowered.rsplit("/", 1)[-1]
        return (name, name[:-3]) if name.endswith(".md") else (name,)

    def _add_copying(self, path: str) -> None:
        """``_add`` without mutating a bucket list another resolver may share."""
        self._exact.add(path)
        lowered = path.lower()
        previous = self._lower.get(lowered)
        if previous is None or path < previous:
            self._lower[lowered] = path
        for key in self._name_keys(lowered):
            self._by_name[key] = [*self._by_name.get(key, ()), path]

    def _drop(self, path: str) -> None:
        if path not in self._exact:
            return
        self._exact.discard(path)
        lowered = path.lower()
        keys = self._name_keys(lowered)
        for key in keys:
            bucket = [p for p in self._by_name.get(key, ()) if p != path]
            if bucket:
                self._by_name[key] = bucket
            else:
                self._by_name.pop(key, None)
        if self._lower.get(lowered) == path:
            # Every path with the same lowered form has the same name, so it is in that bucket.
            rest = [p for p in self._by_name.get(keys[0], ()) if p.lower() == lowered]
            if rest:
                self._lower[lowered] = min(rest)
            else:
                del self._lower[lowered]

    def __contains__(self, path: object) -> bool:
        return path in self._exact

    def paths(self) -> frozenset[str]:
        """Every path this resolver knows: the vault's notes and other files."""
        return frozenset(self._exact)

    def resolve(self, target: str, origin: str) -> str | None:
        """The vault path ``target`` points to when written in ``origin``, or None."""
        # Most answers do not depend on the origin; those are cached by target alone.
        try:
            return self._cache[target]
        except KeyError:
            pass
        stripped = target.strip()
        if not stripped:
            return origin if origin in self._exact else None
        if stripped.startswith(("./", "../")):
            joined = _join_relative(_folder_of(origin), stripped)
            return None if joined is None else self._lookup_path(joined)
        stripped = stripped.lstrip("/")
        found = self._lookup_path(stripped)
        if found is None:
            candidates = self._candidates(stripped)
            if len(candidates) > 1:
                folder = _folder_of(origin)
                return min(
                    candidates, key=lambda p: (_folder_of(p) != folder, p.count("/"), len(p), p)
                )
            found = candidates[0] if candidates else None
        if len(self._cache) < 500_000:
            self._cache[target] = found
        return found

    def _lookup_path(self, path: str) -> str | None:
        for candidate in (path, path + ".md"):
            if candidate in self._exact:
                return candidate
        for candidate in (path, path + ".md"):
            found = self._lower.get(candidate.lower())
            if found is not None:
                return found
        return None

    def _candidates(self, target: str) -> list[str]:
        """Files whose name matches the target's last segment and whose path ends with it."""
        lowered = target.lower()
        name = lowered.rsplit("/", 1)[-1]
        candidates = self._by_name.get(name, [])
        if "/" in lowered and candidates:
            suffixes = ("/" + lowered, "/" + lowered + ".md")
            candidates = [p for p in candidates if p.lower().endswith(suffixes)]
        return candidates
