"""The Markdown reader: one note's text to a :class:`query.records.NoteRecord`, links unresolved.

This is the only place that reads Markdown structure. It finds what Obsidian's metadata cache and
Dataview take from a note (SPEC §9–11):

* frontmatter (``yaml_reader``) → raw frontmatter, fields, tags, aliases, frontmatter links;
* headings (ATX and setext, never inside code fences) → sections with heading paths and spans;
* list items and tasks (``lists``) with nesting, continuation lines, fields and emoji dates;
* inline fields on every other line, code blocks included (Dataview scans them);
* ``#tags`` outside code, links and URLs; wikilinks, embeds and Markdown links to files.

Links come out as written (``Link.path`` is the target text); :mod:`server.vault.linker` resolves
them once every path in the vault is known. Parsing never raises on any text: the cost per line is
bounded (fields are not sought on lines over 32,768 characters) and every regex is linear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from query.links import display_text, normalize_header, parse_link_inner
from query.positional import positional_constructor
from query.records import NoteRecord, Section
from query.values import Date, Link, Value
from server.vault.field_map import FieldMap
from server.vault.field_values import file_day_from_name, file_title
from server.vault.fields import (
    InlineField,
    extract_full_line_field,
    extract_inline_fields,
    frontmatter_aliases,
    frontmatter_tags,
    frontmatter_value,
)
from server.vault.lists import LIST_ITEM, MAX_FIELD_LINE, ListTracker, columns, finish_items
from server.vault.yaml_reader import read_frontmatter

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})([^`]*)$")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_HR = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_BACKTICKS = re.compile(r"`+")
# Possessive: each character matches one branch only, so backtracking could never help. A lone
# "[" or "]" may sit inside (``[[Note#Heading [Bracket]]]`` ends at the first "]]", as in
# Obsidian); "[[" may not.
_WIKILINK = re.compile(r"\[\[((?:[^\[\]\n]|\[(?!\[)|\](?!\]))*+)\]\]")
_MD_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"  # [text], one level of nested brackets allowed
    r"\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)?|<[^<>\n]*>)"  # (target) or (<target with spaces>)
    r"(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"  # optional "title"
)
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# A tag: "#" then characters that are not whitespace, ASCII punctuation (except - _ /) or Unicode
# punctuation; it must start the line or follow whitespace, and must not be all digits.
_BODY_TAG = re.compile(
    "#([^\\s!\"#$%&'()*+,.:;<=>?@^`{|}~\\[\\]\\\\\u2000-\u206f\u2e00-\u2e7f\u3000-\u303f"
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+)"
)
_NOT_ALL_DIGITS = re.compile(r"[^0-9/]")
_make_record = positional_constructor(NoteRecord)  # NoteRecord(...) by position, no __init__
_make_link = positional_constructor(Link)  # one per heading: Link(...) without __init__
_make_section = positional_constructor(Section)  # one per heading as well


class _Body:
    """State while reading one note's body, line by line."""

    def __init__(self, path: str, lines: list[str], local: tzinfo) -> None:
        self.path = path
        self.lines = lines
        self.local = local
        self.file_link = _make_link(path, None, None, "file", False, None)  # Link(path)
        self.section_link = self.file_link
        self.headings: list[tuple[int, int, str, Link]] = []  # (line, level, text, link)
        self.tags: dict[str, None] = {}
        self.links: list[Link] = []
        self.embeds: list[Link] = []
        self.links_by_line: dict[int, list[Link]] = {}  # list items' lines only
        self.fields: list[tuple[int, InlineField]] = []
        self.lists = ListTracker()

    # -- per-line scanners -------------------------------------------------------------------

    def scan_fields(self, line_no: int, line: str) -> None:
        """Inline fields of a line holding "::" (the caller has checked)."""
        if len(line) > MAX_FIELD_LINE:
            return
        found = extract_inline_fields(line, self.local)
        if found:
            self.fields.extend((line_no, item) for item in found)
            return
        full = extract_full_line_field(line, self.local)
        if full is not None:
            self.fields.append((line_no, full))

    def scan_inline(self, line_no: int, line: str, in_item: bool = False) -> None:
        """Links and tags of a line outside code blocks. The links of a list item's lines
        (``in_item``) are also kept by line, for the item's outlinks."""
        has_hash = "#" in line
        if "`" in line and (has_hash or "[" in line):
            line = _mask_code_spans(line)
        if "[" in line:
            line = self._scan_links(line_no, line, has_hash, in_item)
        if has_hash:
            tags = self.tags
            for match in _BODY_TAG.finditer(line):
                start = match.start()
                if start and not line[start - 1].isspace():
                    continue
                if _NOT_ALL_DIGITS.search(match.group(1)):
                    tags.setdefault(match.group(0), None)

    def _scan_links(self, line_no: int, line: str, mask: bool, in_item: bool) -> str:
        """Record the line's links; return the line with link spans blanked when ``mask``."""
        links = self.links
        embeds = self.embeds
        found: list[Link] = []
        spans: list[tuple[int, int]] = []
        markdown = "(" in line and "](" in line
        if not (mask or markdown or "!" in line):
            # The usual link line: wikilinks only, no embed, no span to keep. findall spares
            # the match objects below: these lines cost a third less.
            for inner in _WIKILINK.findall(line):
                if inner.strip():
                    wiki = _wikilink(inner, False)
                    links.append(wiki)
                    found.append(wiki)
        else:
            for match in _WIKILINK.finditer(line):
                inner = match.group(1)
                start = match.start()
                if inner.strip():
                    embed = start > 0 and line[start - 1] == "!"
                    wiki = _wikilink(inner, embed)
                    (embeds if embed else links).append(wiki)
                    found.append(wiki)
                spans.append((start, match.end()))
        if markdown:
            # Only a wikilink's span can hold a Markdown link's start (Markdown matches never
            # overlap each other); both come in order, so one pointer walks the wikilinks
            # instead of testing every span for every link (quadratic on a line of links).
            at = 0  # the first wikilink span not ending before this link
            wikilinks = len(spans)
            for match in _MD_LINK.finditer(line):
                start = match.start()
                while at < wikilinks and spans[at][1] <= start:
                    at += 1
                if at < wikilinks and spans[at][0] <= start:
                    continue
                embed = start > 0 and line[start - 1] == "!"
                link = _markdown_link(match.group(1), match.group(2), embed)
                if link is not None:
                    (embeds if embed else links).append(link)
                    found.append(link)
                spans.append((start, match.end()))
        if in_item and found:
            self.links_by_line.setdefault(line_no, []).extend(found)
        if not spans or not mask:
            return line
        pieces: list[str] = []
        last = 0
        for start, end in sorted(spans):
            pieces.append(line[last:start])
            pieces.append(" " * (end - start))
            last = end
        pieces.append(line[last:])
        return "".join(pieces)

    # -- the line loop -----------------------------------------------------------------------

    def run(self, start: int) -> None:
        lines = self.lines
        lists = self.lists
        fence = ""
        prev_para = -1  # line index of the previous plain paragraph line, for setext headings
        blank_before = False
        for i in range(start, len(lines)):
            line = lines[i]
            if fence:
                stripped = line.strip()
                if len(stripped) >= len(fence) and stripped == fence[0] * len(stripped):
                    fence = ""
                    continue
                if ":" in line and "::" in line:
                    self.scan_fields(i, line)  # Dataview reads fields inside code blocks too
                continue
            stripped = line.lstrip()
            if not stripped:
                blank_before = True
                prev_para = -1
                continue
            first = stripped[0]
            if first.isalpha() and not lists.stack:
                # The common case: a plain paragraph line (no structure can start with a letter).
                # Links need "[[" or "](", so a lone "[" (a checkbox, a [field:: value]) is no
                # reason to scan; the same gate is used on every kind of line below. Testing
                # one character first is no detour: `"[" in line` is a memchr, while a
                # two-character test costs about 0.9 ns per character (300 ns on a long line).
                if "#" in line or ("[" in line and ("[[" in line or "](" in line)):
                    self.scan_inline(i, line)
                if ":" in line and "::" in line:
                    self.scan_fields(i, line)
                prev_para = i
                blank_before = False
                continue
            indent = len(line) - len(stripped)
            if first in "`~":
                opened = _FENCE_OPEN.match(line)
                if opened is not None and (opened.group(1)[0] == "~" or "`" not in opened.group(2)):
                    fence = opened.group(1)
                    if indent == 0:
                        lists.close()
                    prev_para = -1
                    blank_before = False
                    continue
            if first == "#" and indent <= 3:
                heading = _ATX.match(line)
                if heading is not None:
                    lists.close()
                    text = line[heading.end() :]
                    self._heading(i, len(heading.group(1)), _atx_text(text))
                    # The marker holds no tag or link, and whitespace ends it, so scanning the
                    # text alone finds the same (most headings then need no scan at all).
                    if "[" in text or "#" in text:
                        self.scan_inline(i, text)
                    if ":" in line and "::" in line:
                        self.scan_fields(i, line)
                    prev_para = -1
                    blank_before = False
                    continue
            if first in "=-" and prev_para == i - 1 and _SETEXT.match(line):
                self._heading(i - 1, 1 if first == "=" else 2, lines[i - 1].strip())
                prev_para = -1
                continue
            # A thematic break ends with its marker: a cheap test spares list items the regex.
            last = stripped[-1]
            if (
                first in "-*_"
                and (last == first or (last.isspace() and stripped.rstrip().endswith(first)))
                and _HR.match(line)
            ):
                lists.close()
                prev_para = -1
                blank_before = False
                continue
            if first in "-*+>0123456789":
                item = LIST_ITEM.match(line)
                if item is not None:
                    lists.add_item(i, line, item, self.section_link)
                    if "#" in line or ("[" in line and ("[[" in line or "](" in line)):
                        self.scan_inline(i, line, True)
                    prev_para = -1
                    blank_before = False
                    continue
            if lists.stack:
                owner = lists.continuation_owner(
                    columns(line[:indent]), not blank_before, first == ">"
                )
                if owner is not None:
                    owner.text_lines.append(stripped.strip())
                    owner.lines.append(i)
                    if "#" in line or ("[" in line and ("[[" in line or "](" in line)):
                        self.scan_inline(i, line, True)
                    blank_before = False
                    continue
                lists.close()
            if "#" in line or ("[" in line and ("[[" in line or "](" in line)):
                self.scan_inline(i, line)
            if ":" in line and "::" in line:
                self.scan_fields(i, line)
            prev_para = i if first != ">" else -1
            blank_before = False

    def _heading(self, line_no: int, level: int, text: str) -> None:
        text = text.strip()
        self.section_link = _make_link(
            self.path, None, normalize_header(text), "header", False, None
        )
        self.headings.append((line_no, level, text, self.section_link))

    def sections(self, last_line: int) -> tuple[Section, ...]:
        # One pass with a stack of open headings: a heading closes every open one of the same
        # or a deeper level, which then ends on the line before it.
        ends: list[int] = [last_line] * len(self.headings)
        paths: list[tuple[str, ...]] = []
        open_stack: list[tuple[int, int, tuple[str, ...]]] = []  # (level, index, heading path)
        for index, (line_no, level, text, _) in enumerate(self.headings):
            while open_stack and open_stack[-1][0] >= level:
                ends[open_stack.pop()[1]] = line_no - 1
            path = (*open_stack[-1][2], text) if open_stack else (text,)
            open_stack.append((level, index, path))
            paths.append(path)
        return tuple(
            [
                _make_section(text, level, paths[index], line_no, max(ends[index], line_no), link)
                for index, (line_no, level, text, link) in enumerate(self.headings)
            ]
        )


