"""A real ``vaultql serve`` in a subprocess, for tests that attack the server.

Attacks that freeze, starve or kill a server must not share a process (or a GIL) with pytest:
:func:`served` starts ``python -m server.cli serve`` on a free port, waits until the
index is ready, yields a :class:`Served` handle and kills the process afterwards.
:class:`HealthProbe` polls ``/health`` from a thread while an attack runs and records each
answer's latency, so a test can assert that the server kept answering.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ROOT
from tests.server.server_helpers import AUTH, TOKEN, free_port


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    vault: Path
    index_dir: Path
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=AUTH, timeout=timeout)

    def query(self, text: str, timeout: float = 60, **extra: Any) -> httpx.Response:
        with self.client(timeout) as client:
            return client.post("/api/v1/query", json={"query": text, **extra})

    def alive(self) -> bool:
        return self.process.poll() is None

    def rss_peak_kb(self) -> int:
        """The process's peak resident set size (``VmHWM``), in KiB."""
        return _status_kb(self.pid, "VmHWM")

    def rss_kb(self) -> int:
        return _status_kb(self.pid, "VmRSS")

    def stderr_text(self) -> str:
        """What the server wrote to stderr so far (its log)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, headers=AUTH, timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"server exited with {process.returncode}")
            try:
                status: dict[str, Any] = client.get("/api/v1/status").json()
            except (httpx.TransportError, ValueError):
                status = {}
            if status.get("ready"):
                return status
            time.sleep(0.02)
    raise AssertionError("server did not become ready")


def start_server(
    vault: Path,
    tmp_path: Path,
    *extra_args: str,
    watch: bool = False,
    search: bool = False,
    index_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str, Path, Path]:
    """``vaultql serve VAULT`` in a subprocess on a free port, not waited for: ``(process,
    url, index_dir, log)``; its stderr goes to ``log``."""
    port = free_port()
    index_dir = index_dir or tmp_path / f"index-{port}"
    args = [
        sys.executable,
        "-m",
        "server.cli",
        "serve",
        str(vault),
        "--port",
        str(port),
        "--index-dir",
        str(index_dir),
        "--quiet",
        *([] if search else ["--no-search"]),
        *([] if watch else ["--no-watch"]),
        *extra_args,
    ]
    environment = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "VAULTQL_TOKEN": TOKEN,
        **(env or {}),
    }
    log = tmp_path / f"server-{port}.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            args, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=stderr
        )
    return process, f"http://127.0.0.1:{port}", index_dir, log


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill -9 (what a crash does) and reap."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(10)


@contextlib.contextmanager
def served(
    vault: Path,
    tmp_path: Path,
    *extra_args: str,
    watch: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[Served]:
    """``vaultql serve VAULT --no-search`` in a subprocess (``--no-watch`` unless ``watch``),
    once ready; its stderr goes to a log file in ``tmp_path`` (``Served.stderr_text``)."""
    process, url, index_dir, log = start_server(vault, tmp_path, *extra_args, watch=watch, env=env)
    try:
        wait_ready(url, process)
        yield Served(url, process, vault, index_dir, log)
    finally:
        stop(process)


@dataclass
class HealthProbe:
    """Polls ``GET /health`` every ``interval`` seconds from a thread while in use.

    ``latencies`` holds each answer's seconds; a request that failed or timed out counts as
    ``timeout`` seconds, so ``worst`` shows a server that stopped answering."""

    url: str
    interval: float = 0.05
    timeout: float = 10.0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> HealthProbe:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.timeout
        while not self.latencies and time.monotonic() < deadline:
            time.sleep(0.005)  # the first answer before the attack: the probe has surely run
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.timeout + 5)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=self.timeout) as client:
            while not self._stop.is_set():
                start = time.perf_counter()
                try:
                    response = client.get("/api/v1/health")
                    response.raise_for_status()
                    self.latencies.append(time.perf_counter() - start)
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                    self.latencies.append(self.timeout)
                self._stop.wait(self.interval)

    @property
    def worst(self) -> float:
        return max(self.latencies, default=0.0)

    def assert_responsive(self, bound: float = 1.0) -> None:
        assert self.latencies, "the probe never ran"
        assert not self.failures, self.failures[:3]
        assert self.worst < bound, f"/health took {self.worst:.2f} s (bound {bound} s)"
