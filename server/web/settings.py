"""Web server settings: where to listen, who may call, and how large and slow a request may be.

Settings are plain data, built once by the CLI (or a test) and handed to ``create_app``; nothing
here reads the environment or the disk.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8377

# Origins the Obsidian app uses (desktop, mobile) and a local dev page. Never "*".
CORS_ORIGINS: tuple[str, ...] = ("app://obsidian.md", "capacitor://localhost", "http://localhost")

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything ``create_app`` needs besides the application (whose own options — the index
    folder, the query limits, the watcher's timing — are ``AppOptions``)."""

    token: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    allowed_hosts: tuple[str, ...] = ()  # extra Host header names accepted besides loopback
    cors: bool = False
    max_body_bytes: int = 1_000_000
    max_head_bytes: int = 65_536  # request line and headers → 431 (server.web.http_limits)
    read_timeout_s: float = 10.0  # for a request's head, and again for its body → 408
    watch: bool = True  # follow the vault's changes (served mode)

    def host_names(self) -> frozenset[str]:
        """Host header names (lower-case, no port) this server answers to."""
        names = {"localhost", "127.0.0.1", "::1", *(h.lower() for h in self.allowed_hosts)}
        if not is_wildcard(self.host):
            names.add(self.host.lower().strip("[]"))
        return frozenset(names)


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """True for bind-everything addresses (0.0.0.0, ::)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False
