"""The one JSON encoding of every answer, for every surface.

:func:`dumps` is what the web app sends; :func:`pretty` is what the CLI prints (``--json``) and
``vaultql get`` prints of a response: the same data, indented, so a command and the matching
route give the same bytes. Typed values are already cells here (``query.results.json_cell``:
``{"type": "link", …}``); raw frontmatter may still hold YAML types JSON does not know, which are
written as their text.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["dumps", "pretty"]

_OPTIONS = orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    return str(value)


def dumps(data: Any) -> bytes:
    """Compact JSON (the HTTP responses)."""
    return orjson.dumps(data, default=_default, option=_OPTIONS)


def pretty(data: Any) -> str:
    """Indented JSON with a final newline (what the command line prints)."""
    return (
        orjson.dumps(data, default=_default, option=_OPTIONS | orjson.OPT_INDENT_2).decode() + "\n"
    )
