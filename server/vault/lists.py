"""List items and tasks: recognising item lines, nesting them, and finishing them into records.

The Markdown parser feeds item lines and continuation lines to a :class:`ListTracker`; when the
note is read, :func:`finish_items` turns the collected drafts into :class:`query.records.ListItem`
objects (SPEC §10). Nesting follows indentation the way CommonMark and Obsidian do it: an item is
the child of the nearest open item whose content column it reaches (tabs count to the next
multiple of four), with the common leniency that two columns of indentation always nest.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from query.positional import positional_constructor
from query.records import ListItem
from query.values import Link, Value
from server.vault.field_map import FieldMap
from server.vault.fields import (
    InlineField,
    extract_full_line_field,
    extract_inline_fields,
    extract_item_tags,
    extract_task_inline_fields,
)

_make_item = positional_constructor(ListItem)  # ListItem(...) by position, without __init__

MAX_FIELD_LINE = 32768  # Dataview skips longer lines when looking for inline fields (SPEC §11.1)

# Optional indentation and blockquote markers, a bullet or ordered marker, then space or the end.
LIST_ITEM = re.compile(r"([ \t]*(?:>[ \t]*)*)([-*+]|\d{1,9}[.)])(?:([ \t]+)|$)")
_CHECKBOX = re.compile(r"\[(.)\](?:[ \t]+|$)")
_BLOCK_ID = re.compile(r"\s\^([A-Za-z0-9\-]+)\s*$")
_TASK_EMOJI = re.compile("[\u2795\U0001f6eb\u23f3\u231b\U0001f4c5\U0001f4c6\U0001f5d3\u2705]")

# Task dates: the first present of these field names feeds the task's date property.
_TASK_DATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("created", ("created", "ctime", "cday")),
    ("due", ("due", "duetime", "dueday")),
    ("completion", ("completed", "completion", "comptime", "compday")),
    ("start", ("start",)),
    ("scheduled", ("scheduled",)),
)


def columns(prefix: str) -> int:
    """Display width of leading whitespace/quote markers; tabs advance to the next stop of 4."""
    if not prefix or (prefix.isspace() and "\t" not in prefix):
        return len(prefix)
    width = 0
    for ch in prefix:
        width = width + 4 - width % 4 if ch == "\t" else width + 1
    return width


class ItemDraft:
    """An item while its note is being read."""

    __slots__ = (
        "children",
        "content_col",
        "indent",
        "line",
        "lines",
        "list_line",
        "parent",
        "quoted",
        "section",
        "status",
        "symbol",
        "text_lines",
    )

    def __init__(
        self,
        line: int,
        indent: int,
        content_col: int,
        symbol: str,
        status: str | None,
        text: str,
        list_line: int,
        section: Link,
        parent: ItemDraft | None,
        quoted: bool,
    ) -> None:
        self.line = line
        self.indent = indent
        self.content_col = content_col
        self.symbol = symbol
        self.status = status
        self.text_lines = [text]
        self.lines = [line]
        self.list_line = list_line
        self.section = section
        self.parent = parent
        self.children: list[ItemDraft] = []
        self.quoted = quoted  # inside a blockquote

    @property
    def task(self) -> bool:
        return self.status is not None


class ListTracker:
    """The open list block: a stack of items by indentation."""

    __slots__ = ("drafts", "list_line", "stack")

    def __init__(self) -> None:
        self.drafts: list[ItemDraft] = []
        self.stack: list[ItemDraft] = []
        self.list_line = -1

    @property
    def open(self) -> bool:
        return bool(self.stack)

    def close(self) -> None:
        self.stack.clear()
        self.list_line = -1

    def add_item(self, line_no: int, line: str, match: re.Match[str], section: Link) -> ItemDraft:
        prefix, symbol, gap = match.groups("")
        indent = columns(prefix) if "\t" in prefix else len(prefix)  # no tab: one column each
        gap_width = len(gap.expandtabs(4)) if "\t" in gap else len(gap)
        content_col = indent + len(symbol) + (1 if gap_width > 4 or not gap else gap_width)
        end = match.end()
        status: str | None = None
        if line.startswith("[", end):
            box = _CHECKBOX.match(line, end)
            if box is not None:
                status = box.group(1)
                end = box.end()
        stack = self.stack
        while stack and not (indent >= stack[-1].content_col or indent >= stack[-1].indent + 2):
            stack.pop()
        if stack:
            parent: ItemDraft | None = stack[-1]
        else:
            parent = None
            if self.list_line < 0:
                self.list_line = line_no
        draft = ItemDraft(
            line_no,
            indent,
            content_col,
            symbol,
            status,
            line[end:].strip(),
            self.list_line,
            section,
            parent,
            ">" in prefix,
        )
        if parent is not None:
            parent.children.append(draft)
        stack.append(draft)
        self.drafts.append(draft)
        return draft

    def continuation_owner(self, indent: int, lazy: bool, quote: bool) -> ItemDraft | None:
        """The item a non-item line continues, or None when the line ends the list.

        ``lazy`` means no blank line came before (a paragraph continuation); ``quote`` that the
        line starts a blockquote, which interrupts an item that is not itself quoted.
        """
        stack = self.stack
        if not stack:
            return None
        if lazy:
            return stack[-1] if not quote or stack[-1].quoted else None
        if indent < stack[0].content_col and indent < stack[0].indent + 2:
            return None
        while len(stack) > 1 and indent < stack[-1].content_col:
            stack.pop()
        return stack[-1]


def _item_fields(draft: ItemDraft, text: str, local: tzinfo) -> list[InlineField]:
    if len(text) > MAX_FIELD_LINE:
        return []
    if draft.task:
        return extract_task_inline_fields(text, local)
    found = extract_inline_fields(text, local)
    if found or "::" not in text:
        return found
    full = extract_full_line_field(text, local)
    return [full] if full is not None else []


def finish_items(
    drafts: list[ItemDraft],
    path: str,
    links_by_line: dict[int, list[Link]],
    local: tzinfo,
    page_fields: list[tuple[int, InlineField]],
) -> tuple[tuple[ListItem, ...], int]:
    """Build the items (children first), report non-task item fields for the page, and count
    every field found on items."""
    built: dict[int, ListItem] = {}  # by line, for the parents (built after their children)
    count = 0
    for draft in reversed(drafts):
        text_lines = draft.text_lines
        text = text_lines[0] if len(text_lines) == 1 else "\n".join(text_lines)
        line = draft.line
        status = draft.status
        task = status is not None
        values: dict[str, Value] = {}
        annotated = False
        if (":" in text and "::" in text) or (task and _TASK_EMOJI.search(text)):
            found = _item_fields(draft, text.replace("\n", " "), local)
            if found:
                annotated = True
                count += len(found)
                fields = FieldMap()
                for found_field in found:
                    fields.add(found_field.key, found_field.parsed)
                    if not task:
                        page_fields.append((line, found_field))
                values = fields.build()
                if task:
                    _add_task_dates(values)
        section = draft.section
        link = section
        block_id = None
        if "^" in text:
            block = _BLOCK_ID.search(text)
            if block is not None:
                block_id = block.group(1)
                link = Link(path, None, block_id, "block")
        lines = draft.lines
        if len(lines) == 1:
            on_line = links_by_line.get(line)
            outlinks = tuple(on_line) if on_line is not None else ()
        else:
            outlinks = tuple([out for n in lines for out in links_by_line.get(n, ())])
        children = draft.children
        parent = draft.parent
        built[line] = _make_item(
            draft.symbol,
            text,
            line,
            lines[-1] - line + 1,
            draft.list_line,
            path,
            section,
            link,
            tuple(extract_item_tags(text)) if "#" in text else (),
            outlinks,
            tuple([built[child.line] for child in children]) if children else (),
            parent.line if parent is not None else None,
            block_id,
            task,
            status,
            values,
            annotated,
        )
    return tuple([built[draft.line] for draft in drafts]), count


def _add_task_dates(values: dict[str, Value]) -> None:
    for target, sources in _TASK_DATES:
        for source in sources:
            if source in values:
                if source != target:
                    values[target] = values[source]
                break
