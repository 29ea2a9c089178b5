from __future__ import annotations

import pytest

from server.search.embedder import MiniLMEmbedder


@pytest.fixture(scope="session")
def real_embedder() -> MiniLMEmbedder:
    """The real all-MiniLM-L6-v2, loaded once for the whole run (offline, from the package)."""
    return MiniLMEmbedder()
