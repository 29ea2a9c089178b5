"""Search benchmark: SciFact quality, hybrid query latency at 10k notes, embedding throughput.

Runs the project's own code (``server.vault.catalog`` → ``server.search.search_service``) and prints
markdown tables to stdout.

* **Quality** — BEIR SciFact (../shared/bench-data/scifact, CC BY-NC 2.0, internal evaluation
  only): every abstract becomes a note ``scifact/<id>.md`` whose text is ``# <title>`` then the
  abstract. The fusion weight α and the fusion method are chosen on the *train* queries only; the
  *test* queries are reported (nDCG@10, Recall@100) for keyword, semantic and hybrid.
* **Embedding throughput** — the background pipeline (chunks → cache → model → FAISS) against the
  raw model encoding the same texts with the same batch size and precision, interleaved.
* **Live updates** — an edited note found by its new text: keyword and semantic, p50 over edits.
* **Latency at 10k notes** — the shared generator's 10k-note vault; hybrid ``search()`` p50/p95,
  query embedding and snippets included. The *stored* vectors of that run are random unit vectors
  (flat inner-product search costs the same whatever the values; embedding 31k chunks would take
  ~7–25 minutes) while every query is embedded by the real model. RSS is read after loading.

Usage: ``python bench/bench_search.py [--skip-10k] [--data DIR] [--work DIR]``. Embeddings are
cached under ``--work`` so a second run does not re-embed SciFact.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import math
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.search.chunker import embedding_text  # noqa: E402
from server.search.embedder import MiniLMEmbedder, Vectors  # noqa: E402
from server.search.hybrid import LOOSE_COVERAGE, fuse  # noqa: E402
from server.search.search_service import SearchService  # noqa: E402
from server.vault.catalog import Catalog, SourceFile  # noqa: E402

SHARED = ROOT.parent / "shared"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- data ------------------------------------------------------------------------------------


def load_scifact(
    data: Path,
) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, set[str]]]]:
    notes: dict[str, str] = {}
    with open(data / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            notes[f"scifact/{doc['_id']}.md"] = f"# {doc['title']}\n\n{doc['text']}\n"
    queries: dict[str, str] = {}
    with open(data / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            queries[row["_id"]] = row["text"]
    qrels: dict[str, dict[str, set[str]]] = {}
    for split in ("train", "test"):
        qrels[split] = {}
        with open(data / "qrels" / f"{split}.tsv", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter="\t")
            next(reader)
            for qid, doc_id, score in reader:
                if int(score) > 0:
                    qrels[split].setdefault(qid, set()).add(f"scifact/{doc_id}.md")
    return notes, queries, qrels


def catalog_of(notes: dict[str, str]) -> Catalog:
    sources = [
        SourceFile(path, text.encode("utf-8"), 0.0, 1_600_000_000_000.0 + i)
        for i, (path, text) in enumerate(notes.items())
    ]
    return Catalog.from_sources(sources, local=UTC)


# -- metrics ---------------------------------------------------------------------------------


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, path in enumerate(ranked[:k]) if path in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: list[str], relevant: set[str], k: int = 100) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


Runs = dict[str, tuple[list[tuple[str, float]], list[tuple[str, int, float]], float]]


def collect(service: SearchService, queries: dict[str, str], qids: list[str]) -> Runs:
    # enough=10: the AND-then-OR keyword rule that search(k=10) applies; with how much of the
    # query the best keyword note holds (search() fuses with α_loose below LOOSE_COVERAGE).
    return {qid: service.rankings(queries[qid], "hybrid", 100, enough=10) for qid in qids}


def evaluate(
    runs: Runs, qrels: dict[str, set[str]], mode: str, **fusion: Any
) -> tuple[float, float]:
    ndcgs, recalls = [], []
    served = fusion.pop("served", None)  # (α, α_loose): fuse as SearchService.search does
    fusion.setdefault("decisive", None)  # the plain fusion families, without the keyword rule
    for qid, relevant in qrels.items():
        keyword, semantic, coverage = runs[qid]
        if mode == "keyword":
            ranked = [path for path, _ in keyword]
        elif mode == "semantic":
            ranked = [path for path, _, _ in semantic]
        else:
            if served is not None:
                loose = coverage < LOOSE_COVERAGE
                fusion["alpha"] = served[1] if loose else served[0]
                fusion["decisive"] = None if loose else served[2]
            ranked = [hit.path for hit in fuse(keyword, semantic, **fusion)]
        ndcgs.append(ndcg_at(ranked, relevant))
        recalls.append(recall_at(ranked, relevant))
    return statistics.fmean(ndcgs), statistics.fmean(recalls)


# -- parts -----------------------------------------------------------------------------------


def quality(
    service: SearchService, queries: dict[str, str], qrels: dict[str, Any]
) -> dict[str, Any]:
    train = collect(service, queries, sorted(qrels["train"]))
    grid: list[tuple[str, dict[str, Any]]] = [
        (f"convex α={a:.1f}", {"method": "convex", "alpha": a})
        for a in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    ]
    grid.append(("rrf k=60", {"method": "rrf"}))
    train_scores = {name: evaluate(train, qrels["train"], "hybrid", **cfg) for name, cfg in grid}
    best_name = max(train_scores, key=lambda name: train_scores[name][0])
    best_cfg = dict(grid)[best_name]
    started = time.perf_counter()
    test = collect(service, queries, sorted(qrels["test"]))
    per_query_ms = (time.perf_counter() - started) * 1000 / len(qrels["test"])
    rows = {
        "keyword (Whoosh BM25, weighted fields)": evaluate(test, qrels["test"], "keyword"),
        "semantic (all-MiniLM-L6-v2 + FAISS exhaustive, float16)": evaluate(
            test, qrels["test"], "semantic"
        ),
        "hybrid, RRF k=60": evaluate(test, qrels["test"], "hybrid", method="rrf"),
        "hybrid, convex α=0.5 (default)": evaluate(test, qrels["test"], "hybrid", alpha=0.5),
        f"hybrid, {best_name} (best on train)": evaluate(test, qrels["test"], "hybrid", **best_cfg),
        "hybrid, convex α=0.5 + decisive keyword rule": evaluate(
            test, qrels["test"], "hybrid", alpha=0.5, decisive=service.decisive
        ),
        f"**hybrid as served** (α={service.alpha}, α={service.alpha_loose} when the best keyword "
        f"note holds < {LOOSE_COVERAGE:.0%} of the query, decisive rule)": evaluate(
            test,
            qrels["test"],
            "hybrid",
            served=(service.alpha, service.alpha_loose, service.decisive),
        ),
    }
    return {"train": train_scores, "test": rows, "best": best_name, "ms": per_query_ms}


def throughput(embedder: MiniLMEmbedder, notes: dict[str, str], count: int) -> dict[str, float]:
    sample = dict(list(notes.items())[:count])
    catalog = catalog_of(sample)
    texts: list[str] = []
    service = SearchService(embedder)
    service.index_records(catalog.records(), sample.get, full=True)
    for path in sorted(sample):
        texts.extend(embedding_text(chunk) for chunk in service._chunks[path])
    service.close()
    raw_rates, pipe_rates = [], []
    for _ in range(2):
        started = time.perf_counter()
        embedder._raw(texts, embedder.bf16, embedder.batch_size)
        raw_rates.append(len(texts) / (time.perf_counter() - started))
        service = SearchService(embedder)  # in-memory cache: everything is embedded
        service.index_records(catalog.records(), sample.get, full=True)
        started = time.perf_counter()
        while service.embed_pending_batch():
            pass
        pipe_rates.append(len(texts) / (time.perf_counter() - started))
        service.close()
    return {
        "chunks": len(texts),
        "raw": statistics.fmean(raw_rates),
        "pipeline": statistics.fmean(pipe_rates),
    }


def live_updates(service: SearchService, notes: dict[str, str], edits: int) -> dict[str, float]:
    if edits <= 0:
        return {"keyword_p50": math.nan, "semantic_p50": math.nan}
    service.start()
    rng = random.Random(7)
    paths = rng.sample(sorted(notes), edits)
    kw_ms, sem_ms = [], []
    for i, path in enumerate(paths):
        word = f"zqxlive{i}word"
        text = notes[path] + f"\nA new finding about {word} and marine iguanas basking on lava.\n"
        record = catalog_of({path: text}).records()[0]
        started = time.perf_counter()
        service.index_records([record], {path: text}.get, urgent=True)
        while not any(h.path == path for h in service.search(word, "keyword", 3)):
            time.sleep(0.001)
        kw_ms.append((time.perf_counter() - started) * 1000)
        while service.queue.__contains__(path):
            time.sleep(0.002)
        hits = service.search("marine iguanas basking on lava", "semantic", 10)
        sem_ms.append((time.perf_counter() - started) * 1000)
        if not any(h.path == path for h in hits):
            log(f"live: {path} not in semantic top 10 for its new text")
        original = catalog_of({path: notes[path]}).records()[0]
        service.index_records([original], notes.get, urgent=True)
    while len(service.queue):
        time.sleep(0.01)
    service.stop()
    return {"keyword_p50": statistics.median(kw_ms), "semantic_p50": statistics.median(sem_ms)}


class RandomBulk:
    """Real query embeddings, random stored vectors (see the module docstring)."""

    def __init__(self, real: MiniLMEmbedder) -> None:
        self.real = real
        self.model_id = "bench/random-unit"
        self.dim = real.dim
        self.calls = 0
        self.encoded = 0
        self._rng = np.random.default_rng(1)

    def encode(self, texts: Any) -> Vectors:
        self.calls += 1
        self.encoded += len(texts)
        vecs = self._rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        out: Vectors = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        return out

    def encode_query(self, text: str) -> Vectors:
        return self.real.encode_query(text)


def rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return rss / 1024, peak / 1024


def latency_10k(embedder: MiniLMEmbedder, work: Path, queries: int) -> dict[str, float]:
    vault = work / "vault10k"
    if not (vault / ".generated").exists():
        log("generating the 10k-note vault…")
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "bench" / "gen_vault.py"),
                "--notes",
                "10000",
                "--out",
                str(vault),
                "--force",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (vault / ".generated").write_text("ok")
    started = time.perf_counter()
    catalog = Catalog.scan(vault, local=UTC)
    scan_s = time.perf_counter() - started
    from server.search.search_service import vault_text_reader

    index_dir = work / "vault10k-index"
    shutil.rmtree(index_dir, ignore_errors=True)  # a cold build, on disk as the server keeps it
    service = SearchService(RandomBulk(embedder), index_dir=index_dir)
    started = time.perf_counter()
    service.index_records(catalog.records(), vault_text_reader(vault), full=True)
    keyword_s = time.perf_counter() - started
    while service.embed_pending_batch():
        pass
    gc.collect()
    gc.freeze()  # as the server does after its initial load (PERFORMANCE.md rule 8)
    rng = random.Random(3)
    words_by_note = [
        [w for w in re.findall(r"[a-z]{4,}", chunk.text.lower())]
        for chunks in list(service._chunks.values())[:2000]
        for chunk in chunks[:1]
    ]
    words_by_note = [w for w in words_by_note if len(w) >= 6]
    qs = []
    for _ in range(queries):
        words = rng.choice(words_by_note)
        start = rng.randrange(len(words) - 3)
        qs.append(" ".join(words[start : start + rng.choice((1, 2, 3))]))
    for q in qs[:10]:
        service.search(q, "hybrid", 10)
    times = []
    for q in qs:
        t0 = time.perf_counter()
        service.search(q, "hybrid", 10)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    parts = query_parts(service, qs)
    rss, peak = rss_mb()
    out = {
        **parts,
        "notes": len(catalog),
        "chunks": len(service._vectors or []),
        "scan_s": scan_s,
        "keyword_build_s": keyword_s,
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95)],
        "rss": rss,
        "peak": peak,
    }
    service.close()
    return out


def query_parts(service: SearchService, qs: list[str]) -> dict[str, float]:
    """Medians of the hybrid query's steps, each timed on its own over the same queries."""
    embedder = service.embedder
    assert embedder is not None and service._vectors is not None
    steps: dict[str, list[float]] = {"embed": [], "keyword": [], "faiss": [], "rest": []}
    for q in qs:
        t0 = time.perf_counter()
        vector = embedder.encode_query(q)
        t1 = time.perf_counter()
        service._kw.search(q, service.candidates, enough=10)
        t2 = time.perf_counter()
        service._vectors.search(vector, service.candidates * 3)
        t3 = time.perf_counter()
        service.search(q, "hybrid", 10)
        t4 = time.perf_counter()
        whole = t4 - t3
        steps["embed"].append(t1 - t0)
        steps["keyword"].append(t2 - t1)
        steps["faiss"].append(t3 - t2)
        steps["rest"].append(whole - (t1 - t0) - (t2 - t1) - (t3 - t2))
    return {f"{name}_ms": statistics.median(v) * 1000 for name, v in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED / "bench-data" / "scifact")
    parser.add_argument("--work", type=Path, default=Path("/tmp/vaultql-bench-search"))
    parser.add_argument("--skip-10k", action="store_true")
    parser.add_argument("--throughput-notes", type=int, default=200)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--only-10k", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.only_10k:
        embedder = MiniLMEmbedder()
        log(f"model loaded (bulk {embedder.precision}, queries on {embedder.query_runtime})")
        print_10k(latency_10k(embedder, args.work, 200))
        return

    embedder = MiniLMEmbedder()
    log(f"model loaded (bulk {embedder.precision}, queries on {embedder.query_runtime})")
    notes, queries, qrels = load_scifact(args.data)
    catalog = catalog_of(notes)
    # A cold keyword build every run; the embedding cache is kept so reruns do not re-embed.
    shutil.rmtree(args.work / "scifact-index" / "keyword", ignore_errors=True)
    service = SearchService(embedder, index_dir=args.work / "scifact-index")
    started = time.perf_counter()
    service.index_records(catalog.records(), notes.get, full=True)
    keyword_s = time.perf_counter() - started
    log(f"keyword index: {keyword_s:.1f} s; embedding {service.queue.pending_chunks} chunks…")
    started = time.perf_counter()
    while service.embed_pending_batch():
        snap = service.progress()
        if snap["pending_notes"] % 500 == 0:
            log(f"  {snap['done']}/{snap['total']} chunks, {snap['chunks_per_s']}/s")
    embed_s = time.perf_counter() - started
    encoded = service.queue.encoded_chunks
    log(f"embedded {encoded} chunks (others from cache) in {embed_s:.1f} s")

    result = quality(service, queries, qrels)
    print(f"## SciFact (BEIR), {len(notes)} notes, {service.queue.total_chunks} chunks\n")
    print("Fusion chosen on the 809 train queries:\n")
    print("| fusion | train nDCG@10 | train Recall@100 |\n|---|---|---|")
    for name, (ndcg, rec) in result["train"].items():
        print(f"| {name} | {ndcg:.3f} | {rec:.3f} |")
    print(f"\nTest queries (300), precision {embedder.precision}:\n")
    print("| method | nDCG@10 | Recall@100 |\n|---|---|---|")
    for name, (ndcg, rec) in result["test"].items():
        print(f"| {name} | {ndcg:.3f} | {rec:.3f} |")
    print(f"\nHybrid candidate retrieval, mean per test query: {result['ms']:.1f} ms\n")
    sys.stdout.flush()

    live = live_updates(service, notes, args.edits)
    service.close()
    tp = throughput(embedder, notes, args.throughput_notes)
    print("## Speed\n\n| measure | value |\n|---|---|")
    print(f"| keyword index build, {len(notes)} notes | {keyword_s:.1f} s |")
    print(f"| raw model, {tp['chunks']} chunks | {tp['raw']:.1f} chunks/s |")
    print(
        f"| embedding pipeline, same chunks | {tp['pipeline']:.1f} chunks/s "
        f"({tp['pipeline'] / tp['raw']:.2f}×) |"
    )
    print(f"| edit → found by keyword search, p50 of {args.edits} | {live['keyword_p50']:.0f} ms |")
    print(
        f"| edit → found by semantic search, p50 of {args.edits} | {live['semantic_p50']:.0f} ms |"
    )
    sys.stdout.flush()
    if not args.skip_10k:
        # A fresh process, so its RSS is the 10k vault's and not SciFact's.
        subprocess.run(
            [sys.executable, __file__, "--only-10k", "--work", str(args.work)], check=True
        )


def print_10k(lat: dict[str, float]) -> None:
    print(f"| 10k vault: scan | {lat['scan_s']:.1f} s |")
    print(
        f"| 10k vault: keyword index build, cold ({lat['notes']} notes) | "
        f"{lat['keyword_build_s']:.1f} s |"
    )
    print(
        f"| 10k vault: hybrid query p50 / p95 ({lat['chunks']} chunk vectors, k=10) | "
        f"{lat['p50']:.1f} ms / {lat['p95']:.1f} ms |"
    )
    print(
        f"| 10k vault: of which (medians) query embedding / Whoosh / FAISS / fusion and hits | "
        f"{lat['embed_ms']:.1f} / {lat['keyword_ms']:.1f} / {lat['faiss_ms']:.1f} / "
        f"{lat['rest_ms']:.1f} ms |"
    )
    print(
        f"| 10k vault: RSS after loading, model loaded (peak) | {lat['rss']:.0f} MB "
        f"({lat['peak']:.0f} MB) |"
    )


if __name__ == "__main__":
    main()
