"""The Zettelkasten health checks on the fixture vault, hand-checked (now: 2024-06-15 12:00Z)."""

from __future__ import annotations

from typing import Any

import pytest

from query.records import NoteRecord
from server.dashboards.conventions import DashboardConfig
from server.dashboards.word_counts import WordCounter, count_words
from server.dashboards.zettel import zettel_dashboard
from tests.server.dashboards.vault import NOW, VAULT, fixture_index

INDEX = fixture_index()
CLUSTER = [
    "Zettel/Atomic notes.md",
    "Zettel/Evergreen notes.md",
    "Zettel/Linking.md",
    "Zettel/Note types.md",
    "Zettel/Spaced repetition.md",
]


def _zettel(**thresholds: float) -> dict[str, Any]:
    config = DashboardConfig().with_thresholds(thresholds)
    return zettel_dashboard(INDEX, config, NOW, WordCounter(VAULT))


@pytest.fixture(scope="module")
def zk() -> dict[str, Any]:
    return _zettel()


def test_kinds(zk: dict[str, Any]) -> None:
    # 35 notes minus the ignored template. Literature: two `type: literature` books and the
    # note under Sources/; permanent: the six under Zettel/; the map is named "… MOC".
    assert zk["notes"] == 34
    assert zk["kinds"] == {
        "daily": 1,
        "fleeting": 3,
        "literature": 3,
        "map": 1,
        "other": 20,
        "permanent": 6,
    }


def test_fleeting_waiting(zk: dict[str, Any]) -> None:
    # Idea: created 06-10 09:00 -> 123 h; the daily note: file.day 06-12 -> 84 h. Fresh (16 h)
    # is too young; Done idea is marked `processed: true`.
    assert zk["fleeting"] == [
        {
            "path": "Inbox/Idea.md",
            "kind": "fleeting",
            "created": "2024-06-10T09:00:00+00:00",
            "age_hours": 123.0,
        },
        {
            "path": "Daily/2024-06-12.md",
            "kind": "daily",
            "created": "2024-06-12T00:00:00+00:00",
            "age_hours": 84.0,
        },
    ]


@pytest.mark.parametrize(
    ("hours", "paths"),
    [
        (83.9, ["Inbox/Idea.md", "Daily/2024-06-12.md"]),
        (84, ["Inbox/Idea.md"]),
        (123, []),
        (10, ["Inbox/Idea.md", "Daily/2024-06-12.md", "Inbox/Fresh.md"]),
    ],
)
def test_fleeting_threshold(hours: float, paths: list[str]) -> None:
    assert [n["path"] for n in _zettel(fleeting_hours=hours)["fleeting"]] == paths


def test_orphans(zk: dict[str, Any]) -> None:
    assert [o["path"] for o in zk["orphans"]] == [
        "02-Areas/Health/Diet.md",
        "02-Areas/Health/Sleep.md",
        "1 Projects/Garden.md",
        "3. Resources/Books/Atomic Habits.md",
        "3. Resources/Cheatsheet.md",
        "3. Resources/Recipes/Pancakes.md",
        "Archive/2023 Trip.md",
        "Archive/Misc.md",
        "Archive/Old project/notes.md",
        "Inbox/Fresh.md",
        "Loose/Ancient.md",
        "Loose/Stray.md",
    ]


def test_no_outgoing_links(zk: dict[str, Any]) -> None:
    # linked to, but linking nowhere (orphans are listed once, under orphans)
    assert zk["no_outgoing"] == [
        "02-Areas/Finance/Budget.md",
        "02-Areas/Health/Running.md",
        "1 Projects/Old launch/Old launch.md",
        "3. Resources/Books/Deep Work.md",
        "Sources/Smith 2020.md",
        "Work/Thesis.md",
    ]


def test_too_long(zk: dict[str, Any]) -> None:
    # "# Long note" (2) + "Starts from [[Atomic notes]]." (4) + 3 × ("## Part n" (2) + 233 words)
    assert zk["too_long"] == [{"path": "Zettel/Long note.md", "words": 711, "headings": 4}]
    assert _zettel(max_words=711)["too_long"] == []
    assert _zettel(max_words=710)["too_long"][0]["words"] == 711


def test_too_long_skipped_without_word_counts() -> None:
    assert zettel_dashboard(INDEX, DashboardConfig(), NOW)["too_long"] is None


def test_cluster_without_map(zk: dict[str, Any]) -> None:
    # A 5-cycle plus one chord: 6 of 10 possible links. Long note and Smith 2020 hang off it by
    # one link each and are pruned; the MOC links to 2 of 5 (< 50 %).
    assert zk["clusters"] == [{"notes": CLUSTER, "size": 5, "density": 0.6, "map": None}]
    assert zk["clusters_without_map"] == zk["clusters"]


def test_cluster_thresholds() -> None:
    covered = _zettel(map_coverage=0.4)
    assert covered["clusters"][0]["map"] == "Maps/Learning MOC.md"
    assert covered["clusters_without_map"] == []
    assert _zettel(cluster_min_size=6)["clusters"] == []
    assert _zettel(cluster_min_density=0.61)["clusters"] == []
    assert len(_zettel(cluster_min_density=0.6)["clusters"]) == 1


def test_literature_without_permanent_links(zk: dict[str, Any]) -> None:
    # Smith 2020 is cited by Linking (permanent); Deep Work only by a project note.
    assert zk["literature_unlinked"] == [
        "3. Resources/Books/Atomic Habits.md",
        "3. Resources/Books/Deep Work.md",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("one two  three\nfour", 4),
        ("---\ntitle: a b c\n---\nbody text", 2),
        ("# Heading\n- item\n> quote", 3),
        ("before\n```python\nx = 1 + 2\n```\nafter", 2),
        ("a %% hidden words %% b <!-- also hidden --> c", 3),
        ("- [ ] task - — | #", 1),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_word_counter_caches_by_content_hash(tmp_path: Any) -> None:
    note = tmp_path / "n.md"
    note.write_text("one two three")
    counter = WordCounter(tmp_path)
    record = INDEX.get("Loose/Stray.md")
    assert record is not None
    fake = _with(record, path="n.md", content_hash="h1")
    assert counter(fake) == 3
    note.write_text("one")
    assert counter(fake) == 3  # same hash: cached
    assert counter(_with(fake, content_hash="h2")) == 1
    assert counter(_with(fake, path="missing.md", content_hash="h3")) == 0


def test_word_counter_never_reads_outside_the_vault(tmp_path: Any) -> None:
    # Issue #12: a note swapped for a symlink leaving the vault after it was indexed.
    vault = tmp_path / "vault"
    vault.mkdir()
    (tmp_path / "outside.md").write_text("one two three four five")
    (vault / "n.md").symlink_to(tmp_path / "outside.md")
    record = INDEX.get("Loose/Stray.md")
    assert record is not None
    assert WordCounter(vault)(_with(record, path="n.md", content_hash="h1")) == 0


def _with(record: NoteRecord, *, path: str | None = None, content_hash: str) -> NoteRecord:
    from dataclasses import replace

    return replace(record, path=path or record.path, content_hash=content_hash)
