#!/usr/bin/env python3
"""Query latency on generated vaults: a fixed mix of 12 DQL queries, p50 and max per query.

Usage: .venv/bin/python bench/bench_query.py [--notes 10000 50000] [--repeat 15]

Vaults come from ../shared/bench/gen_vault.py --vocab builtin (cached under bench/.vaults/). The
catalog is built once per vault; each query runs ``--repeat`` times after one warm-up run. Targets
(issue 3): p50 ≤ 5 ms and max ≤ 25 ms at 10k notes; p50 ≤ 30 ms and max ≤ 150 ms at 50k.
Not a test: timing on shared machines is noisy, so this prints figures for the README.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaults import generated_vault  # noqa: E402  (bench/ is the script's folder)

from query.engine import Limits, execute  # noqa: E402
from query.index import VaultIndex  # noqa: E402
from query.semantics import Env  # noqa: E402
from query.temporal.dates import date_from_epoch_ms  # noqa: E402
from query.values import Link  # noqa: E402
from server.application.process_memory import resident_bytes  # noqa: E402
from server.vault.catalog import Catalog  # noqa: E402
from server.vault.local_zone import local_zone  # noqa: E402

# What the server runs every query with (server.web.settings defaults): the time limit, the memory
# budget and the row limit are checked while the query runs, so they are part of its cost.
SERVER_LIMITS = Limits(
    max_rows=50_000,
    timeout_s=10.0,
    clock=time.perf_counter,
    max_memory=512 * 1024 * 1024,
    memory=resident_bytes,
)


def query_mix(index: VaultIndex) -> list[tuple[str, str]]:
    """The 12 queries; the tag and link target are the vault's most used ones (deterministic)."""
    tags = Counter(tag for record in index for tag in record.etags)
    tag = tags.most_common(1)[0][0]
    targets = Counter(
        link.path
        for record in index
        for link in record.outlinks
        if index.get(link.path) is not None
    )
    popular = targets.most_common(1)[0][0]
    name = popular.rsplit("/", 1)[-1].removesuffix(".md")
    return [
        ("tag source", f"LIST FROM {tag}"),
        ("folder + WHERE", 'TABLE status, priority FROM "Projects" WHERE status = "blocked"'),
        ("SORT + LIMIT, whole vault", "TABLE file.mtime SORT file.mtime DESC LIMIT 10"),
        ("TASK with dates", "TASK WHERE !completed AND due AND due < date(2024-06-01)"),
        ("GROUP BY", 'TABLE length(rows) AS n FROM "Resources" GROUP BY type'),
        ("FLATTEN", f'TABLE t FROM "Zettelkasten" FLATTEN file.etags AS t WHERE t = "{tag}"'),
        (
            "lambda over file.tasks",
            'TABLE length(filter(file.tasks, (t) => !t.completed)) AS open FROM "Projects" '
            "WHERE any(file.tasks, (t) => !t.completed)",
        ),
        ("link source", f"LIST FROM [[{name}]]"),
        ("contains(file.outlinks)", f"LIST WHERE contains(file.outlinks, [[{name}]])"),
        (
            "daily notes by day",
            'LIST FROM "Daily" WHERE file.day >= date(2024-01-01) SORT file.day DESC',
        ),
        (
            "multi-key SORT",
            "TABLE rating, author WHERE rating > 3 SORT rating DESC, file.name ASC LIMIT 50",
        ),
        (
            "TASK GROUP BY",
            'TASK FROM "Projects" WHERE due AND due < date(2024-03-01) GROUP BY file.link',
        ),
    ]


def _baseline_ms(index: VaultIndex) -> float:
    """The cheapest possible whole-vault scan in Python, as a yardstick for this machine: query
    times on a loaded or slower machine scale with it (the scans are memory-bound)."""
    pages = [index.page(path) for path in index.paths]
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for page in pages:
            page["file"]["mtime"]  # type: ignore[index]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _bench_derive(index: VaultIndex, env: Env) -> None:
    """A one-note edit (one more link) as the server publishes it: derive, then a whole-vault
    query that must see it."""
    source = index.get(index.paths[len(index.paths) // 2])
    assert source is not None
    target = index.paths[7]
    derive_ms: list[float] = []
    visible_ms: list[float] = []
    current = index
    for attempt in range(9):
        extra = Link(target) if attempt % 2 == 0 else Link(index.paths[11])
        edited = replace(source, outlinks=(*source.outlinks, extra))
        t0 = time.perf_counter()
        current = VaultIndex.derive(current, [edited], [], current.resolver)
        t1 = time.perf_counter()
        execute(f'LIST WHERE file.path = "{target}"', current, env=env)
        t2 = time.perf_counter()
        derive_ms.append((t1 - t0) * 1000)
        visible_ms.append((t2 - t0) * 1000)
    print(
        f"derive (1-note change): p50 {statistics.median(derive_ms):.2f} ms, max "
        f"{max(derive_ms):.2f} ms; change visible in a whole-vault query: p50 "
        f"{statistics.median(visible_ms):.2f} ms"
    )


def bench(notes: int, repeat: int) -> None:
    vault = generated_vault(notes, ROOT / "bench" / ".vaults")
    zone = local_zone()
    env = Env(now=date_from_epoch_ms(time.time() * 1000, zone), local=zone)
    started = time.perf_counter()
    catalog = Catalog.scan(vault, local=env.local)
    index = VaultIndex(catalog.records())
    print(f"\n{notes} notes: catalog + index in {time.perf_counter() - started:.1f} s")
    t0 = time.perf_counter()
    index.warm()  # build every page object once, as a warm server has
    print(f"all pages built (first whole-vault query) in {time.perf_counter() - t0:.2f} s")
    gc.freeze()
    _bench_derive(index, env)
    print(f"machine baseline: {_baseline_ms(index):.2f} ms to read file.mtime from every page")
    print(f"{'query':30} {'rows':>6} {'p50 ms':>8} {'max ms':>8}")
    medians: list[float] = []
    worst: list[float] = []
    for label, dql in query_mix(index):
        times: list[float] = []
        rows = 0
        for attempt in range(repeat + 1):
            t0 = time.perf_counter()
            result = execute(dql, index, env=env, limits=SERVER_LIMITS)
            elapsed = (time.perf_counter() - t0) * 1000
            rows = len(result.rows)
            if attempt:  # the first run warms caches
                times.append(elapsed)
        medians.append(statistics.median(times))
        worst.append(max(times))
        print(f"{label:30} {rows:6d} {medians[-1]:8.2f} {worst[-1]:8.2f}")
    print(
        f"{'ALL (p50 of medians / max)':30} {'':6} {statistics.median(medians):8.2f} "
        f"{max(worst):8.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for notes in args.notes:
        bench(notes, args.repeat)


if __name__ == "__main__":
    main()
