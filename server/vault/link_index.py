"""Which notes could link differently when files appear or disappear (for selective re-linking).

:class:`LinkIndex` maps every note to the link targets it resolves (as written: ``file.outlinks``
and links inside page and list-item field values, exactly what
:func:`server.vault.linker.link_record` resolves) and each target to a *name key*. A target can
only resolve differently when a path with the same name key appears or disappears, because
:class:`query.links.LinkResolver` only ever considers paths whose last segment equals the
target's last segment, ignoring case and an optional ``.md`` (exact path, path plus ``.md``, the
same ignoring case, then the basename candidates). So the notes to re-check after a change are
the ones holding a target keyed like a changed path, plus the few whose target's last segment is
not a file name (``../``, ``./x/..``: those are always re-checked).

Empty targets (``[[#Heading]]``) resolve to their own note and are never affected by others.
Keys over-approximate (a key hit only means "re-check"); the catalog then compares each target's
old and new resolution, so a wrong hit costs time, never correctness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from query.records import NoteRecord
from query.values import Link, Value

ALWAYS = "\x00always"  # the key of targets whose resolution may change with any path


def _strip_md(name: str) -> str:
    return name[:-3] if name.endswith(".md") else name


@lru_cache(maxsize=65536)
def target_key(target: str) -> str | None:
    """The name key of a link target as written; None when it resolves to its own note."""
    stripped = target.strip()
    if not stripped:
        return None
    last = stripped.rsplit("/", 1)[-1]
    if stripped.startswith(("./", "../")) and last in ("", ".", ".."):
        return ALWAYS  # the joined path ends in some folder's name, not in ``last``
    return _strip_md(last.lower())


def path_keys(path: str) -> tuple[str, ...]:
    """The name keys of targets that a file at ``path`` can be the resolution of.

    A file named ``n`` answers targets named ``n`` and ``n`` minus ``.md``; both are keyed with
    one ``.md`` stripped, so ``x.md.md`` answers keys ``x.md`` and ``x``.
    """
    name = _strip_md(path.rsplit("/", 1)[-1].lower())
    if name.endswith(".md"):
        return (name, name[:-3])
    return (name,)


def _value_targets(value: Value, out: set[str]) -> None:
    if isinstance(value, Link):
        out.add(value.path)
    elif isinstance(value, list):
        for item in value:
            _value_targets(item, out)
    elif isinstance(value, dict):
        for item in value.values():
            _value_targets(item, out)


def _field_targets(fields: Mapping[str, Value], out: set[str]) -> None:
    for value in fields.values():
        if isinstance(value, (Link, list, dict)):
            _value_targets(value, out)


def link_targets(parsed: NoteRecord) -> frozenset[str]:
    """Every target ``link_record`` resolves for this parsed (unlinked) note."""
    out = {link.path for link in parsed.outlinks}
    _field_targets(parsed.fields, out)
    for item in parsed.lists:
        if item.fields:
            _field_targets(item.fields, out)
    return frozenset(out)


class LinkIndex:
    """Notes by the name keys of the targets they link to, and the targets of each note."""

    __slots__ = ("_by_key", "_targets")

    def __init__(self, parsed: Iterable[NoteRecord] = ()) -> None:
        self._targets: dict[str, frozenset[str]] = {}
        self._by_key: dict[str, set[str]] = {}
        for record in parsed:
            self.add(record)

    def add(self, parsed: NoteRecord) -> None:
        """Index (or re-index) one note."""
        self.discard(parsed.path)
        targets = link_targets(parsed)
        self._targets[parsed.path] = targets
        by_key = self._by_key
        for target in targets:
            key = target_key(target)
            if key is not None:
                holders = by_key.get(key)
                if holders is None:
                    by_key[key] = {parsed.path}
                else:
                    holders.add(parsed.path)

    def discard(self, path: str) -> None:
        targets = self._targets.pop(path, None)
        if not targets:
            return
        for target in targets:
            key = target_key(target)
            if key is None:
                continue
            holders = self._by_key.get(key)
            if holders is not None:
                holders.discard(path)
                if not holders:
                    del self._by_key[key]

    def targets(self, path: str) -> frozenset[str]:
        return self._targets.get(path, frozenset())

    def affected(self, changed_paths: Iterable[str]) -> set[str]:
        """The notes that may resolve a target differently once ``changed_paths`` appeared or
        vanished."""
        keys: set[str] = {ALWAYS}
        for path in changed_paths:
            keys.update(path_keys(path))
        notes: set[str] = set()
        for key in keys:
            holders = self._by_key.get(key)
            if holders:
                notes.update(holders)
        return notes
