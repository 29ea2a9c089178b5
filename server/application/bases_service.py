"""Bases over the live index: the :class:`~query.bases.vault.BasesVault` of a snapshot, the
base files and code blocks of the vault, and the formula cache kept across revisions.

:class:`BasesService` belongs to a :class:`~server.application.vault_app.VaultApp`. It builds
one ``BasesVault`` per snapshot revision (attachments from the index's resolver, their sizes
and times stat-ed lazily, property types from ``.obsidian/types.json``, frontmatter links from
the Markdown reader), finds and reads bases (``.base`` files, ``base`` code blocks), and keeps
one formula cache: values of formulas that read only their row's own file, keyed by (path,
the file's stamp, the generation of the set of files, formula text) — evaluated once per file
revision, whatever the query (``query.bases.formulas``); bounded by count and approximate size.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import Path
from typing import Any

from query.bases.config import parse_base
from query.bases.context import Clock
from query.bases.export import render, to_json
from query.bases.moment import parse_moment
from query.bases.values import Moment, approximate_size
from query.bases.vault import BasesVault
from query.bases.view import ViewResult, run_view
from query.errors import QueryError, QueryLimitError
from query.index import VaultIndex
from query.limits import UNLIMITED, Guard
from query.values import Date
from server.errors import BadRequestError, NotFoundError
from server.vault.base_files import (
    MAX_BASE_BYTES,
    BaseBlock,
    attachment_facts,
    base_blocks,
    load_base_yaml,
    read_property_types,
)
from server.vault.markdown import frontmatter_links
from server.vault.reading import read_file

__all__ = [
    "BASE_FORMATS",
    "BasesAnswerer",
    "BasesService",
    "FormulaCache",
    "bases_vault",
    "clock_for",
    "encode_answer",
    "scan_bases_vault",
]

MAX_CACHED_FORMULAS = 500_000
MAX_CACHED_BYTES = 64 * 1024 * 1024
MAX_CACHED_VALUE_BYTES = 256 * 1024


class FormulaCache(MutableMapping[Any, Any]):
    """Formula values, bounded by entry count and by approximate size (oldest entries dropped
    first; a value larger than ``max_value_bytes`` is not kept). Writers take a lock; readers
    use :meth:`get` (one dictionary read: an entry evicted meanwhile is only recomputed)."""

    def __init__(
        self,
        limit: int = MAX_CACHED_FORMULAS,
        *,
        max_bytes: int = MAX_CACHED_BYTES,
        max_value_bytes: int = MAX_CACHED_VALUE_BYTES,
    ) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self.max_value_bytes = max_value_bytes
        self.bytes = 0
        self._entries: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        found = self._entries.get(key)
        return default if found is None else found[0]

    def __getitem__(self, key: Any) -> Any:
        return self._entries[key][0]

    def __setitem__(self, key: Any, value: Any) -> None:
        size = approximate_size(key, self.max_value_bytes)
        size += approximate_size(value, self.max_value_bytes)
        if size > self.max_value_bytes:
            return  # too large to be worth keeping
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while len(self._entries) > self.limit or self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped

    def __delitem__(self, key: Any) -> None:
        with self._lock:
            _, size = self._entries.pop(key)
            self.bytes -= size

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


def bases_vault(
    index: VaultIndex, vault: Path, local: tzinfo, property_types: Mapping[str, str] | None
) -> BasesVault:
    """The Bases view of one index revision of the vault at ``vault``."""
    resolver_paths = index.resolver.paths()
    return BasesVault(
        index,
        local=local,
        attachments=[p for p in resolver_paths if index.get(p) is None],
        stat=lambda path: attachment_facts(vault, path),
        property_types=property_types,
        frontmatter_links=frontmatter_links,
    )


def scan_bases_vault(
    root: Path, local: tzinfo, property_types: Mapping[str, str] | None = None
) -> BasesVault:
    """Scan the vault at ``root`` once (no cache) and give its Bases view (tests, the
    conformance runner)."""
    from server.vault.catalog import Catalog

    catalog = Catalog.scan(root, local=local)
    index = VaultIndex(catalog.records(), catalog.resolver)
    types = dict(property_types or {})
    if not types:
        types, _ = read_property_types(root)
    return bases_vault(index, root, local, types)


class BasesService:
    """Per application: the Bases view of the current revision, and the formula cache."""

    def __init__(self, vault: Path, local: tzinfo) -> None:
        self.vault = vault
        self.local = local
        self.formula_cache = FormulaCache()
        self._current: tuple[int, BasesVault] | None = None
        self._lock = threading.Lock()
        self.types_problem: str | None = None

    def view_of(self, revision: int, index: VaultIndex) -> BasesVault:
        current = self._current
        if current is not None and current[0] == revision:
            return current[1]
        with self._lock:
            current = self._current
            if current is not None and current[0] == revision:
                return current[1]
            types, self.types_problem = read_property_types(self.vault)
            built = bases_vault(index, self.vault, self.local, types)
            if current is not None and current[1]._types != built._types:
                self.formula_cache.clear()  # property types change what a formula reads
            if current is not None and current[1].paths == built.paths:
                # The same files: links resolve as before, cached formula values still hold.
                built.files_generation = current[1].files_generation
            self._current = (revision, built)
            return built


# -- answering ------------------------------------------------------------------------------------

BASE_FORMATS = ("json", "csv", "tsv", "md", "paths")
MAX_LIMIT = 1_000_000


@dataclass(frozen=True, slots=True)
class BaseSource:
    """Where a base came from: its ``name`` (path, ``note#N`` or ``<yaml>``), its text, the
    1-based line of its first line in the file it sits in, and the default ``this``."""

    name: str
    text: str
    this: str | None
    kind: str  # "file", "block" or "yaml"


def read_vault_text(vault: Path, path: str, max_bytes: int) -> str:
    """A vault file's text (contained, at most ``max_bytes``); NotFoundError when missing."""
    import errno
    import os

    from query.errors import QuerySyntaxError

    real_root = os.path.realpath(vault)
    try:
        found = read_file(os.path.join(real_root, *path.split("/")), real_root, max_bytes=max_bytes)
    except FileNotFoundError:
        raise NotFoundError(f"no file at {path!r}") from None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise QuerySyntaxError(
                f"{path}: the base is larger than {max_bytes // (1024 * 1024)} MB"
            ) from None
        raise NotFoundError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    return found.data.decode("utf-8", errors="replace").lstrip("\ufeff")


class BasesAnswerer:
    """The work behind ``VaultApp.base`` and ``VaultApp.bases`` (kept out of the app module)."""

    def __init__(self, service: BasesService) -> None:
        self.service = service
        self._blocks: dict[str, tuple[str, list[BaseBlock]]] = {}

    def source(
        self,
        vault_view: BasesVault,
        *,
        path: str | None,
        yaml_text: str | None,
        block: tuple[str, int] | None,
    ) -> BaseSource:
        given = [x for x in (path, yaml_text, block) if x is not None]
        if len(given) != 1:
            raise BadRequestError('give exactly one of "path", "yaml" or "block"')
        vault = self.service.vault
        if path is not None:
            if not path.endswith(".base"):
                raise BadRequestError(f"{path!r} is not a .base file")
            if not vault_view.exists(path):
                raise NotFoundError(f"no base at {path!r}")
            text = read_vault_text(vault, path, MAX_BASE_BYTES + 1)
            return BaseSource(path, text, path, "file")
        if yaml_text is not None:
            return BaseSource("<yaml>", yaml_text, None, "yaml")
        assert block is not None
        note, number = block
        if vault_view.record(note) is None:
            raise NotFoundError(f"no note at {note!r}")
        blocks = self.blocks_of(vault_view, note)
        if not 1 <= number <= len(blocks):
            have = f"it has {len(blocks)}" if blocks else "it has none"
            raise NotFoundError(f"{note!r} has no base code block {number} ({have})")
        found = blocks[number - 1]
        # Pad with blank lines so errors point at the note's own line numbers.
        return BaseSource(f"{note}#{number}", "\n" * (found.line - 1) + found.text, note, "block")

    def blocks_of(self, vault_view: BasesVault, note: str) -> list[BaseBlock]:
        record = vault_view.record(note)
        if record is None:
            self._blocks.pop(note, None)
            return []
        cached = self._blocks.get(note)
        if cached is not None and cached[0] == record.content_hash:
            return cached[1]
        try:
            text = read_vault_text(self.service.vault, note, 64 * 1024 * 1024)
        except (NotFoundError, QueryError):
            return []
        blocks = base_blocks(text) if "base" in text else []
        self._blocks[note] = (record.content_hash, blocks)
        return blocks

    def run(
        self,
        vault_view: BasesVault,
        source: BaseSource,
        *,
        view: str | None,
        this: str | None,
        clock: Clock,
        guard: Guard,
        limit: int | None,
    ) -> ViewResult:
        try:
            data, positions = load_base_yaml(source.text, name=source.name)
            config = parse_base(data, positions, source.text, name=source.name)
        except RecursionError:
            raise QueryLimitError(f"{source.name}: the base nests too deeply") from None
        chosen_this = this if this is not None else source.this
        result = run_view(
            config,
            view,
            vault_view,
            clock,
            this=chosen_this,
            guard=guard,
            limit=limit,
            formula_cache=self.service.formula_cache,
        )
        return replace(result, views=tuple(v.name for v in config.views))

    def listing(self, vault_view: BasesVault, guard: Guard = UNLIMITED) -> list[dict[str, Any]]:
        """Every ``.base`` file and code block with its views. The first call reads every note
        (later ones only those edited since), under ``guard``: past its time limit a
        :class:`QueryLimitError`, and what was read so far is kept for the next call."""
        out: list[dict[str, Any]] = []
        for path in sorted(p for p in vault_view.attachments if p.endswith(".base")):
            guard.check()
            try:
                text = read_vault_text(self.service.vault, path, MAX_BASE_BYTES + 1)
            except (NotFoundError, QueryError) as exc:
                out.append({"kind": "file", "path": path, "views": [], "error": exc.message})
                continue
            out.append({"kind": "file", "path": path, **_views_of(text, path)})
        for stale in [note for note in list(self._blocks) if vault_view.record(note) is None]:
            self._blocks.pop(stale, None)  # deleted notes
        for note in vault_view.index.paths:
            guard.check()
            for found in self.blocks_of(vault_view, note):
                entry = {"kind": "block", "path": note, "index": found.index, "line": found.line}
                out.append({**entry, **_views_of(found.text, f"{note}#{found.index}")})
        return out


def _views_of(text: str, name: str) -> dict[str, Any]:
    try:
        data, positions = load_base_yaml(text, name=name)
        config = parse_base(data, positions, text, name=name)
    except QueryError as exc:
        return {"views": [], "error": exc.to_dict()}
    return {"views": [{"name": v.name, "type": v.type} for v in config.views]}


def clock_for(now: Date, local: tzinfo, iso: str | None) -> Clock:
    """The query's clock: ``iso`` (``--now``) when given, else the app's "now"."""
    if iso is not None:
        moment = parse_moment(iso, local)
        if moment is None:
            raise BadRequestError(f'"now" must be an ISO date or date-time, not {iso!r}')
    else:
        moment = Moment(now.dt.astimezone(local))
    return Clock(moment, local, random.random)


def encode_answer(result: ViewResult, fmt: str) -> dict[str, Any]:
    """The JSON answer, or ``{format, text, count, diagnostics}`` for the text formats (the
    diagnostics are not in the text: the CLI prints them on stderr)."""
    if fmt == "json":
        return to_json(result)
    return {
        "format": fmt,
        "text": render(result, fmt),
        "count": result.count,
        "diagnostics": [item.to_dict() for item in result.diagnostics],
    }
