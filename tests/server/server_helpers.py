"""Shared helpers for the server tests: a tiny vault, an app wired to it, a real uvicorn."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn

from server.application.catalog_cache import CatalogCache
from server.application.derived_services import DerivedServices
from server.application.live_index import VaultService
from server.application.vault_app import AppOptions, VaultApp
from server.cli.serve import uvicorn_config
from server.web.app import create_app
from server.web.settings import ServerSettings

TOKEN = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UTC = ZoneInfo("UTC")

NOTES = {
    "Projects/Alpha.md": (
        "---\ntags: [project]\nstatus: active\n---\n# Alpha\n"
        "Links to [[Beta]] and [[Missing]].\n\n"
        "- [ ] task one [due:: 2024-01-05]\n- [x] done task\n\n## Notes\nrating:: 5\n"
    ),
    "Projects/Beta.md": "---\ntags: [project]\nstatus: paused\n---\nBack to [[Alpha]].\n",
    "Daily/2024-01-01.md": "mood:: good\n",
    "README.md": "# Readme\nSee [[Alpha]].\n",
}


def make_vault(root: Path, notes: dict[str, str] | None = None) -> Path:
    for rel, text in (NOTES if notes is None else notes).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def make_service(vault: Path, index_dir: Path | None = None, **kwargs: Any) -> VaultService:
    cache = CatalogCache(index_dir, vault, "UTC") if index_dir is not None else None
    return VaultService(vault, local=UTC, cache=cache, index_dir=index_dir, **kwargs)


def app_over(
    service: VaultService,
    derived: DerivedServices | None = None,
    *,
    search: Any = None,
    related: Any = None,
    **options: Any,
) -> VaultApp:
    """The application over ``service`` (a test's own live index). ``search``/``related``: services
    to use as they are (not made, not kept in step); ``derived``: services that are."""
    if derived is None and (search is not None or related is not None):
        derived = DerivedServices(service, search=search, related=related, follow=False)
    chosen = AppOptions(search=derived is not None, local=service.local, **options)
    return VaultApp(service.vault, chosen, live=service, derived=derived)


def settings(**overrides: Any) -> ServerSettings:
    values: dict[str, Any] = {"token": TOKEN, "watch": False}
    values.update(overrides)
    return ServerSettings(**values)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def uvicorn_thread(app: Any, served: ServerSettings) -> Iterator[int]:
    """``app`` under ``vaultql serve``'s uvicorn configuration (``served``'s host and port), in
    a thread; yields the port once it listens."""
    server = uvicorn.Server(uvicorn_config(app, served))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield served.port
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def running_server(
    service: VaultService, derived: DerivedServices | None = None, **overrides: Any
) -> Iterator[str]:
    """A real uvicorn on 127.0.0.1 (random port) in a thread; yields the base URL. With
    ``derived``, search and related notes answer too."""
    served = settings(host="127.0.0.1", port=free_port(), **overrides)
    with uvicorn_thread(create_app(app_over(service, derived), served), served) as port:
        yield f"http://127.0.0.1:{port}"
