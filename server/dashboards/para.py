"""The PARA dashboard: every note's bucket, the projects' rollups, areas, resources, archives.

Pure: a :class:`~query.index.VaultIndex` snapshot, a
:class:`~server.dashboards.conventions.DashboardConfig` and ``now`` in, JSON-able data out. No file
access and no clock: ``now`` is a parameter, so the same snapshot always gives the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from query.index import VaultIndex
from query.records import NoteRecord
from query.values import Date, Link, Value
from server.dashboards.classify import placement_of
from server.dashboards.conventions import BUCKETS, DashboardConfig
from server.dashboards.projects import days_between, iso, project_rollup, projects

__all__ = [
    "NoteFacts",
    "archives_rollup",
    "areas_rollup",
    "dql_file_fields",
    "note_facts",
    "para_dashboard",
]


@dataclass(frozen=True, slots=True)
class NoteFacts:
    """What the dashboards add to a note; the query engine can expose it as ``file.para`` etc."""

    path: str
    para: str  # one of BUCKETS
    project: str | None  # the project id (folder or project note path)
    status: str | None  # the project's status, for project members


def note_facts(index: VaultIndex, config: DashboardConfig) -> dict[str, NoteFacts]:
    """Every note's bucket, project and project status, by path."""
    by_note = {path: p for p in projects(index, config) for path in p.members}
    out: dict[str, NoteFacts] = {}
    for record in index:
        project = by_note.get(record.path)
        out[record.path] = NoteFacts(
            record.path,
            placement_of(record, config).bucket,
            project.id if project is not None else None,
            project.status if project is not None else None,
        )
    return out


def dql_file_fields(index: VaultIndex, config: DashboardConfig) -> dict[str, dict[str, Value]]:
    """The extra implicit fields for DQL, by path: ``file.para`` (a bucket name),
    ``file.project`` (a link to the project note, or the project folder's path as text; null
    outside projects) and ``file.status`` (the project's status, or null). None of these names
    is a field Dataview defines on ``file``."""
    out: dict[str, dict[str, Value]] = {}
    for path, facts in note_facts(index, config).items():
        project: Value = None
        if facts.project is not None:
            is_note = index.get(facts.project) is not None
            project = Link(facts.project) if is_note else facts.project
        out[path] = {"para": facts.para, "project": project, "status": facts.status}
    return out


def _group(record: NoteRecord, root: str | None) -> str:
    """The folder a note is counted under: the first folder below its bucket root, the root
    itself for notes directly in it, else the note's own folder ("" is the vault root)."""
    if root is None:
        return record.folder
    rest = record.path[len(root) + 1 :]
    return f"{root}/{rest.split('/', 1)[0]}" if "/" in rest else root


def _by_bucket(
    index: VaultIndex, config: DashboardConfig
) -> dict[str, list[tuple[str, NoteRecord]]]:
    """Bucket -> (group folder, record) pairs."""
    out: dict[str, list[tuple[str, NoteRecord]]] = {bucket: [] for bucket in BUCKETS}
    for record in index:
        placement = placement_of(record, config)
        out[placement.bucket].append((_group(record, placement.root), record))
    return out


def areas_rollup(
    notes: list[tuple[str, NoteRecord]], config: DashboardConfig, now: Date
) -> list[dict[str, Any]]:
    limits = config.thresholds
    groups: dict[str, list[NoteRecord]] = {}
    for group, record in notes:
        groups.setdefault(group, []).append(record)
    out: list[dict[str, Any]] = []
    for area, records in sorted(groups.items()):
        untouched = sum(
            1 for r in records if days_between(r.mtime, now) > limits.area_untouched_days
        )
        share = untouched / len(records)
        out.append(
            {
                "area": area,
                "notes": len(records),
                "last_activity": iso(max((r.mtime for r in records), key=lambda d: d.dt)),
                "untouched": untouched,
                "untouched_share": round(share, 4),
                "dumping_ground": share >= limits.dumping_share,
            }
        )
    return out


def resources_rollup(
    notes: list[tuple[str, NoteRecord]], config: DashboardConfig, now: Date
) -> dict[str, Any]:
    limits = config.thresholds
    unreviewed = sorted(
        (
            record
            for _, record in notes
            if days_between(record.mtime, now) > limits.resource_unreviewed_days
        ),
        key=lambda record: (record.mtime.dt, record.path),
    )
    sizes: dict[str, int] = {}
    for group, _ in notes:
        sizes[group] = sizes.get(group, 0) + 1
    largest = sorted(sizes.items(), key=lambda pair: (-pair[1], pair[0]))
    return {
        "total": len(notes),
        "unreviewed": len(unreviewed),
        "unreviewed_notes": [
            {"path": record.path, "last_activity": iso(record.mtime)} for record in unreviewed
        ],
        "largest_folders": [
            {"folder": folder, "notes": count}
            for folder, count in largest[: limits.largest_folders]
        ],
    }


def archives_rollup(notes: list[tuple[str, NoteRecord]]) -> dict[str, Any]:
    """Archived notes counted by the year and quarter they were archived: an ``archived`` date
    field when the note has one, else its last modification."""
    by_year: dict[str, int] = {}
    by_quarter: dict[str, int] = {}
    for _, record in notes:
        archived = record.fields.get("archived")
        when = archived if isinstance(archived, Date) and archived.invalid is None else record.mtime
        year = str(when.dt.year)
        quarter = f"{year}-Q{(when.dt.month - 1) // 3 + 1}"
        by_year[year] = by_year.get(year, 0) + 1
        by_quarter[quarter] = by_quarter.get(quarter, 0) + 1
    return {
        "total": len(notes),
        "by_year": dict(sorted(by_year.items())),
        "by_quarter": dict(sorted(by_quarter.items())),
    }


def para_dashboard(
    index: VaultIndex, config: DashboardConfig, now: Date, *, include_notes: bool = False
) -> dict[str, Any]:
    """The whole PARA dashboard. ``include_notes`` adds every note's bucket and project."""
    buckets = _by_bucket(index, config)
    rollups = [project_rollup(p, index, config, now) for p in projects(index, config)]
    out: dict[str, Any] = {
        "now": iso(now),
        "thresholds": {
            "stale_days": config.thresholds.stale_days,
            "area_untouched_days": config.thresholds.area_untouched_days,
            "dumping_share": config.thresholds.dumping_share,
            "resource_unreviewed_days": config.thresholds.resource_unreviewed_days,
            "largest_folders": config.thresholds.largest_folders,
        },
        "counts": {bucket: len(notes) for bucket, notes in buckets.items()},
        "projects": rollups,
        "areas": areas_rollup(buckets["areas"], config, now),
        "resources": resources_rollup(buckets["resources"], config, now),
        "archives": archives_rollup(buckets["archives"]),
    }
    if include_notes:
        out["notes"] = [
            {"path": f.path, "para": f.para, "project": f.project, "status": f.status}
            for f in note_facts(index, config).values()
        ]
    return out
