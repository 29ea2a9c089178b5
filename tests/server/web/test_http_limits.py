"""The HTTP layer's limits: head size (431), read time (408), and nothing normal is refused.

The attacks run against a real ``vaultql serve`` in a subprocess (``served``) with the default
limits (64 KiB, 10 s) while a probe checks that ``/health`` keeps answering; the finer points
run against the same uvicorn configuration in a thread with a 1 s read timeout.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.types import Receive, Scope, Send

from server.application.live_index import VaultService
from server.web.app import create_app
from server.web.http_limits import DEFAULT_MAX_HEAD_BYTES, DEFAULT_READ_TIMEOUT_S, limited_protocol
from server.web.settings import ServerSettings
from tests.conftest import DEMO_VAULT
from tests.server.served import HealthProbe, Served, served
from tests.server.server_helpers import TOKEN, app_over, make_service, make_vault, settings
from tests.server.web.raw_http import exchange, limited_server, parse_responses, request

AUTH_HEADER = ("Authorization", f"Bearer {TOKEN}")
TIMEOUT = 1.0  # the read timeout of the in-thread servers


def test_defaults_are_what_the_readme_says() -> None:
    assert DEFAULT_MAX_HEAD_BYTES == ServerSettings(token=TOKEN).max_head_bytes == 65_536
    assert DEFAULT_READ_TIMEOUT_S == ServerSettings(token=TOKEN).read_timeout_s == 10.0


@pytest.mark.parametrize(("head", "timeout"), [(100, 10.0), (65_536, 0.0), (65_536, -1.0)])
def test_limits_must_be_sensible(head: int, timeout: float) -> None:
    with pytest.raises(ValueError, match="at least 1 KiB"):
        limited_protocol(head, timeout)


# Attacks on a real server in a subprocess


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Served]:
    vault = tmp_path / "demo-vault"
    shutil.copytree(DEMO_VAULT, vault)
    with served(vault, tmp_path) as server:
        yield server


def _port(server: Served) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _endless_header(port: int, stop: threading.Event, closes: list[float]) -> None:
    """Stream one header line in 1 MB chunks; reconnect whenever the server hangs up."""
    chunk = b"a" * 1_000_000
    while not stop.is_set():
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            try:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
                while not stop.is_set():
                    sock.sendall(chunk)
            except OSError:
                closes.append(time.monotonic() - start)
                continue
        closes.append(float("inf"))  # the attack ended before the server hung up


@pytest.mark.slow
def test_endless_header_lines_neither_starve_nor_stay(demo: Served) -> None:
    port = _port(demo)
    stop = threading.Event()
    closes: list[float] = []
    attackers = [
        threading.Thread(target=_endless_header, args=(port, stop, closes), daemon=True)
        for _ in range(3)
    ]
    with HealthProbe(demo.url, timeout=5) as probe:
        for attacker in attackers:
            attacker.start()
        time.sleep(4)
        answer = demo.query("TABLE status FROM #project SORT file.name", timeout=10)
        time.sleep(4)
        stop.set()
        for attacker in attackers:
            attacker.join(15)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"]
    probe.assert_responsive(1.0)
    assert len(probe.latencies) > 20
    # Every connection was hung up on long before the read timeout, then came back.
    finished = [seconds for seconds in closes if seconds != float("inf")]
    assert len(finished) >= 6, closes
    assert max(finished) < 3.0, closes
    # What the server says before hanging up: 431 in the error shape.
    big = exchange(port, [b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100_000])
    assert big.closed and big.seconds < 3.0
    response = big.response()
    assert response.status == 431
    assert response.json()["error"]["code"] == "headers_too_large"
    assert demo.alive()


def _trickle(
    port: int, parts: list[bytes], pause: float, out: list[tuple[bool, float, bytes]]
) -> None:
    steps: list[bytes | float] = []
    for part in parts:
        steps += [part, pause]
    result = exchange(port, steps, wait=DEFAULT_READ_TIMEOUT_S + 5)
    out.append((result.closed, result.seconds, result.data))


@pytest.mark.slow
def test_slow_heads_bodies_and_idle_connections_are_closed(demo: Served) -> None:
    port = _port(demo)
    slow_head = [b"GET /api/v1/health HTTP/1.1\r\n"] + [b"X-Slow: 1\r\n"] * 40
    slow_body = [
        request(port, "/api/v1/query", "POST", [AUTH_HEADER], b"{" + b" " * 999),
        *[b" "] * 40,
    ]
    slow_body[0] = slow_body[0][:-999]  # the head and one byte; the rest a byte at a time
    results: dict[str, list[tuple[bool, float, bytes]]] = {"head": [], "body": [], "idle": []}
    threads = [
        *(
            threading.Thread(target=_trickle, args=(port, slow_head, 0.5, results["head"]))
            for _ in range(3)
        ),
        threading.Thread(target=_trickle, args=(port, slow_body, 0.5, results["body"])),
        threading.Thread(target=_trickle, args=(port, [], 0.0, results["idle"])),
    ]
    with HealthProbe(demo.url, timeout=5) as probe:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(DEFAULT_READ_TIMEOUT_S + 10)
    probe.assert_responsive(1.0)
    for kind, expected in (("head", 408), ("body", 408)):
        for closed, seconds, data in results[kind]:
            assert closed, (kind, seconds, data)
            assert DEFAULT_READ_TIMEOUT_S - 0.5 < seconds < DEFAULT_READ_TIMEOUT_S + 4, kind
            (response,) = parse_responses(data)
            assert response.status == expected
            assert response.json()["error"]["code"] == "request_timeout"
    ((closed, seconds, data),) = results["idle"]
    assert closed and data == b""  # nothing asked, nothing answered
    assert DEFAULT_READ_TIMEOUT_S - 0.5 < seconds < DEFAULT_READ_TIMEOUT_S + 4
    assert demo.alive()


# Finer points, in a thread with a short read timeout


@pytest.fixture
def service(tmp_path: Path) -> VaultService:
    service = make_service(make_vault(tmp_path / "vault"))
    service.load()
    return service


@pytest.fixture
def port(service: VaultService) -> Iterator[int]:
    app = create_app(app_over(service), settings(read_timeout_s=TIMEOUT))
    with limited_server(app, read_timeout_s=TIMEOUT) as port:
        yield port


def test_big_heads_under_the_limit_and_big_bodies_pass(port: int) -> None:
    header = ("X-Padding", "p" * 60_000)
    response = exchange(port, [request(port, headers=[header])]).response()
    assert response.status == 200, response.body
    # A 900 KB body arriving in the same reads as its head is a body, not a head.
    body = b'{"query": "LIST", "format": "json"' + b" " * 900_000 + b"}"
    sent = request(port, "/api/v1/query", "POST", [AUTH_HEADER], body)
    response = exchange(port, [sent]).response()
    assert response.status == 200, response.body
    assert response.json()["count"] == 4


def test_the_head_limit_counts_each_pipelined_request_afresh(port: int) -> None:
    pad = "p" * 2000
    one = f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Pad: {pad}\r\n\r\n".encode()
    count = DEFAULT_MAX_HEAD_BYTES // len(one) * 2  # together twice the limit, in one send
    last = request(port)
    result = exchange(port, [one * count + last])
    responses = parse_responses(result.data)
    assert [r.status for r in responses] == [200] * (count + 1)


def test_a_head_over_the_limit_is_431_even_in_small_pieces(port: int) -> None:
    steps: list[bytes | float] = [b"GET /api/v1/health HTTP/1.1\r\n"]
    steps += [b"X-Many: " + b"m" * 1000 + b"\r\n"] * 70
    result = exchange(port, steps)
    assert result.closed
    assert result.response().status == 431


@pytest.mark.slow
def test_the_event_stream_outlives_the_read_timeout(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            request(port, "/api/v1/events", headers=[AUTH_HEADER]).replace(
                b"Connection: close\r\n", b""
            )
        )
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        # A next request starts trickling in while the stream runs: we are the slow ones.
        sock.sendall(b"GET /api/v1/he")
        time.sleep(TIMEOUT * 3)
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):  # nothing to read, and not closed either
            sock.recv(65536)


def test_a_partial_request_after_a_keep_alive_one_is_408(port: int) -> None:
    keep = request(port).replace(b"Connection: close\r\n", b"")
    result = exchange(port, [keep + b"GET /api/v1/he"])
    assert result.closed and TIMEOUT - 0.2 < result.seconds < TIMEOUT + 3
    first, second = parse_responses(result.data)
    assert first.status == 200
    assert second.status == 408 and second.json()["error"]["code"] == "request_timeout"


def test_a_body_in_pieces_within_the_timeout_is_fine(port: int) -> None:
    body = b'{"query": "LIST"}'
    head = request(port, "/api/v1/query", "POST", [AUTH_HEADER], body)[: -len(body)]
    steps: list[bytes | float] = [head, 0.3, body[:5], 0.3, body[5:]]
    response = exchange(port, steps).response()
    assert response.status == 200, response.body


@pytest.mark.slow
def test_the_body_deadline_waits_while_the_app_has_not_read() -> None:
    """A big body sent at once fills the buffer and reading pauses; a slow app is no timeout."""

    async def slow_reader(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(TIMEOUT * 2.5)
        size = 0
        more = True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        body = str(size).encode()
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    with limited_server(slow_reader, read_timeout_s=TIMEOUT) as port:
        body = b"b" * 500_000
        result = exchange(port, [request(port, "/", "POST", body=body)], wait=10)
    response = result.response()
    assert response.status == 200
    assert response.body == b"500000"
