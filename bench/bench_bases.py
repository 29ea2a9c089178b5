#!/usr/bin/env python3
"""Bases latency on generated vaults: three typical bases, p50 and max per base.

Usage: .venv/bin/python bench/bench_bases.py [--notes 10000 50000] [--repeat 15]

Vaults come from ../shared/bench/gen_vault.py --vocab builtin (cached under bench/.vaults/). The
catalog is built once per vault; each base runs ``--repeat`` times after one warm-up run, as the
server runs it (``VaultApp.base``: the YAML read and parsed, the view evaluated under the query
limits, the result encoded as JSON). Targets (issue 17): p50 ≤ 5 ms / max ≤ 25 ms at 10k notes;
p50 ≤ 30 ms at 50k. Not a test: timing on shared machines is noisy.

The bases: a folder + tag filter with two formulas and a sort; a group-by with summaries; a
``file.hasLink(this)`` backlinks base.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaults import generated_vault  # noqa: E402  (bench/ is the script's folder)

BASES = {
    "folder+tag, 2 formulas, sort": (
        'filters:\n  and:\n    - file.inFolder("Projects")\n    - \'file.hasTag("far")\'\n'
        "formulas:\n  overdue: 'due && date(due) < today() && status != \"done\"'\n"
        "  weight: 'priority * 2 + file.name.length'\n"
        "views:\n  - type: table\n    name: Open\n"
        "    order: [file.name, status, due, formula.overdue, formula.weight]\n"
        "    sort:\n      - property: formula.weight\n        direction: DESC\n"
    ),
    "groupBy + summaries": (
        'filters: file.inFolder("Projects")\n'
        "views:\n  - type: table\n    name: By status\n    order: [file.name, status, priority]\n"
        "    groupBy:\n      property: status\n      direction: ASC\n"
        "    summaries:\n      priority: Average\n      status: Unique\n"
    ),
    "backlinks (file.hasLink(this))": (
        "filters: file.hasLink(this)\nviews:\n  - type: list\n    order: [file.name]\n"
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    from server.application.vault_app import AppOptions, VaultApp

    for notes in args.notes:
        vault = generated_vault(notes, ROOT / "bench" / ".vaults")
        started = time.perf_counter()
        app = VaultApp(vault, AppOptions(search=False, cache=True))
        app.load()
        print(f"\n{notes} notes: loaded in {time.perf_counter() - started:.1f} s")
        index = app.live.snapshot().index
        # `this` for the backlinks base: a note at the 90th percentile of backlinks (the most
        # linked-to note of a generated vault is a hub with thousands).
        linked = sorted((len(index.linking_to(p)), p) for p in index.paths if index.linking_to(p))
        this = linked[int(len(linked) * 0.9)][1]
        for name, text in BASES.items():
            app.base(yaml=text, this=this)  # warm-up (and the first Bases view of the revision)
            times = []
            count = 0
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                body = app.base(yaml=text, this=this)
                times.append((time.perf_counter() - t0) * 1000)
                count = body["count"]
            print(
                f"  {name:34} rows {count:6}  p50 {statistics.median(times):7.2f} ms  "
                f"max {max(times):7.2f} ms"
            )
        app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
