"""Query-string parameters of the API, parsed in one place.

:class:`Params` checks that a request names only parameters a route knows and turns text into
the typed values the application methods take; anything malformed is a
:class:`~server.errors.BadRequestError` (400). Ranges are the application's to check, so the
command line refuses the same values with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from server.errors import BadRequestError

__all__ = ["Params"]


class Params:
    def __init__(self, raw: Mapping[str, str], allowed: Iterable[str] | None = None) -> None:
        self.raw = dict(raw)
        if allowed is not None:
            unknown = sorted(set(self.raw) - set(allowed))
            if unknown:
                raise BadRequestError(f"unknown parameters: {', '.join(unknown)}")

    def text(self, name: str, default: str | None = None) -> str | None:
        return self.raw.get(name, default)

    def required(self, name: str) -> str:
        value = self.raw.get(name)
        if value is None:
            raise BadRequestError(f'"{name}" is required')
        return value

    def integer(self, name: str, default: int) -> int:
        raw = self.raw.get(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise BadRequestError(f'"{name}" must be an integer') from None

    def number(self, name: str, default: float) -> float:
        raw = self.raw.get(name)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise BadRequestError(f'"{name}" must be a number') from None

    def flag(self, name: str, default: bool) -> bool:
        raw = self.raw.get(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise BadRequestError(f'"{name}" must be true or false')
