"""Search and related-notes request options and their defaults, importable on their own.

The API and the CLI validate requests with these before the search stack (NumPy, FAISS, Whoosh,
≈ 0.25 s of imports) is loaded — a restart serves DQL first, and ``vaultql query`` never loads
it at all. The modules that use the values import them from here.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_MIN_SCORE",
    "DEFAULT_MIN_WORDS",
    "DEFAULT_NEAR",
    "DEFAULT_SEMANTIC",
    "MODES",
]

MODES = ("hybrid", "keyword", "semantic")  # search modes; the first is the default

DEFAULT_MIN_SCORE = 0.08  # related notes scoring below this are dropped

# Duplicates: near-duplicate shingle similarity, semantic cosine, and the words a note needs.
DEFAULT_NEAR = 0.8
DEFAULT_SEMANTIC = 0.95
DEFAULT_MIN_WORDS = 5
