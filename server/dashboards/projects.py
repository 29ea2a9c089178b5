"""Projects: which notes make up each project, and each project's rollup.

A project is a folder under a projects root (``Projects/Website``), a note directly in a projects
root, or a note with ``type: project`` (or ``para: project``) anywhere. A note joins a project
through its folder, or through a ``project`` field linking to (or naming) a project note.

Pure: a :class:`~query.index.VaultIndex`, a config and ``now`` in, plain JSON-able data out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from query.index import VaultIndex
from query.records import ListItem, NoteRecord
from query.temporal.dates import start_of_day
from query.values import Date, Link
from server.dashboards.classify import (
    bucket_of,
    kind_of,
    own_project,
    project_targets,
    status_of,
    text_field,
)
from server.dashboards.conventions import DashboardConfig

__all__ = [
    "Project",
    "days_between",
    "is_open",
    "iso",
    "note_projects",
    "overdue_tasks",
    "project_members",
    "project_rollup",
    "projects",
    "task_due",
]

# Tasks plugin statuses that close a task: done and cancelled. Everything else is still open
# ("/" in progress, ">" forwarded, "?" question …).
_CLOSED = frozenset({"x", "X", "-"})
_DUE_KEYS = ("due", "duetime", "dueday")


@dataclass(frozen=True, slots=True)
class Project:
    id: str  # the project folder, or the project note's path
    name: str
    kind: str  # "folder" or "note"
    note: str | None  # the note that describes the project, when there is one
    members: tuple[str, ...]  # paths, sorted
    status: str


def iso(date: Date | None) -> str | None:
    return None if date is None else date.dt.isoformat()


def days_between(earlier: Date, now: Date) -> float:
    return (now.dt - earlier.dt).total_seconds() / 86400.0


def task_due(item: ListItem) -> Date | None:
    for key in _DUE_KEYS:
        value = item.fields.get(key)
        if isinstance(value, Date) and value.invalid is None:
            return value
    return None


def is_open(item: ListItem) -> bool:
    return item.task and item.status not in _CLOSED


def overdue_tasks(records: list[NoteRecord], now: Date) -> list[dict[str, Any]]:
    """Open tasks due before the start of ``now``'s day, earliest due first."""
    today = start_of_day(now).dt
    found: list[tuple[Date, NoteRecord, ListItem]] = []
    for record in records:
        for item in record.tasks:
            due = task_due(item)
            if is_open(item) and due is not None and due.dt < today:
                found.append((due, record, item))
    found.sort(key=lambda entry: (entry[0].dt, entry[1].path, entry[2].line))
    return [_task_json(item, due) for due, _, item in found]


def _task_json(item: ListItem, due: Date | None) -> dict[str, Any]:
    return {"path": item.path, "line": item.line, "text": item.text, "due": iso(due)}


def _field_project(record: NoteRecord, index: VaultIndex, config: DashboardConfig) -> str | None:
    for target in project_targets(record):
        path = target.path if isinstance(target, Link) else index.resolve(target, record.path)
        linked = index.get(path) if path is not None else None
        if linked is not None and linked.path != record.path:
            project = own_project(linked, config)
            if project is not None:
                return project
    return None


def project_members(index: VaultIndex, config: DashboardConfig) -> dict[str, list[str]]:
    """Project id -> member note paths (path order), for every note that belongs to a project."""
    members: dict[str, list[str]] = {}
    for record in index:
        project = _field_project(record, index, config) or own_project(record, config)
        if project is not None:
            members.setdefault(project, []).append(record.path)
    return dict(sorted(members.items()))


def projects(index: VaultIndex, config: DashboardConfig) -> list[Project]:
    out: list[Project] = []
    for project_id, paths in project_members(index, config).items():
        records = [record for path in paths if (record := index.get(path)) is not None]
        is_note = index.get(project_id) is not None
        name = project_id.rsplit("/", 1)[-1]
        if is_note:
            name = name[:-3] if name.endswith(".md") else name
            note: str | None = project_id
        else:
            note = _folder_note(name, records, config)
        status = _project_status(note, records, index, config)
        kind = "note" if is_note else "folder"
        out.append(Project(project_id, name, kind, note, tuple(paths), status))
    return out


def _folder_note(folder: str, records: list[NoteRecord], config: DashboardConfig) -> str | None:
    """The folder's own note: named like the folder, else the first ``type: project`` note."""
    for record in records:
        if record.name.casefold() == folder.casefold() and "/" in record.path:
            return record.path
    for record in records:
        if (text_field(record, "type") or "").casefold() == "project":
            return record.path
    return None


def _project_status(
    note: str | None, records: list[NoteRecord], index: VaultIndex, config: DashboardConfig
) -> str:
    note_record = index.get(note) if note is not None else None
    if note_record is not None:
        status = status_of(note_record, config)
        if status is not None:
            return status
    for record in records:
        status = status_of(record, config)
        if status is not None:
            return status
    return "active"


def project_rollup(
    project: Project, index: VaultIndex, config: DashboardConfig, now: Date
) -> dict[str, Any]:
    records = [record for path in project.members if (record := index.get(path)) is not None]
    last = max((record.mtime for record in records), key=lambda date: date.dt)
    inactive = days_between(last, now)
    tasks = [item for record in records for item in record.tasks]
    open_tasks = [item for item in tasks if is_open(item)]
    archived = all(bucket_of(record, config) == "archives" for record in records)
    overdue = overdue_tasks(records, now)
    return {
        "id": project.id,
        "name": project.name,
        "kind": project.kind,
        "note": project.note,
        "status": project.status,
        "notes": len(records),
        "last_activity": iso(last),
        "days_inactive": round(inactive, 2),
        "tasks_open": len(open_tasks),
        "tasks_total": len(tasks),
        "overdue_count": len(overdue),
        "overdue": overdue,
        "next_action": _next_action(open_tasks),
        "stale": project.status != "done" and inactive > config.thresholds.stale_days,
        "archived": archived,
        "done_not_archived": project.status == "done" and not archived,
        "concepts": _concepts(project, index, config),
    }


def _next_action(open_tasks: list[ListItem]) -> dict[str, Any] | None:
    """The first open task by due date (undated ones last), then by file order."""
    if not open_tasks:
        return None

    def order(item: ListItem) -> tuple[int, float, str, int]:
        due = task_due(item)
        return (due is None, due.epoch_ms if due is not None else 0.0, item.path, item.line)

    first = min(open_tasks, key=order)
    return _task_json(first, task_due(first))


def _concepts(project: Project, index: VaultIndex, config: DashboardConfig) -> list[str]:
    """Notes outside the project it links to that hold ideas: permanent, literature and map
    notes, and resources."""
    members = set(project.members)
    found: set[str] = set()
    for path in project.members:
        for target in index.linked_from(path):
            record = index.get(target)
            if target in members or record is None:
                continue
            idea = kind_of(record, config) in ("permanent", "literature", "map")
            if idea or bucket_of(record, config) == "resources":
                found.add(target)
    return sorted(found)


def note_projects(index: VaultIndex, config: DashboardConfig) -> Mapping[str, Project]:
    """Note path -> the project it belongs to."""
    return {path: project for project in projects(index, config) for path in project.members}
