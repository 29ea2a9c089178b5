"""Field reads of the note classifier over repeated keys, whose occurrences may be lists."""

from __future__ import annotations

from query.values import Link
from server.dashboards.classify import project_targets, status_of, text_field
from server.dashboards.conventions import DashboardConfig
from tests.server.vault.test_markdown import note


def test_repeated_keys_are_read_through_their_list_occurrences() -> None:
    record = note(
        "---\nproject: ['[[A]]', '[[B]]']\nstatus: [someday]\ntype: [7]\n---\n"
        "project:: [[C]]\nstatus:: active\ntype:: map\n"
    )
    assert record.fields["project"] == [[Link("A"), Link("B")], Link("C")]
    assert project_targets(record) == [Link("A"), Link("B"), Link("C")]
    assert status_of(record, DashboardConfig()) == "paused"
    assert text_field(record, "type") == "map"
