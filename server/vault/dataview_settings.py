"""The vault's own Dataview settings: ``.obsidian/plugins/dataview/data.json``.

Dataview keeps its settings there (when the plugin is installed), and some change what a query
shows (SPEC §13): ``renderNullAs``, ``defaultDateFormat``, ``defaultDateTimeFormat``,
``tableIdColumnName``, ``showResultCount``, ``maxRecursiveRenderDepth``… VaultQL reads them so a
vault answers as its Dataview does. :data:`DEFAULTS` are Dataview 0.5.70's ``DEFAULT_SETTINGS``,
under Dataview's own key names; a key the file lacks keeps its default, as Dataview's
``Object.assign(DEFAULT_SETTINGS, data)`` does.

The file is read through :func:`server.vault.reading.read_config` (contained in the vault, at
most 1 MB). A file that cannot be used — unreadable, a symlink leaving the vault, too large, not
UTF-8, not a JSON object — gives the defaults and a problem; a key with a value of the wrong type
keeps its default and is named in the problem. Nothing here raises for a bad file.

:class:`DataviewSettingsFile` reads it again whenever its ``stat`` changes (one ``stat`` per
call: the watcher ignores ``.obsidian/``), so an edit in Dataview's settings tab applies to the
next request.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from query.semantics import Settings
from server.vault.reading import ConfigReadError, read_config

__all__ = [
    "DATAVIEW_SETTINGS",
    "DEFAULTS",
    "DataviewSettings",
    "DataviewSettingsFile",
    "parse",
    "read",
]

DATAVIEW_SETTINGS = ".obsidian/plugins/dataview/data.json"

DEFAULTS: Mapping[str, bool | int | str] = {
    "renderNullAs": "\\-",
    "taskCompletionTracking": False,
    "taskCompletionUseEmojiShorthand": False,
    "taskCompletionText": "completion",
    "taskCompletionDateFormat": "yyyy-MM-dd",
    "recursiveSubTaskCompletion": False,
    "warnOnEmptyResult": True,
    "refreshEnabled": True,
    "refreshInterval": 2500,
    "defaultDateFormat": "MMMM dd, yyyy",
    "defaultDateTimeFormat": "h:mm a - MMMM dd, yyyy",
    "maxRecursiveRenderDepth": 4,
    "tableIdColumnName": "File",
    "tableGroupColumnName": "Group",
    "showResultCount": True,
    "allowHtml": True,
    "inlineQueryPrefix": "=",
    "inlineJsQueryPrefix": "$=",
    "inlineQueriesInCodeblocks": True,
    "enableInlineDataview": True,
    "enableDataviewJs": False,
    "enableInlineDataviewJs": False,
    "prettyRenderInlineFields": True,
    "prettyRenderInlineFieldsInLivePreview": True,
    "dataviewJsKeyword": "dataviewjs",
}
"""Dataview 0.5.70's ``DEFAULT_SETTINGS`` (``src/settings.ts``)."""

_KIND = {bool: "true or false", int: "a number", str: "a string"}


@dataclass(frozen=True, slots=True)
class DataviewSettings:
    """The settings in force: every key of :data:`DEFAULTS` (``values``, for ``/status``),
    the query package's :class:`~query.semantics.Settings` made from them, and why the file
    (or some of its keys) was not used, if it was not."""

    values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    settings: Settings = field(default_factory=Settings)
    problem: str | None = None


def parse(raw: bytes | None) -> DataviewSettings:
    """The settings a ``data.json`` holding ``raw`` gives (None: there is none)."""
    if raw is None:
        return DataviewSettings()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return DataviewSettings(
            problem=f"{DATAVIEW_SETTINGS} is not UTF-8 text; using the defaults"
        )
    except (json.JSONDecodeError, RecursionError) as exc:
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        return DataviewSettings(
            problem=f"{DATAVIEW_SETTINGS} is not JSON ({message}); using the defaults"
        )
    if not isinstance(data, dict):
        return DataviewSettings(
            problem=f"{DATAVIEW_SETTINGS} is not a JSON object; using the defaults"
        )
    values = dict(DEFAULTS)
    wrong: list[str] = []
    for key, default in DEFAULTS.items():
        if key not in data:
            continue
        value = data[key]
        if _fits(value, type(default)):
            values[key] = value
        else:
            wrong.append(f"{key} must be {_KIND[type(default)]}")
    problem = None
    if wrong:
        problem = f"{DATAVIEW_SETTINGS}: {'; '.join(wrong)}; using the default for these"
    return DataviewSettings(values, _query_settings(values), problem)


def _fits(value: Any, kind: type) -> bool:
    if kind is int:  # a JSON number (Dataview compares it as a JavaScript number)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        try:
            return math.isfinite(value)
        except OverflowError:  # an integer beyond any double
            return False
    return isinstance(value, kind)


def _query_settings(values: Mapping[str, Any]) -> Settings:
    return Settings(
        render_null_as=values["renderNullAs"],
        default_date_format=values["defaultDateFormat"],
        default_datetime_format=values["defaultDateTimeFormat"],
        table_id_column_name=values["tableIdColumnName"],
        table_group_column_name=values["tableGroupColumnName"],
        show_result_count=values["showResultCount"],
        max_recursive_render_depth=values["maxRecursiveRenderDepth"],
    )


def read(root: str | os.PathLike[str]) -> DataviewSettings:
    """The vault's settings, read now (the defaults and a problem when the file is unusable)."""
    try:
        raw = read_config(root, DATAVIEW_SETTINGS)
    except ConfigReadError as exc:
        return DataviewSettings(problem=f"{exc}; using the defaults")
    return parse(raw)


class DataviewSettingsFile:
    """The vault's settings, read again whenever the file's ``stat`` changes."""

    def __init__(self, root: Path) -> None:
        self._root = Path(root)
        self._path = self._root.joinpath(*DATAVIEW_SETTINGS.split("/"))
        self._lock = threading.Lock()
        self._stamp: object = _UNREAD
        self._current = DataviewSettings()

    def current(self) -> DataviewSettings:
        stamp = _stamp(self._path)
        if stamp == self._stamp:
            return self._current
        with self._lock:
            if stamp != self._stamp:
                # Stamped before the read: a change during it is read again next time.
                self._current = read(self._root)
                self._stamp = stamp
            return self._current


_UNREAD = object()


def _stamp(path: Path) -> tuple[int, ...] | None:
    """What changes when the file does (or None when there is none)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
