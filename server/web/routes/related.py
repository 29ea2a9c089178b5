"""Related notes, unlinked mentions, link suggestions and duplicates over HTTP. All read-only.

=================================  ==============================================================
``GET /api/v1/related``            ``path`` (required), ``k`` 1–100 (10), ``min_score`` ≥ 0
                                   (0.08), ``exclude_linked`` true/false (true): related notes,
                                   each with its best passage and reasons with score parts;
                                   ``embedded`` {done, total, complete} and ``note_embedded``: a
                                   note not embedded yet is related by links, tags and shared
                                   rare terms, their weights scaled up to the full score
``GET /api/v1/mentions``           ``path``: plain-text mentions of the note's title and aliases
                                   in other notes (``mentions``) and of other notes' names inside
                                   it (``mentions_in_note``), with exact ``[start, end)`` spans
``GET /api/v1/suggest-links``      ``path``, ``k`` 1–100 (20): ranked links to add to the note
``GET /api/v1/duplicates``         ``near`` (0.8), ``semantic`` (0.95) in (0, 1], ``min_words``
                                   (5): exact, near and semantic duplicate pairs
=================================  ==============================================================

Each calls the application (``VaultApp.related`` and friends); a served app makes the service
once DQL is ready (503 ``unavailable`` until then, and on a server without search). A path that
names no note is a 404. The blocking work runs in the thread pool.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.search.options import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MIN_WORDS,
    DEFAULT_NEAR,
    DEFAULT_SEMANTIC,
)
from server.web.params import Params
from server.web.responses import answer, app_of
from server.web.routes.describe import described_get

__all__ = [
    "ROUTES",
    "duplicates_endpoint",
    "mentions_endpoint",
    "related_endpoint",
    "suggest_endpoint",
]


async def related_endpoint(request: Request) -> Response:
    params = Params(request.query_params, {"path", "k", "min_score", "exclude_linked"})
    path = params.required("path")
    k = params.integer("k", 10)
    min_score = params.number("min_score", DEFAULT_MIN_SCORE)
    exclude = params.flag("exclude_linked", True)
    app = app_of(request)
    return await answer(lambda: app.related(path, k=k, min_score=min_score, exclude_linked=exclude))


async def mentions_endpoint(request: Request) -> Response:
    path = Params(request.query_params, {"path"}).required("path")
    app = app_of(request)
    return await answer(lambda: app.mentions(path))


async def suggest_endpoint(request: Request) -> Response:
    params = Params(request.query_params, {"path", "k"})
    path, k = params.required("path"), params.integer("k", 20)
    app = app_of(request)
    return await answer(lambda: app.suggest_links(path, k=k))


async def duplicates_endpoint(request: Request) -> Response:
    params = Params(request.query_params, {"near", "semantic", "min_words"})
    near = params.number("near", DEFAULT_NEAR)
    semantic = params.number("semantic", DEFAULT_SEMANTIC)
    min_words = params.integer("min_words", DEFAULT_MIN_WORDS)
    app = app_of(request)
    return await answer(lambda: app.duplicates(near=near, semantic=semantic, min_words=min_words))


def _openapi() -> dict[str, Any]:
    note = {"path": ("the note, vault-relative with extension", True)}
    return {
        "/api/v1/related": described_get(
            "Related notes with their best passage and reasons (score parts)",
            {
                **note,
                "k": ("how many notes (default 10)", False),
                "min_score": ("drop notes scoring below this (default 0.08)", False),
                "exclude_linked": ("hide notes already linked either way (default true)", False),
            },
            not_found=True,
        ),
        "/api/v1/mentions": described_get(
            "Unlinked mentions of this note elsewhere, and of other notes in it (exact spans)",
            note,
            not_found=True,
        ),
        "/api/v1/suggest-links": described_get(
            "Ranked links to add to this note, each with its reason",
            {**note, "k": ("how many suggestions (default 20)", False)},
            not_found=True,
        ),
        "/api/v1/duplicates": described_get(
            "Exact, near and semantic duplicate pairs with the likely original",
            {
                "near": ("shingle Jaccard threshold (default 0.8)", False),
                "semantic": ("whole-note cosine threshold (default 0.95)", False),
                "min_words": ("ignore notes shorter than this (default 5)", False),
            },
        ),
    }


OPENAPI = _openapi()

ROUTES = [
    Route("/api/v1/related", related_endpoint, methods=["GET"]),
    Route("/api/v1/mentions", mentions_endpoint, methods=["GET"]),
    Route("/api/v1/suggest-links", suggest_endpoint, methods=["GET"]),
    Route("/api/v1/duplicates", duplicates_endpoint, methods=["GET"]),
]
