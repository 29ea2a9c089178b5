"""``GET /api/v1/events``: server-sent events.

Events: ``hello`` once on connect (current revision and phase), ``revision`` for every new
snapshot (``{"revision", "changed": [paths], "removed": [paths]}``, SSE ``id`` = the revision),
``progress`` while indexing (the ``/status`` progress object), ``resync`` when this client fell
too far behind (re-read ``/status``). A comment line every ``KEEPALIVE_S`` keeps proxies and
clients from timing out. The stream ends when the server shuts down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from server.application.broadcast import Event
from server.application.encoders import dumps
from server.web.responses import app_of

KEEPALIVE_S = 15.0


def format_event(event: Event) -> bytes:
    head = f"event: {event.kind}\n"
    if event.kind == "revision":
        head += f"id: {event.data.get('revision')}\n"
    return head.encode() + b"data: " + dumps(event.data) + b"\n\n"


async def events(request: Request) -> Response:
    service = app_of(request).live
    subscription = service.hub.subscribe()

    async def stream() -> AsyncIterator[bytes]:
        try:
            yield format_event(Event("hello", service.hello()))
            while True:
                event = await subscription.get(timeout=KEEPALIVE_S)
                if event is None:
                    if service.hub.closed:
                        return
                    yield b": keepalive\n\n"
                    continue
                yield format_event(event)
        finally:
            subscription.close()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


ROUTES = [Route("/api/v1/events", events, methods=["GET"])]
