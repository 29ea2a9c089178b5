"""VaultQL's extra implicit DQL fields — ``file.para``, ``file.project``, ``file.status`` — kept
up to date snapshot by snapshot.

Computing them for a whole vault costs about 15 µs per note (projects need every note), too much
to repeat on every edit of a large vault. Most edits touch notes that belong to no project, and
such a note's fields depend only on itself: its bucket comes from its folder and frontmatter, and
it has no project or status. So an edit of such notes (before and after the edit) updates just
those notes; anything else — a project note or member changed, notes added or removed, which can
change how links resolve — recomputes everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from query.index import VaultIndex
from query.records import NoteRecord
from query.values import Value
from server.dashboards.classify import own_project, placement_of, project_targets
from server.dashboards.conventions import DashboardConfig
from server.dashboards.para import dql_file_fields

Extras = dict[str, dict[str, Value]]


class FileFields:
    """The extra fields of the latest snapshot, and how to update them for the next one."""

    def __init__(self, config: DashboardConfig) -> None:
        self.config = config
        self.extras: Extras = {}

    def full(self, index: VaultIndex) -> Extras:
        self.extras = dql_file_fields(index, self.config)
        return self.extras

    def update(
        self,
        previous: VaultIndex,
        index: VaultIndex,
        changed: Iterable[str],
        removed: Iterable[str],
    ) -> Extras:
        """The extras for ``index``, which differs from ``previous`` in ``changed``/``removed``."""
        changed, removed = list(changed), list(removed)
        if removed or not self.extras:
            return self.full(index)
        records: list[NoteRecord] = []
        for path in changed:
            new, old = index.get(path), previous.get(path)
            if new is None or old is None:  # a note appeared: link resolution may differ
                return self.full(index)
            if self._in_a_project(new) or self._in_a_project(old):
                return self.full(index)
            records.append(new)
        extras = dict(self.extras)
        for record in records:
            extras[record.path] = {
                "para": placement_of(record, self.config).bucket,
                "project": None,
                "status": None,
            }
        self.extras = extras
        return extras

    def _in_a_project(self, record: NoteRecord) -> bool:
        """Whether the note is, or may be, part of a project (by place, type or a project link)."""
        if own_project(record, self.config) is not None:
            return True
        return any(True for _ in project_targets(record))
