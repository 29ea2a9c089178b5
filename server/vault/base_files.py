"""Reading what Bases needs from disk: ``.base`` files and ``base`` code blocks, property types,
attachment facts. Read-only; every read goes through :mod:`server.vault.reading` (contained in
the vault, size-limited).

- :func:`load_base_yaml` parses a base's YAML with PyYAML into plain data plus the 1-based
  position of every scalar (``{("views", 0, "filters"): (line, column, style)}``), so an error
  inside an expression is reported at its line and column in the file; a malformed YAML is a
  positioned :class:`~query.errors.QuerySyntaxError`, and so are aliases that would expand past
  :data:`MAX_ALIAS_NODES` values ("billion laughs") or that sit inside their own anchor.
- :func:`base_blocks` finds the fenced code blocks whose info string is ``base`` in a note's
  text (what ``vaultql base VAULT --block NOTE:N`` addresses), with their first line.
- :func:`read_property_types` reads ``.obsidian/types.json`` (``{"types": {name: type}}``).
- :func:`attachment_facts` stats one attachment (size, ctime, mtime), contained in the vault.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from query.errors import QuerySyntaxError, caret_context
from server.vault.reading import ConfigReadError, read_config, stamp_of

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_BASE_BYTES",
    "TYPES_JSON",
    "BaseBlock",
    "Positions",
    "attachment_facts",
    "base_blocks",
    "load_base_yaml",
    "read_property_types",
]

MAX_BASE_BYTES = 4 * 1024 * 1024  # a base larger than this is refused with a clear error
TYPES_JSON = ".obsidian/types.json"
Positions = dict[tuple[Any, ...], tuple[int, int, str]]
_FENCE = re.compile(r"^([ \t]{0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$")


class _Loader(yaml.SafeLoader):
    """Safe YAML; every scalar keeps its start mark."""


MAX_ALIAS_NODES = 100_000
"""Nodes a base may build by repeating anchored values through aliases (``*a``): a few hundred
bytes of nested aliases ("billion laughs") would otherwise expand to billions of nodes."""


class _Builder:
    """Plain data and the position of every node, from a composed YAML node graph.

    An alias is the very node its anchor holds, so a nested alias expands to a tree far larger
    than the text. Every node visited again (through an alias) is counted, and more than
    :data:`MAX_ALIAS_NODES` such visits is an error at the alias; an alias inside its own anchor
    (a cycle) is one too. The work is therefore bounded by the text plus that many nodes."""

    def __init__(self, loader: _Loader, marks: Positions) -> None:
        self.loader = loader
        self.marks = marks
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.repeated = 0

    def build(self, node: yaml.Node, path: tuple[Any, ...] | None) -> Any:
        key = id(node)
        if key in self.active:
            raise ConstructorError(
                None, None, "an alias refers to the value that holds it", node.start_mark
            )
        if key in self.seen:
            self.repeated += 1
            if self.repeated > MAX_ALIAS_NODES:
                raise ConstructorError(
                    None,
                    None,
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} values",
                    node.start_mark,
                )
        else:
            self.seen.add(key)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            self.active.add(key)
            try:
                return self._collection(node, path)
            finally:
                self.active.discard(key)
        value = self.loader.construct_object(node, deep=True)
        if path is not None:
            style = getattr(node, "style", None) or ""
            self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1, style)
        if not isinstance(value, str | int | float | bool) and value is not None:
            value = str(value)  # YAML dates and the like: their text
        return value

    def _collection(self, node: yaml.MappingNode | yaml.SequenceNode, path: Any) -> Any:
        out: Any
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, None)
                key = str(key) if not isinstance(key, str) else key
                out[key] = self.build(value_node, None if path is None else (*path, key))
            kind = "map"
        else:
            out = [
                self.build(item, None if path is None else (*path, i))
                for i, item in enumerate(node.value)
            ]
            kind = "list"
        if path is not None:
            self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1, kind)
        return out


def load_base_yaml(text: str, *, name: str = "base") -> tuple[Any, Positions]:
    """``(data, positions)`` of a base's YAML; :class:`QuerySyntaxError` at the bad line."""
    if len(text.encode("utf-8", "replace")) > MAX_BASE_BYTES:
        raise QuerySyntaxError(
            f"{name}: the base is larger than {MAX_BASE_BYTES // (1024 * 1024)} MB; "
            "Obsidian would not load it either"
        )
    marks: Positions = {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, marks
        data = _Builder(loader, marks).build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        problem = exc.problem or "invalid YAML"
        raise QuerySyntaxError(
            f"{name}: invalid YAML: {problem}",
            line=line,
            column=column,
            context=caret_context(text, line, column),
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise QuerySyntaxError(f"{name}: invalid YAML: {exc}", line=1, column=1) from None
    finally:
        loader.dispose()
    return data, marks


@dataclass(frozen=True, slots=True)
class BaseBlock:
    """The ``index``-th (1-based) ``base`` code block of a note: its YAML and the 1-based line of
    its first YAML line in the note."""

    index: int
    text: str
    line: int


def base_blocks(note_text: str) -> list[BaseBlock]:
    """Every fenced code block with the info string ``base`` (in order)."""
    lines = note_text.split("\n")
    out: list[BaseBlock] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i].rstrip("\r"))
        if match is None:
            i += 1
            continue
        fence, info = match.group(2), match.group(3).lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            body.append(lines[j].rstrip("\r"))
            j += 1
        if info == "base":
            out.append(BaseBlock(len(out) + 1, "\n".join(body), i + 2))
        i = j + 1
    return out


def read_property_types(vault: Path) -> tuple[dict[str, str], str | None]:
    """``.obsidian/types.json``'s ``types`` map and a problem, if any."""
    try:
        raw = read_config(vault, TYPES_JSON)
    except ConfigReadError as exc:
        return {}, str(exc)
    if raw is None:
        return {}, None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, f"{TYPES_JSON} is not JSON: {exc}"
    types = data.get("types") if isinstance(data, dict) else None
    if not isinstance(types, dict):
        return {}, None
    return {str(k): str(v) for k, v in types.items() if isinstance(v, str)}, None


def attachment_facts(vault: Path, path: str) -> tuple[int, float, float] | None:
    """``(size, ctime ms, mtime ms)`` of the vault file ``path``; None when it is gone or its
    real path leaves the vault."""
    root = os.path.realpath(vault)
    full = os.path.join(root, *path.split("/"))
    try:
        real = os.path.realpath(full)
        if not (real == root or real.startswith(root + os.sep)):
            return None
        return stamp_of(os.stat(real))
    except OSError:
        return None
