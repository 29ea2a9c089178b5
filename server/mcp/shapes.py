"""The structured answers of the MCP tools: pydantic models, published as each tool's
``outputSchema`` and validated before a result leaves the server.

Conventions, the same in every shape: a note is named by its vault-relative ``path``; lines are
0-based; every answer carries the index ``revision`` it was computed from; lists come a page at a
time with ``next_cursor`` (``None`` at the end) or are capped with a ``*_total`` / ``truncated``
saying so; texts come a window at a time (``offset``, ``next_offset``, ``total_chars``,
``truncated``). Field descriptions are written for the model reading the schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "BaseResult",
    "DashboardResult",
    "FetchResult",
    "LinksResult",
    "MentionsResult",
    "NoteList",
    "NoteView",
    "Overview",
    "QueryResult",
    "RelatedResult",
    "SearchResult",
    "TagList",
    "TaskList",
    "ToolErrorBody",
]

REVISION = "the index revision this answer was computed from (it grows with every vault change)"
CURSOR = "pass back as `cursor` for the next page; null when this is the last page"


class Shape(BaseModel):
    revision: int = Field(description=REVISION)


# -- vault_overview ------------------------------------------------------------------------------


class FolderCount(BaseModel):
    path: str = Field(description='a top-level folder ("" is the vault root)')
    notes: int


class TagCount(BaseModel):
    tag: str = Field(description="lower-cased, with '#'")
    count: int = Field(description="notes carrying the tag or a subtag of it")


class IndexState(BaseModel):
    ready: bool
    phase: str | None
    search: str = Field(description="off | starting | keyword (embedding under way) | ready")
    embedded: int | None = None
    to_embed: int | None = None


class Overview(Shape):
    vault: str = Field(description="the vault folder's name")
    notes: int
    folders: list[FolderCount]
    folders_total: int
    tags: list[TagCount]
    tags_total: int
    tasks_open: int
    problems: int = Field(description="files the index could not read cleanly")
    index: IndexState
    excluded_globs: list[str]


# -- search --------------------------------------------------------------------------------------


class SearchHit(BaseModel):
    path: str
    title: str
    heading: str = Field(description="the passage's heading path, 'A > B'; '' before any heading")
    line: int = Field(description="0-based first line of the passage's section")
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) ranges of matches in snippet")
    score: float
    keyword: float | None = Field(description="BM25 score; null when not a keyword match")
    semantic: float | None = Field(description="cosine similarity; null when not embedded/used")


class SearchResult(Shape):
    query: str
    mode: str
    results: list[SearchHit]
    embedded: int | None = Field(
        default=None,
        description="notes embedded so far: semantic scores come from these only, keyword "
        "search covers every note",
    )
    to_embed: int | None = Field(default=None, description="notes to embed in all")


# -- read_note / fetch ---------------------------------------------------------------------------


class OutlineEntry(BaseModel):
    heading: str
    level: int
    heading_path: list[str]
    line: int
    line_end: int
    chars: int = Field(description="the section's size, subsections included")


class TaskCounts(BaseModel):
    open: int
    done: int


class NoteView(Shape):
    path: str
    resolved_from: str | None = Field(description="the target as given, when it was not the path")
    via: str = Field(description="path | link (resolved like an Obsidian wikilink) | alias")
    title: str
    view: str = Field(description="outline | content | metadata")
    section: str | None = Field(description="the section ('A > B') or block ('^id') read")
    line: int | None = None
    line_end: int | None = None
    content: str | None = Field(
        default=None,
        description="a window of the text (outline view: the whole note when it is short)",
    )
    offset: int | None = None
    next_offset: int | None = Field(
        default=None, description="pass as `offset` to read on; null at end"
    )
    total_chars: int
    truncated: bool | None = None
    changed_since_indexed: bool | None = Field(
        default=None,
        description="true: the file changed after the index read it; text, headings and lines "
        "are from the file as it is now, links and fields from the index",
    )
    aliases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    frontmatter: dict[str, Any] | None = None
    frontmatter_truncated: bool | None = None
    outline: list[OutlineEntry] | None = None
    outline_total: int | None = None
    outlinks: list[str] | None = None
    outlinks_total: int | None = None
    backlink_count: int | None = None
    fields: dict[str, str] | None = Field(
        default=None, description="inline fields, as Dataview shows them"
    )
    fields_total: int | None = None
    inlinks: list[str] | None = None
    unresolved: list[str] | None = None
    tasks: TaskCounts | None = None
    size: int | None = None
    ctime: str | None = None
    mtime: str | None = None
    problems: list[str] | None = None


class FetchResult(Shape):
    id: str = Field(description="the note's path")
    title: str
    text: str
    url: str = Field(description="opens the note in Obsidian")
    metadata: dict[str, Any]


# -- query_dql -----------------------------------------------------------------------------------


class QueryResult(Shape):
    type: str = Field(description="list | table | task | calendar (DQL's query type)")
    format: str = Field(description="json: typed cells; md: Markdown text")
    headers: list[str] | None = None
    rows: list[Any] | None = Field(default=None, description="TABLE rows: lists of typed cells")
    items: list[Any] | None = Field(default=None, description="LIST items / CALENDAR entries")
    tasks: list[Any] | None = Field(
        default=None, description="TASK results, nested as Dataview shows them"
    )
    text: str | None = Field(default=None, description="format md: the result as Markdown")
    count: int = Field(description="results in all (before `limit`)")
    returned: int
    truncated: bool


# -- query_base ------------------------------------------------------------------------------------


class BaseResult(Shape):
    base: str | None = Field(description="the .base file, or the note holding the base block")
    view: str = Field(description="the view answered")
    views: list[str] = Field(description="every view of the base (pass one as `view`)")
    view_type: str = Field(description="table | cards | list | map | a plugin's view type")
    this: str | None = Field(description="the file `this` was bound to")
    format: str = Field(description="json: typed cells; md: the table as the app copies it")
    columns: list[dict[str, Any]] | None = Field(
        default=None, description="{id, name, kind}: the view's columns in order"
    )
    rows: list[dict[str, Any]] | None = Field(
        default=None, description="{path, cells: {column id: typed cell}}, group by group"
    )
    groups: list[dict[str, Any]] | None = Field(
        default=None, description="with groupBy: {key, label, rows: [row indexes], summaries}"
    )
    summaries: dict[str, Any] | None = None
    text: str | None = Field(default=None, description="format md: the Markdown table")
    count: int = Field(description="rows the view yields (after its own limit)")
    returned: int
    truncated: bool
    diagnostics: list[dict[str, Any]] = Field(
        description="{severity, code, where, message, line?, column?}: what the app would show "
        "as an empty cell or an error"
    )


# -- related_notes, unlinked_mentions --------------------------------------------------------------


class Reason(BaseModel):
    kind: str = Field(description="semantic | shared_links | co_citation | shared_tags | …")
    weight: float
    detail: str


class RelatedNote(BaseModel):
    path: str
    title: str
    score: float
    linked: str | None = Field(description="out | in | both when already linked, else null")
    heading: str | None
    passage: str | None = Field(description="the best-matching passage")
    reasons: list[Reason]


class RelatedResult(Shape):
    path: str
    resolved_from: str | None
    related: list[RelatedNote]


class Mention(BaseModel):
    path: str = Field(description="the note the text is in")
    target: str = Field(description="the note mentioned")
    text: str
    line: int
    column: int
    start: int = Field(description="character offset in the note's text")
    end: int
    context: str
    suggested_link: str = Field(description="what to write instead of text")


class MentionsResult(Shape):
    path: str
    resolved_from: str | None
    direction: str
    mentions: list[Mention]
    total: int
    truncated: bool


# -- links, list_notes, list_tags, tasks -----------------------------------------------------------


class LinkNode(BaseModel):
    path: str
    title: str
    distance: int


class LinkEdge(BaseModel):
    source: str = Field(alias="from")
    to: str
    kind: str = Field(description="link | embed")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class LinksResult(Shape):
    path: str
    resolved_from: str | None
    nodes: list[LinkNode]
    edges: list[LinkEdge]
    edges_total: int
    unresolved: list[str] = Field(description="links to notes that do not exist (at most `limit`)")
    unresolved_total: int = 0
    truncated: bool


class NoteEntry(BaseModel):
    path: str
    title: str
    mtime: str
    tags: list[str]
    size: int


class NoteList(Shape):
    notes: list[NoteEntry]
    total: int
    next_cursor: str | None = Field(description=CURSOR)


class TagEntry(BaseModel):
    tag: str
    count: int
    children: int = Field(description="direct subtags")


class TagList(Shape):
    tags: list[TagEntry]
    total: int
    next_cursor: str | None = Field(description=CURSOR)


class TaskEntry(BaseModel):
    path: str
    line: int
    text: str
    status: str = Field(description="open | in_progress | done | cancelled")
    checkbox: str | None
    due: str | None
    scheduled: str | None
    completion: str | None
    section: str | None = Field(description="the heading the task is under")
    tags: list[str]


class TaskList(Shape):
    tasks: list[TaskEntry]
    total: int
    next_cursor: str | None = Field(description=CURSOR)


# -- dashboard -----------------------------------------------------------------------------------


class DashboardResult(Shape):
    kind: str
    data: dict[str, Any] = Field(description="the dashboard, every list cut to `limit` entries")
    cut: dict[str, int] = Field(description="lists that were cut: their full lengths, by key path")


# -- errors --------------------------------------------------------------------------------------


class ToolErrorBody(BaseModel):
    code: str
    message: str
    line: int | None = None
    column: int | None = None
    context: str | None = None
    candidates: list[str] | None = None
