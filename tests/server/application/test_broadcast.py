"""The event hub: thread-safe publishing, bounded queues, close."""

from __future__ import annotations

import asyncio
import threading

from server.application.broadcast import EventHub


def test_events_published_from_threads_arrive_in_order() -> None:
    async def main() -> list[int]:
        hub = EventHub()
        sub = hub.subscribe()
        thread = threading.Thread(
            target=lambda: [hub.publish("revision", {"revision": i}) for i in range(50)]
        )
        thread.start()
        got = []
        while len(got) < 50:
            event = await sub.get(timeout=2)
            assert event is not None
            got.append(event.data["revision"])
        thread.join()
        sub.close()
        assert hub.subscriber_count == 0
        return got

    assert asyncio.run(main()) == list(range(50))


def test_slow_subscribers_lose_progress_first_then_resync() -> None:
    async def main() -> None:
        hub = EventHub(queue_size=4)
        sub = hub.subscribe()
        hub.publish("revision", {"revision": 1})
        for i in range(10):
            hub.publish("progress", {"done": i})
        hub.publish("revision", {"revision": 2})
        await asyncio.sleep(0.05)
        kinds = []
        while (event := await sub.get(timeout=0.05)) is not None:
            kinds.append(event.kind)
        assert kinds.count("revision") == 2
        for i in range(10):
            hub.publish("revision", {"revision": 3 + i})
        await asyncio.sleep(0.05)
        first = await sub.get(timeout=0.05)
        assert first is not None and first.kind == "resync"

    asyncio.run(main())


def test_close_ends_subscriptions() -> None:
    async def main() -> None:
        hub = EventHub()
        sub = hub.subscribe()
        hub.close()
        assert await sub.get(timeout=1) is None
        assert hub.closed
        late = hub.subscribe()
        assert await late.get(timeout=1) is None

    asyncio.run(main())
