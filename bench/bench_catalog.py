"""Time the catalog build (scan + parse + link) on generated vaults; report notes/s and peak RSS.

Usage::

    python bench/bench_catalog.py                       # 10k and 50k notes, vaults in /tmp
    python bench/bench_catalog.py --notes 10000 --runs 5
    python bench/bench_catalog.py --vault /path/to/vault

Vaults come from ``../shared/bench/gen_vault.py --vocab builtin`` (generated once, then reused).
Each size runs in a fresh child process so peak RSS is per size; the first run warms the page
cache and the best of the remaining runs is reported ("warm"), as wall time and as CPU time (the
CPU figure is the stable one on a shared machine). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from vaults import generated_vault  # bench/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent


def measure(vault: Path, runs: int) -> dict[str, object]:
    """Runs in the child: build the catalog ``runs`` times, report the timings."""
    sys.path.insert(0, str(ROOT))
    from server.vault.catalog import Catalog

    times: list[float] = []
    cpu: list[float] = []
    notes = 0
    summary: dict[str, object] = {}
    for _ in range(runs):
        started = time.perf_counter()
        cpu_started = time.process_time()
        catalog = Catalog.scan(vault)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        notes = len(catalog)
        summary = catalog.summary().to_dict()
        summary.pop("problems", None)
        del catalog
    warm = min(times[1:]) if len(times) > 1 else times[0]
    warm_cpu = min(cpu[1:]) if len(cpu) > 1 else cpu[0]
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "vault": str(vault),
        "notes": notes,
        "runs_s": [round(t, 3) for t in times],
        "cold_s": round(times[0], 3),
        "warm_s": round(warm, 3),
        "notes_per_s_warm": round(notes / warm),
        "cpu_s_warm": round(warm_cpu, 3),
        "notes_per_cpu_s_warm": round(notes / warm_cpu),
        "peak_rss_mb": round(peak_kb / 1024),
        "summary": summary,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, action="append", help="vault size (repeatable)")
    parser.add_argument("--vault", type=Path, help="an existing vault instead of generated ones")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", type=Path, default=Path("/tmp"))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.runs)))
        return 0
    vaults = (
        [args.vault]
        if args.vault
        else [
            generated_vault(n, args.base, f"vault{n // 1000}k")
            for n in (args.notes or [10_000, 50_000])
        ]
    )
    for vault in vaults:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(vault), "--runs", str(args.runs)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        result = json.loads(out.stdout)
        print(
            f"{result['notes']:>7} notes  warm {result['warm_s']:.2f} s  "
            f"{result['notes_per_s_warm']:>6} notes/s  (CPU {result['cpu_s_warm']:.2f} s, "
            f"{result['notes_per_cpu_s_warm']} notes/CPU-s)  cold {result['cold_s']:.2f} s  "
            f"peak RSS {result['peak_rss_mb']} MB  ({vault})"
        )
        print("         " + json.dumps(result["summary"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
