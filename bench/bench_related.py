"""Related-notes benchmark: link prediction on a real vault, /related and /duplicates at 10k notes.

* **Link prediction** — ../shared/vaults/obsidian-tasks/docs with the real model. For every note
  with at least 3 resolved outgoing links, those links are hidden from the graph signals
  (``ignore_outlinks``), the top 10 related notes are asked for (``exclude_linked`` off, no score
  cut), and recall@10 of the hidden targets is averaged over notes, for each signal alone and for
  the combination. The note's text still shows its links (as a reader sees them), so the semantic
  and keyword signals see the targets' names where the author wrote them.
* **Latency at 10k notes** — the shared generator's 10k-note vault; ``RelatedService.related``
  p50 / p95 over 200 notes after the corpus is built, and ``duplicates()`` (exact + MinHash near +
  semantic) cold (shingling every note) and warm. The chunk vectors are random unit vectors:
  the cost of the matrix products does not depend on the values, and embedding 31k chunks would
  take 7–25 minutes here.

Usage: ``python bench/bench_related.py [--skip-10k] [--work DIR]``; embeddings of the tasks docs
are cached under ``--work``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from query.index import VaultIndex  # noqa: E402
from server.related.related import SIGNALS, Weights, related  # noqa: E402
from server.related.related_corpus import NoteFeatures, note_features  # noqa: E402
from server.related.related_service import RelatedService, build_corpus  # noqa: E402
from server.search.chunker import chunk_note  # noqa: E402
from server.search.search_service import SearchService, vault_text_reader  # noqa: E402
from server.vault.catalog import Catalog  # noqa: E402

SHARED = ROOT.parent / "shared"
TASKS_DOCS = SHARED / "vaults" / "obsidian-tasks" / "docs"

COMBOS: dict[str, Weights] = {
    "semantic only": Weights.only("semantic"),
    "graph only (links, co-citation, tags)": Weights.only(
        "shared_links", "co_citation", "shared_tags"
    ),
    "keyword only (rare shared terms)": Weights.only("shared_terms"),
    "combination (default weights)": Weights(),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def link_prediction(work: Path) -> dict[str, tuple[float, int]]:
    from server.search.embedder import MiniLMEmbedder

    catalog = Catalog.scan(TASKS_DOCS, local=UTC)
    index = VaultIndex(catalog.records(), catalog.resolver)
    search = SearchService(MiniLMEmbedder(), index_dir=work / "tasks-docs-index")
    text_of = vault_text_reader(TASKS_DOCS)
    search.index_records(catalog.records(), text_of, full=True)
    started = time.perf_counter()
    while search.embed_pending_batch():
        pass
    log(f"embedded (or read from the cache) in {time.perf_counter() - started:.1f} s")
    corpus = build_corpus(index, search, text_of)
    search.close()
    queries = [p for p in corpus.paths if len(corpus.out_ids[corpus.ids[p]]) >= 3]
    out: dict[str, tuple[float, int]] = {}
    for name, weights in COMBOS.items():
        recalls = []
        for path in queries:
            hidden = {corpus.paths[i] for i in corpus.out_ids[corpus.ids[path]]}
            found = related(
                corpus,
                path,
                k=10,
                min_score=0.0,
                exclude_linked=False,
                weights=weights,
                ignore_outlinks=True,
            )
            hits = len(hidden & {note.path for note in found})
            recalls.append(hits / len(hidden))
        out[name] = (statistics.fmean(recalls), len(queries))
    return out


def latency_10k(work: Path, samples: int) -> dict[str, float]:
    vault = work / "vault10k"
    if not vault.exists():
        log("generating the 10k-note vault…")
        generator = SHARED / "bench" / "gen_vault.py"
        subprocess.run(
            [sys.executable, str(generator), "--notes", "10000", "--out", str(vault)], check=True
        )
    started = time.perf_counter()
    catalog = Catalog.scan(vault, local=UTC)
    index = VaultIndex(catalog.records(), catalog.resolver)
    text_of = vault_text_reader(vault)
    rng = np.random.default_rng(7)
    features: dict[str, NoteFeatures] = {}
    chunks_total = 0
    for record in index:
        text = text_of(record.path) or ""
        chunks = chunk_note(record.path, text, record.sections)[:128]
        vectors = rng.standard_normal((len(chunks), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
        features[record.path] = note_features(record.path, record.content_hash, chunks, vectors)
        chunks_total += len(chunks)
    log(f"features for {len(index)} notes in {time.perf_counter() - started:.1f} s")
    snap = SimpleNamespace(revision=1, index=index)
    service = RelatedService(lambda: snap, None, text_of)
    service._features = features  # the synthetic vectors stand in for the search service's
    started = time.perf_counter()
    corpus = service.corpus()
    corpus_s = time.perf_counter() - started
    paths = list(corpus.paths)
    picks = [paths[i] for i in np.random.default_rng(3).choice(len(paths), samples, replace=False)]
    times = []
    for path in picks:
        t0 = time.perf_counter()
        service.related(path, k=10)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    t0 = time.perf_counter()
    cold = service.duplicates()
    dup_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    service.duplicates()
    dup_warm = time.perf_counter() - t0
    return {
        "notes": corpus.n,
        "chunks": chunks_total,
        "rows": int(corpus.matrix.shape[0]),
        "corpus_s": corpus_s,
        "p50": times[len(times) // 2],
        "p95": times[int(len(times) * 0.95)],
        "dup_cold": dup_cold,
        "dup_warm": dup_warm,
        "pairs": len(cold["pairs"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/vaultql-bench-related"))
    parser.add_argument("--skip-10k", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.skip_quality:
        table = link_prediction(args.work)
        count = next(iter(table.values()))[1]
        print(f"Link prediction, obsidian-tasks/docs ({count} notes with ≥ 3 outgoing links)\n")
        print("| signals | recall@10 of hidden links |")
        print("|---|---|")
        for name, (recall, _) in table.items():
            print(f"| {name} | {recall:.3f} |")
        best_single = max(r for name, (r, _) in table.items() if not name.startswith("comb"))
        combined = table["combination (default weights)"][0]
        print(f"\ncombination beats every single signal: {combined > best_single}")
        print(f"weights: {', '.join(f'{s}={Weights().of(s)}' for s in SIGNALS)}\n")
    if not args.skip_10k:
        lat = latency_10k(args.work, 200)
        print("| 10k notes | measured |")
        print("|---|---|")
        print(
            f"| corpus build ({lat['notes']} notes, {lat['rows']} content chunk rows) | "
            f"{lat['corpus_s']:.2f} s |"
        )
        print(f"| /related p50 / p95 (k=10) | {lat['p50']:.1f} ms / {lat['p95']:.1f} ms |")
        print(
            f"| /duplicates cold (shingling every note) / warm | {lat['dup_cold']:.2f} s / "
            f"{lat['dup_warm']:.2f} s ({lat['pairs']} pairs) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
