"""The catalog cache on disk: outside the vault, versioned, checksummed, written atomically.

Layout: ``<index dir>/catalog.bin`` where the index dir defaults to
``<user cache dir>/vaultql/<vault key>`` (the key hashes the vault's absolute path, see
``server.application.tokens.vault_key``). The file is::

    MAGIC (8 bytes) | header length (4 bytes, big-endian) | header (JSON) | payload (pickle)

The header names the format version, a fingerprint of the code that produced the records (the
record classes and the Markdown reader: any change to them invalidates every cache), the vault
path, the time zone the dates were made in, and the payload's SHA-256. A cache that fails any
check is discarded with the reason logged and reported, and the vault is scanned again; it is
never trusted.

Writes go to a temporary file in the same directory, are fsync'd, then renamed over the old file
(and the directory fsync'd), so a crash at any point leaves the old cache or the new one.

The payload is a pickle: loading one runs code, so the loader refuses any class outside the
record and value types, and the cache lives in a directory only this user can write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import logging
import os
import pickle
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

from query.gc_pause import gc_paused
from server.application.tokens import vault_key

__all__ = ["FORMAT_VERSION", "CacheLoad", "CatalogCache", "default_index_dir"]

log = logging.getLogger("vaultql.server")

MAGIC = b"VQLCACHE"
FORMAT_VERSION = 1
CACHE_NAME = "catalog.bin"
STALE_TEMP_S = 60.0

# The modules whose code decides what a record holds; their source is the cache fingerprint.
_FINGERPRINT_MODULES = (
    "query.records",
    "query.values",
    "query.temporal.dates",
    "query.links",
    "server.vault.markdown",
    "server.vault.lists",
    "server.vault.fields",
    "server.vault.field_values",
    "server.vault.field_map",
    "server.vault.yaml_reader",
    "server.vault.linker",
    "server.vault.catalog",
    "server.vault.note_file",
    "query.positional",
    "server.application.catalog_sync",
)

_ALLOWED_MODULE_PREFIXES = ("query.", "server.vault.")
_ALLOWED_GLOBALS = frozenset(
    {
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("zoneinfo", "ZoneInfo"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
    }
)
# The positional constructors records and values pickle through (``query.positional``).
_REBUILDERS = frozenset(
    {
        ("query.values", "_make_link"),
        ("query.values", "_make_date"),
        ("query.values", "_make_duration"),
        ("query.records", "_make_section"),
        ("query.records", "_make_list_item"),
        ("query.records", "_make_note_record"),
    }
)


def default_index_dir(vault: Path) -> Path:
    return Path(platformdirs.user_cache_dir("vaultql", appauthor=False)) / vault_key(vault)


@functools.cache
def code_fingerprint() -> str:
    import importlib.util

    digest = hashlib.sha256()
    for name in _FINGERPRINT_MODULES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        digest.update(name.encode())
        if origin and os.path.exists(origin):
            with open(origin, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:32]


_INIT_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The ``__init__`` field names of a dataclass whose fields are all init fields, else None."""
    if cls in _INIT_FIELDS:
        return _INIT_FIELDS[cls]
    names: tuple[str, ...] | None = None
    if dataclasses.is_dataclass(cls):
        fields = dataclasses.fields(cls)
        if all(f.init for f in fields):
            names = tuple(f.name for f in fields)
    _INIT_FIELDS[cls] = names
    return names


class _Pickler(pickle.Pickler):
    """Dataclasses as ``cls(*fields)``: loads ~3× faster than the slotted-dataclass default."""

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls is type:
            return NotImplemented
        if isinstance(obj, ZoneInfo) and obj.key:
            # The default reduces through builtins.getattr, which the loader refuses.
            return (ZoneInfo, (obj.key,))
        names = _init_fields(cls)
        if names is None:
            return NotImplemented
        return (cls, tuple(getattr(obj, name) for name in names))


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _REBUILDERS:
            found = super().find_class(module, name)
            if callable(found) and getattr(found, "__module__", None) == module:
                return found
        if module.startswith(_ALLOWED_MODULE_PREFIXES) or (module, name) in _ALLOWED_GLOBALS:
            found = super().find_class(module, name)
            # Only classes defined where they are named: never a module or function reached
            # through an allowed module's namespace (``server.vault.scanner.os``…).
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"the cache names a forbidden class {module}.{name}")


