"""The MCP tools: thin, typed calls into the one application object.

Each method of :class:`VaultTools` is one tool. Its parameters (with their bounds and
descriptions) become the tool's input schema, its return type (``server.mcp.shapes``) the output
schema; the body checks nothing the application checks itself — it calls one ``VaultApp``
method and shapes the answer. Errors are raised as they come (``server.errors``,
``query.errors``) and become ``isError`` results in ``server.mcp.server``.

Every list has a small default ``limit`` and a cursor or a cap; every text a ``max_chars``
window. A ``target`` is a vault path, wikilink text or an alias (``VaultApp.resolve``).

A vault still loading, or search still starting, is waited for (up to ``ready_wait_s``) before a
tool answers ``unavailable``: an assistant's first call often comes right after the server
starts. The tools run in worker threads (the SDK runs synchronous tools off the event loop).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from pydantic import Field

from server.application.vault_app import VaultApp
from server.errors import UnavailableError
from server.mcp.render import compact_json
from server.mcp.shapes import (
    BaseResult,
    DashboardResult,
    FetchResult,
    LinksResult,
    Mention,
    MentionsResult,
    NoteList,
    NoteView,
    Overview,
    QueryResult,
    Reason,
    RelatedNote,
    RelatedResult,
    SearchHit,
    SearchResult,
    TagList,
    TaskList,
)
from server.vault.field_values import file_title

__all__ = ["MAX_RESULT_CHARS", "VaultTools"]

T = TypeVar("T")

MAX_RESULT_CHARS = 100_000  # what one answer may hold (the anthropic/maxResultSizeChars hint)
READY_WAIT_S = 20.0

Target = Annotated[
    str,
    Field(
        min_length=1,
        max_length=1300,
        description="a note: its vault path ('Projects/Plan.md'), wikilink text ('Plan', "
        "'[[Plan#Tasks]]') or an alias",
    ),
]
Cursor = Annotated[
    str | None, Field(max_length=200, description="from the previous page's next_cursor")
]
Source = Annotated[
    str | None,
    Field(
        max_length=2000,
        description="a DQL FROM source to narrow to, e.g. '\"Projects\" and #active'",
    ),
]
IsoDate = Annotated[
    str | None, Field(max_length=40, description="an ISO date or date-time, e.g. 2024-03-01")
]


class VaultTools:
    """The tools over one application (module docstring)."""

    def __init__(self, app: VaultApp, *, ready_wait_s: float = READY_WAIT_S) -> None:
        self.app = app
        self.ready_wait_s = ready_wait_s

    def _call(self, call: Callable[[], T], *, search: bool = False) -> T:
        """``call()``, retried while the index loads or search starts (not when it is off);
        with ``search``, once search holds the whole vault."""
        deadline = time.monotonic() + self.ready_wait_s
        if not self.app.ready:
            self.app.live.wait_ready(self.ready_wait_s)
        if search:
            self.app.wait_search(max(deadline - time.monotonic(), 0.0))
        while True:
            try:
                return call()
            except UnavailableError:
                off = self.app.derived is None
                if off or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    # -- the tools, in the order tools/list gives them ----------------------------------------

    def vault_overview(self) -> Overview:
        """The vault at a glance: note count, biggest folders, most used tags, open tasks and the
        index's state (is semantic search ready?). A good first call."""
        return Overview.model_validate(self._call(self.app.overview))

    def search(
        self,
        query: Annotated[str, Field(min_length=1, max_length=1000, description="what to find")],
        mode: Annotated[
            Literal["hybrid", "keyword", "semantic"],
            Field(description="hybrid (default): keywords and meaning; keyword: exact words"),
        ] = "hybrid",
        k: Annotated[int, Field(ge=1, le=50, description="how many notes")] = 8,
        scope: Source = None,
        snippet_chars: Annotated[int, Field(ge=80, le=600)] = 240,
    ) -> SearchResult:
        """Search the vault's notes by keywords and meaning; one hit per note with its best
        passage. Read a hit with read_note(path, section=heading)."""
        body = self._call(lambda: self.app.search(query, mode=mode, k=k, source=scope), search=True)
        embedded = body.get("embedded") or {}
        return SearchResult(
            query=query,
            mode=mode,
            results=[_hit(hit, snippet_chars) for hit in body["results"]],
            embedded=embedded.get("done"),
            to_embed=embedded.get("total"),
            revision=body["revision"],
        )

    def read_note(
        self,
        target: Target,
        view: Annotated[
            Literal["outline", "content", "metadata"],
            Field(description="outline (default; short notes come whole), content, metadata"),
        ] = "outline",
        section: Annotated[
            str | None,
            Field(
                max_length=1000,
                description="a heading ('Tasks', 'Plan > Tasks') or block ('^id') to read alone",
            ),
        ] = None,
        offset: Annotated[int, Field(ge=0, description="character to start at (paging)")] = 0,
        max_chars: Annotated[int, Field(ge=1, le=MAX_RESULT_CHARS)] = 12_000,
    ) -> NoteView:
        """Read a note: its outline first (headings with lines and sizes, tags, frontmatter,
        links), then a section, a block or a page of its text. Long texts come in windows:
        continue with offset=next_offset."""
        return NoteView.model_validate(
            self._call(
                lambda: self.app.read_note(
                    target, view=view, section=section, offset=offset, max_chars=max_chars
                )
            )
        )

    def query_dql(
        self,
        dql: Annotated[str, Field(min_length=1, max_length=100_000, description="a DQL query")],
        origin: Annotated[
            str | None, Field(max_length=1300, description="the note `this` refers to")
        ] = None,
        limit: Annotated[
            int,
            Field(ge=1, le=1000, description="rows to return (json; md is cut by size only)"),
        ] = 100,
        format: Annotated[
            Literal["json", "md"], Field(description="json: typed cells; md: a Markdown table")
        ] = "json",
    ) -> QueryResult:
        """Run a Dataview (DQL) query: LIST, TABLE, TASK or CALENDAR with FROM, WHERE, SORT,
        GROUP BY, FLATTEN, LIMIT and Dataview's functions. A query error says where (line,
        column, caret)."""

        def run() -> dict[str, Any]:
            path = self.app.resolve(origin).path if origin else None
            return self.app.query(dql, origin=path, fmt=format)

        return _query_result(self._call(run), format, limit)

    def query_base(
        self,
        base: Annotated[
            str,
            Field(
                min_length=1,
                max_length=1300,
                description="a .base file's vault path ('Projects/Projects.base'), or with "
                "`block` the note holding a ```base code block",
            ),
        ],
        view: Annotated[
            str | None, Field(max_length=500, description="the view's name (default: the first)")
        ] = None,
        block: Annotated[
            int | None, Field(ge=1, le=1000, description="the N-th ```base block of the note")
        ] = None,
        this: Annotated[
            str | None,
            Field(max_length=1300, description="the file `this` is (default: the base's own)"),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=1000, description="rows to return")] = 50,
        format: Annotated[
            Literal["json", "md"], Field(description="json: typed cells; md: a Markdown table")
        ] = "json",
    ) -> BaseResult:
        """Answer an Obsidian Bases view (a .base file or a ```base block) as the Obsidian app
        does: its filters, formulas, sort, groups and summaries, rows with typed cells."""

        def run() -> tuple[dict[str, Any], dict[str, Any] | None]:
            path = base if block is None else self.app.resolve(base).path
            this_path = self.app.resolve(this).path if this else None
            where: dict[str, Any] = {"path": path} if block is None else {"block": (path, block)}
            body = self.app.base(**where, view=view, this=this_path, fmt="json")
            table = None
            if format == "md":
                table = self.app.base(**where, view=view, this=this_path, fmt="md", limit=limit)
            return body, table

        body, table = self._call(run)
        count = int(body["count"])
        common = {
            "base": body.get("base"),
            "view": body["view"],
            "views": body.get("views", []),
            "view_type": body.get("view_type", "table"),
            "this": body.get("this"),
            "count": count,
            "diagnostics": body.get("diagnostics", []),
            "revision": body["revision"],
        }
        if table is not None:
            returned = int(table["count"])
            return BaseResult(
                **common,
                format="md",
                text=table["text"],
                returned=returned,
                truncated=returned < count,
            )
        rows = list(body.get("rows") or [])
        shown = _fit(rows[:limit])
        groups = body.get("groups")
        if groups is not None and len(shown) < len(rows):
            groups = [
                {**group, "rows": [i for i in group["rows"] if i < len(shown)]}
                for group in groups
                if any(i < len(shown) for i in group["rows"])
            ]
        return BaseResult(
            **common,
            format="json",
            columns=body.get("columns"),
            rows=shown,
            groups=groups,
            summaries=body.get("summaries"),
            returned=len(shown),
            truncated=len(shown) < len(rows),
        )

    def related_notes(
        self,
        target: Target,
        k: Annotated[int, Field(ge=1, le=30, description="how many notes")] = 8,
        include_linked: Annotated[
            bool, Field(description="also notes it already links to or from")
        ] = False,
    ) -> RelatedResult:
        """Notes related to a note — by meaning, shared links, co-citation and shared tags —
        each with its best passage and the reasons."""

        def run() -> dict[str, Any]:
            found = self.app.resolve(target)
            body = self.app.related(found.path, k=k, exclude_linked=not include_linked)
            return {**body, "resolved_from": found.resolved_from}

        body = self._call(run, search=True)
        return RelatedResult(
            path=body["path"],
            resolved_from=body["resolved_from"],
            related=[_related(note) for note in body["results"]],
            revision=body["revision"],
        )

    def links(
        self,
        target: Target,
        direction: Annotated[
            Literal["out", "in", "both"], Field(description="out: links; in: backlinks")
        ] = "both",
        depth: Annotated[int, Field(ge=1, le=3, description="links away")] = 1,
        include_unresolved: Annotated[
            bool, Field(description="also the note's links to notes that do not exist")
        ] = False,
        limit: Annotated[int, Field(ge=1, le=200, description="notes besides the target")] = 50,
    ) -> LinksResult:
        """A note's link neighbourhood: the notes up to `depth` links away (out, in or both)
        and the links among them."""
        return LinksResult.model_validate(
            self._call(
                lambda: self.app.links(
                    target,
                    direction=direction,
                    depth=depth,
                    limit=limit,
                    include_unresolved=include_unresolved,
                )
            )
        )

    def list_notes(
        self,
        folder: Annotated[
            str | None, Field(max_length=1024, description="only notes under this folder")
        ] = None,
        tag: Annotated[
            str | None, Field(max_length=200, description="only notes with this tag (or subtag)")
        ] = None,
        modified_after: IsoDate = None,
        modified_before: IsoDate = None,
        sort: Literal["mtime", "ctime", "name", "path", "size"] = "mtime",
        desc: Annotated[
            bool | None, Field(description="default: newest/largest first, names A→Z")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=200)] = 50,
        cursor: Cursor = None,
    ) -> NoteList:
        """List notes by folder, tag and modification time, a page at a time (recently
        modified first by default)."""
        return NoteList.model_validate(
            self._call(
                lambda: self.app.list_notes(
                    folder=folder,
                    tag=tag,
                    modified_after=modified_after,
                    modified_before=modified_before,
                    sort=sort,
                    desc=desc,
                    limit=limit,
                    cursor=cursor,
                )
            )
        )

    def list_tags(
        self,
        prefix: Annotated[
            str | None, Field(max_length=200, description="e.g. #work: #work and its subtags")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=500)] = 100,
        cursor: Cursor = None,
    ) -> TagList:
        """The vault's tags with how many notes carry each, most used first."""
        return TagList.model_validate(
            self._call(lambda: self.app.list_tags(prefix=prefix, limit=limit, cursor=cursor))
        )

    def tasks(
        self,
        status: Annotated[
            Literal["open", "done", "all"], Field(description="open: not done nor cancelled")
        ] = "open",
        due_before: IsoDate = None,
        due_after: IsoDate = None,
        scope: Source = None,
        limit: Annotated[int, Field(ge=1, le=200)] = 50,
        cursor: Cursor = None,
    ) -> TaskList:
        """Tasks (- [ ] lines) across the vault or a DQL source, with due, scheduled and
        completion dates, a page at a time."""
        return TaskList.model_validate(
            self._call(
                lambda: self.app.tasks(
                    status=status,
                    due_before=due_before,
                    due_after=due_after,
                    source=scope,
                    limit=limit,
                    cursor=cursor,
                )
            )
        )

    def unlinked_mentions(
        self,
        target: Target,
        direction: Annotated[
            Literal["incoming", "outgoing"],
            Field(description="incoming: other notes naming it; outgoing: notes it names"),
        ] = "incoming",
        limit: Annotated[int, Field(ge=1, le=100)] = 30,
    ) -> MentionsResult:
        """Where a note's title or aliases appear as plain text without a link (or, outgoing,
        which notes it names without linking), with the exact span and the link to write."""

        def run() -> dict[str, Any]:
            found = self.app.resolve(target)
            return {**self.app.mentions(found.path), "resolved_from": found.resolved_from}

        body = self._call(run)
        key = "mentions" if direction == "incoming" else "mentions_in_note"
        found = [m for m in body[key] if not m.get("already_linked")]
        return MentionsResult(
            path=body["path"],
            resolved_from=body["resolved_from"],
            direction=direction,
            mentions=[_mention(m) for m in found[:limit]],
            total=len(found),
            truncated=len(found) > limit,
            revision=body["revision"],
        )

    def dashboard(
        self,
        kind: Annotated[
            Literal["review", "para", "zettelkasten"],
            Field(description="review: what needs a decision this week; para; zettelkasten"),
        ] = "review",
        now: IsoDate = None,
        limit: Annotated[int, Field(ge=1, le=100, description="entries per list")] = 10,
    ) -> DashboardResult:
        """The weekly review, PARA or Zettelkasten dashboard: counts and the top entries of
        each list (stale projects, overdue tasks, orphans, fleeting notes…)."""
        params = {"now": now} if now else None
        body = self._call(lambda: self.app.dashboard(kind, params))
        revision = body.pop("revision")
        cut: dict[str, int] = {}
        return DashboardResult(
            kind=kind, data=_cut_lists(body, limit, "", cut), cut=cut, revision=revision
        )

    def fetch(
        self,
        id: Annotated[str, Field(min_length=1, max_length=1300, description="a hit's path")],
        max_chars: Annotated[int, Field(ge=1, le=MAX_RESULT_CHARS)] = 12_000,
    ) -> FetchResult:
        """A note's text by id (its path), for connectors that pair search with fetch."""
        body = self._call(lambda: self.app.read_note(id, view="content", max_chars=max_chars))
        file = body["path"].removesuffix(".md")
        url = f"obsidian://open?vault={quote(self.app.vault.name)}&file={quote(file, safe='')}"
        return FetchResult(
            id=body["path"],
            title=body["title"],
            text=body["content"],
            url=url,
            metadata={
                key: body[key] for key in ("total_chars", "next_offset", "truncated", "revision")
            },
            revision=body["revision"],
        )


