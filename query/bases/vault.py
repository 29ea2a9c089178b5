"""The files a base sees (SPEC §1, §7, §8): every file of the vault, notes and attachments.

:class:`BasesVault` is a read-only view of one index revision, shaped for Bases:

- **rows**: every file path (notes from the :class:`~query.index.VaultIndex`, attachments from
  ``attachments``), sorted;
- **properties**: a note's frontmatter only (inline fields are not Bases properties), typed the
  app's way — a string that is exactly a wikilink is a link, a property typed ``date`` or
  ``datetime`` in ``.obsidian/types.json`` (``property_types``) is a date, ``tags`` are tags;
  other strings stay strings even when they look like dates;
- **links**: frontmatter links first (wikilinks, and Markdown links inside frontmatter strings,
  from ``frontmatter_links``), then the body's links, then its embeds, each kept as written with
  its display text and resolved against the vault (``Link.written`` from the Markdown reader);
- **backlinks**: one per linking file, from the index's link graph;
- **file facts** of attachments (size, times) from ``stat``, asked lazily, once per path.

Everything is computed on first use and cached on the object (one object per revision). Pure:
the caller passes ``stat`` and ``frontmatter_links`` (the server's Markdown reader).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from typing import Any

from query.bases.moment import from_epoch_ms, parse_moment
from query.bases.values import BaseLink, Moment, Tag, Value
from query.index import VaultIndex
from query.records import NoteRecord
from query.values import Date, Link

__all__ = ["BasesVault", "FileFacts", "Stat"]

FileFacts = tuple[int, float, float]  # size in bytes, ctime and mtime in epoch milliseconds
Stat = Callable[[str], "FileFacts | None"]
FrontmatterLinks = Callable[[Mapping[str, Any]], "list[Link]"]

# A value that is exactly one wikilink; inside, single brackets are allowed as in the body's
# rule (``server.vault.markdown._WIKILINK``: the link ends at the first "]]").
_WIKI_VALUE = re.compile(r"^\s*\[\[((?:[^\[\]\n]|\[(?!\[)|\](?!\]))++)\]\]\s*$")
_DATE_TYPES = frozenset({"date", "datetime"})
_TAG_TYPES = frozenset({"tags"})


class BasesVault:
    """One revision of the vault as Bases sees it (see the module docstring)."""

    def __init__(
        self,
        index: VaultIndex,
        *,
        local: tzinfo,
        attachments: Iterable[str] = (),
        stat: Stat | None = None,
        property_types: Mapping[str, str] | None = None,
        frontmatter_links: FrontmatterLinks | None = None,
    ) -> None:
        self.index = index
        self.local = local
        self.attachments = frozenset(a for a in attachments if index.get(a) is None)
        self.paths: tuple[str, ...] = tuple(sorted({*index.paths, *self.attachments}))
        self._stat = stat
        self._types = {k.lower(): v for k, v in (property_types or {}).items()}
        self._fm_links = frontmatter_links
        self._properties: dict[str, dict[str, Value]] = {}
        self._links: dict[str, list[BaseLink]] = {}
        self._facts: dict[str, tuple[int, Moment, Moment] | None] = {}
        self._fm_markdown_sources: frozenset[str] | None = None
        self.files_generation: object = object()
        """Changes whenever the set of files does (link resolution depends on it): a token of
        this object's own unless the caller knows an earlier view with the same :attr:`paths`
        (then it shares that view's token, so cached formula values carry over)."""

    # -- files ---------------------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        return self.index.get(path) is not None or path in self.attachments

    def record(self, path: str) -> NoteRecord | None:
        return self.index.get(path)

    def resolve(self, target: str, origin: str = "") -> str | None:
        """The vault path a link target (subpath allowed) reaches, or None."""
        path = target.split("#", 1)[0].strip() if "#" in target else target.strip()
        if not path:
            return origin if origin and self.exists(origin) else None
        found = self.index.resolve(path, origin)
        return found if found is not None and self.exists(found) else None

    def facts(self, path: str) -> tuple[int, Moment, Moment] | None:
        """``(size, ctime, mtime)`` of any file of the vault."""
        if path in self._facts:
            return self._facts[path]
        record = self.index.get(path)
        found: tuple[int, Moment, Moment] | None = None
        if record is not None:
            found = (
                record.size,
                _moment(record.ctime, self.local),
                _moment(record.mtime, self.local),
            )
        elif path in self.attachments and self._stat is not None:
            raw = self._stat(path)
            if raw is not None:
                found = (
                    raw[0],
                    from_epoch_ms(raw[1], self.local),
                    from_epoch_ms(raw[2], self.local),
                )
        self._facts[path] = found
        return found

    # -- properties ----------------------------------------------------------------------------

    def properties(self, path: str) -> dict[str, Value]:
        """The note's frontmatter as Bases values (an attachment has none)."""
        cached = self._properties.get(path)
        if cached is not None:
            return cached
        record = self.index.get(path)
        props: dict[str, Value] = {}
        if record is not None:
            for key, raw in record.frontmatter.items():
                props[str(key)] = self._convert(
                    raw, self._types.get(str(key).lower()), str(key), path
                )
        self._properties[path] = props
        return props

    def property(self, path: str, name: str) -> Value:
        props = self.properties(path)
        if name in props:
            return props[name]
        return None

    def _convert(self, raw: Any, kind: str | None, key: str, origin: str) -> Value:
        if key.lower() == "tags" or kind in _TAG_TYPES:
            items = raw if isinstance(raw, list) else [raw] if raw is not None else []
            return [
                Tag(str(item))
                for item in items
                if item is not None and not isinstance(item, dict | list)
            ]
        if isinstance(raw, str):
            wiki = _WIKI_VALUE.match(raw)
            if wiki is not None:
                return self.wikilink(wiki.group(1), origin, default_display=False)
            if kind in _DATE_TYPES:
                parsed = parse_moment(raw, self.local)
                return parsed if parsed is not None else raw
            return raw
        if isinstance(raw, bool) or raw is None:
            return raw
        if isinstance(raw, int | float):
            return raw
        if isinstance(raw, list):
            return [self._convert(item, None, "", origin) for item in raw]
        if isinstance(raw, dict):
            return {str(k): self._convert(v, None, "", origin) for k, v in raw.items()}
        return str(raw)

    def wikilink(self, inner: str, origin: str, *, default_display: bool) -> BaseLink:
        """The link written ``[[inner]]`` in ``origin``. Property values keep no display unless
        one is written; entries of ``file.links`` always have one (SPEC §8.2)."""
        bar = inner.find("|")
        display: str | None = inner[bar + 1 :].strip() if bar >= 0 else None
        text = (inner[:bar] if bar >= 0 else inner).rstrip("\\").strip()
        if display is None and default_display:
            display = _display_text(text)
        return BaseLink(text, display, self.resolve(text, origin))

    # -- links ---------------------------------------------------------------------------------

    def links(self, path: str) -> list[BaseLink]:
        """``file.links``: frontmatter links, body links, then embeds (SPEC §8.2)."""
        cached = self._links.get(path)
        if cached is not None:
            return cached
        record = self.index.get(path)
        out: list[BaseLink] = []
        if record is not None:
            if self._fm_links is not None and record.frontmatter:
                for link in self._fm_links(record.frontmatter):
                    out.append(self._from_written(link, path))
            for link in record.outlinks:
                if link.written is None:
                    continue  # a frontmatter link (already listed, in frontmatter order)
                out.append(self._from_written(link, path, link.path))
        self._links[path] = out
        return out

    def _from_written(self, link: Link, origin: str, resolved_path: str | None = None) -> BaseLink:
        text = link.written if link.written is not None else link.obsidian_link()
        if resolved_path is not None and self.exists(resolved_path):
            resolved: str | None = resolved_path
        else:
            resolved = self.resolve(text, origin)
        display = link.display if link.display is not None else _display_text(text)
        return BaseLink(text, display, resolved, link.embed)

    def embeds(self, path: str) -> list[BaseLink]:
        return [link for link in self.links(path) if link.embed]

    def backlinks(self, path: str) -> list[BaseLink]:
        """One link per file linking to ``path``: ``[[source path|source basename]]``."""
        sources = set(self.index.linking_to(path)) | set(self.index.linking_to_file(path))
        sources |= {s for s in self._fm_markdown() if self._links_to(s, path)}
        out = []
        for source in sorted(sources):
            if source == path and not self._links_to(source, path):
                continue
            out.append(BaseLink(source, _basename(source), source))
        return out

    def _links_to(self, source: str, path: str) -> bool:
        return any(link.resolved == path for link in self.links(source))

    def _fm_markdown(self) -> frozenset[str]:
        """Notes with a Markdown link inside a frontmatter string (not in the link graph)."""
        if self._fm_markdown_sources is None:
            self._fm_markdown_sources = frozenset(
                record.path
                for record in self.index
                if record.frontmatter and _has_markdown_link(record.frontmatter)
            )
        return self._fm_markdown_sources

    def linking_candidates(self, target: str) -> set[str]:
        """A superset of the files holding a link that reaches ``target`` (a vault path)."""
        return (
            set(self.index.linking_to(target))
            | set(self.index.linking_to_file(target))
            | set(self._fm_markdown())
        )

    def has_link(self, path: str, target: str, resolved: str | None) -> bool:
        """``file.hasLink``: a link of ``path`` reaches ``resolved``; or, unresolved, is written
        with the same target text (subpaths ignored)."""
        wanted = target.split("#", 1)[0].strip()
        for link in self.links(path):
            if resolved is not None:
                if link.resolved == resolved:
                    return True
            elif link.resolved is None and link.target == wanted:
                return True
        return False

    def tags(self, path: str) -> list[Tag]:
        """``file.tags``: frontmatter and body tags as written, de-duplicated, with ``#``."""
        record = self.index.get(path)
        if record is None:
            return []
        seen: dict[str, Tag] = {}
        written = _frontmatter_tags(record.frontmatter)
        for tag in (*written, *record.etags):  # frontmatter tags first, as Obsidian lists them
            text = tag if tag.startswith("#") else f"#{tag}"
            seen.setdefault(text.lower(), Tag(text))
        return list(seen.values())


_TAG_SEPARATOR = re.compile(r"[,\s]+")


def _frontmatter_tags(frontmatter: Mapping[str, Any]) -> list[str]:
    """The tags of the frontmatter keys ``tags``/``tag`` (any case) as Obsidian reads them — and
    as the index does (``server.vault.fields.frontmatter_tags``): a string is split at commas
    and spaces (``"project, learning/programming"`` is two tags), lists are flattened and their
    falsy items dropped."""
    out: list[str] = []
    for key, value in frontmatter.items():
        if str(key).lower() in ("tags", "tag"):
            out.extend(_split_tags(value))
    return out


def _split_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            if item or isinstance(item, list | tuple):
                out.extend(_split_tags(item))
        return out
    if isinstance(value, dict):
        return []
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return [part for part in (p.strip() for p in _TAG_SEPARATOR.split(text)) if part]


def _moment(date: Date, local: tzinfo) -> Moment:
    return Moment(date.dt.astimezone(local))


def _basename(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _display_text(text: str) -> str:
    """Obsidian's default display: the target with each ``#`` shown as `` > ``."""
    if "#" not in text:
        return text
    path, _, sub = text.partition("#")
    parts = [part for part in sub.split("#") if part]
    return " > ".join(([path] if path else []) + parts)


def _has_markdown_link(value: Any) -> bool:
    if isinstance(value, str):
        return "](" in value
    if isinstance(value, list):
        return any(_has_markdown_link(item) for item in value)
    if isinstance(value, dict):
        return any(_has_markdown_link(item) for item in value.values())
    return False
