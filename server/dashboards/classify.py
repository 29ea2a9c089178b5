"""What a single note is: its PARA bucket, its project, its project status, its Zettelkasten kind.

Pure functions of a :class:`~query.records.NoteRecord` and a
:class:`~server.dashboards.conventions.DashboardConfig`; the rollups (``para``, ``zettel``) build on
them, and so can the query engine's extra implicit fields (``file.para``, ``file.project``).

Precedence, highest first:

* bucket: frontmatter ``para:`` › ``none`` under an ignored folder (``Templates``) › the longest
  ``[para.folders]`` prefix › the top-level folder's name (``Projects``, ``01-Projects``, …) ›
  ``type: project`` (then ``projects``) › ``none``;
* project: a ``project`` field linking to a project › the first folder under a projects root (or
  the note itself when it sits directly in the root) › the note itself when it is a project
  (``type: project`` or ``para: project``);
* status: a status field (``status``, ``state``) › a tag whose last segment is a status word
  (``#done``, ``#status/paused``) › ``active``;
* kind: ``type:`` › tags › fleeting / daily folders › a date as the name (daily) › a map word in
  the name (``MOC``, ``Overview``) › literature / permanent folders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from query.records import NoteRecord
from query.values import Date, Link, Value
from server.dashboards.conventions import DashboardConfig, bucket_name, folder_key

__all__ = [
    "KINDS",
    "STATUSES",
    "Placement",
    "bucket_of",
    "created_at",
    "is_ignored",
    "kind_of",
    "own_project",
    "placement_of",
    "project_targets",
    "status_of",
    "status_word",
    "text_field",
]

STATUSES: tuple[str, ...] = ("active", "paused", "done")
KINDS: tuple[str, ...] = ("fleeting", "daily", "literature", "permanent", "map")

_STATUS_WORDS = {
    **dict.fromkeys(
        ("active", "ongoing", "in progress", "in-progress", "doing", "current", "open"), "active"
    ),
    **dict.fromkeys(
        ("paused", "on hold", "on-hold", "hold", "waiting", "someday", "inactive"), "paused"
    ),
    **dict.fromkeys(
        ("done", "completed", "complete", "finished", "closed", "cancelled", "canceled"), "done"
    ),
}
_KIND_WORDS = {
    "fleeting": "fleeting",
    "inbox": "fleeting",
    "daily": "daily",
    "literature": "literature",
    "reference": "literature",
    "permanent": "permanent",
    "evergreen": "permanent",
    "zettel": "permanent",
    "map": "map",
    "moc": "map",
}
_DATE_NAME = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Placement:
    """A note's bucket and, for the folder-convention buckets, the root folder it sits under."""

    bucket: str
    root: str | None  # "Projects", "02_Projects", a configured prefix; None when not by folder


def text_field(record: NoteRecord, key: str) -> str | None:
    """A field's value as text when it is a string (the first string of a list), else None."""
    value: Value = record.fields.get(key)
    if isinstance(value, list):
        value = next((item for item in _items(value) if isinstance(item, str)), None)
    return value.strip() if isinstance(value, str) else None


def _items(value: Value) -> list[Value]:
    """A field's values. A repeated key holds one element per occurrence and an occurrence may
    be a list (``project:: [[A]], [[B]]`` then ``project:: [[C]]``), so two levels are opened."""
    if not isinstance(value, list):
        return [value]
    out: list[Value] = []
    for item in value:
        if isinstance(item, list):
            out.extend(item)
        else:
            out.append(item)
    return out


def is_ignored(path: str, config: DashboardConfig) -> bool:
    if not config.ignore_folders or "/" not in path:
        return False
    return any(folder_key(part) in config.ignore_folders for part in path.split("/")[:-1])


