"""Issue #12: a catastrophic "Excluded files" regex in ``.obsidian/app.json`` cannot freeze a
real ``vaultql serve`` — neither its start-up nor the walks of new folders after it."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from tests.conftest import ROOT
from tests.server.served import HealthProbe, Served, served

DEMO = ROOT / "fixtures" / "demo-vault"
FILTERS = ["/(a+)+$/", "/(a|aa)+$/", "Templates/"]
SLOW_NAME = "a" * 40 + "!.md"  # minutes of backtracking for both regexes without a time limit


def _slow_notes(server: Served) -> int:
    count: int = server.query("LIST WHERE slow").json()["count"]
    return count


def test_a_catastrophic_filter_neither_freezes_start_up_nor_new_folders(tmp_path: Path) -> None:
    vault = Path(shutil.copytree(DEMO, tmp_path / "vault", symlinks=True))
    (vault / ".obsidian" / "app.json").write_text(json.dumps({"userIgnoreFilters": FILTERS}))
    for folder in ("Inbox", "Projects"):
        (vault / folder).mkdir(exist_ok=True)
        (vault / folder / SLOW_NAME).write_text("slow:: 1\n")
    started = time.monotonic()
    with served(vault, tmp_path, watch=True) as server, server.client() as client:
        assert time.monotonic() - started < 20  # Python and the web stack included
        assert _slow_notes(server) == 2
        status = client.get("/api/v1/status").json()
        config = [p["message"] for p in status["problems"] if p["kind"] == "config"]
        assert len(config) == 1 and "/(a|aa)+$/" in config[0] and "ignored" in config[0]
        with HealthProbe(server.url) as probe:
            for n in range(5):  # each new folder is walked
                (vault / f"New {n}").mkdir()
                (vault / f"New {n}" / SLOW_NAME).write_text("slow:: 1\n")
            deadline = time.monotonic() + 15
            while _slow_notes(server) < 7:
                assert time.monotonic() < deadline, "the new folders were never indexed"
                time.sleep(0.1)
        probe.assert_responsive(1.0)
        # The plain prefix filter still applies.
        assert server.query('LIST FROM "Templates"').json()["count"] == 0
