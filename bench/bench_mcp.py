#!/usr/bin/env python3
"""MCP benchmark: p50/p95 of the tools through the Streamable HTTP transport of a real server.

Usage::

    .venv/bin/python bench/bench_mcp.py                      # 10k notes
    .venv/bin/python bench/bench_mcp.py --notes 50000 --requests 100

A generated vault (``../shared/bench/gen_vault.py --vocab builtin``, cached under
``/tmp/vaultql-bench``) is served by a real ``vaultql serve`` subprocess on 127.0.0.1 with a
private index dir, search on. Once the index is ready and search holds the vault, each tool is
called ``--requests`` times (after a warm-up) as a client calls it: a JSON-RPC ``tools/call``
POSTed to ``/mcp`` with the bearer token and ``MCP-Protocol-Version`` over one keep-alive
connection, the answer read whole (stateless, JSON responses). Latency is the client's, end to
end. Arguments vary per call (different notes, words, queries) so no answer is a cache hit of
the previous one.

Embeddings: the server embeds the vault in the background with the real model while the
benchmark runs (on 2 cores that competes with every call); ``search`` is measured in keyword and
hybrid mode — hybrid embeds every query with the real model and searches whatever is embedded so
far. The report says how much was embedded. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from vaults import generated_vault  # bench/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789abcdefghijklmnopqrstuvwxyz"
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-11-25",
}
TARGETS = {"read_note": 10.0, "query_dql": 10.0, "search": 30.0}  # p50 targets at 10k, ms


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``vaultql serve`` in a subprocess, with search."""

    def __init__(self, vault: Path, index: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "server.cli", "serve", str(vault), "--port", str(self.port)]
        args += ["--index-dir", str(index), "--quiet", "--no-watch"]
        env = {**os.environ, "VAULTQL_TOKEN": TOKEN}
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        self.client = httpx.Client(base_url=self.url, headers=HEADERS, timeout=120)
        self._id = 0

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        self._id += 1
        body = {
            "jsonrpc": "2.0",
            "id": self._id,
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        }
        response = self.client.post("/mcp", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()["result"]
        return result

    def wait_ready(self, timeout: float = 900) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}")
            try:
                status: dict[str, Any] = self.client.get("/api/v1/status").json()
                search = status.get("embedding") or {}
                if status.get("ready") and "notes" in search:  # search holds the vault
                    return status
            except (httpx.TransportError, ValueError):
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not become ready")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def measure(server: Server, tool: str, calls: list[dict[str, Any]], warmup: int) -> list[float]:
    for arguments in calls[:warmup]:
        server.call(tool, arguments)
    times = []
    for arguments in calls[warmup:]:
        start = time.perf_counter()
        result = server.call(tool, arguments)
        times.append((time.perf_counter() - start) * 1000)
        if result.get("isError"):
            raise SystemExit(f"{tool}({arguments}) failed: {result['content'][0]['text']}")
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--work", type=Path, default=Path("/tmp/vaultql-bench"))
    parser.add_argument(
        "--index-dir", type=Path, help="keep the index here (a second run starts warm)"
    )
    args = parser.parse_args()

    vault = generated_vault(args.notes, args.work)
    index = args.index_dir or Path(tempfile.mkdtemp(prefix="vaultql-bench-mcp-"))
    rng = random.Random(7)
    log(f"serving {vault} …")
    server = Server(vault, index)
    try:
        started = time.perf_counter()
        server.wait_ready()
        log(f"ready (search on) after {time.perf_counter() - started:.1f} s")
        n = args.requests + args.warmup
        paths = [
            cell["path"]
            for cell in server.call("query_dql", {"dql": "LIST", "limit": 1000})[
                "structuredContent"
            ]["items"]
        ]
        names = [Path(p).stem for p in paths]
        words = [w for name in names for w in re.findall(r"[A-Za-z]{5,}", name)]
        tags = [
            t["tag"] for t in server.call("list_tags", {"limit": 50})["structuredContent"]["tags"]
        ]
        queries = [
            'TABLE file.mtime, status FROM "Projects" SORT file.mtime DESC LIMIT 20',
            "LIST FROM {tag} LIMIT 50",
            "TASK FROM {tag} WHERE !completed LIMIT 50",
            'TABLE length(file.outlinks) AS links FROM "Zettelkasten" SORT links DESC LIMIT 10',
        ]
        plans: dict[str, tuple[str, list[dict[str, Any]]]] = {
            "read_note (outline)": (
                "read_note",
                [{"target": rng.choice(names)} for _ in range(n)],
            ),
            "read_note (content, by path)": (
                "read_note",
                [{"target": rng.choice(paths), "view": "content"} for _ in range(n)],
            ),
            "query_dql": (
                "query_dql",
                [{"dql": rng.choice(queries).format(tag=rng.choice(tags))} for _ in range(n)],
            ),
            "search (keyword)": (
                "search",
                [{"query": " ".join(rng.sample(words, 2)), "mode": "keyword"} for _ in range(n)],
            ),
            "search (hybrid)": (
                "search",
                [{"query": " ".join(rng.sample(words, 2))} for _ in range(n)],
            ),
            "related_notes": (
                "related_notes",
                [{"target": rng.choice(paths)} for _ in range(n)],
            ),
        }
        rows = []
        for label, (tool, calls) in plans.items():
            times = measure(server, tool, calls, args.warmup)
            rows.append(
                (label, statistics.median(times), percentile(times, 0.95), max(times), len(times))
            )
            log(f"{label}: p50 {rows[-1][1]:.1f} ms")
        status = server.client.get("/api/v1/status").json()
        embedding = status.get("embedding") or {}
    finally:
        server.stop()
        if args.index_dir is None:
            shutil.rmtree(index, ignore_errors=True)

    print(f"\n### MCP over HTTP, {args.notes} notes ({args.requests} calls per row)\n")
    print("| tool | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for label, p50, p95, worst, _ in rows:
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {worst:.1f} |")
    done, total = embedding.get("done"), embedding.get("total")
    print(f"\nembedded at the end: {done}/{total} chunks (the model embedding in the background)")


if __name__ == "__main__":
    main()
