"""Which vault paths are not indexed.

Always excluded: ``.obsidian/``, ``.git/`` and ``.trash/`` (at any depth) and the index directory
when it lives inside the vault. On top of that, gitignore-style globs from the configuration
(``pathspec``) and Obsidian's own "Excluded files" (``userIgnoreFilters`` in
``.obsidian/app.json``). Obsidian filters are matched as it does: ``/regex/`` entries are regular
expressions searched in the path, anything else is a path prefix (``Templates/``).

Reading ``app.json`` is the only I/O here, and it is read-only.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pathspec

ALWAYS_EXCLUDED = frozenset({".obsidian", ".git", ".trash"})


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
        self._regexes: list[re.Pattern[str]] = []
        for text in obsidian_filters:
            if len(text) > 2 and text.startswith("/") and text.endswith("/"):
                try:
                    self._regexes.append(re.compile(text[1:-1]))
                except re.error:
                    continue  # Obsidian ignores a filter it cannot compile
            elif text:
                self._prefixes.append(text.lstrip("/"))
        self._dirs = tuple(d.strip("/") + "/" for d in extra_dirs if d.strip("/"))

    @classmethod
    def for_vault(
        cls, root: Path, patterns: Iterable[str] = (), index_dir: Path | None = None
    ) -> tuple[Exclusions, str | None]:
        """Exclusions for the vault at ``root``, and a problem reading ``app.json`` if any."""
        filters, problem = read_obsidian_filters(root)
        extra: list[str] = []
        if index_dir is not None:
            # An index outside the vault (the default) needs no exclusion.
            with contextlib.suppress(ValueError):
                extra.append(Path(index_dir).resolve().relative_to(root.resolve()).as_posix())
        return cls(patterns, filters, extra), problem

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
        if any(rx.search(rel_path) for rx in self._regexes):
            return True
        return self._spec is not None and self._spec.match_file(rel_path)


def read_obsidian_filters(root: Path) -> tuple[list[str], str | None]:
    """``userIgnoreFilters`` from ``.obsidian/app.json``: ``(filters, problem or None)``."""
    config = root / ".obsidian" / "app.json"
    try:
        raw = config.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], None
    except (OSError, UnicodeDecodeError) as exc:
        return [], f".obsidian/app.json unreadable: {exc}"
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return [], f".obsidian/app.json is not JSON: {exc}"
    filters = data.get("userIgnoreFilters") if isinstance(data, dict) else None
    if not isinstance(filters, list):
        return [], None
    return [item for item in filters if isinstance(item, str)], None