# -- shaping -------------------------------------------------------------------------------------


def _hit(hit: dict[str, Any], snippet_chars: int) -> SearchHit:
    snippet: str = hit["snippet"]
    highlights = hit["highlights"]
    if len(snippet) > snippet_chars:
        snippet = snippet[: snippet_chars - 1] + "…"
        highlights = [h for h in highlights if h[1] <= snippet_chars - 1]
    return SearchHit(
        path=hit["path"],
        title=file_title(hit["path"]),
        heading=" > ".join(hit["heading_path"]),
        line=hit["line"],
        snippet=snippet,
        highlights=highlights,
        score=hit["score"],
        keyword=hit["scores"]["keyword"],
        semantic=hit["scores"]["semantic"],
    )


def _fit(entries: list[Any]) -> list[Any]:
    """The longest prefix of ``entries`` (halving) whose JSON fits :data:`MAX_RESULT_CHARS`;
    empty when even the first does not (the answer then says ``truncated``)."""
    shown = entries
    while shown and len(compact_json(shown)) > MAX_RESULT_CHARS:
        shown = shown[: len(shown) // 2]
    return shown


def _query_result(body: dict[str, Any], fmt: str, limit: int) -> QueryResult:
    if fmt == "md":
        text: str = body["text"]
        cut = len(text) > MAX_RESULT_CHARS
        returned = body["count"]
        if cut:
            text = text[: text.rfind("\n", 0, MAX_RESULT_CHARS) + 1]
            # What is left of the entries: table rows under the 2 header lines, list items.
            lines = text.splitlines()
            rows = lines[2:] if body["type"] == "table" else lines
            returned = sum(1 for line in rows if line.startswith(("|", "- ")))
        return QueryResult(
            type=body["type"],
            format="md",
            text=text,
            count=body["count"],
            returned=returned,
            truncated=cut,
            revision=body["revision"],
        )
    key = next((k for k in ("rows", "items", "tasks") if k in body), "rows")
    entries: list[Any] = list(body.get(key) or [])
    shown = _fit(entries[:limit])
    return QueryResult.model_validate(
        {
            "type": body["type"],
            "format": "json",
            "headers": body.get("headers"),
            key: shown,
            "count": body["count"],
            "returned": len(shown),
            "truncated": len(shown) < len(entries),
            "revision": body["revision"],
        }
    )


def _related(note: dict[str, Any]) -> RelatedNote:
    passage = note.get("passage") or {}
    return RelatedNote(
        path=note["path"],
        title=file_title(note["path"]),
        score=note["score"],
        linked=note.get("linked"),
        heading=" > ".join(passage["heading_path"]) if passage else None,
        passage=passage.get("snippet", "")[:300] if passage else None,
        reasons=[_reason(reason) for reason in note["reasons"]],
    )


def _reason(reason: dict[str, Any]) -> Reason:
    kind = reason["kind"]
    if kind == "semantic":
        detail = f"similar in meaning ({reason.get('similarity', 0):.2f})"
        if reason.get("from_heading"):
            detail += f", closest to its section {reason['from_heading']!r}"
    elif kind == "shared_links":
        detail = "both link to " + ", ".join(map(file_title, reason.get("notes", [])[:3]))
    elif kind == "co_citation":
        detail = "linked together from " + ", ".join(map(file_title, reason.get("notes", [])[:3]))
    elif kind == "shared_tags":
        detail = "shared tags " + " ".join(reason.get("tags", [])[:5])
    else:
        words = reason.get("terms") or reason.get("notes") or []
        detail = f"{kind.replace('_', ' ')}: " + ", ".join(map(str, words[:5]))
    return Reason(kind=kind, weight=reason["score"], detail=detail)


def _mention(m: dict[str, Any]) -> Mention:
    name = file_title(m["target"])
    link = f"[[{name}]]" if m["text"] == name else f"[[{name}|{m['text']}]]"
    return Mention(
        path=m["path"],
        target=m["target"],
        text=m["text"],
        line=m["line"],
        column=m["column"],
        start=m["start"],
        end=m["end"],
        context=m["context"][:300],
        suggested_link=link,
    )


def _cut_lists(value: Any, limit: int, where: str, cut: dict[str, int]) -> Any:
    """``value`` with every list cut to ``limit`` entries; ``cut`` records the full lengths."""
    if isinstance(value, dict):
        return {
            key: _cut_lists(item, limit, f"{where}.{key}" if where else str(key), cut)
            for key, item in value.items()
        }
    if isinstance(value, list):
        if len(value) > limit:
            cut[where] = len(value)
        return [_cut_lists(item, limit, f"{where}[]", cut) for item in value[:limit]]
    return value