def _atx_text(rest: str) -> str:
    """Heading text without the optional closing ``#`` run (which must follow a space)."""
    text = rest.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        return bare.strip()
    return text


def _mask_code_spans(line: str) -> str:
    """Blank out inline code spans: a backtick run up to the next run of the same length.

    Linear in the line length (a backtracking regex is quadratic on long backtick runs).
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    following: dict[int, int] = {}
    next_same: list[int] = [-1] * len(runs)
    for index in range(len(runs) - 1, -1, -1):
        width = runs[index][1] - runs[index][0]
        next_same[index] = following.get(width, -1)
        following[width] = index
    pieces: list[str] = []
    last = 0
    index = 0
    while index < len(runs):
        close = next_same[index]
        if close < 0:
            index += 1
            continue
        start, end = runs[index][0], runs[close][1]
        pieces.append(line[last:start])
        pieces.append(" " * (end - start))
        last = end
        index = close + 1
    if not pieces:
        return line
    pieces.append(line[last:])
    return "".join(pieces)


@lru_cache(maxsize=16384)
def _wikilink(inner: str, embed: bool) -> Link:
    """A wikilink's Link as written, with Obsidian's display text (immutable, so cached)."""
    if "|" not in inner and "#" not in inner:
        target = inner.strip()
        return Link(target, target, None, "file", embed, target)
    link = parse_link_inner(inner, embed)
    bar = inner.find("|")
    alias = inner[bar + 1 :].strip() if bar >= 0 else None
    target = (inner[:bar] if bar >= 0 else inner).rstrip("\\")
    written = target.strip()
    return Link(link.path, display_text(target, alias), link.subpath, link.type, embed, written)


def _markdown_link(text: str, target: str, embed: bool) -> Link | None:
    target = target.strip()
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1].strip()
    if not target or _URL_SCHEME.match(target):
        return None  # external URLs (http:, mailto:, obsidian:) are not note links
    target = decode_uri(target)
    if "|" in target:
        return Link(target, text, None, "file", embed, target)
    link = parse_link_inner(target, embed)
    return Link(link.path, text, link.subpath, link.type, embed, target)


# What JavaScript's decodeURI leaves encoded (Obsidian reads Markdown link targets with it):
# ";/?:@&=+$,#". Their escapes are protected from unquote by escaping the "%".
_RESERVED_ESCAPE = re.compile(r"%(2[346BCFbcf]|3[ABDFabdf]|40)")


def decode_uri(target: str) -> str:
    """JavaScript's ``decodeURI``: percent-escapes decoded except those of reserved characters
    (``Caf%C3%A9%2C%20x`` → ``Café%2C x``)."""
    if "%" not in target:
        return target
    return unquote(_RESERVED_ESCAPE.sub(r"%25\1", target))


def frontmatter_links(frontmatter: Mapping[str, Any]) -> list[Link]:
    """The links Obsidian finds in frontmatter, in order, as written (unresolved): a value that
    is a wikilink, and every Markdown link inside a string (Obsidian Bases lists both in
    ``file.links``, though a Markdown link's property stays a string)."""
    out: list[Link] = []

    def visit(value: Any) -> None:
        if isinstance(value, str):
            if "[[" in value:
                for inner in _WIKILINK.findall(value):
                    if inner.strip():
                        out.append(_wikilink(inner, False))
            if "](" in value:
                for match in _MD_LINK.finditer(value):
                    start = match.start()
                    embed = start > 0 and value[start - 1] == "!"
                    link = _markdown_link(match.group(1), match.group(2), embed)
                    if link is not None:
                        out.append(link)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for value in frontmatter.values():
        visit(value)
    return out


def _frontmatter_links(value: Value, out: list[Link]) -> None:
    if isinstance(value, Link):
        out.append(value.with_display(value.display or display_text(value.obsidian_link(), None)))
    elif isinstance(value, list):
        for item in value:
            _frontmatter_links(item, out)
    elif isinstance(value, dict):
        for item in value.values():
            _frontmatter_links(item, out)


def _file_day(fields: dict[str, Value], path: str, local: tzinfo) -> Date | None:
    for key, value in fields.items():
        if key.lower() in ("date", "day"):
            candidate = value[0] if isinstance(value, list) and value else value
            if isinstance(candidate, Date):
                return candidate
    return file_day_from_name(file_title(path), local)


def parse_note(
    path: str,
    text: str,
    *,
    local: tzinfo,
    size: int,
    ctime: Date,
    mtime: Date,
    content_hash: str,
    errors: tuple[str, ...] = (),
    counters: dict[str, int] | None = None,
) -> NoteRecord:
    """Read one note. Links are left as written; see :func:`server.vault.linker.link_record`."""
    lines = text.split("\n")
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    front = read_frontmatter(lines)
    if front.error:
        errors = (*errors, front.error)
    body = _Body(path, lines, local)
    body.run(front.body_start)

    fields = FieldMap()
    frontmatter: dict[str, Any] = front.data
    fm_links: list[Link] = []
    for key, raw in frontmatter.items():
        value = frontmatter_value(raw, local)
        fields.add(key, value)
        _frontmatter_links(value, fm_links)
    page_line_fields = len(body.fields)
    items, item_fields = finish_items(
        body.lists.drafts, path, body.links_by_line, local, body.fields
    )
    if counters is not None:
        counters["inline_fields"] = page_line_fields + item_fields
    body.fields.sort(key=lambda pair: pair[0])
    for _, found in body.fields:
        fields.add(found.key, found.parsed)
    values = fields.build()

    etags: dict[str, None] = dict(body.tags)
    for tag in frontmatter_tags(frontmatter):
        etags.setdefault(tag, None)
    return _make_record(
        path,
        size,
        ctime,
        mtime,
        content_hash,
        frontmatter,
        values,
        _expand_tags(etags),
        tuple(etags),
        tuple(frontmatter_aliases(frontmatter)),
        (*body.links, *body.embeds, *fm_links),
        (),  # unresolved: filled in by the linker
        items,
        body.sections(len(lines) - 1),
        _file_day(values, path, local),
        errors,
        False,  # starred
    )


def _expand_tags(etags: dict[str, None]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for tag in etags:
        out.setdefault(tag, None)
        cut = tag.rfind("/")
        while cut > 1:
            out.setdefault(tag[:cut], None)
            cut = tag.rfind("/", 0, cut)
    return tuple(out)
