"""The dashboards' conventions and thresholds, and reading them from ``.vaultql.toml``.

The user writes ``.vaultql.toml`` at the vault root; VaultQL only ever reads it. Every key is
optional; a missing file means the defaults. Folder names are matched case-insensitively and in
their numbered forms (``Projects`` also matches ``1 Projects``, ``01-Projects``, ``02_Projects``,
``1. Projects``). The format (all keys shown with their defaults)::

    [para]
    projects  = ["Projects"]               # top-level folder names per bucket
    areas     = ["Areas"]
    resources = ["Resources"]
    archives  = ["Archives", "Archive"]
    status_fields = ["status", "state"]    # fields that hold a project's status

    [para.folders]                         # path prefix -> bucket; the longest prefix wins and
    # "04_Literature" = "resources"        # beats the top-level names ("none" opts a folder out)

    [thresholds]
    stale_days = 14                        # a project with no activity for longer is stale
    area_untouched_days = 365              # an area note not edited for longer is "untouched"
    dumping_share = 0.5                    # an area with at least this share untouched is flagged
    resource_unreviewed_days = 180
    largest_folders = 5                    # how many resource folders to list
    fleeting_hours = 48                    # fleeting notes older than this wait to be processed
    max_words = 600                        # above this a note is too long to be atomic
    cluster_min_size = 5
    cluster_min_density = 0.4              # links / possible links inside a cluster
    map_coverage = 0.5                     # a map note must link to at least this share
    review_days = 7                        # "new" orphans: created within this many days

    [zettelkasten]
    fleeting_folders   = ["fleeting", "inbox"]
    daily_folders      = ["daily", "daily notes", "dailies"]
    literature_folders = ["literature", "references", "sources"]
    permanent_folders  = ["zettelkasten", "zettel", "permanent", "evergreen", "slipbox"]
    map_names          = ["moc", "map", "index", "overview", "hub"]   # words in a note's name

Per note, frontmatter ``para:`` (project, area, resource, archive, none — singular or plural)
overrides every folder rule, and ``type:`` (project, fleeting, literature, permanent, map) or the
same words as tags classify a note. Problems in the file raise :class:`ConfigError`; the API turns
that into a 400 naming the key. The file is read like every vault file
(:func:`server.vault.reading.read_config`): a symlink leaving the vault is refused without being
opened further, and a file over 1 MB is an error.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from server import errors
from server.vault.reading import ConfigReadError, read_config

__all__ = [
    "BUCKETS",
    "CONFIG_NAME",
    "ConfigError",
    "DashboardConfig",
    "Thresholds",
    "bucket_name",
    "folder_key",
    "load_config",
    "parse_config",
]

CONFIG_NAME = ".vaultql.toml"
BUCKETS: tuple[str, ...] = ("projects", "areas", "resources", "archives", "none")

_BUCKET_ALIASES = {
    "project": "projects",
    "projects": "projects",
    "area": "areas",
    "areas": "areas",
    "resource": "resources",
    "resources": "resources",
    "archive": "archives",
    "archives": "archives",
    "archived": "archives",
    "none": "none",
}

# "1 Projects", "01-Projects", "02_Projects", "1. Projects", "1) Projects" -> "projects"
_NUMBER_PREFIX = re.compile(r"^\d+\s*[.)_-]?\s*")


class ConfigError(errors.ConfigError, ValueError):
    """``.vaultql.toml`` is not valid TOML or holds a key of the wrong type or value."""


@functools.lru_cache(maxsize=65536)  # folder names repeat across every note and every rollup
def folder_key(name: str) -> str:
    """A folder name reduced for matching: numbered prefix dropped, case folded, spaces squeezed."""
    stripped = _NUMBER_PREFIX.sub("", name.strip())
    return " ".join((stripped or name).casefold().split())


def bucket_name(value: object) -> str | None:
    """The canonical bucket for a user-written word (``project`` -> ``projects``), else None."""
    if not isinstance(value, str):
        return None
    return _BUCKET_ALIASES.get(value.strip().casefold())


@dataclass(frozen=True, slots=True)
class Thresholds:
    stale_days: float = 14
    area_untouched_days: float = 365
    dumping_share: float = 0.5
    resource_unreviewed_days: float = 180
    largest_folders: int = 5
    fleeting_hours: float = 48
    max_words: int = 600
    cluster_min_size: int = 5
    cluster_min_density: float = 0.4
    map_coverage: float = 0.5
    review_days: float = 7

    def with_overrides(self, overrides: Mapping[str, object]) -> Thresholds:
        """A copy with some thresholds replaced (from query parameters or the CLI); checked."""
        return replace(self, **_checked_thresholds(overrides, "threshold "))


def _names(*values: str) -> tuple[str, ...]:
    return tuple(folder_key(value) for value in values)


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    projects: tuple[str, ...] = _names("Projects")
    areas: tuple[str, ...] = _names("Areas")
    resources: tuple[str, ...] = _names("Resources")
    archives: tuple[str, ...] = _names("Archives", "Archive")
    status_fields: tuple[str, ...] = ("status", "state")
    folders: tuple[tuple[str, str], ...] = ()  # (lower-cased path prefix, bucket), longest first
    thresholds: Thresholds = field(default_factory=Thresholds)
    fleeting_folders: tuple[str, ...] = _names("fleeting", "inbox")
    daily_folders: tuple[str, ...] = _names("daily", "daily notes", "dailies")
    literature_folders: tuple[str, ...] = _names("literature", "references", "sources")
    permanent_folders: tuple[str, ...] = _names(
        "zettelkasten", "zettel", "permanent", "evergreen", "slipbox"
    )
    map_names: tuple[str, ...] = ("moc", "map", "index", "overview", "hub")
    ignore_folders: tuple[str, ...] = _names("templates")

    def top_level_bucket(self, folder: str) -> str | None:
        key = folder_key(folder)
        for bucket in ("projects", "areas", "resources", "archives"):
            if key in getattr(self, bucket):
                return bucket
        return None

    def with_thresholds(self, overrides: Mapping[str, object]) -> DashboardConfig:
        return replace(self, thresholds=self.thresholds.with_overrides(overrides))


def load_config(vault_root: Path) -> DashboardConfig:
    """The configuration of the vault at ``vault_root``: defaults when the file is absent."""
    try:
        raw = read_config(vault_root, CONFIG_NAME)
    except ConfigReadError as exc:
        raise ConfigError(str(exc)) from None
    if raw is None:
        return DashboardConfig()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{CONFIG_NAME}: {exc}") from exc
    return parse_config(data)


def parse_config(data: Mapping[str, Any]) -> DashboardConfig:
    """A configuration from parsed TOML (see the module docstring for the keys)."""
    _only(data, {"ignore_folders", "para", "thresholds", "zettelkasten"}, "")
    para = _table(data, "para")
    zettel = _table(data, "zettelkasten")
    _only(para, {"projects", "areas", "resources", "archives", "status_fields", "folders"}, "para.")
    _only(
        zettel,
        {
            "fleeting_folders",
            "daily_folders",
            "literature_folders",
            "permanent_folders",
            "map_names",
        },
        "zettelkasten.",
    )
    config = DashboardConfig()
    changes: dict[str, Any] = {}
    for key in ("projects", "areas", "resources", "archives"):
        if key in para:
            changes[key] = _names(*_strings(para[key], f"para.{key}"))
    if "status_fields" in para:
        changes["status_fields"] = tuple(_strings(para["status_fields"], "para.status_fields"))
    if "folders" in para:
        changes["folders"] = _folder_map(para["folders"])
    for key in ("fleeting_folders", "daily_folders", "literature_folders", "permanent_folders"):
        if key in zettel:
            changes[key] = _names(*_strings(zettel[key], f"zettelkasten.{key}"))
    if "ignore_folders" in data:
        changes["ignore_folders"] = _names(*_strings(data["ignore_folders"], "ignore_folders"))
    if "map_names" in zettel:
        names = _strings(zettel["map_names"], "zettelkasten.map_names")
        changes["map_names"] = tuple(name.casefold() for name in names)
    thresholds = Thresholds(**_checked_thresholds(_table(data, "thresholds"), "thresholds."))
    return replace(config, thresholds=thresholds, **changes)


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{CONFIG_NAME}: [{key}] must be a table")
    return value


def _only(data: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    # A typo ("stale_day") silently ignored would leave the user wondering; name it instead.
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{CONFIG_NAME}: unknown key {prefix}{key}")


def _strings(value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{CONFIG_NAME}: {key} must be a list of strings")
    return list(value)


def _folder_map(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{CONFIG_NAME}: [para.folders] must be a table of prefix = bucket")
    out: list[tuple[str, str]] = []
    for prefix, bucket in value.items():
        canonical = bucket_name(bucket)
        if canonical is None:
            raise ConfigError(
                f"{CONFIG_NAME}: para.folders.{prefix!r} must be one of {', '.join(BUCKETS)}"
            )
        out.append((prefix.strip("/").casefold(), canonical))
    out.sort(key=lambda pair: -len(pair[0]))
    return tuple(out)


def _checked_thresholds(values: Mapping[str, object], prefix: str) -> dict[str, Any]:
    """``values`` checked; errors name each as ``{prefix}{key}`` (``thresholds.stale_days`` in
    the file, ``threshold stale_days`` for overrides)."""
    known = {f.name: f.type for f in fields(Thresholds)}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            if prefix.endswith("."):
                raise ConfigError(f"{CONFIG_NAME}: unknown key {prefix}{key}")
            raise ConfigError(f"unknown {prefix}{key!r}")
        integral = known[key] == "int"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{prefix}{key} must be a number")
        if integral and value != int(value):
            raise ConfigError(f"{prefix}{key} must be a whole number")
        if value < 0 or value != value:
            raise ConfigError(f"{prefix}{key} must be a non-negative number")
        out[key] = int(value) if integral else float(value)
    return out
