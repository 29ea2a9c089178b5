#!/usr/bin/env python3
"""One-shot CLI commands on a generated vault: the first ``vaultql query`` (cold: scan, parse,
write the catalog cache) and the next ones (warm: the cache, a stat of every file, no reads).

Usage: .venv/bin/python bench/bench_cli.py [--notes 5000] [--runs 7]

Target (issue 13): a second ``vaultql query`` on a 5k-note vault answers in ≤ 0.5 s wall. Also
prints where an in-process warm load spends its time. Not a test: timings on shared machines
are noisy; quote the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaults import generated_vault  # noqa: E402  (bench/ is the script's folder)

QUERY = "LIST FROM #project LIMIT 3"


def _run(vault: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "vaultql"), "query", str(vault), QUERY],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _phases(vault: Path) -> str:
    """A warm load in this process, phase by phase (seconds)."""
    from query.engine import execute
    from query.index import VaultIndex
    from server.application.catalog_sync import warm_scan
    from server.application.vault_app import AppOptions, VaultApp

    app = VaultApp(vault, AppOptions(one_shot=True, search=False))
    live = app.live
    assert live.cache is not None
    t0 = time.perf_counter()
    loaded = live.cache.load()
    t1 = time.perf_counter()
    result = warm_scan(live.vault, loaded.state, local=live.local, exclusions=live.exclusions)
    t2 = time.perf_counter()
    catalog = result.catalog
    index = VaultIndex(catalog.records(), catalog.resolver, file_extras=live._file_fields.full)
    t3 = time.perf_counter()
    execute(QUERY, index, env=app.env(), limits=app.limits())
    t4 = time.perf_counter()
    return (
        f"cache load {t1 - t0:.3f}  stat scan {t2 - t1:.3f}  index {t3 - t2:.3f}  "
        f"query {t4 - t3:.3f}  (reused {result.reused}, parsed {result.reparsed})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    vault = generated_vault(args.notes, ROOT / "bench" / ".vaults")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        cold = _run(vault, env)
        warm = [_run(vault, env) for _ in range(args.runs)]
        os.environ["XDG_CACHE_HOME"] = cache
        print(f"{args.notes} notes: first vaultql query {cold:.2f} s (cold)")
        print(
            f"next ones: median {statistics.median(warm):.2f} s, min {min(warm):.2f} s, "
            f"max {max(warm):.2f} s over {len(warm)}"
        )
        print("in-process warm load:", _phases(vault))


if __name__ == "__main__":
    main()
