"""Obsidian's "Excluded files" filters: JavaScript regexes with a time limit (issue #12)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from server.vault.catalog import Catalog
from server.vault.exclusions import APP_JSON, Exclusions

# Catastrophic backtracking on a name of a's that does not end the way the pattern wants: each
# takes minutes without a time limit. The first is the issue's; the regex engine defuses it, the
# second it cannot.
CATASTROPHIC = ["/(a+)+$/", "/(a|aa)+$/"]
SLOW_NAME = "a" * 40 + "!.md"


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_catastrophic_filter_is_dropped_at_its_first_time_out(pattern: str) -> None:
    exclusions = Exclusions(obsidian_filters=[pattern, "/\\.excalidraw\\.md$/"])
    started = time.monotonic()
    assert not exclusions.excludes_file(SLOW_NAME)
    for _ in range(100):  # a new folder, another walk: never slow again
        exclusions.excludes_file(SLOW_NAME)
    assert time.monotonic() - started < 2  # about 50 ms of it, once, on a quiet machine
    assert exclusions.excludes_file("x.excalidraw.md")  # the other filter still works
    assert len(exclusions.problems) <= 1
    if exclusions.problems:
        assert exclusions.problems[0].startswith(f"{APP_JSON}: excluded-files filter {pattern}")


def test_filters_are_javascript_regexes() -> None:
    # JS: \d is ASCII only, $ is the very end.
    exclusions = Exclusions(obsidian_filters=["/^\\d+\\.md$/", "/draft$/"])
    assert exclusions.excludes_file("2024.md")
    assert not exclusions.excludes_file("٢٠٢٤.md")
    assert not exclusions.excludes_file("draft\n")


def test_a_vault_scan_with_a_catastrophic_filter_is_prompt_and_reports_it(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "app.json").write_text(
        json.dumps({"userIgnoreFilters": ["/(a|aa)+$/"]})
    )
    for folder in range(20):
        (tmp_path / f"f{folder}").mkdir()
        (tmp_path / f"f{folder}" / SLOW_NAME).write_text("x")
    started = time.monotonic()
    catalog = Catalog.scan(tmp_path)
    assert time.monotonic() - started < 5
    assert len(catalog) == 20
    config = [p for p in catalog.problems if p.kind == "config"]
    assert [p.path for p in config] == [APP_JSON]
    assert "/(a|aa)+$/" in config[0].message and "ignored" in config[0].message
