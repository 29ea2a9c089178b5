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
from query.parsing import parse_source
from query.results import json_cell, to_csv, to_json, to_markdown, to_text_table
from query.semantics import Env
from query.sources import resolve_source
from query.temporal.dates import date_from_epoch_ms
from server.application.catalog_cache import CatalogCache, default_index_dir
from server.application.derived_services import DerivedServices
from server.application.live_index import VaultService
from server.application.note_encoder import note_json
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
        ``csv`` and ``table`` (the terminal's): ``{format, text, count, revision, instance}``."""
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


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:  # also refuses NaN
        raise BadRequestError(f'"{name}" must be between {low:g} and {high:g}')
