"""``GET /api/v1/notes/{path}``: one note's metadata, and the path policy for every note path.

A note path arrives percent-decoded exactly once (by the ASGI server) and must be a plain
vault-relative path: no empty, ``.`` or ``..`` segments, no leading ``/`` or ``~``, no drive
letter or UNC prefix, no backslash, no control characters or NUL, no leftover ``%XX`` escapes
(double encoding), no over-long names. A path that passes is only ever looked up in the
in-memory index — this endpoint never opens a file — and the index itself holds only files the
scanner found inside the vault.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.responses import json_response, service_of
from server.errors import ApiError

MAX_PATH_CHARS = 1024
MAX_SEGMENT_BYTES = 255
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refuse(reason: str) -> ApiError:
    return ApiError(400, "bad_path", f"not a safe vault-relative note path: {reason}")


def checked_path(path: str) -> str:
    """``path`` if it is a safe vault-relative path, else an ``ApiError`` (400 ``bad_path``)."""
    if not path:
        raise _refuse("empty")
    if len(path) > MAX_PATH_CHARS:
        raise _refuse(f"longer than {MAX_PATH_CHARS} characters")
    if _CONTROL.search(path):
        raise _refuse("control character or NUL")
    if "\\" in path:
        raise _refuse("backslash")
    if path.startswith(("/", "~")) or _DRIVE.match(path):
        raise _refuse("absolute path")
    if _ESCAPE.search(path):
        raise _refuse("percent-escape left after decoding (double encoding)")
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            raise _refuse("empty, '.' or '..' segment")
        if len(segment.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
            raise _refuse(f"a name longer than {MAX_SEGMENT_BYTES} bytes")
    return path


async def note(request: Request) -> Response:
    path = checked_path(request.path_params["path"])
    service = service_of(request)
    data = await run_in_threadpool(service.note_json, path)
    if data is None:
        raise ApiError(404, "not_found", f"no note at {path!r}")
    return json_response(data)


ROUTES = [Route("/api/v1/notes/{path:path}", note, methods=["GET"])]
