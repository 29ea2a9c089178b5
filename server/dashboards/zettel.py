"""The Zettelkasten health dashboard: fleeting notes waiting, orphans, dead ends, notes too long to
be atomic, dense clusters without a map note, literature notes no permanent note builds on.

Pure: records, the link graph, a config and ``now`` in, JSON-able data out. Word counts need the
note text, which records do not carry, so the caller passes ``words`` (a function of a record; the
server's is :class:`server.dashboards.word_counts.WordCounter`). Notes under ignored folders
(``Templates``) are left out of every check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from query.index import VaultIndex
from query.records import NoteRecord
from query.values import Date
from server.dashboards.classify import created_at, is_ignored, kind_of
from server.dashboards.conventions import DashboardConfig
from server.dashboards.projects import days_between, iso

__all__ = ["WordCount", "clusters", "fleeting_waiting", "orphans", "zettel_dashboard"]

WordCount = Callable[[NoteRecord], int]


def _processed(record: NoteRecord) -> bool:
    """A fleeting note the user marked as dealt with (``processed: true`` or ``#processed``)."""
    return record.fields.get("processed") is True or any(
        tag.casefold() == "#processed" for tag in record.tags
    )


def fleeting_waiting(
    records: list[NoteRecord], kinds: dict[str, str | None], config: DashboardConfig, now: Date
) -> list[dict[str, Any]]:
    """Fleeting and daily notes older than the threshold and not marked processed, oldest first."""
    out: list[tuple[Date, dict[str, Any]]] = []
    for record in records:
        kind = kinds[record.path]
        if kind not in ("fleeting", "daily") or _processed(record):
            continue
        created = created_at(record)
        hours = days_between(created, now) * 24
        if hours > config.thresholds.fleeting_hours:
            item = {
                "path": record.path,
                "kind": kind,
                "created": iso(created),
                "age_hours": round(hours, 1),
            }
            out.append((created, item))
    out.sort(key=lambda pair: (pair[0].dt, pair[1]["path"]))
    return [item for _, item in out]


def orphans(records: list[NoteRecord], index: VaultIndex) -> list[str]:
    """Notes with no link to or from another note."""
    return [
        r.path for r in records if not index.linking_to(r.path) and not index.linked_from(r.path)
    ]


def clusters(
    records: list[NoteRecord],
    kinds: dict[str, str | None],
    index: VaultIndex,
    config: DashboardConfig,
) -> list[dict[str, Any]]:
    """Groups of at least ``cluster_min_size`` densely linked notes, each with its map note.

    The graph: links between notes (either direction), leaving out map, daily and fleeting
    notes. Pruning the notes with fewer than two neighbours (the 2-core) drops the loose ends
    that would chain every group together; each connected part left is a cluster when its
    density (links / possible links) reaches ``cluster_min_density``. Its map is a map note
    linking to at least ``map_coverage`` of the cluster's notes.
    """
    limits = config.thresholds
    eligible = {r.path for r in records if kinds[r.path] not in ("map", "daily", "fleeting")}
    graph: dict[str, set[str]] = {path: set() for path in eligible}
    for path in eligible:
        for target in index.linked_from(path):
            if target in eligible and target != path:
                graph[path].add(target)
                graph[target].add(path)
    _prune_to_2_core(graph)
    maps = [r.path for r in records if kinds[r.path] == "map"]
    out: list[dict[str, Any]] = []
    for component in _components(graph):
        size = len(component)
        if size < limits.cluster_min_size:
            continue
        edges = sum(len(graph[path]) for path in component) / 2
        density = edges / (size * (size - 1) / 2)
        if density < limits.cluster_min_density:
            continue
        # The map covering most of the cluster; ties go to the first path.
        covering = sorted(
            (-len(index.linked_from(m) & component), m)
            for m in maps
            if len(index.linked_from(m) & component) >= limits.map_coverage * size
        )
        best = covering[0][1] if covering else None
        out.append(
            {"notes": sorted(component), "size": size, "density": round(density, 4), "map": best}
        )
    out.sort(key=lambda cluster: cluster["notes"][0])
    return out


def _prune_to_2_core(graph: dict[str, set[str]]) -> None:
    weak = [path for path, neighbours in graph.items() if len(neighbours) < 2]
    while weak:
        path = weak.pop()
        if path not in graph:
            continue
        for neighbour in graph.pop(path):
            graph[neighbour].discard(path)
            if len(graph[neighbour]) < 2:
                weak.append(neighbour)


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    seen: set[str] = set()
    out: list[set[str]] = []
    for start in sorted(graph):
        if start in seen:
            continue
        component = {start}
        stack = [start]
        while stack:
            for neighbour in graph[stack.pop()]:
                if neighbour not in component:
                    component.add(neighbour)
                    stack.append(neighbour)
        seen |= component
        out.append(component)
    return out


def zettel_dashboard(
    index: VaultIndex, config: DashboardConfig, now: Date, words: WordCount | None = None
) -> dict[str, Any]:
    """The whole Zettelkasten health dashboard. Without ``words`` the length check is skipped
    (``too_long`` is null)."""
    limits = config.thresholds
    records = [record for record in index if not is_ignored(record.path, config)]
    kinds = {record.path: kind_of(record, config) for record in records}
    counts: dict[str, int] = {}
    for kind in kinds.values():
        counts[kind or "other"] = counts.get(kind or "other", 0) + 1
    orphan_paths = orphans(records, index)
    lone = set(orphan_paths)
    permanent = {path for path, kind in kinds.items() if kind == "permanent"}
    all_clusters = clusters(records, kinds, index, config)
    return {
        "now": iso(now),
        "thresholds": {
            "fleeting_hours": limits.fleeting_hours,
            "max_words": limits.max_words,
            "cluster_min_size": limits.cluster_min_size,
            "cluster_min_density": limits.cluster_min_density,
            "map_coverage": limits.map_coverage,
        },
        "notes": len(records),
        "kinds": dict(sorted(counts.items())),
        "fleeting": fleeting_waiting(records, kinds, config, now),
        "orphans": [
            {"path": path, "created": iso(created_at(r))}
            for path in orphan_paths
            if (r := index.get(path)) is not None
        ],
        "no_outgoing": [
            r.path for r in records if r.path not in lone and not index.linked_from(r.path)
        ],
        "too_long": None if words is None else _too_long(records, words, limits.max_words),
        "clusters": all_clusters,
        "clusters_without_map": [c for c in all_clusters if c["map"] is None],
        "literature_unlinked": [
            path
            for path, kind in sorted(kinds.items())
            if kind == "literature" and not (index.linking_to(path) & permanent)
        ],
    }


def _too_long(records: list[NoteRecord], words: WordCount, limit: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for record in records:
        # A note of n words has at least 2n - 1 bytes: skip reading the ones too short to count.
        if record.size < 2 * limit + 1:
            continue
        count = words(record)
        if count > limit:
            found.append({"path": record.path, "words": count, "headings": len(record.sections)})
    found.sort(key=lambda item: (-item["words"], item["path"]))
    return found
