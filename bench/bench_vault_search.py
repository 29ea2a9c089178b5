#!/usr/bin/env python3
"""Search quality on real vaults: the judged queries of ``bench/judged/queries.json``.

Usage: .venv/bin/python bench/bench_vault_search.py [--split train|test|all] [--json]

Each vault is indexed as the server indexes it (the catalog, the chunker, Whoosh, the real
all-MiniLM-L6-v2 embeddings, cached under ``bench/.search-cache/``, so only the first run
embeds); every query runs as ``GET /api/v1/search`` runs it (``k`` = 10, the AND-then-OR rule)
and is scored by MRR@10 and nDCG@10 (graded: 2 the answer, 1 secondary), per kind (identifier,
phrase, paraphrase, conceptual) and mode (keyword, semantic, hybrid). Targets (issue 15), on the
test split: hybrid MRR@10 ≥ 0.85, every identifier query at rank 1.

Not a test: ``tests/server/search/test_judged_quality.py`` runs the same measure on the test
split with thresholds just under the measured values.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.search.embedder import MiniLMEmbedder  # noqa: E402
from server.search.search_service import SearchService, vault_text_reader  # noqa: E402
from server.vault.catalog import Catalog  # noqa: E402

JUDGED = ROOT / "bench" / "judged" / "queries.json"
VAULTS = ROOT.parent / "shared" / "vaults"
MODES = ("keyword", "semantic", "hybrid")
KINDS = ("identifier", "phrase", "paraphrase", "conceptual")


def load_judged(path: Path = JUDGED) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def index_vault(
    root: Path, cache: Path, embedder: Any, log: Callable[[str], None] = lambda _: None
) -> SearchService:
    """A search service over ``root`` built as the server builds one, fully embedded."""
    catalog = Catalog.scan(root)
    service = SearchService(embedder, index_dir=cache)
    service.index_records(catalog.records(), vault_text_reader(root), full=True)
    started = time.perf_counter()
    while service.embed_pending_batch():
        progress = service.progress()
        log(f"\r  embedding {progress['done']}/{progress['total']} chunks")
    log(f"\r  embedded in {time.perf_counter() - started:.0f} s\n")
    return service


def reciprocal_rank(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    for rank, path in enumerate(ranked[:k], 1):
        if grades.get(path, 0) > 0:
            return 1.0 / rank
    return 0.0


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    def gain(grade: int) -> float:
        return float(2**grade - 1)

    dcg = sum(gain(grades.get(p, 0)) / math.log2(i + 2) for i, p in enumerate(ranked[:k]))
    ideal_grades = sorted(grades.values(), reverse=True)[:k]
    ideal = sum(gain(g) / math.log2(i + 2) for i, g in enumerate(ideal_grades))
    return dcg / ideal if ideal else 0.0


def grades_of(query: dict[str, Any]) -> dict[str, int]:
    grade = query.get("grade") or {}
    return {path: int(grade.get(path, 2)) for path in query["relevant"]}


def ranked(service: SearchService, text: str, mode: str) -> list[str]:
    return [hit.path for hit in service.search(text, mode, 10)]


def measure(
    services: dict[str, SearchService], queries: Iterable[dict[str, Any]]
) -> dict[str, dict[str, dict[str, float]]]:
    """mode → kind (and "all") → {"mrr", "ndcg", "at1", "n"}."""
    scores: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for query in queries:
        service = services[query["vault"]]
        grades = grades_of(query)
        for mode in MODES:
            paths = ranked(service, query["query"], mode)
            pair = (reciprocal_rank(paths, grades), ndcg(paths, grades))
            scores[mode][query["kind"]].append(pair)
            scores[mode]["all"].append(pair)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for mode, by_kind in scores.items():
        out[mode] = {
            kind: {
                "mrr": statistics.fmean(rr for rr, _ in pairs),
                "ndcg": statistics.fmean(nd for _, nd in pairs),
                "at1": sum(1 for rr, _ in pairs if rr == 1.0) / len(pairs),
                "n": len(pairs),
            }
            for kind, pairs in by_kind.items()
        }
    return out


def misses(
    services: dict[str, SearchService], queries: Iterable[dict[str, Any]], mode: str
) -> list[str]:
    """The queries whose answer is not first, with what came first."""
    lines = []
    for query in queries:
        paths = ranked(services[query["vault"]], query["query"], mode)
        if reciprocal_rank(paths, grades_of(query)) < 1.0:
            first = paths[0] if paths else "-"
            lines.append(f"  {query['id']:<16} {query['query'][:50]!r:<54} → {first}")
    return lines


def build_services(judged: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    embedder = MiniLMEmbedder()
    services = {}
    for name, root in judged["roots"].items():
        log(f"{name}: indexing {VAULTS / root}\n")
        cache = ROOT / "bench" / ".search-cache" / name
        services[name] = index_vault(VAULTS / root, cache, embedder, log)
    return services


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["train", "test", "all"], default="test")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", choices=MODES, help="list the queries not answered first")
    args = parser.parse_args()
    judged = load_judged()

    def log(message: str) -> None:
        sys.stderr.write(message)
        sys.stderr.flush()

    services = build_services(judged, log)
    queries = [q for q in judged["queries"] if args.split == "all" or q["split"] == args.split]
    result = measure(services, queries)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"split: {args.split} ({len(queries)} queries)")
        print(f"{'mode':<9} {'kind':<11} {'n':>3} {'MRR@10':>7} {'nDCG@10':>8} {'@1':>6}")
        for mode in MODES:
            for kind in (*KINDS, "all"):
                row = result[mode].get(kind)
                if row:
                    print(
                        f"{mode:<9} {kind:<11} {row['n']:>3.0f} {row['mrr']:>7.3f} "
                        f"{row['ndcg']:>8.3f} {row['at1']:>6.2f}"
                    )
    if args.misses:
        print("\n".join(misses(services, queries, args.misses)))
    for service in services.values():
        service.close()


if __name__ == "__main__":
    main()