def _folder_placement(path: str, config: DashboardConfig) -> Placement | None:
    lowered = path.casefold()
    for prefix, bucket in config.folders:
        if lowered.startswith(prefix + "/"):
            return Placement(bucket, path[: len(prefix)])
    if "/" in path:
        top = path.split("/", 1)[0]
        top_bucket = config.top_level_bucket(top)
        if top_bucket is not None:
            return Placement(top_bucket, top)
    return None


def placement_of(record: NoteRecord, config: DashboardConfig) -> Placement:
    override = bucket_name(record.frontmatter.get("para"))
    if override is not None:
        by_folder = _folder_placement(record.path, config)
        root = by_folder.root if by_folder is not None and by_folder.bucket == override else None
        return Placement(override, root)
    if is_ignored(record.path, config):
        return Placement("none", None)  # templates are not notes of any bucket
    by_folder = _folder_placement(record.path, config)
    if by_folder is not None:
        return by_folder
    if (text_field(record, "type") or "").casefold() == "project":
        return Placement("projects", None)
    return Placement("none", None)


def bucket_of(record: NoteRecord, config: DashboardConfig) -> str:
    return placement_of(record, config).bucket


def own_project(record: NoteRecord, config: DashboardConfig) -> str | None:
    """The project a note belongs to by its place or its type, ignoring ``project`` fields.

    The id is the project folder (``Projects/Website``) or the project note's path. Notes under
    ignored folders (templates) belong to none.
    """
    if is_ignored(record.path, config):
        return None
    placement = placement_of(record, config)
    if placement.bucket == "projects" and placement.root is not None:
        rest = record.path[len(placement.root) + 1 :]
        if "/" in rest:
            return f"{placement.root}/{rest.split('/', 1)[0]}"
        return record.path
    is_project_type = (text_field(record, "type") or "").casefold() == "project"
    if placement.bucket == "projects" or is_project_type:
        return record.path
    return None


def project_targets(record: NoteRecord) -> Iterable[Link | str]:
    """The values of a note's ``project`` field: links (already resolved) or names."""
    return [
        item
        for item in _items(record.fields.get("project"))
        if isinstance(item, (Link, str)) and item
    ]


def status_word(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _STATUS_WORDS.get(" ".join(value.strip().casefold().split()))


def status_of(record: NoteRecord, config: DashboardConfig) -> str | None:
    """The status a note states for its project, or None when it states none."""
    for key in config.status_fields:
        for item in _items(record.fields.get(key)):
            status = status_word(item)
            if status is not None:
                return status
    for tag in record.tags:
        status = status_word(tag.rsplit("/", 1)[-1].lstrip("#"))
        if status is not None:
            return status
    return None


def kind_of(record: NoteRecord, config: DashboardConfig) -> str | None:
    """The note's Zettelkasten kind (one of :data:`KINDS`), or None for an unclassified note."""
    for key in ("type", "kind"):
        kind = _KIND_WORDS.get((text_field(record, key) or "").casefold())
        if kind is not None:
            return kind
    for tag in record.etags:
        kind = _KIND_WORDS.get(tag.rsplit("/", 1)[-1].lstrip("#").casefold())
        if kind is not None:
            return kind
    folders = [folder_key(part) for part in record.path.split("/")[:-1]]
    if any(part in config.fleeting_folders for part in folders):
        return "fleeting"
    if any(part in config.daily_folders for part in folders) or _DATE_NAME.match(record.name):
        return "daily"
    words = {word.casefold() for word in _WORD.findall(record.name)}
    if words & set(config.map_names):
        return "map"
    if any(part in config.literature_folders for part in folders):
        return "literature"
    if any(part in config.permanent_folders for part in folders):
        return "permanent"
    return None


def created_at(record: NoteRecord) -> Date:
    """When a note was written: a ``created`` date field, else ``file.day``, else ``file.ctime``.

    The file system's creation time is the last resort because sync tools reset it.
    """
    for key in ("created", "date"):
        value: Value = record.fields.get(key)
        if isinstance(value, Date) and value.invalid is None:
            return value
    if record.day is not None and record.day.invalid is None:
        return record.day
    return record.ctime
