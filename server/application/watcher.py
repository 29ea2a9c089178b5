"""Watching the vault with watchfiles and feeding touched paths to the service.

``awatch`` runs with a short debounce (200 ms, checked every 10 ms: about 15 ms from a write to
the event here, against 73 ms with the defaults) and yields *sets* of changes. Event kinds are not
trusted — a rename arrives as a delete plus an add, a burst may coalesce — so only the touched
paths are passed on; :func:`server.application.catalog_sync.apply_paths` reconciles each with the
disk. Applying a batch is blocking work and runs in a worker thread.

The vault folder itself can be replaced (``mv V V.old && cp -a V.old V``, what restores and
some sync tools do), vanish, or be unmounted and mounted again; an OS watch follows the old
folder, not the path. So the folder's identity (``st_dev``, ``st_ino``) is checked every second
and before each batch (:meth:`VaultService.check_root`): while it is missing the service says
so and nothing is watched; when it is back or was replaced, a new watch starts on the path and
the service reads the whole folder again (:meth:`VaultService.rescan`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from watchfiles import DefaultFilter, awatch

if TYPE_CHECKING:
    from server.application.live_index import VaultService

__all__ = ["ROOT_CHECK_S", "VaultFilter", "watch_vault"]

log = logging.getLogger("vaultql.server")

ROOT_CHECK_S = 1.0  # how often the vault folder's identity is checked
MAX_RETRY_S = 60.0


class VaultFilter(DefaultFilter):
    """watchfiles' default filter (editor swap files, ``.git``…) plus Obsidian's own folder."""

    ignore_dirs = (*DefaultFilter.ignore_dirs, ".obsidian", ".trash")


async def watch_vault(
    service: VaultService, stop: asyncio.Event, *, debounce_ms: int = 200, step_ms: int = 10
) -> None:
    """Apply every batch of changes under ``service.vault`` until ``stop`` is set, following the
    vault folder through replacements and absences. ``debounce_ms``/``step_ms``: watchfiles'
    batching (a burst within the debounce window is one batch)."""
    timing = (debounce_ms, step_ms)
    rescan = False  # the first watch needs none: the initial load reads the folder
    failures = 0
    while not stop.is_set():
        state = await asyncio.to_thread(service.check_root)
        if state == "missing":
            await _wait(stop, ROOT_CHECK_S)
            rescan = True
            continue
        failed = await _watch_once(service, timing, stop, rescan=rescan or state == "changed")
        rescan = True  # a watch ends early only when the folder changed (or on an error)
        failures = failures + 1 if failed else 0
        if failed:  # a watch that cannot start (no inotify watches left…): retry, slower each time
            await _wait(stop, min(ROOT_CHECK_S * 2**failures, MAX_RETRY_S))


async def _watch_once(
    service: VaultService, timing: tuple[int, int], stop: asyncio.Event, *, rescan: bool
) -> bool:
    """One watch of the folder now at ``service.vault``, until ``stop`` or until the folder is
    no longer the one being watched; True when the watch itself failed."""
    ended = asyncio.Event()  # ends this watch; set by ``stop`` or by a changed folder
    guard = asyncio.create_task(_guard(service, stop, ended))
    # Scheduled now, run once the watch below is set up (awatch creates its OS watch before
    # its first await), so a change made while the folder is being read is not missed.
    reading = asyncio.create_task(_rescan(service)) if rescan else None
    batches = awatch(
        service.vault,
        watch_filter=VaultFilter(),
        debounce=timing[0],
        step=timing[1],
        stop_event=ended,
        ignore_permission_denied=True,
    )
    try:
        async with contextlib.aclosing(batches):
            async for changes in batches:
                paths = sorted({path for _, path in changes})
                try:
                    if not await asyncio.to_thread(_apply, service, paths):
                        break  # the folder changed: these events may be about another one
                except Exception:  # one bad batch must not end live updates
                    log.exception("applying %d file events failed", len(paths))
    except Exception:  # the folder vanished as the watch started, say: check it, start again
        log.exception("watching %s failed", service.vault)
        return True
    finally:
        ended.set()
        guard.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await guard
        if reading is not None:
            with contextlib.suppress(Exception):  # logged by the service
                await reading
    return False


def _apply(service: VaultService, paths: list[str]) -> bool:
    """Apply one batch unless the vault folder changed; False when it did."""
    if service.check_root() != "ok":
        return False
    service.apply_changes(paths)
    return True


async def _rescan(service: VaultService) -> None:
    await asyncio.to_thread(service.rescan)


async def _guard(service: VaultService, stop: asyncio.Event, ended: asyncio.Event) -> None:
    """Set ``ended`` when ``stop`` is set or the vault folder is no longer the watched one."""
    while not ended.is_set():
        if await _wait(stop, ROOT_CHECK_S) or await asyncio.to_thread(service.check_root) != "ok":
            ended.set()


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Wait up to ``seconds`` for ``event``; whether it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
    return event.is_set()
