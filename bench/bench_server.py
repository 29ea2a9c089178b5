#!/usr/bin/env python3
"""Server benchmark: change → visible in DQL, cold and warm start until queries are served, RSS.

Usage::

    .venv/bin/python bench/bench_server.py                    # 10k notes
    .venv/bin/python bench/bench_server.py --notes 1000 --edits 50

A generated vault (``../shared/bench/gen_vault.py --vocab builtin``, cached under
``/tmp/vaultql-bench``) is served by a real ``serve`` subprocess on 127.0.0.1 with a private
index dir. "Change → visible" appends an inline field to a note and polls ``POST /query`` until
the field is found (targets: p50 ≤ 100 ms). "Warm restart" restarts the server on the cache the
first run saved and times process start → first successful query (target ≤ 3 s). RSS is the
server's VmRSS / VmHWM after the first run is ready. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
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
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, vault: Path, index: Path, watch: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            str(vault),
            "--port",
            str(self.port),
            "--index-dir",
            str(index),
            "--quiet",
            "--no-search",  # DQL figures: no embedding model competing for the two cores
        ]
        if not watch:
            args.append("--no-watch")
        env = {**os.environ, "VAULTQL_TOKEN": TOKEN}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        self.client = httpx.Client(base_url=self.url, headers=HEADERS, timeout=30)

    def until_query_served(self, timeout: float = 300) -> float:
        """Seconds from process start until a query over the whole vault answers."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                response = self.client.post("/api/v1/query", json={"query": "LIST LIMIT 1"})
                if response.status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.TransportError:
                pass
            time.sleep(0.005)
        raise TimeoutError("the server never served a query")

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get("/api/v1/status").json()
        return body

    def rss_mb(self) -> tuple[float, float]:
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def stop(self) -> None:
        self.client.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def change_to_visible(server: Server, vault: Path, edits: int) -> list[float]:
    notes = sorted(vault.rglob("*.md"))
    latencies = []
    for i in range(edits):
        note = notes[(i * 7919) % len(notes)]
        text = note.read_text(encoding="utf-8")
        query = {"query": f"LIST WHERE benchmarkedit = {i}"}
        start = time.perf_counter()
        note.write_text(text + f"\nbenchmarkedit:: {i}\n", encoding="utf-8")
        while True:
            body = server.client.post("/api/v1/query", json=query).json()
            if body.get("count") == 1:
                latencies.append((time.perf_counter() - start) * 1000)
                break
            if time.perf_counter() - start > 30:
                raise TimeoutError(f"edit {i} never became visible")
            time.sleep(0.002)
        note.write_text(text, encoding="utf-8")
        time.sleep(0.3)  # let the restore land before the next edit
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--base", type=Path, default=Path(tempfile.gettempdir()) / "vaultql-bench")
    args = parser.parse_args()
    source = generated_vault(args.notes, args.base)
    work = Path(tempfile.mkdtemp(prefix="vaultql-bench-"))
    vault = Path(shutil.copytree(source, work / "vault"))  # edits never touch the cached vault
    index = work / "index"
    try:
        server = Server(vault, index)
        cold = server.until_query_served()
        while not server.status()["cache"].get("saved_bytes"):
            time.sleep(0.05)  # the first cache save happens just after ready
        rss, peak = server.rss_mb()
        latencies = change_to_visible(server, vault, args.edits)
        server.stop()

        warm_runs = []
        for _ in range(3):
            server = Server(vault, index, watch=False)
            warm_runs.append(server.until_query_served())
            info = server.status()["cache"]
            server.stop()
        print(f"vault: {args.notes} notes ({vault})")
        print(f"cold start → first query: {cold:.2f} s")
        print(
            f"warm restart → first query: best {min(warm_runs):.2f} s, "
            f"median {statistics.median(warm_runs):.2f} s (target ≤ 3 s); cache reused "
            f"{info.get('reused')}, re-parsed {info.get('reparsed')}, load {info.get('load_s')} s"
        )
        latencies.sort()
        print(
            f"change → visible in DQL over {len(latencies)} edits: p50 "
            f"{statistics.median(latencies):.0f} ms, p90 {latencies[int(len(latencies) * 0.9)]:.0f}"
            f" ms, max {latencies[-1]:.0f} ms (target p50 ≤ 100 ms)"
        )
        print(f"server RSS after cold start: {rss:.0f} MB (peak {peak:.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
