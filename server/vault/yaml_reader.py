"""Frontmatter: finding the YAML block at the top of a note and decoding it as Obsidian does.

Obsidian reads frontmatter with a YAML 1.2 parser, so unquoted dates stay *strings*, only
``true``/``false`` are booleans (``yes``/``no``/``on``/``off`` stay text), ``010`` is ten and
``1:30`` is text. PyYAML speaks YAML 1.1, so :class:`ObsidianLoader` is a subclass of the libyaml C
loader with the implicit resolvers replaced by the YAML 1.2 core schema ones (minus timestamps).
The YAML text is handed to python-frontmatter's YAML handler with that loader.

Only the block that starts on the first line with ``---`` and ends at the next ``---`` line counts.
Nothing here reads files; the caller passes the note's text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

_BASE_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ObsidianLoader(_BASE_LOADER):  # type: ignore[misc]
    """The C safe loader with YAML 1.2 core-schema scalars and no timestamp type."""


# Start from the safe loader's resolvers without bool/int/float/null/timestamp, then add the
# YAML 1.2 core schema ones.
_DROPPED = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
ObsidianLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
ObsidianLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
ObsidianLoader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
ObsidianLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
ObsidianLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _int_text(text: str) -> int | float:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    try:
        return sign * int(digits, 10)  # YAML 1.2: a leading zero is not octal
    except ValueError:  # over Python's 4,300 digits: a JavaScript number is Infinity there
        return sign * float(digits)


def _float_text(text: str) -> float:
    text = text.lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


def _bool_text(text: str) -> bool:
    return text.lower() == "true"


def _construct_int(loader: Any, node: Any) -> int | float:
    return _int_text(str(loader.construct_scalar(node)))


def _construct_float(loader: Any, node: Any) -> float:
    return _float_text(str(loader.construct_scalar(node)))


def _construct_bool(loader: Any, node: Any) -> bool:
    return _bool_text(str(loader.construct_scalar(node)))


def _construct_timestamp_as_text(loader: Any, node: Any) -> str:
    # An explicit ``!!timestamp`` tag: keep the text, as Obsidian's cache would.
    return str(loader.construct_scalar(node))


ObsidianLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
ObsidianLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
ObsidianLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
ObsidianLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)

_HANDLER = YAMLHandler()

# -- fast path ---------------------------------------------------------------------------------
# Most frontmatter is a flat list of "key: scalar" lines and simple lists. Building it through
# PyYAML's Python-level constructor costs ~0.1 ms per note; this reader handles exactly that
# subset (and returns None for anything else, which then goes to the real loader). A differential
# test checks it against ObsidianLoader.

# The value is everything after the blanks up to the last non-blank: ``(?:.*[^ \t])?`` finds
# its end by one backtrack from the line's end, where a lazy ``(.*?)[ \t]*$`` retried the blank
# run at each position (quadratic on a value holding a long run of spaces).
_FAST_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_ \-./]*+):(?:[ \t]++((?:.*[^ \t])?))?[ \t]*$")
_FAST_ITEM = re.compile(r"( *)-[ \t]++((?:.*[^ \t])?)[ \t]*$")
_PLAIN_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_BAD = re.compile(r"[\[\]{}#\"':]")


def _resolve_plain(text: str) -> Any:
    """A plain scalar as the YAML 1.2 core schema reads it (as ObsidianLoader's resolvers do).

    Each resolver applies only to the first characters given to ``add_implicit_resolver``, so
    only the patterns for the text's first character are tried (none for most keys)."""
    first = text[0]
    if first in "tTfF":
        return _bool_text(text) if _BOOL.match(text) else text
    if first in "nN~":
        return None if _NULL.match(text) else text
    if first in "-+.0123456789":
        if _INT.match(text):
            return _int_text(text)
        if _FLOAT.match(text):
            return _float_text(text)
    return text


def _fast_scalar(text: str, flow: bool) -> tuple[bool, Any]:
    if not text:
        return True, None
    first = text[0]
    if first == '"':
        if len(text) >= 2 and text.endswith('"') and '"' not in text[1:-1] and "\\" not in text:
            return True, text[1:-1]
        return False, None
    if first == "'":
        if len(text) >= 2 and text.endswith("'") and "'" not in text[1:-1]:
            return True, text[1:-1]
        return False, None
    if first in _PLAIN_BAD_START and not (first == "-" and len(text) > 1 and text[1].isdigit()):
        return False, None
    if ": " in text or " #" in text or "\t" in text or text.endswith(":") or text[0] in "=<":
        return False, None
    if flow and (_FLOW_BAD.search(text) or "," in text):
        return False, None
    return True, _resolve_plain(text)


def _fast_value(text: str) -> tuple[bool, Any]:
    if text.startswith("["):
        if not text.endswith("]"):
            return False, None
        inner = text[1:-1].strip()
        if not inner:
            return True, []
        items: list[Any] = []
        for part in inner.split(","):
            ok, value = _fast_scalar(part.strip(), True)
            if not ok or not part.strip():
                return False, None
            items.append(value)
        return True, items
    return _fast_scalar(text, False)


def fast_frontmatter(lines: list[str]) -> dict[str, Any] | None:
    """The frontmatter lines decoded when they use only the simple subset, else None."""
    out: dict[str, Any] = {}
    open_list: list[Any] | None = None
    open_key = ""
    item_indent = ""
    for line in lines:
        if not line or line[0] == " " or line[0] == "-":
            item = _FAST_ITEM.match(line) if line else None
            if item is None or not open_key:
                return None
            if open_list is None:
                item_indent = item.group(1)
            elif item.group(1) != item_indent:
                return None
            ok, value = _fast_scalar(item.group(2), False)
            if not ok:
                return None
            if open_list is None:
                open_list = []
                out[open_key] = open_list
            open_list.append(value)
            continue
        match = _FAST_KEY.match(line)
        if match is None:
            return None
        key = match.group(1)
        if key in out or key.endswith((" ", "-")) or _resolve_plain(key) is not key:
            return None
        open_list = None
        text = match.group(2)
        if text is None or not text:
            out[key] = None
            open_key = key
            continue
        open_key = ""
        ok, value = _fast_value(text)
        if not ok:
            return None
        out[key] = value
    return out


@dataclass(frozen=True, slots=True)
class Frontmatter:
    """The decoded block (``{}`` when absent or broken) and where the body starts."""

    data: dict[str, Any]
    body_start: int  # 0-based line index of the first body line
    error: str | None = None
    present: bool = False


def _is_fence(line: str) -> bool:
    return line.startswith("---") and not line[3:].strip(" \t\r")


def read_frontmatter(lines: list[str]) -> Frontmatter:
    """Decode the frontmatter at the top of ``lines`` (the note split on ``\\n``)."""
    if not lines or not _is_fence(lines[0]):
        return Frontmatter({}, 0)
    for end in range(1, len(lines)):
        line = lines[end]
        if line[:3] == "---" and _is_fence(line):  # a cheap test first: runs for every line
            break
    else:
        return Frontmatter({}, 0)
    data = fast_frontmatter(lines[1:end])
    if data is not None:
        data.pop("position", None)
        return Frontmatter(data, end + 1, None, True)
    text = "\n".join(lines[1:end])
    try:
        data = _HANDLER.load(text, Loader=ObsidianLoader)
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        return Frontmatter({}, end + 1, f"invalid YAML frontmatter: {message}", True)
    except (ValueError, TypeError, RecursionError) as exc:
        return Frontmatter({}, end + 1, f"invalid YAML frontmatter: {exc}", True)
    if data is None:
        return Frontmatter({}, end + 1, None, True)
    if not isinstance(data, dict):
        return Frontmatter({}, end + 1, "frontmatter is not a mapping", True)
    clean = {_key(key): value for key, value in data.items()}
    clean.pop("position", None)
    return Frontmatter(clean, end + 1, None, True)


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)
