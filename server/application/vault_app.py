"""The one application behind every surface: a vault, its live index and its services.

A :class:`VaultApp` owns the vault root and its exclusions, the catalog with its persisted cache
in the one index folder (``<user cache>/vaultql/<key of the vault path>/``: the catalog cache, and
``search/`` for the keyword index and the embedding cache), the published snapshot (the index
with the PARA fields), the clock and the query environment (with the vault's own Dataview
settings, read again when their file changes), the limits every query runs with, and the search,
related-notes and dashboard services, made when first needed.

Each application has an ``instance``: a random id of this run, in ``/health``, ``/status``, every
query and inline result and the ``hello`` and ``revision`` events. Revisions count from 1 again
in every run, so a client compares ``(instance, revision)`` to know whether what it shows is
current.

Every surface is a thin shell over one: the HTTP routes (``server.web``), every CLI command
(``server.cli``) and the MCP server call the same methods, which return JSON-ready dicts and raise
the errors of ``server.errors`` and ``query.errors`` — so the CLI's ``--json`` and ``vaultql get``
of the matching route print the same bytes (:func:`~server.application.encoders.pretty`).

Two ways to run one:

- **served** (``vaultql serve``): :meth:`load` in a worker thread, then :meth:`run` follows the
  vault — the watcher applies changes, search and related notes are made once DQL is ready and
  embed in the background; until they exist their methods raise :class:`UnavailableError`.
- **one-shot** (a CLI command, ``vaultql get``): :meth:`load` warm from the cache, and the first
  call that needs search or related notes makes them in the calling thread, embedding whatever
  the embedding cache lacks (progress through ``on_progress``), so the answer is complete.

Everything here blocks: call it from a worker thread, never from an event loop.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

from query.engine import Limits, execute
from query.errors import QueryLimitError
from query.inline import evaluate, inline_text
from query.limits import Guard
from query.parsing import parse_source
from query.results import json_cell, to_csv, to_json, to_markdown, to_text_table
from query.semantics import Env
from query.sources import resolve_source
from query.temporal.dates import date_from_epoch_ms
from server.application.catalog_cache import CatalogCache, default_index_dir
from server.application.derived_services import DerivedServices
from server.application.listings import (
    link_graph,
    list_notes,
    list_tags,
    list_tasks,
    tag_counts,
    task_state,
)
from server.application.live_index import VaultService
from server.application.note_encoder import note_json
from server.application.note_views import DEFAULT_MAX_CHARS, read_note
from server.application.process_memory import resident_bytes
from server.errors import BadRequestError, ConfigError, NotFoundError, UnavailableError
from server.search.options import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MIN_WORDS,
    DEFAULT_NEAR,
    DEFAULT_SEMANTIC,
    MODES,
)
from server.vault.dataview_settings import DATAVIEW_SETTINGS, DataviewSettingsFile
from server.vault.local_zone import local_zone
from server.vault.paths import UnsafePathError, strict_vault_path
from server.vault.targets import NameTable, Target, resolve_target

__all__ = [
    "QUERY_FORMATS",
    "QUERY_MAX_MEMORY_BYTES",
    "QUERY_TIMEOUT_S",
    "AppOptions",
    "VaultApp",
    "checked_path",
]

QUERY_FORMATS = ("json", "md", "csv", "table")
QUERY_TIMEOUT_S = 10.0
QUERY_MAX_MEMORY_BYTES = 512 * 1024 * 1024  # what one query may add to the process's memory
MAX_QUERY_CHARS = 100_000  # a query's or an inline expression's text
MAX_Q_CHARS = 1000
MAX_K = 100
MAX_PAGE = 1000  # entries in one page of a listing


@dataclass(frozen=True, slots=True)
class AppOptions:
    """How one application runs. The defaults are ``vaultql serve``'s."""

    index_dir: Path | None = None  # None: the user cache directory, keyed by the vault's path
    cache: bool = True  # read and write the catalog cache
    exclude: tuple[str, ...] = ()  # gitignore-style globs to leave out
    search: bool = True  # search and related notes at all
    model: bool = True  # the embedding model (semantic search, the semantic related signal)
    one_shot: bool = False  # make services on first use and finish embedding before answering
    query_timeout_s: float = QUERY_TIMEOUT_S
    query_max_rows: int = 50_000
    query_max_memory_bytes: int = QUERY_MAX_MEMORY_BYTES
    debounce_ms: int = 200  # the watcher's batching
    step_ms: int = 10
    local: tzinfo | None = None  # None: the machine's zone


