"""``GET /api/v1/events``: server-sent events.

Events: ``hello`` once on connect (``{"revision", "phase", "instance"}``), ``revision`` for every
new snapshot (``{"revision", "changed": [paths], "removed": [paths], "instance"}``, SSE ``id`` =
the revision; ``instance`` is the run's, ``VaultApp.instance``, so a client that reconnects to
a restarted server knows its revisions started again),
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


def format_event(event: Event, instance: str | None = None) -> bytes:
    """One SSE event; ``instance`` is added to ``hello`` and ``revision`` events."""
    head = f"event: {event.kind}\n"
    data = event.data
    if event.kind == "revision":
        head += f"id: {data.get('revision')}\n"
    if instance is not None and event.kind in ("hello", "revision"):
        data = {**data, "instance": instance}
    return head.encode() + b"data: " + dumps(data) + b"\n\n"


async def events(request: Request) -> Response:
    app = app_of(request)
    service = app.live
    instance = app.instance
    subscription = service.hub.subscribe()

    async def stream() -> AsyncIterator[bytes]:
        try:
            yield format_event(Event("hello", app.hello()))
            while True:
                event = await subscription.get(timeout=KEEPALIVE_S)
                if event is None:
                    if service.hub.closed:
                        return
                    yield b": keepalive\n\n"
                    continue
                yield format_event(event, instance)
        finally:
            subscription.close()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


ROUTES = [Route("/api/v1/events", events, methods=["GET"])]
