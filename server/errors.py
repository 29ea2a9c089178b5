"""The server side's exception tree: what the application refuses, and why, for every surface.

The application (``server.application``) and the packages under it raise these; each surface
turns them into its own form — the web app into the one JSON error shape with the HTTP status
below (``server.web.error_shape``), the CLI into a message on stderr and an exit code. Query
errors have their own tree in ``query.errors``.

::

    VaultQLError                 base: ``code`` and ``message``
    ├── BadRequestError          a parameter is missing, malformed or out of range      400
    │   └── BadPathError         not a plain vault-relative path (``..``, ``/x``, NUL…)  400
    ├── NotFoundError            no such note                                             404
    │   └── UnknownTargetError   a note named by path, link or alias that does not exist  404
    │                            (``candidates``: what it may have meant)
    ├── ConfigError              a vault configuration file cannot be used               422
    └── UnavailableError         not now: the index is loading or the vault folder is    503
        └── NotReadyError        missing (``NotReadyError``), search is starting or off

Messages are written for people and never hold content from outside the vault.
"""

from __future__ import annotations

__all__ = [
    "BadPathError",
    "BadRequestError",
    "ConfigError",
    "NotFoundError",
    "NotReadyError",
    "UnavailableError",
    "UnknownTargetError",
    "VaultQLError",
]


class VaultQLError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(VaultQLError):
    code = "bad_request"


class BadPathError(BadRequestError):
    code = "bad_path"


class NotFoundError(VaultQLError):
    code = "not_found"


class UnknownTargetError(NotFoundError):
    """No note matches the path, wikilink or alias given; ``candidates`` are the paths of the
    notes it may have meant ("did you mean"), best first."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = list(candidates or ())


class ConfigError(VaultQLError):
    code = "bad_config"


class UnavailableError(VaultQLError):
    code = "unavailable"


class NotReadyError(UnavailableError):
    """The index is not ready: the first load is running, or the vault folder is missing or
    being read again."""