def checked_path(path: str) -> str:
    """``path`` when it is a plain vault-relative note path, else :class:`BadPathError`."""
    try:
        return strict_vault_path(path)
    except UnsafePathError as exc:
        raise type(exc)(f"not a safe vault-relative note path: {exc.message}") from None


class VaultApp:
    """One vault, served or asked once. See the module docstring."""

    def __init__(
        self,
        vault: Path,
        options: AppOptions | None = None,
        *,
        live: VaultService | None = None,
        derived: DerivedServices | None = None,
        embedder_factory: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.time,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.options = options or AppOptions()
        self.vault = Path(vault).resolve()
        self.index_dir = (self.options.index_dir or default_index_dir(self.vault)).resolve()
        _cache_grammar(self.index_dir.parent)
        self.local = self.options.local or local_zone()
        self.instance = secrets.token_hex(8)  # this run's identity (module docstring)
        self.dataview = DataviewSettingsFile(self.vault)
        self._clock = clock
        self._on_progress = on_progress
        if live is None:
            cache = (
                CatalogCache(self.index_dir, self.vault, str(self.local))
                if self.options.cache
                else None
            )
            live = VaultService(
                self.vault,
                local=self.local,
                cache=cache,
                index_dir=self.index_dir,
                exclude=self.options.exclude,
            )
        self.live = live
        if derived is None and self.options.search:
            derived = DerivedServices(
                live,
                index_dir=self.index_dir,
                embedder_factory=embedder_factory if self.options.model else None,
                model=self.options.model,
            )
        self.derived = derived
        self._words: Any = None
        self._bases: Any = None  # BasesService and its answerer, made on first use
        self._real_root = os.path.realpath(self.vault)
        self._name_table: tuple[Any, NameTable] | None = None  # per index (``_names``)
        self._tag_table: tuple[Any, list[tuple[str, int]]] | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def load(self) -> None:
        """Build the first snapshot: warm from the cache when it is valid, else a full scan.
        (One-shot, the pages are built only as the one request needs them.)"""
        self.live.load(warm_pages=not self.options.one_shot)

    async def run(self, stop: asyncio.Event, *, watch: bool = True) -> None:
        """Follow the vault until ``stop``: the initial load, the watcher, search and related
        notes in the background (the served mode)."""
        tasks = [asyncio.create_task(self._load_in_background())]
        if watch:
            from server.application.watcher import watch_vault

            options = self.options
            tasks.append(
                asyncio.create_task(
                    watch_vault(
                        self.live, stop, debounce_ms=options.debounce_ms, step_ms=options.step_ms
                    )
                )
            )
        if self.derived is not None:
            tasks.append(asyncio.create_task(self.derived.run(stop)))
        try:
            await stop.wait()
        finally:
            self.live.hub.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _load_in_background(self) -> None:
        import logging

        try:
            await asyncio.to_thread(self.load)
        except Exception:  # recorded in the status; the surfaces keep answering it
            logging.getLogger("vaultql.server").exception("the initial index load failed")

    def close(self) -> None:
        if self.derived is not None:
            self.derived.close()
        self.live.close()

    # -- the query environment -----------------------------------------------------------------

    @property
    def hub(self) -> Any:
        return self.live.hub

    @property
    def ready(self) -> bool:
        return self.live.ready

    def env(self) -> Env:
        """ "Now", the local zone and the vault's Dataview settings, as every query and dashboard
        of this request sees them."""
        return Env(
            now=date_from_epoch_ms(self._clock() * 1000, self.local),
            local=self.local,
            settings=self.dataview.current().settings,
        )

    def limits(self) -> Limits:
        options = self.options
        return Limits(
            max_rows=options.query_max_rows,
            timeout_s=options.query_timeout_s,
            clock=time.perf_counter,
            max_memory=options.query_max_memory_bytes,
            memory=resident_bytes,
        )

    # -- the index -----------------------------------------------------------------------------

    def hello(self) -> dict[str, Any]:
        """The ``hello`` event: the revision, the phase and this run's ``instance``."""
        return {**self.live.hello(), "instance": self.instance}

    def status(self) -> dict[str, Any]:
        """The index's status (``VaultService.status``), this run's ``instance``, the Dataview
        settings in force (``dataview_settings``, Dataview's key names) and the embedding
        progress; an unusable Dataview settings file is one more ``config`` problem."""
        live = self.live.status()
        body = {"ready": live.pop("ready"), "revision": live.pop("revision")}
        body["instance"] = self.instance
        body.update(live)
        dataview = self.dataview.current()
        body["dataview_settings"] = dict(dataview.values)
        if dataview.problem is not None and "problems" in body:
            _add_config_problem(body, dataview.problem)
        if self.derived is not None:
            body["embedding"] = self.derived.status()
        return body

    def summary(self) -> dict[str, Any]:
        """What the scan found: notes, sections, links, tags, tasks, fields, every problem."""
        self.live.snapshot()  # NotReadyError while the index loads
        return self.live.summary()

    def query(self, text: str, *, origin: str | None = None, fmt: str = "json") -> dict[str, Any]:
        """Run one DQL query. ``json``: the typed result, ``revision`` and ``instance``; ``md``,
        ``csv`` and ``table`` (the terminal's): ``{type, format, text, count, revision,
        instance}``."""
        if not isinstance(text, str) or not text.strip():
            raise BadRequestError('"query" must be a non-empty string')
        if len(text) > MAX_QUERY_CHARS:
            raise BadRequestError(f'"query" is longer than {MAX_QUERY_CHARS} characters')
        if fmt not in QUERY_FORMATS:
            raise BadRequestError(f'"format" must be one of {", ".join(QUERY_FORMATS)}')
        if origin is not None:
            origin = checked_path(origin)
        snapshot = self.live.snapshot()
        env = self.env()
        result = execute(text, snapshot.index, origin=origin, env=env, limits=self.limits())
        try:
            if fmt == "json":
                body = to_json(result, env)
                body["revision"] = snapshot.revision
                body["instance"] = self.instance
                return body
            render = {"md": to_markdown, "csv": to_csv, "table": to_text_table}[fmt]
            rendered = render(result, env)
        except RecursionError:
            raise QueryLimitError("a value in the result nests too deeply to encode") from None
        except MemoryError:
            raise QueryLimitError("the result is too large to encode") from None
        return {
            "type": result.type,
            "format": fmt,
            "text": rendered,
            "count": result.count,
            "revision": snapshot.revision,
            "instance": self.instance,
        }

    def eval(self, expression: str, *, origin: str | None = None) -> dict[str, Any]:
        """An inline query (`` `= expr` ``) from the note ``origin`` (``this``): ``value`` (a
        typed cell), ``text`` (as Dataview shows it inline, with the vault's settings),
        ``revision`` and ``instance``. Errors and limits are a query's; a failed evaluation is
        an ``evaluation`` error."""
        if not isinstance(expression, str) or not expression.strip():
            raise BadRequestError('"expression" must be a non-empty string')
        if len(expression) > MAX_QUERY_CHARS:
            raise BadRequestError(f'"expression" is longer than {MAX_QUERY_CHARS} characters')
        if origin is not None:
            origin = checked_path(origin)
        snapshot = self.live.snapshot()
        env = self.env()
        limits = self.limits()
        value = evaluate(expression, snapshot.index, origin=origin, env=env, limits=limits)
        try:
            cell, text = json_cell(value, env), inline_text(value, env)
        except RecursionError:
            raise QueryLimitError("the value nests too deeply to encode") from None
        except MemoryError:
            raise QueryLimitError("the value is too large to encode") from None
        return {
            "value": cell,
            "text": text,
            "revision": snapshot.revision,
            "instance": self.instance,
        }

    def note(self, path: str) -> dict[str, Any]:
        """One note's metadata (typed cells), or :class:`NotFoundError`."""
        path = checked_path(path)
        snapshot = self.live.snapshot()
        record = snapshot.index.get(path)
        if record is None:
            raise NotFoundError(f"no note at {path!r}")
        problems = [p for p in snapshot.problems if p.path == path]
        data = note_json(record, snapshot.index, self.env(), problems)
        data["revision"] = snapshot.revision
        return data

    # -- reading and browsing (bounded: every list a page, every text a window) ---------------

    def resolve(self, target: str) -> Target:
        """The note ``target`` names: a vault path, wikilink text (``Note``, ``[[Note#Heading]]``)
        or an alias, resolved as Obsidian resolves links (``server.vault.targets``)."""
        snapshot = self.live.snapshot()
        return resolve_target(snapshot.index, target, self._names(snapshot))

    def read_note(
        self,
        target: str,
        *,
        view: str = "outline",
        section: str | None = None,
        offset: int = 0,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> dict[str, Any]:
        """One bounded view of a note: ``outline``, a page of ``content`` (of a ``section`` or
        ``^block`` when given) or ``metadata`` (``server.application.note_views``)."""
        snapshot = self.live.snapshot()
        found = resolve_target(snapshot.index, target, self._names(snapshot))
        body = read_note(
            snapshot.index,
            self._real_root,
            found,
            self.env(),
            view=view,
            section=section,
            offset=offset,
            max_chars=max_chars,
        )
        body["revision"] = snapshot.revision
        return body

    def list_notes(
        self,
        *,
        folder: str | None = None,
        tag: str | None = None,
        modified_after: str | None = None,
        modified_before: str | None = None,
        sort: str = "mtime",
        desc: bool | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        _check_range("limit", limit, 1, MAX_PAGE)
        snapshot = self.live.snapshot()
        body = list_notes(
            snapshot.index,
            folder=folder,
            tag=tag,
            modified_after=modified_after,
            modified_before=modified_before,
            sort=sort,
            desc=desc,
            limit=limit,
            cursor=cursor,
        )
        body["revision"] = snapshot.revision
        return body

    def list_tags(
        self, *, prefix: str | None = None, limit: int = 100, cursor: str | None = None
    ) -> dict[str, Any]:
        _check_range("limit", limit, 1, MAX_PAGE)
        snapshot = self.live.snapshot()
        body = list_tags(self._tag_counts(snapshot), prefix=prefix, limit=limit, cursor=cursor)
        body["revision"] = snapshot.revision
        return body

    def tasks(
        self,
        *,
        status: str = "open",
        due_before: str | None = None,
        due_after: str | None = None,
        source: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Tasks of the vault (or of the notes a DQL ``FROM`` ``source`` names), a page at a
        time (``server.application.listings.list_tasks``)."""
        _check_range("limit", limit, 1, MAX_PAGE)
        snapshot = self.live.snapshot()
        paths: Any = snapshot.index.paths
        if source is not None and source.strip():
            paths = resolve_source(parse_source(source), snapshot.index, None)
        body = list_tasks(
            snapshot.index,
            paths,
            status=status,
            due_before=due_before,
            due_after=due_after,
            limit=limit,
            cursor=cursor,
            scope=source,
        )
        body["revision"] = snapshot.revision
        return body

    def links(
        self,
        target: str,
        *,
        direction: str = "both",
        depth: int = 1,
        limit: int = 50,
        include_unresolved: bool = False,
    ) -> dict[str, Any]:
        """The link neighbourhood of a note, out, in or both ways, up to 3 links away."""
        _check_range("limit", limit, 1, MAX_PAGE)
        snapshot = self.live.snapshot()
        found = resolve_target(snapshot.index, target, self._names(snapshot))
        body = link_graph(
            snapshot.index,
            found.path,
            direction=direction,
            depth=depth,
            limit=limit,
            include_unresolved=include_unresolved,
        )
        body.update(path=found.path, resolved_from=found.resolved_from, revision=snapshot.revision)
        return body

    def overview(self, *, folders: int = 20, tags: int = 30) -> dict[str, Any]:
        """The vault at a glance: counts, the biggest top-level folders, the most used tags and
        the index's state."""
        snapshot = self.live.snapshot()
        index = snapshot.index
        tops: dict[str, int] = {}
        for path in index.paths:
            top = path.split("/", 1)[0] if "/" in path else ""
            tops[top] = tops.get(top, 0) + 1
        ranked = sorted(tops.items(), key=lambda pair: (-pair[1], pair[0]))
        counts = self._tag_counts(snapshot)
        status = self.status()
        return {
            "vault": self.vault.name,
            "notes": len(index),
            "folders": [{"path": path, "notes": n} for path, n in ranked[:folders]],
            "folders_total": len(ranked),
            "tags": [{"tag": tag, "count": n} for tag, n in counts[:tags]],
            "tags_total": len(counts),
            "tasks_open": sum(
                1
                for r in index
                for item in r.lists
                if item.task and task_state(item) in ("open", "in_progress")
            ),
            "problems": status.get("problems_total", 0),
            "index": {
                "ready": status["ready"],
                "phase": status.get("progress", {}).get("phase"),
                "search": _search_state(status.get("embedding")),
                "embedded": (status.get("embedding") or {}).get("done"),
                "to_embed": (status.get("embedding") or {}).get("total"),
            },
            "excluded_globs": list(self.options.exclude),
            "revision": snapshot.revision,
        }

    def _names(self, snapshot: Any) -> NameTable:
        """The name and alias table of ``snapshot``'s index, made once per revision."""
        cached = self._name_table
        if cached is None or cached[0] is not snapshot.index:
            cached = (snapshot.index, NameTable(snapshot.index))
            self._name_table = cached
        return cached[1]

    def _tag_counts(self, snapshot: Any) -> list[tuple[str, int]]:
        cached = self._tag_table
        if cached is None or cached[0] is not snapshot.index:
            cached = (snapshot.index, tag_counts(snapshot.index))
            self._tag_table = cached
        return cached[1]

    # -- search and related notes --------------------------------------------------------------

    def search(
        self,
        q: str,
        *,
        mode: str = "hybrid",
        k: int = 10,
        source: str | None = None,
        origin: str | None = None,
    ) -> dict[str, Any]:
        """Hybrid, keyword or semantic search; ``source`` is a DQL ``FROM`` source."""
        if not q.strip():
            raise BadRequestError('"q" must be a non-empty string')
        if len(q) > MAX_Q_CHARS:
            raise BadRequestError(f'"q" is longer than {MAX_Q_CHARS} characters')
        if mode not in MODES:
            raise BadRequestError(f'"mode" must be one of {", ".join(MODES)}')
        _check_range("k", k, 1, MAX_K)
        if origin is not None:
            origin = checked_path(origin)
        search = self._search_service(model=mode != "keyword")
        snapshot = self.live.snapshot()
        paths_filter: set[str] | None = None
        if source is not None and source.strip():
            parsed = parse_source(source)  # a syntax error is a positioned QuerySyntaxError
            paths_filter = set(resolve_source(parsed, snapshot.index, origin))
        hits = search.search(q, mode, k, paths_filter)
        return {
            "query": q,
            "mode": mode,
            "k": k,
            "revision": snapshot.revision,
            "results": [hit.to_dict() for hit in hits],
            "embedded": search.embedded(),  # semantic hits come from the embedded notes only
            "embedding": search.progress(),
        }

    def wait_search(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until search holds the vault's first snapshot (served,
        search is made and filled in the background; until then it finds less than is there).
        False when search is off or still filling."""
        if self.derived is None:
            return False
        return self.options.one_shot or self.derived.indexed.wait(timeout)

    def prioritise(self, path: str) -> dict[str, Any]:
        """Embed this note next, ahead of the background queue."""
        return {"queued": self._search_service(model=True).prioritise(checked_path(path))}

    def related(
        self,
        path: str,
        *,
        k: int = 10,
        min_score: float = DEFAULT_MIN_SCORE,
        exclude_linked: bool = True,
    ) -> dict[str, Any]:
        path = checked_path(path)
        _check_range("k", k, 1, MAX_K)
        _check_range("min_score", min_score, 0.0, 10.0)
        return dict(
            self._related_service(search=True).related(
                path, k=k, min_score=min_score, exclude_linked=exclude_linked
            )
        )

    def mentions(self, path: str) -> dict[str, Any]:
        path = checked_path(path)
        return dict(self._related_service(search=False).mentions(path))

    def suggest_links(self, path: str, *, k: int = 20) -> dict[str, Any]:
        path = checked_path(path)
        _check_range("k", k, 1, MAX_K)
        return dict(self._related_service(search=True).suggest_links(path, k=k))

    def duplicates(
        self,
        *,
        near: float = DEFAULT_NEAR,
        semantic: float = DEFAULT_SEMANTIC,
        min_words: int = DEFAULT_MIN_WORDS,
    ) -> dict[str, Any]:
        _check_range("near", near, 0.01, 1.0)
        _check_range("semantic", semantic, 0.01, 1.0)
        _check_range("min_words", min_words, 0, 1_000_000)
        return dict(
            self._related_service(search=True).duplicates(
                near_threshold=near, semantic_threshold=semantic, min_words=min_words
            )
        )

    def _search_service(self, *, model: bool) -> Any:
        derived = self._derived()
        if self.options.one_shot:
            derived.build_now(model=model and self.options.model, progress=self._on_progress)
        if derived.search is None:
            raise UnavailableError("search is starting; try again shortly")
        return derived.search

    def _related_service(self, *, search: bool) -> Any:
        derived = self._derived()
        if self.options.one_shot:
            if search:
                derived.build_now(model=self.options.model, progress=self._on_progress)
            else:
                derived.build_related_only()
        if derived.related is None:
            raise UnavailableError("related notes are starting; try again shortly")
        return derived.related

    def _derived(self) -> DerivedServices:
        if self.derived is None:
            raise UnavailableError("search and related notes are not enabled on this server")
        return self.derived

    # -- Obsidian Bases ------------------------------------------------------------------------

    def base(
        self,
        path: str | None = None,
        *,
        yaml: str | None = None,
        block: tuple[str, int] | None = None,
        view: str | None = None,
        this: str | None = None,
        now: str | None = None,
        fmt: str = "json",
        limit: int | None = None,
    ) -> dict[str, Any]:
        """One view of a base — a ``.base`` file (``path``), a note's N-th ``base`` code block
        (``block``) or YAML text (``yaml``) — over the current snapshot. ``json``: the typed
        result (``query.bases.export``); the text formats (``csv``, ``tsv``, ``md``,
        ``paths``): ``{format, text, count}``; both with ``revision`` and ``instance``.
        ``this`` defaults to the base file or the note holding the block."""
        from server.application.bases_service import BASE_FORMATS, MAX_LIMIT, clock_for
        from server.application.bases_service import encode_answer as encode_base

        if fmt not in BASE_FORMATS:
            raise BadRequestError(f'"format" must be one of {", ".join(BASE_FORMATS)}')
        if limit is not None:
            _check_range("limit", limit, 0, MAX_LIMIT)
        if yaml is not None and len(yaml) > MAX_QUERY_CHARS * 40:
            raise BadRequestError(f'"yaml" is longer than {MAX_QUERY_CHARS * 40} characters')
        path = checked_path(path) if path is not None else None
        if block is not None:
            block = (checked_path(block[0]), block[1])
        if this is not None:
            this = checked_path(this)
        snapshot = self.live.snapshot()
        service, answerer = self._bases_service()
        vault_view = service.view_of(snapshot.revision, snapshot.index)
        if this is not None and not vault_view.exists(this):
            raise NotFoundError(f"no file at {this!r} (for this)")
        source = answerer.source(vault_view, path=path, yaml_text=yaml, block=block)
        clock = clock_for(self.env().now, self.local, now)
        guard = Guard(self.limits())
        result = answerer.run(
            vault_view, source, view=view, this=this, clock=clock, guard=guard, limit=limit
        )
        try:
            body = encode_base(result, fmt)
        except RecursionError:
            raise QueryLimitError("a value in the result nests too deeply to encode") from None
        body["revision"] = snapshot.revision
        body["instance"] = self.instance
        return body

    def bases(self) -> dict[str, Any]:
        """Every ``.base`` file and every ``base`` code block of the vault, with its views."""
        snapshot = self.live.snapshot()
        service, answerer = self._bases_service()
        vault_view = service.view_of(snapshot.revision, snapshot.index)
        return {
            "bases": answerer.listing(vault_view, Guard(self.limits())),
            "revision": snapshot.revision,
            "instance": self.instance,
        }

    def _bases_service(self) -> Any:
        if self._bases is None:
            from server.application.bases_service import BasesAnswerer, BasesService

            service = BasesService(self.vault, self.local)
            self._bases = (service, BasesAnswerer(service))
        return self._bases

    # -- dashboards ----------------------------------------------------------------------------

    def dashboard(self, kind: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The PARA, Zettelkasten or review dashboard. ``params``: ``now`` (ISO date or
        date-time), ``notes`` (PARA: every note's bucket) and threshold overrides."""
        from server.dashboards.conventions import load_config
        from server.dashboards.dispatch import KINDS, build_dashboard, parse_now, parse_thresholds

        if kind not in KINDS:
            raise BadRequestError(f"unknown dashboard {kind!r} (known: {', '.join(KINDS)})")
        rest = dict(params or {})
        snapshot = self.live.snapshot()
        config = load_config(self.vault)  # ConfigError: a broken .vaultql.toml
        now_text = rest.pop("now", None)
        now = parse_now(now_text, self.local) if now_text is not None else self.env().now
        include_notes = rest.pop("notes", "false").lower() in ("1", "true", "yes")
        try:
            config = config.with_thresholds(parse_thresholds(rest))
        except ConfigError as exc:  # a bad override is the request's fault, not the file's
            raise BadRequestError(exc.message) from None
        words = self._word_counter() if kind == "zettelkasten" else None
        data = build_dashboard(
            kind, snapshot.index, config, now, words=words, include_notes=include_notes
        )
        data["revision"] = snapshot.revision
        return data

    def _word_counter(self) -> Any:
        if self._words is None:
            from server.dashboards.word_counts import WordCounter

            self._words = WordCounter(self.vault)  # counts are cached by content hash
        return self._words


def _cache_grammar(directory: Path) -> None:
    """The DQL grammar's analysis, kept beside the index folders (a one-shot command parses
    its query 0.1 s sooner); nothing is lost when the folder cannot be written."""
    import sys

    from query.parsing.parser import use_grammar_cache

    version = f"py{sys.version_info[0]}{sys.version_info[1]}"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return
    use_grammar_cache(str(directory / f"dql-grammar-{version}.lark-cache"))


def _add_config_problem(body: dict[str, Any], message: str) -> None:
    """One more ``config`` problem of the Dataview settings file in a ``/status`` body."""
    body["problems"] = [
        *body["problems"],
        {"path": DATAVIEW_SETTINGS, "kind": "config", "message": message},
    ]
    body["problems_total"] = body.get("problems_total", 0) + 1
    summary = body.get("summary")
    if isinstance(summary, dict):  # a copy: the index's summary is cached
        by_kind = dict(summary.get("problems_by_kind", {}))
        by_kind["config"] = by_kind.get("config", 0) + 1
        files = summary.get("files_with_problems", 0) + 1  # (the index never holds this file)
        body["summary"] = {**summary, "problems_by_kind": by_kind, "files_with_problems": files}


def _search_state(embedding: Any) -> str:
    """``off`` (no search on this server), ``starting``, ``keyword`` (embeddings on their way)
    or ``ready``."""
    if embedding is None:
        return "off"
    phase = embedding.get("phase")
    if phase == "starting":
        return "starting"
    done, total = embedding.get("done"), embedding.get("total")
    return "ready" if done is not None and done == total else "keyword"


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:  # also refuses NaN
        raise BadRequestError(f'"{name}" must be between {low:g} and {high:g}')
