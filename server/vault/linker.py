"""Resolving a parsed note's links against the vault (Obsidian's resolution, via LinkResolver).

:func:`link_record` takes the record :func:`server.vault.markdown.parse_note` produced (links as
written) and returns one whose page outlinks and field links carry full vault paths, plus the list
of targets that resolve to nothing. The parsed record is kept by the catalog, so when files appear
or disappear a note can be re-linked without being re-read.

What gets resolved, following Dataview: ``file.outlinks`` (display kept) and links inside field
values (page and list-item fields). List items' own ``outlinks`` stay as written: Dataview builds
them from the metadata cache without resolving them (the conformance corpus pins this).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from query.positional import positional_constructor
from query.records import ListItem, NoteRecord
from query.values import Link, Value

Resolve = Callable[[str, str], "str | None"]

_make_record = positional_constructor(NoteRecord)
_make_link = positional_constructor(Link)  # Link.with_path without dataclass __init__


def _has_link(value: Value) -> bool:
    if isinstance(value, Link):
        return True
    if isinstance(value, list):
        return any(_has_link(item) for item in value)
    if isinstance(value, dict):
        return any(_has_link(item) for item in value.values())
    return False


def _fields_have_link(fields: Mapping[str, Value]) -> bool:
    # A loop, not any(generator): this runs for every note and every list item on each build.
    for value in fields.values():
        if isinstance(value, Link) or (isinstance(value, list | dict) and _has_link(value)):
            return True
    return False


class _Linker:
    __slots__ = ("origin", "resolve", "unresolved")

    def __init__(self, origin: str, resolve: Resolve) -> None:
        self.origin = origin
        self.resolve = resolve
        self.unresolved: dict[str, None] = {}

    def links(self, links: tuple[Link, ...]) -> tuple[Link, ...]:
        """Outlinks resolved, display kept; unresolved targets noted."""
        resolve = self.resolve
        origin = self.origin
        out: list[Link] = []
        for link in links:
            path = link.path
            target = resolve(path, origin)
            if target is None:
                self.unresolved.setdefault(path, None)
            elif target != path:
                link = _make_link(
                    target, link.display, link.subpath, link.type, link.embed, link.written
                )
            out.append(link)
        return tuple(out)

    def value(self, value: Value) -> Value:
        if isinstance(value, Link):
            target = self.resolve(value.path, self.origin)
            if target is None or target == value.path:
                return value
            return _make_link(
                target, value.display, value.subpath, value.type, value.embed, value.written
            )
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value

    def fields(self, fields: Mapping[str, Value]) -> Mapping[str, Value]:
        if not _fields_have_link(fields):
            return fields
        return {key: self.value(value) for key, value in fields.items()}


def _relink_items(items: tuple[ListItem, ...], linker: _Linker) -> tuple[ListItem, ...]:
    for item in items:
        if item.fields and _fields_have_link(item.fields):
            break
    else:
        return items
    rebuilt: dict[int, ListItem] = {}
    for item in reversed(items):
        rebuilt[item.line] = dataclasses.replace(
            item,
            fields=linker.fields(item.fields),
            children=tuple(rebuilt[child.line] for child in item.children),
        )
    return tuple(rebuilt[item.line] for item in items)


def link_record(parsed: NoteRecord, resolve: Resolve) -> NoteRecord:
    """``parsed`` with its outlinks and field links resolved and ``unresolved`` filled in."""
    linker = _Linker(parsed.path, resolve)
    outlinks = linker.links(parsed.outlinks)
    fields = linker.fields(parsed.fields)
    lists = _relink_items(parsed.lists, linker)
    unresolved = tuple(linker.unresolved)
    p = parsed
    if fields is p.fields and lists is p.lists and not unresolved and outlinks == p.outlinks:
        return parsed  # nothing resolved to another path: the parsed record is the record
    # By position (no dataclasses.replace): this runs once per note on every build.
    return _make_record(
        p.path,
        p.size,
        p.ctime,
        p.mtime,
        p.content_hash,
        p.frontmatter,
        fields,
        p.tags,
        p.etags,
        p.aliases,
        outlinks,
        unresolved,
        lists,
        p.sections,
        p.day,
        p.errors,
        p.starred,
    )
