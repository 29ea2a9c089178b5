"""The catalog cache: round trip, warm start, and refusing anything it cannot trust."""

from __future__ import annotations

import json
import logging
import os
import pickle
from pathlib import Path

import pytest

from server.application.catalog_cache import MAGIC, CatalogCache, code_fingerprint
from server.application.catalog_sync import catalog_state
from server.vault.catalog import Catalog
from tests.server.server_helpers import UTC, make_service, make_vault


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "vault")


def _saved(vault: Path, index: Path) -> CatalogCache:
    service = make_service(vault, index)
    service.load()
    return CatalogCache(index, vault, "UTC")


def test_round_trip_equals_the_catalog(vault: Path, tmp_path: Path) -> None:
    cache = _saved(vault, tmp_path / "idx")
    loaded = cache.load()
    assert loaded.reason is None and loaded.state is not None
    cold = Catalog.scan(vault, local=UTC)
    expected = catalog_state(cold)
    assert loaded.state["records"] == expected["records"]
    assert loaded.state["parsed"] == expected["parsed"]
    assert stat_mode(cache.path) == 0o600


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_warm_start_reparses_only_changed_files(vault: Path, tmp_path: Path) -> None:
    _saved(vault, tmp_path / "idx")
    (vault / "Projects/Beta.md").write_text("---\ntags: [project]\n---\nchanged\n")
    (vault / "New.md").write_text("[[Beta]]\n")
    (vault / "Daily/2024-01-01.md").unlink()
    os.utime(vault / "README.md", (1_000_000, 1_000_000))  # times only: no re-parse
    service = make_service(vault, tmp_path / "idx")
    service.load()
    info = service.status()["cache"]
    assert info["used"] is True
    assert info["reparsed"] == 2 and info["reused"] == 2
    assert service.records() == Catalog.scan(vault, local=UTC).records()


def test_unchanged_vault_reuses_everything(vault: Path, tmp_path: Path) -> None:
    _saved(vault, tmp_path / "idx")
    service = make_service(vault, tmp_path / "idx")
    service.load()
    info = service.status()["cache"]
    assert (info["reused"], info["reparsed"], info["relinked"]) == (4, 0, False)
    assert service.records() == Catalog.scan(vault, local=UTC).records()


def _corrupt_cases(raw: bytes) -> dict[str, bytes]:
    head_len = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "big")
    start = len(MAGIC) + 4
    header = json.loads(raw[start : start + head_len])
    payload = raw[start + head_len :]

    def with_header(**changes: object) -> bytes:
        new = json.dumps({**header, **changes}).encode()
        return MAGIC + len(new).to_bytes(4, "big") + new + payload

    flipped = bytearray(raw)
    flipped[-10] ^= 0xFF
    evil = pickle.dumps({"parsed": {}, "records": {}, "x": os.system})
    import hashlib

    return {
        "checksum": bytes(flipped),
        "truncated": raw[: len(raw) // 2],
        "empty": b"",
        "magic": b"NOTACACHE" + raw[8:],
        "format": with_header(format=999),
        "fingerprint": with_header(fingerprint="0" * 32),
        "vault": with_header(vault="/somewhere/else"),
        "zone": with_header(zone="Europe/Paris"),
        "header": MAGIC + (5).to_bytes(4, "big") + b"{nope" + payload,
        "forbidden": MAGIC
        + len(
            h := json.dumps({**header, "sha256": hashlib.sha256(evil).hexdigest()}).encode()
        ).to_bytes(4, "big")
        + h
        + evil,
    }


@pytest.mark.parametrize(
    "case",
    [
        "checksum",
        "truncated",
        "empty",
        "magic",
        "format",
        "fingerprint",
        "vault",
        "zone",
        "header",
        "forbidden",
    ],
)
def test_bad_caches_are_discarded_with_a_reason_and_rebuilt(
    vault: Path, tmp_path: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = _saved(vault, tmp_path / "idx")
    cache.path.write_bytes(_corrupt_cases(cache.path.read_bytes())[case])
    with caplog.at_level(logging.WARNING, logger="vaultql.server"):
        service = make_service(vault, tmp_path / "idx")
        service.load()
    info = service.status()["cache"]
    assert info["used"] is False
    assert info["discarded"]
    assert "discarding the catalog cache" in caplog.text
    assert service.records() == Catalog.scan(vault, local=UTC).records()
    # ...and the rebuilt cache is good again.
    assert CatalogCache(tmp_path / "idx", vault, "UTC").load().reason is None


def test_stale_temp_files_are_removed(vault: Path, tmp_path: Path) -> None:
    cache = _saved(vault, tmp_path / "idx")
    stale = cache.directory / ".catalog.bin.dead.tmp"
    stale.write_bytes(b"half a write")
    os.utime(stale, (1, 1))
    fresh = cache.directory / ".catalog.bin.live.tmp"
    fresh.write_bytes(b"someone else writing now")
    assert cache.load().reason is None
    assert not stale.exists() and fresh.exists()


def test_fingerprint_is_stable() -> None:
    assert code_fingerprint() == code_fingerprint()
    assert len(code_fingerprint()) == 32
