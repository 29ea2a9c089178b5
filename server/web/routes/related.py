"""Related notes, unlinked mentions, link suggestions and duplicates over HTTP. All read-only.

=================================  ==============================================================
``GET /api/v1/related``            ``path`` (required), ``k`` 1–100 (10), ``min_score`` ≥ 0
                                   (0.08), ``exclude_linked`` true/false (true): related notes,
                                   each with its best passage and reasons with score parts
``GET /api/v1/mentions``           ``path``: plain-text mentions of the note's title and aliases
                                   in other notes (``mentions``) and of other notes' names inside
                                   it (``mentions_in_note``), with exact ``[start, end)`` spans
``GET /api/v1/suggest-links``      ``path``, ``k`` 1–100 (20): ranked links to add to the note
``GET /api/v1/duplicates``         ``near`` (0.8), ``semantic`` (0.95) in (0, 1], ``min_words``
                                   (5): exact, near and semantic duplicate pairs
=================================  ==============================================================

App state: ``app.state.related`` (a :class:`~server.related.related_service.RelatedService`) or,
for a served app, ``app.state.derived`` (which makes it once DQL is ready); without one every
route answers 503 ``unavailable``. A path that names no note is a 404. The
blocking work runs in the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.search.options import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MIN_WORDS,
    DEFAULT_NEAR,
    DEFAULT_SEMANTIC,
)
from server.web.error_shape import ApiError
from server.web.responses import derived_of, json_response
from server.web.routes.notes import checked_path

if TYPE_CHECKING:  # the search stack is imported when the services are made, not with the app
    from server.related.related_service import RelatedService

__all__ = [
    "ROUTES",
    "duplicates_endpoint",
    "mentions_endpoint",
    "related_endpoint",
    "suggest_endpoint",
]

MAX_K = 100


def related_of(request: Request) -> RelatedService:
    related: RelatedService = derived_of(request, "related", "related notes are")
    return related


def _params(request: Request, allowed: set[str]) -> dict[str, str]:
    params = dict(request.query_params)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ApiError(400, "bad_request", f"unknown parameters: {', '.join(unknown)}")
    return params


def _path(params: dict[str, str]) -> str:
    path = params.get("path")
    if path is None:
        raise ApiError(400, "bad_request", '"path" is required')
    return checked_path(path)


def _int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_request", f'"{name}" must be an integer') from None
    if not low <= value <= high:
        raise ApiError(400, "bad_request", f'"{name}" must be between {low} and {high}')
    return value


def _float(params: dict[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, "bad_request", f'"{name}" must be a number') from None
    if not low <= value <= high:  # also refuses NaN
        raise ApiError(400, "bad_request", f'"{name}" must be between {low} and {high}')
    return value


def _bool(params: dict[str, str], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ApiError(400, "bad_request", f'"{name}" must be true or false')


async def _run(call: Callable[[], dict[str, Any]], path: str | None = None) -> Response:
    from server.related.related_service import NoteNotFound  # loaded: the service exists

    try:
        body = await run_in_threadpool(call)
    except NoteNotFound:
        raise ApiError(404, "not_found", f"no note at {path!r}") from None
    return json_response(body)


async def related_endpoint(request: Request) -> Response:
    params = _params(request, {"path", "k", "min_score", "exclude_linked"})
    path = _path(params)
    k = _int(params, "k", 10, 1, MAX_K)
    min_score = _float(params, "min_score", DEFAULT_MIN_SCORE, 0.0, 10.0)
    exclude = _bool(params, "exclude_linked", True)
    service = related_of(request)
    return await _run(
        lambda: service.related(path, k=k, min_score=min_score, exclude_linked=exclude), path
    )


async def mentions_endpoint(request: Request) -> Response:
    path = _path(_params(request, {"path"}))
    service = related_of(request)
    return await _run(lambda: service.mentions(path), path)


async def suggest_endpoint(request: Request) -> Response:
    params = _params(request, {"path", "k"})
    path = _path(params)
    k = _int(params, "k", 20, 1, MAX_K)
    service = related_of(request)
    return await _run(lambda: service.suggest_links(path, k=k), path)


async def duplicates_endpoint(request: Request) -> Response:
    params = _params(request, {"near", "semantic", "min_words"})
    near = _float(params, "near", DEFAULT_NEAR, 0.01, 1.0)
    semantic = _float(params, "semantic", DEFAULT_SEMANTIC, 0.01, 1.0)
    min_words = _int(params, "min_words", DEFAULT_MIN_WORDS, 0, 1_000_000)
    service = related_of(request)
    return await _run(
        lambda: service.duplicates(
            near_threshold=near, semantic_threshold=semantic, min_words=min_words
        )
    )


def _openapi() -> dict[str, Any]:
    from server.web.routes.openapi import described_get

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
