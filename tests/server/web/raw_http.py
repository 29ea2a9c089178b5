"""Raw HTTP/1.1 over a socket, for tests of what the HTTP layer itself answers.

HTTP clients normalise what they send (one ``Host``, a well-formed head, a body sent at once);
these helpers put exact bytes on the wire, at a chosen pace, and read back what the server wrote
and whether it closed the connection. :func:`limited_server` runs the app under the same uvicorn
configuration as ``vaultql serve`` (``server.cli.serve.uvicorn_config``) in a thread, usually
with a short read timeout so timeout tests stay fast.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from tests.server.server_helpers import free_port, settings, uvicorn_thread


@dataclass
class Exchange:
    """What came back on one connection: the bytes, whether the server closed it, and when."""

    data: bytes
    closed: bool
    seconds: float

    def response(self, index: int = 0) -> Response:
        return parse_responses(self.data)[index]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


def parse_responses(data: bytes) -> list[Response]:
    """The complete ``Content-Length`` responses in ``data``, in order."""
    out: list[Response] = []
    while b"\r\n\r\n" in data:
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if len(rest) < length:
            break
        out.append(Response(int(status_line.split()[1]), headers, rest[:length]))
        data = rest[length:]
    return out


def exchange(
    port: int,
    steps: Sequence[bytes | float],
    wait: float = 5.0,
    host: str = "127.0.0.1",
) -> Exchange:
    """Connect, then for each step send the bytes or sleep the seconds; then read until the
    server closes the connection or ``wait`` seconds pass without it. ``seconds`` is the time
    from connecting to the close (or to giving up)."""
    start = time.monotonic()
    sock = socket.create_connection((host, port), timeout=wait)
    received = b""
    closed = False
    try:
        for step in steps:
            if isinstance(step, float):
                time.sleep(step)
            else:
                try:
                    sock.sendall(step)
                except OSError:  # the server closed first: read what it said
                    break
        deadline = start + wait + sum(s for s in steps if isinstance(s, float))
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    finally:
        sock.close()
    return Exchange(received, closed, time.monotonic() - start)


@contextlib.contextmanager
def limited_server(app: Any, **overrides: Any) -> Iterator[int]:
    """``app`` under ``vaultql serve``'s uvicorn configuration on 127.0.0.1, in a thread;
    yields the port. ``overrides`` go to the settings (e.g. ``read_timeout_s=1.0``)."""
    with uvicorn_thread(app, settings(port=free_port(), **overrides)) as port:
        yield port


def request(
    port: int,
    target: str = "/api/v1/health",
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    host: str | None = None,
) -> bytes:
    """One request's bytes (``Connection: close``) with exactly these headers, for
    :func:`exchange`."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
