"""Member and index access: ``value.name`` and ``value[key]`` for every Bases type (SPEC §6–7).

Files expose their fields (``name``, ``path``, ``tags``, ``links``…) and, through a file
reference, the file's note properties (1.9.7); ``this`` exposes note properties and ``this.file``.
Dates expose ``year`` … ``millisecond``; durations their whole ``days``, ``hours``… (truncated
toward zero); strings and lists ``length``; objects their keys. Null gives null; anything else
is an error value naming the type, as the app's is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from query.bases.moment import span_as
from query.bases.semantics import type_name
from query.bases.values import ErrorValue, FileRef, Moment, Span, Value

if TYPE_CHECKING:
    from query.bases.context import Context

__all__ = ["FILE_FIELDS", "file_field", "get_index", "get_member"]

FILE_FIELDS = frozenset(
    {
        "name",
        "basename",
        "path",
        "folder",
        "ext",
        "size",
        "ctime",
        "mtime",
        "tags",
        "links",
        "embeds",
        "backlinks",
        "properties",
        "file",
    }
)
_SPAN_FIELDS = {
    "years": "y",
    "months": "M",
    "weeks": "w",
    "days": "d",
    "hours": "h",
    "minutes": "m",
    "seconds": "s",
    "milliseconds": "ms",
}


def _trunc(value: float) -> int:
    return math.trunc(value)


def split_name(path: str) -> tuple[str, str]:
    """``(stem, ext)`` of the file name at ``path``: after the last dot (``"LICENSE"`` has
    none, ``.gitignore`` has the extension ``gitignore``)."""
    base = path.rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot:
        return base, ""
    return stem, ext


def file_field(path: str, name: str, ctx: Context) -> Value:
    """``file.<name>`` of the file at ``path`` (a known field)."""
    vault = ctx.vault
    base = path.rsplit("/", 1)[-1]
    stem, ext = split_name(path)
    if name == "name":
        return stem if ext == "md" else base
    if name == "basename":
        return stem
    if name == "path":
        return path
    if name == "folder":
        return path.rsplit("/", 1)[0] if "/" in path else ""
    if name == "ext":
        return ext
    if name in ("size", "ctime", "mtime"):
        facts = vault.facts(path)
        if facts is None:
            return None
        return facts[("size", "ctime", "mtime").index(name)]
    if name == "tags":
        return list(vault.tags(path))
    if name == "links":
        return list(vault.links(path))
    if name == "embeds":
        return vault.embeds(path)
    if name == "backlinks":
        return vault.backlinks(path)
    if name == "properties":
        return dict(vault.properties(path))
    if name == "file":
        return FileRef(path)
    return None


def get_member(value: Value, name: str, ctx: Context) -> Value:
    if value is None:
        return None
    if isinstance(value, ErrorValue):
        return value
    if isinstance(value, FileRef):
        if value.context:
            if name == "file":
                return FileRef(value.path)
            if name == "note":
                return dict(ctx.vault.properties(value.path))
            return ctx.vault.property(value.path, name)
        if name in FILE_FIELDS:
            return file_field(value.path, name, ctx)
        return ctx.vault.property(value.path, name)
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, str | list) and name == "length":
        return len(value)
    if isinstance(value, Moment):
        dt = value.dt
        fields = {
            "year": dt.year,
            "month": dt.month,
            "day": dt.day,
            "hour": dt.hour,
            "minute": dt.minute,
            "second": dt.second,
            "millisecond": dt.microsecond // 1000,
        }
        if name in fields:
            return fields[name]
    if isinstance(value, Span) and name in _SPAN_FIELDS:
        return _trunc(span_as(value, _SPAN_FIELDS[name]))
    return ErrorValue(f'Cannot find "{name}" on type {type_name(value)}')


def get_index(value: Value, key: Value, ctx: Context) -> Value:
    if value is None:
        return None
    if isinstance(value, ErrorValue):
        return value
    if isinstance(key, ErrorValue):
        return key
    if isinstance(value, list | str):
        if isinstance(key, int | float) and not isinstance(key, bool):
            if float(key).is_integer() and 0 <= key < len(value):
                return value[int(key)]
            return None
        if isinstance(key, str) and key == "length":
            return len(value)
        return None
    if isinstance(value, dict):
        return value.get(key) if isinstance(key, str) else None
    if isinstance(value, FileRef) and isinstance(key, str):
        return get_member(value, key, ctx)
    if isinstance(key, str):
        return get_member(value, key, ctx)
    return None
