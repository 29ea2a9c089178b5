"""The dashboard fixture vault (``fixtures/dashboard-vault``) with hand-set modification times.

File-system times cannot be committed, so the tests set them: in memory through
:meth:`Catalog.from_sources`, on disk (for the HTTP and browser tests) with ``os.utime`` on a
copy. Creation dates come from each note's ``created`` field, so ctime never matters. ``NOW`` is
the fixed "now" every test passes in; no test reads the clock.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from query.index import VaultIndex
from query.values import Date
from server.vault.catalog import Catalog, SourceFile

VAULT = Path(__file__).resolve().parents[3] / "fixtures" / "dashboard-vault"
NOW = Date(datetime(2024, 6, 15, 12, 0, tzinfo=UTC))
NOW_ISO = "2024-06-15T12:00:00+00:00"

MTIMES: dict[str, str] = {
    "1 Projects/Website/Website.md": "2024-06-05T00:00:00",
    "1 Projects/Website/Design notes.md": "2024-06-14T00:00:00",
    "1 Projects/Garden.md": "2024-04-01T12:00:00",
    "1 Projects/Old launch/Old launch.md": "2024-06-01T00:00:00",
    "1 Projects/Old launch/Retro.md": "2024-06-01T00:00:00",
    "Work/Thesis.md": "2024-05-01T00:00:00",
    "Work/Thesis chapter.md": "2024-05-20T00:00:00",
    "02-Areas/Health/Running.md": "2024-06-01T00:00:00",
    "02-Areas/Health/Diet.md": "2022-01-01T00:00:00",
    "02-Areas/Health/Sleep.md": "2024-05-01T00:00:00",
    "02-Areas/Finance/Taxes.md": "2023-01-01T00:00:00",
    "02-Areas/Finance/Budget.md": "2023-03-01T00:00:00",
    "Notes/Override.md": "2024-06-01T00:00:00",
    "3. Resources/Books/Deep Work.md": "2023-01-01T00:00:00",
    "3. Resources/Books/Atomic Habits.md": "2024-06-01T00:00:00",
    "3. Resources/Recipes/Pancakes.md": "2023-06-01T00:00:00",
    "3. Resources/Cheatsheet.md": "2024-06-10T00:00:00",
    "Archive/2023 Trip.md": "2024-01-10T00:00:00",
    "Archive/Old project/notes.md": "2024-02-10T00:00:00",
    "Archive/Misc.md": "2023-11-30T00:00:00",
}
DEFAULT_MTIME = "2024-06-01T00:00:00"


def mtime_ms(path: str) -> float:
    text = MTIMES.get(path, DEFAULT_MTIME)
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000


def sources(root: Path = VAULT) -> list[SourceFile]:
    out = []
    for file in sorted(root.rglob("*")):
        if file.is_file() and file.suffix == ".md":
            rel = file.relative_to(root).as_posix()
            out.append(SourceFile(rel, file.read_bytes(), mtime_ms(rel), mtime_ms(rel)))
    return out


def fixture_index(root: Path = VAULT) -> VaultIndex:
    catalog = Catalog.from_sources(sources(root), local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


def copy_vault(target: Path) -> Path:
    """A copy of the fixture vault with the hand-set modification times applied on disk."""
    shutil.copytree(VAULT, target)
    for file in target.rglob("*.md"):
        seconds = mtime_ms(file.relative_to(target).as_posix()) / 1000
        os.utime(file, (seconds, seconds))
    return target
