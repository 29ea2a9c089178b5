"""The record contract between the vault model (``server.vault``) and the query engine.

The server's Markdown parser fills these records; the engine reads them and nothing else. Every
value inside is already a Dataview value (``query.values``): dates are :class:`Date`, links are
resolved :class:`Link`, fields are stored under their raw *and* canonical keys. Records are
immutable, so a catalog snapshot can be shared by concurrent queries without copying.

What is here follows Dataview's page model (SPEC §9–11); ``sections``, ``content_hash`` and
``errors`` are VaultQL additions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from query.positional import pickled_by_position
from query.values import Date, Link, Value


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the lines it governs (up to the next heading of the same or a higher level)."""

    heading: str
    level: int
    heading_path: tuple[str, ...]  # outermost heading first, this heading last
    line_start: int  # 0-based line of the heading
    line_end: int  # 0-based last line of the section (inclusive)
    link: Link  # a header link to this section


@dataclass(frozen=True, slots=True)
class ListItem:
    """One list item or task (SPEC §10). ``children`` hold the full child items."""

    symbol: str  # "-", "*", "+", "1." or "1)"
    text: str  # after marker and checkbox; continuation lines joined with "\n"
    line: int  # 0-based first line
    line_count: int
    list_line: int  # first line of the enclosing list block
    path: str
    section: Link  # header link to the nearest heading above, else the file link
    link: Link  # block link when ``block_id`` is set, else ``section``
    tags: tuple[str, ...]
    outlinks: tuple[Link, ...]
    children: tuple[ListItem, ...]
    parent: int | None  # the parent item's line, None for roots
    block_id: str | None
    task: bool
    status: str | None  # the checkbox character for tasks, None otherwise
    fields: Mapping[str, Value]  # inline fields (and task emoji shorthands), raw + canonical keys
    annotated: bool  # true when the item has inline fields

    @property
    def checked(self) -> bool:
        return self.task and self.status not in (None, "", " ")

    @property
    def completed(self) -> bool:
        return self.task and self.status in ("x", "X")

    @property
    def fully_completed(self) -> bool:
        """This task and every descendant task are completed."""
        if self.task and not self.completed:
            return False
        return all(child.fully_completed for child in self.children)


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """Everything the index knows about one note."""

    path: str  # vault-relative, "/"-separated, with extension
    size: int  # bytes
    ctime: Date
    mtime: Date
    content_hash: str  # hex digest of the file's bytes
    frontmatter: Mapping[str, Any]  # raw YAML (dates stay strings), ``position`` removed
    fields: Mapping[str, Value]  # frontmatter + page-level inline fields, raw + canonical keys
    tags: tuple[str, ...]  # file.tags: explicit tags plus every parent tag, de-duplicated
    etags: tuple[str, ...]  # file.etags: explicit tags only
    aliases: tuple[str, ...]
    outlinks: tuple[Link, ...]  # every link and embed, resolved where possible, display kept
    unresolved: tuple[str, ...]  # link targets (as written) that resolve to no file
    lists: tuple[ListItem, ...]  # every list item in document order, nested ones included
    sections: tuple[Section, ...]
    day: Date | None  # file.day (SPEC §9.2)
    errors: tuple[str, ...] = field(default=())  # problems met while reading this file
    starred: bool = False

    @property
    def tasks(self) -> tuple[ListItem, ...]:
        return tuple(item for item in self.lists if item.task)

    @property
    def name(self) -> str:
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.endswith(".md") else base

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def ext(self) -> str:
        base = self.path.rsplit("/", 1)[-1]
        return base.rsplit(".", 1)[-1] if "." in base else ""


# Pickled by position: the catalog cache holds tens of thousands of these (``query.positional``).
_make_section = pickled_by_position(Section, "_make_section")
_make_list_item = pickled_by_position(ListItem, "_make_list_item")
_make_note_record = pickled_by_position(NoteRecord, "_make_note_record")
