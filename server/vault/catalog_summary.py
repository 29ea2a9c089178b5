"""The catalog's summary: counts of notes, links, tags, tasks and problems, for status pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from query.links import LinkResolver
from query.records import NoteRecord
from server.vault.scanner import Problem

__all__ = ["Summary", "summarize"]


@dataclass(frozen=True, slots=True)
class Summary:
    notes: int
    sections: int
    links_resolved: int
    links_unresolved: int
    tags: int  # distinct tags (file.tags)
    tasks: int
    list_items: int
    inline_fields: int
    excluded: int
    files_with_problems: int
    problems_by_kind: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "notes": self.notes,
            "sections": self.sections,
            "links": {"resolved": self.links_resolved, "unresolved": self.links_unresolved},
            "tags": self.tags,
            "tasks": self.tasks,
            "list_items": self.list_items,
            "inline_fields": self.inline_fields,
            "excluded": self.excluded,
            "files_with_problems": self.files_with_problems,
            "problems_by_kind": dict(self.problems_by_kind),
            "problems": [problem.to_dict() for problem in self.problems],
        }


def summarize(
    records: Iterable[NoteRecord],
    resolver: LinkResolver,
    inline_fields: int,
    excluded: int,
    problems: tuple[Problem, ...],
) -> Summary:
    notes = resolved = unresolved = sections = tasks = items = 0
    tags: set[str] = set()
    for record in records:
        notes += 1
        sections += len(record.sections)
        items += len(record.lists)
        tasks += sum(1 for item in record.lists if item.task)
        tags.update(record.tags)
        for link in record.outlinks:
            if link.path in resolver:
                resolved += 1
            else:
                unresolved += 1
    by_kind: dict[str, int] = {}
    for problem in problems:
        by_kind[problem.kind] = by_kind.get(problem.kind, 0) + 1
    return Summary(
        notes=notes,
        sections=sections,
        links_resolved=resolved,
        links_unresolved=unresolved,
        tags=len(tags),
        tasks=tasks,
        list_items=items,
        inline_fields=inline_fields,
        excluded=excluded,
        files_with_problems=len({p.path for p in problems}),
        problems_by_kind=by_kind,
        problems=problems,
    )
