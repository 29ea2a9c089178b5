"""Fan-out of server events (new revisions, index progress) to SSE subscribers.

Publishers are worker threads (scans and updates run off the event loop); subscribers are
coroutines on the loop. :meth:`EventHub.publish` is thread-safe and never blocks: each subscriber
has a bounded queue, and a subscriber that falls behind loses its oldest *progress* events first
(a later progress event supersedes them); revision events are kept, and if even those overflow
the subscriber is told to resynchronise through ``/status``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Event", "EventHub", "Subscription"]

_CLOSE = object()


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # "revision", "progress" or "resync"
    data: dict[str, Any]


class Subscription:
    """One subscriber's queue; iterate it on the loop that created it."""

    def __init__(self, hub: EventHub, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self._hub = hub
        self._loop = loop
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)

    def _offer(self, item: Any) -> None:
        """Runs on the subscriber's loop."""
        queue = self._queue
        if queue.full():
            self._make_room(item)
        if not queue.full():
            queue.put_nowait(item)

    def _make_room(self, item: Any) -> None:
        queue = self._queue
        kept = [queued for queued in _drain(queue) if not _is_progress(queued)]
        if len(kept) >= queue.maxsize:
            # Even without progress events the subscriber is too far behind: tell it to resync.
            kept = [Event("resync", {"reason": "the client fell behind"})]
        for queued in kept:
            queue.put_nowait(queued)

    async def get(self, timeout: float | None = None) -> Event | None:
        """The next event; ``None`` on timeout or when the hub closed."""
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        return None if item is _CLOSE else item

    def close(self) -> None:
        self._hub.unsubscribe(self)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self.get()
            if event is None:
                return
            yield event


def _drain(queue: asyncio.Queue[Any]) -> list[Any]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def _is_progress(item: Any) -> bool:
    return isinstance(item, Event) and item.kind in ("progress", "embedding")


class EventHub:
    def __init__(self, queue_size: int = 256) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscription] = []
        self._queue_size = queue_size
        self.closed = False

    def subscribe(self) -> Subscription:
        """A new subscription bound to the running event loop."""
        subscription = Subscription(self, asyncio.get_running_loop(), self._queue_size)
        with self._lock:
            self._subscribers.append(subscription)
            if self.closed:
                subscription._offer(_CLOSE)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        """Send an event to every subscriber; callable from any thread."""
        self._send(Event(kind, data))

    def close(self) -> None:
        """End every subscription (at shutdown, so open SSE streams finish)."""
        with self._lock:
            self.closed = True
        self._send(_CLOSE)

    def _send(self, item: Any) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            try:
                subscription._loop.call_soon_threadsafe(subscription._offer, item)
            except RuntimeError:  # the subscriber's loop is closed
                self.unsubscribe(subscription)
