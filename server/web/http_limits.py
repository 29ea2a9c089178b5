"""HTTP/1.1 limits for uvicorn's httptools protocol: head size, read time, JSON errors.

uvicorn's httptools implementation bounds neither the request head nor the time a request may
take to arrive. httptools joins the pieces of a header value (and uvicorn those of the URL) by
bytes concatenation, so a header line that never ends costs quadratic CPU: three clients
streaming one endless header held the event loop for minutes. :class:`LimitedHttpToolsProtocol`
keeps httptools (about three times faster than h11) and adds, per connection:

* a head limit: at most ``max_head_bytes`` of request line and headers are fed to the parser;
  beyond that the client gets 431 ``headers_too_large`` and the connection is closed. Bytes are
  counted as they arrive, before the parser sees them, so the parser never holds more than the
  limit (plus, at worst, the rest of the read that finished the previous request);
* a read deadline: the head must be complete within ``read_timeout_s`` of the connection
  opening or of its first byte, and a body within ``read_timeout_s`` of its head — else 408
  ``request_timeout`` (or a silent close when nothing was sent) and the connection is closed.
  The deadline pauses while the server itself is the slow one: while a response is still being
  produced, or reading is paused because the app has not yet taken the body;
* the one JSON error shape (``server.web.error_shape``) for every response the protocol writes
itself: the 400 for a malformed request, 408, 431 and the 500 for an app that fails before
answering.

Connections between requests keep uvicorn's keep-alive timeout. This module knows nothing of
the vault or of the app; ``limited_protocol`` makes the class to pass as ``uvicorn.Config(http=…)``.

:class:`BodyLimitMiddleware` bounds a request body for an ASGI app that reads bodies itself (the
MCP endpoint): it reads at most ``max_bytes`` — a larger declared ``Content-Length`` or streamed
body gets 413 ``payload_too_large`` — and hands the app the body in one message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, ClassVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import (
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

from server.web.error_shape import error_json, error_response

__all__ = [
    "DEFAULT_MAX_HEAD_BYTES",
    "DEFAULT_READ_TIMEOUT_S",
    "BodyLimitMiddleware",
    "LimitedHttpToolsProtocol",
    "error_bytes",
    "limited_protocol",
]

DEFAULT_MAX_HEAD_BYTES = 64 * 1024
DEFAULT_READ_TIMEOUT_S = 10.0
_TIMER_SLACK_S = 0.005  # event-loop timers may fire a little early


def error_bytes(
    status: int, code: str, message: str, default_headers: Iterable[tuple[bytes, bytes]] = ()
) -> bytes:
    """A complete ``Connection: close`` response carrying the error shape."""
    body = error_json(code, message)
    head = [STATUS_LINE[status]]
    for name, value in default_headers:
        head += [name, b": ", value, b"\r\n"]
    head += [
        b"content-type: application/json\r\n",
        b"content-length: %d\r\n" % len(body),
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + body


def limited_protocol(
    max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES, read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
) -> type[LimitedHttpToolsProtocol]:
    """A :class:`LimitedHttpToolsProtocol` subclass with these limits, for ``uvicorn.Config``."""
    if max_head_bytes < 1024 or read_timeout_s <= 0:
        raise ValueError("the head limit must be at least 1 KiB and the read timeout positive")
    attributes = {"max_head_bytes": max_head_bytes, "read_timeout_s": read_timeout_s}
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), attributes)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    max_head_bytes: ClassVar[int] = DEFAULT_MAX_HEAD_BYTES
    read_timeout_s: ClassVar[float] = DEFAULT_READ_TIMEOUT_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0  # bytes fed since the last request ended (its head so far)
        self._in_head = False  # a request has begun, its head is not complete
        self._in_body = False  # between the end of a head and the end of its request
        # The read deadline is a loop time; arming and disarming only set it (requests are
        # cheap), and one timer per connection looks at it when due, following it if it moved.
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    # Connection life

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a whole head is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._stop_timer()  # the connection belongs to another protocol from here on
        super().handle_websocket_upgrade()

    def data_received(self, data: bytes) -> None:
        while data and self.parser is not None and not self.transport.is_closing():
            if self._in_body:
                super().data_received(data)  # bodies are bounded by the app and the deadline
                break
            if self._deadline is None:
                self._arm()
            room = self.max_head_bytes - self._head_bytes
            if room <= 0:
                self._refuse(431, "headers_too_large", self._too_large())
                return
            # Feed at most what the limit allows: the part that ends a head may carry a body
            # (fed whole on the next turn) or the next pipelined request (counted afresh).
            part, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
            self._head_bytes += len(part)
            super().data_received(part)
        if self._in_body and self._deadline is None and not self.transport.is_closing():
            self._arm()

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        if self._deadline is None:  # a pipelined request starting in the read that ended one
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        self._in_head = False
        self._in_body = True
        # uvicorn's own 500 (the app failed before answering) is plain text; use the shape.
        cycle = self.cycle
        if cycle is not None:
            cycle.send_500_response = lambda: _send_json_500(cycle)  # type: ignore[method-assign]

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_body = False
        self._head_bytes = 0
        super().on_message_complete()

    # Refusals

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "bad_request", "malformed HTTP request")

    def _too_large(self) -> str:
        return f"the request line and headers are over {self.max_head_bytes} bytes"

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer ``status`` in the error shape and close; only close when answering would mix
        with a response already under way (a previous request's, or this one's)."""
        cycle: RequestResponseCycle | None = self.cycle
        if self.pipeline:
            may_answer = False
        elif self._in_body:  # the cycle is this request's
            may_answer = cycle is None or not cycle.response_started
        else:  # the cycle, if any, is the previous request's
            may_answer = cycle is None or cycle.response_complete
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's further sends are dropped
            cycle.message_event.set()
        if may_answer:
            default_headers = self.server_state.default_headers
            self.transport.write(error_bytes(status, code, message, default_headers))
        self._stop_timer()
        self.transport.close()

    # The read deadline

    def _arm(self) -> None:
        self._deadline = self.loop.time() + self.read_timeout_s
        if self._timer is None:
            self._timer = self.loop.call_at(self._deadline, self._deadline_due)

    def _disarm(self) -> None:
        self._deadline = None  # a pending timer finds nothing to do and lapses

    def _stop_timer(self) -> None:
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _deadline_due(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None or self.transport.is_closing():
            return
        if deadline - self.loop.time() > _TIMER_SLACK_S:  # re-armed since this timer was set
            self._timer = self.loop.call_at(deadline, self._deadline_due)
            return
        cycle: RequestResponseCycle | None = self.cycle
        busy = self.pipeline or (cycle is not None and not cycle.response_complete)
        if self.flow.read_paused or (busy and not self._in_body):
            # We are the slow ones: the app has not taken the body yet, or a response (maybe
            # a long event stream) is still running while the next request trickles in.
            self._arm()
            return
        if self._in_body or self._in_head or self._head_bytes:
            what = "body" if self._in_body else "request line and headers"
            self._refuse(408, "request_timeout", f"the {what} did not arrive in time")
        else:
            self._stop_timer()
            self.transport.close()  # nothing was asked: nothing to answer


async def _send_json_500(cycle: RequestResponseCycle) -> None:
    body = error_json("internal", "internal server error")
    await cycle.send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await cycle.send({"type": "http.response.body", "body": body, "more_body": False})


class BodyLimitMiddleware:
    """At most ``max_bytes`` of request body for ``app``, or 413 (module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = error_response(
            413, "payload_too_large", f"the body is over {self.max_bytes} bytes"
        )
        declared = [v for k, v in scope["headers"] if k == b"content-length"]
        if declared and declared[0].isdigit() and int(declared[0]) > self.max_bytes:
            await too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # a disconnect, when it comes

        await self.app(scope, replay, send)
