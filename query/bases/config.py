"""A base's YAML (already loaded, with scalar positions) → :class:`BaseConfig` (SPEC §2).

Structure errors (a view that is not a mapping, a filter object with two keys, a ``limit`` that
is not a number…) are :class:`~query.errors.QuerySyntaxError` at their line and column in the
base. Expressions are kept as text with their :class:`~query.bases.errors.Where`, compiled by
:mod:`query.bases.view` only for the view asked for, so one broken view never breaks the others.
Unknown keys are kept (``extra``) and ignored; legacy (pre-1.9.2) shapes give a
``legacy_syntax`` diagnostic instead of a guess (SPEC §2.5).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from query.bases.compile import Diagnostic
from query.bases.errors import Where, syntax_error

__all__ = [
    "BaseConfig",
    "FilterNode",
    "PropertyId",
    "SortKey",
    "ViewConfig",
    "parse_base",
    "property_id",
]

Positions = Mapping[tuple[Any, ...], tuple[int, int, str]]
_TOP_KEYS = frozenset({"filters", "formulas", "properties", "summaries", "views"})
_VIEW_KEYS = frozenset(
    {"type", "name", "filters", "order", "sort", "groupBy", "limit", "summaries"}
)


@dataclass(frozen=True, slots=True)
class PropertyId:
    """``note.status``, ``file.name``, ``formula.ppu``: split at the first dot."""

    kind: str  # "note", "file" or "formula"
    name: str

    @property
    def id(self) -> str:
        return f"{self.kind}.{self.name}"


def property_id(text: str) -> PropertyId:
    text = str(text).strip()
    head, dot, rest = text.partition(".")
    if dot and head in ("note", "file", "formula") and rest:
        return PropertyId(head, rest)
    return PropertyId("note", text)


@dataclass(frozen=True, slots=True)
class FilterNode:
    """An expression (``op`` "expr", ``text``) or a group (``and``/``or``/``not``)."""

    op: str
    where: Where
    text: str = ""
    children: tuple[FilterNode, ...] = ()


@dataclass(frozen=True, slots=True)
class SortKey:
    property: PropertyId
    descending: bool


@dataclass(slots=True)
class ViewConfig:
    index: int
    type: str
    name: str
    filters: FilterNode | None = None
    order: list[PropertyId] = field(default_factory=list)
    sort: list[SortKey] = field(default_factory=list)
    group_by: SortKey | None = None
    limit: int | None = None
    summaries: dict[str, str] = field(default_factory=dict)  # property id -> summary name
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class BaseConfig:
    source: str
    name: str
    filters: FilterNode | None = None
    formulas: dict[str, tuple[str, Where]] = field(default_factory=dict)
    display_names: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, tuple[str, Where]] = field(default_factory=dict)
    views: list[ViewConfig] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def view(self, name: str | None) -> ViewConfig:
        """The view called ``name`` (None: the first); a default table view when there is none;
        :class:`~query.errors.QuerySemanticError` naming the views for an unknown name."""
        if name is None or name == "":
            return self.views[0] if self.views else ViewConfig(0, "table", "Table")
        for view in self.views:
            if view.name == name:
                return view
        from query.errors import QuerySemanticError

        known = ", ".join(repr(v.name) for v in self.views) or "none"
        raise QuerySemanticError(f"{self.name}: no view named {name!r} (views: {known})")


class _Reader:
    def __init__(self, source: str, positions: Positions, name: str) -> None:
        self.source = source
        self.positions = positions
        self.name = name
        self.diagnostics: list[Diagnostic] = []

    def where(self, path: tuple[Any, ...]) -> Where:
        label = _label(path)
        found = self.positions.get(path)
        if found is None:
            return Where(label, self.source or None, 1, 1, 0)
        line, column, style = found
        if style in ("'", '"'):
            return Where(label, self.source, line, column + 1, column)
        if style in ("|", ">"):
            lines = self.source.split("\n")
            if line < len(lines):
                following = lines[line]
                indent = len(following) - len(following.lstrip(" "))
                return Where(label, self.source, line + 1, indent + 1, indent)
        return Where(label, self.source, line, column, column - 1)

    def fail(self, message: str, path: tuple[Any, ...]) -> Exception:
        where = self.where(path)
        return syntax_error(f"{message}", where)

    def warn(self, code: str, message: str, path: tuple[Any, ...]) -> None:
        where = self.where(path)
        self.diagnostics.append(
            Diagnostic("warning", code, where.label, message, where.line, where.column)
        )

    # -- pieces ------------------------------------------------------------------------------

    def filter(self, value: Any, path: tuple[Any, ...]) -> FilterNode | None:
        if value is None:
            return None
        if isinstance(value, str | int | float | bool):
            return FilterNode(
                "expr",
                self.where(path),
                str(value).lower() if isinstance(value, bool) else str(value),
            )
        if isinstance(value, dict):
            keys = list(value)
            if len(keys) != 1 or keys[0] not in ("and", "or", "not"):
                raise self.fail(
                    "a filter group holds exactly one of and, or, not "
                    f"(found {', '.join(map(str, keys)) or 'nothing'})",
                    path,
                )
            op = keys[0]
            items = value[op]
            if items is None:
                items = []
            if not isinstance(items, list):
                items = [items]
            children = []
            for i, item in enumerate(items):
                child = self.filter(item, (*path, op, i))
                if child is not None:
                    children.append(child)
            return FilterNode(op, self.where(path), children=tuple(children))
        raise self.fail("a filter is an expression string or an and/or/not group", path)

    def expressions(
        self, value: Any, path: tuple[Any, ...], what: str
    ) -> dict[str, tuple[str, Where]]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping of name to expression", path)
        out: dict[str, tuple[str, Where]] = {}
        for key, text in value.items():
            if text is None:
                continue
            if not isinstance(text, str | int | float | bool):
                raise self.fail(f"{what}.{key} must be an expression string", (*path, key))
            out[str(key)] = (str(text), self.where((*path, key)))
        return out

    def sort_key(self, value: Any, path: tuple[Any, ...]) -> SortKey:
        if isinstance(value, str):
            return SortKey(property_id(value), False)
        if not isinstance(value, dict):
            raise self.fail("a sort entry is {property, direction}", path)
        prop = value.get("property", value.get("column"))
        if not isinstance(prop, str) or not prop.strip():
            raise self.fail("a sort entry needs a property", path)
        direction = str(value.get("direction", "ASC")).upper()
        if direction not in ("ASC", "DESC"):
            raise self.fail(
                f"direction must be ASC or DESC, not {value.get('direction')!r}",
                (*path, "direction"),
            )
        return SortKey(property_id(prop), direction == "DESC")

    def view(self, value: Any, index: int) -> ViewConfig:
        path: tuple[Any, ...] = ("views", index)
        if not isinstance(value, dict):
            raise self.fail("a view must be a mapping", path)
        view_type = str(value.get("type") or "table")
        name = value.get("name")
        view = ViewConfig(index, view_type, str(name) if name is not None else f"View {index + 1}")
        view.filters = self.filter(value.get("filters"), (*path, "filters"))
        order = value.get("order") or []
        if not isinstance(order, list):
            raise self.fail("order must be a list of property ids", (*path, "order"))
        view.order = [property_id(str(item)) for item in order if item is not None]
        sort = value.get("sort") or []
        if isinstance(sort, dict):
            sort = [sort]
        if not isinstance(sort, list):
            raise self.fail("sort must be a list of {property, direction}", (*path, "sort"))
        view.sort = [self.sort_key(item, (*path, "sort", i)) for i, item in enumerate(sort)]
        group = value.get("groupBy")
        if group is not None:
            view.group_by = self.sort_key(group, (*path, "groupBy"))
        limit = value.get("limit")
        if limit is not None:
            if (
                isinstance(limit, bool)
                or not isinstance(limit, int | float)
                or not math.isfinite(limit)
                or limit < 0
            ):
                raise self.fail("limit must be a whole number of rows", (*path, "limit"))
            view.limit = int(limit)
        summaries = value.get("summaries") or {}
        if not isinstance(summaries, dict):
            raise self.fail(
                "summaries must map property ids to summary names", (*path, "summaries")
            )
        view.summaries = {property_id(str(k)).id: str(v) for k, v in summaries.items()}
        view.extra = {k: v for k, v in value.items() if k not in _VIEW_KEYS}
        if "group_by" in value:
            self.warn(
                "legacy_syntax",
                "group_by is the pre-1.10 spelling; use groupBy",
                (*path, "group_by"),
            )
        return view


def _label(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_base(data: Any, positions: Positions, source: str, *, name: str = "base") -> BaseConfig:
    """Read a loaded base (see the module docstring)."""
    reader = _Reader(source, positions, name)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise reader.fail("a base is a YAML mapping (filters, formulas, properties, views…)", ())
    config = BaseConfig(source, name)
    config.filters = reader.filter(data.get("filters"), ("filters",))
    config.formulas = reader.expressions(data.get("formulas"), ("formulas",), "formulas")
    config.summaries = reader.expressions(data.get("summaries"), ("summaries",), "summaries")
    properties = data.get("properties") or {}
    if not isinstance(properties, dict):
        raise reader.fail(
            "properties must be a mapping of property id to settings", ("properties",)
        )
    for key, settings in properties.items():
        if isinstance(settings, dict) and "displayName" in settings:
            shown = settings["displayName"]
            config.display_names[property_id(str(key)).id] = "" if shown is None else str(shown)
    views = data.get("views") or []
    if not isinstance(views, list):
        raise reader.fail("views must be a list", ("views",))
    config.views = [reader.view(item, i) for i, item in enumerate(views)]
    config.extra = {k: v for k, v in data.items() if k not in _TOP_KEYS}
    if "display" in data:
        reader.warn(
            "legacy_syntax",
            "display is the pre-1.9.2 spelling; use properties.<id>.displayName",
            ("display",),
        )
    config.diagnostics = reader.diagnostics
    return config
