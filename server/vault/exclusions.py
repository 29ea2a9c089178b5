"""Which vault paths are not indexed.

Always excluded: ``.obsidian/``, ``.git/`` and ``.trash/`` (at any depth) and the index directory
when it lives inside the vault. On top of that, gitignore-style globs from the configuration
(``pathspec``) and Obsidian's own "Excluded files" (``userIgnoreFilters`` in
``.obsidian/app.json``). Obsidian filters are matched as it does: ``/regex/`` entries are
JavaScript regular expressions searched in the path (:func:`query.functions.js_regex.compile_js`),
anything else is a path prefix (``Templates/``).

A filter is the user's code run against every path, so each match has a time limit (50 ms, with
the GIL released): a catastrophic pattern (``/(a|aa)+$/`` on ``aaaa…!``) is dropped for the rest
of the run at its first time-out, and :attr:`Exclusions.problems` says so — along with an
``app.json`` that could not be read — for ``/status``. Reading ``app.json`` (contained in the
vault, at most 1 MB: :func:`server.vault.reading.read_config`) is the only I/O here.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import pathspec

from query.errors import QueryError
from query.functions.js_regex import compile_js
from server.vault.reading import ConfigReadError, read_config

__all__ = ["ALWAYS_EXCLUDED", "APP_JSON", "MATCH_TIMEOUT_S", "Exclusions", "read_obsidian_filters"]

ALWAYS_EXCLUDED = frozenset({".obsidian", ".git", ".trash"})
APP_JSON = ".obsidian/app.json"
MATCH_TIMEOUT_S = 0.05
_SHOWN_PATTERN = 80  # characters of a dropped filter quoted in its problem


class _Pattern(Protocol):
    def search(self, string: str, *, timeout: float, concurrent: bool) -> object: ...


class Exclusions:
    """A predicate over vault-relative paths (``/``-separated, directories without a slash)."""

    def __init__(
        self,
        patterns: Iterable[str] = (),
        obsidian_filters: Iterable[str] = (),
        extra_dirs: Iterable[str] = (),
    ) -> None:
        lines = [line for line in patterns if line.strip()]
        self._spec = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        self._prefixes: list[str] = []
        # (filter as written, compiled); replaced, never mutated, when a filter is dropped.
        self._regexes: tuple[tuple[str, _Pattern], ...] = ()
        regexes: list[tuple[str, _Pattern]] = []
        for text in obsidian_filters:
            if len(text) > 2 and text.startswith("/") and text.endswith("/"):
                try:
                    regexes.append((text, compile_js(text[1:-1])))
                except QueryError:
                    continue  # Obsidian ignores a filter it cannot compile
            elif text:
                self._prefixes.append(text.lstrip("/"))
        self._regexes = tuple(regexes)
        self._dirs = tuple(d.strip("/") + "/" for d in extra_dirs if d.strip("/"))
        self._problems: list[str] = []

    @classmethod
    def for_vault(
        cls, root: Path, patterns: Iterable[str] = (), index_dir: Path | None = None
    ) -> Exclusions:
        """Exclusions for the vault at ``root``; a problem reading ``app.json`` is in
        :attr:`problems`."""
        filters, problem = read_obsidian_filters(root)
        extra: list[str] = []
        if index_dir is not None:
            # An index outside the vault (the default) needs no exclusion.
            with contextlib.suppress(ValueError):
                extra.append(Path(index_dir).resolve().relative_to(root.resolve()).as_posix())
        exclusions = cls(patterns, filters, extra)
        if problem is not None:
            exclusions._problems.append(problem)
        return exclusions

    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong with the configuration (reported against ``.obsidian/app.json``): an
        unreadable ``app.json``, filters dropped after a time-out. Grows during a run."""
        return tuple(self._problems)

    def excludes_dir(self, rel_dir: str) -> bool:
        name = rel_dir.rsplit("/", 1)[-1]
        if name in ALWAYS_EXCLUDED:
            return True
        slashed = rel_dir + "/"
        if any(slashed.startswith(d) for d in self._dirs):
            return True
        if any(slashed.startswith(prefix) for prefix in self._prefixes):
            return True
        return self._spec is not None and self._spec.match_file(slashed)

    def excludes_file(self, rel_path: str) -> bool:
        if any(rel_path.startswith(prefix) for prefix in self._prefixes):
            return True
        if self._regexes and self._matches_filter(rel_path):
            return True
        return self._spec is not None and self._spec.match_file(rel_path)

    def _matches_filter(self, rel_path: str) -> bool:
        for text, compiled in self._regexes:
            try:
                if compiled.search(rel_path, timeout=MATCH_TIMEOUT_S, concurrent=True):
                    return True
            except TimeoutError:
                self._drop(text)
        return False

    def _drop(self, text: str) -> None:
        # Several threads may time out on the same filter: the first one reports it.
        kept = tuple(pair for pair in self._regexes if pair[0] != text)
        if len(kept) == len(self._regexes):
            return
        self._regexes = kept
        shown = text if len(text) <= _SHOWN_PATTERN else text[:_SHOWN_PATTERN] + "…"
        self._problems.append(
            f"{APP_JSON}: excluded-files filter {shown} took over "
            f"{MATCH_TIMEOUT_S * 1000:.0f} ms on one path and is ignored until the next start"
        )


def read_obsidian_filters(root: Path) -> tuple[list[str], str | None]:
    """``userIgnoreFilters`` from ``.obsidian/app.json``: ``(filters, problem or None)``."""
    try:
        raw = read_config(root, APP_JSON)
    except ConfigReadError as exc:
        return [], str(exc)
    if raw is None:
        return [], None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return [], f"{APP_JSON} is not UTF-8 text"
    except json.JSONDecodeError as exc:
        return [], f"{APP_JSON} is not JSON: {exc}"
    filters = data.get("userIgnoreFilters") if isinstance(data, dict) else None
    if not isinstance(filters, list):
        return [], None
    return [item for item in filters if isinstance(item, str)], None