class CacheError(Exception):
    """The cache cannot be used; the message says why (it is logged and reported)."""


@dataclass(slots=True)
class CacheLoad:
    state: dict[str, Any] | None
    reason: str | None  # why there is no state (None when loaded)


class CatalogCache:
    def __init__(self, directory: Path, vault: Path, zone: str) -> None:
        self.directory = Path(directory)
        self.path = self.directory / CACHE_NAME
        self.vault = str(Path(vault).resolve())
        self.zone = zone

    # -- reading -----------------------------------------------------------------------------

    def load(self) -> CacheLoad:
        self._remove_stale_temps()
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return CacheLoad(None, "no cache yet")
        except OSError as exc:
            return self._discard(f"unreadable: {exc}")
        try:
            return CacheLoad(self._decode(raw), None)
        except CacheError as exc:
            return self._discard(str(exc))

    def _decode(self, raw: bytes) -> dict[str, Any]:
        if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 4:
            raise CacheError("not a VaultQL catalog cache (bad magic)")
        start = len(MAGIC) + 4
        size = int.from_bytes(raw[len(MAGIC) : start], "big")
        try:
            header = json.loads(raw[start : start + size])
        except ValueError as exc:
            raise CacheError(f"corrupt header: {exc}") from exc
        if not isinstance(header, dict):
            raise CacheError("corrupt header")
        expected = self._header(b"")
        for key in ("format", "fingerprint", "vault", "zone"):
            if header.get(key) != expected[key]:
                raise CacheError(
                    f"{key} mismatch (cache has {header.get(key)!r}, expected {expected[key]!r})"
                )
        payload = raw[start + size :]
        if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            raise CacheError("checksum mismatch (truncated or corrupt payload)")
        # Millions of small objects: the cyclic GC would run dozens of times for nothing.
        try:
            with gc_paused():
                state = _Unpickler(io.BytesIO(payload)).load()
        except Exception as exc:  # any unpickling failure means the same thing: do not trust it
            raise CacheError(f"payload does not load: {type(exc).__name__}: {exc}") from exc
        if not isinstance(state, dict) or not {"parsed", "records"} <= set(state):
            raise CacheError("payload has the wrong shape")
        return state

    def _discard(self, reason: str) -> CacheLoad:
        log.warning("discarding the catalog cache %s: %s; rebuilding", self.path, reason)
        with contextlib.suppress(OSError):
            self.path.unlink()
        return CacheLoad(None, reason)

    def _header(self, payload: bytes) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "fingerprint": code_fingerprint(),
            "vault": self.vault,
            "zone": self.zone,
            "sha256": hashlib.sha256(payload).hexdigest(),
        }

    # -- writing -----------------------------------------------------------------------------

    def save(self, state: Mapping[str, Any]) -> int:
        """Write ``state`` atomically; returns the number of bytes written."""
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(dict(state))
        payload = buffer.getvalue()
        header = json.dumps(self._header(payload)).encode()
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.directory / f".{CACHE_NAME}.{secrets.token_hex(4)}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + len(header).to_bytes(4, "big") + header)
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self._fsync_directory()
        return len(MAGIC) + 4 + len(header) + len(payload)

    def _fsync_directory(self) -> None:
        try:
            fd = os.open(self.directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def _remove_stale_temps(self) -> None:
        """Temp files a crashed writer left behind (the rename never happened)."""
        try:
            leftovers = list(self.directory.glob(f".{CACHE_NAME}.*.tmp"))
        except OSError:
            return
        now = time.time()
        for temp in leftovers:
            try:
                # Young temps may belong to a live writer sharing this directory.
                if now - temp.stat().st_mtime > STALE_TEMP_S:
                    temp.unlink()
            except OSError:
                continue
