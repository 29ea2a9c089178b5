"""CLI commands for the server: ``vaultql serve``, ``vaultql token`` and ``vaultql get``.

A thin shell over ``server.web.app``: parse arguments, build the vault's application
(:class:`~server.application.vault_app.VaultApp`) and the web app over it, then run uvicorn
(``serve``: the application served, following the vault) or one in-process request (``get``:
the application one-shot, as every other command runs it).

Exit codes: 0 success; 1 the request in ``get`` answered with an error status; 2 bad usage
(e.g. a non-loopback ``--host`` without an explicit token, or a weak token).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from server.application.encoders import pretty
from server.application.tokens import ENV_VAR, TOKEN_RULE, resolve_token, token_problem
from server.application.vault_app import QUERY_MAX_MEMORY_BYTES, QUERY_TIMEOUT_S
from server.cli.main import one_shot_app
from server.web.settings import DEFAULT_HOST, DEFAULT_PORT, ServerSettings, is_loopback

if TYPE_CHECKING:
    import uvicorn


def add_commands(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="serve a vault over the local JSON API")
    serve.add_argument("vault", type=Path)
    serve.add_argument("--host", default=DEFAULT_HOST, help="default 127.0.0.1 (loopback only)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--index-dir", type=Path, help="cache directory (default: user cache dir)")
    serve.add_argument("--token", help=f"the API token (else ${ENV_VAR}, else the stored one)")
    serve.add_argument(
        "--allow-host", action="append", default=[], help="extra Host header name to accept"
    )
    serve.add_argument("--cors", action="store_true", help="answer CORS for the Obsidian origins")
    serve.add_argument("--no-watch", action="store_true", help="do not watch for file changes")
    serve.add_argument(
        "--no-search",
        action="store_true",
        help="no search, related notes or duplicates (no embedding model is loaded)",
    )
    serve.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    serve.add_argument(
        "--query-timeout",
        type=_positive_float,
        default=QUERY_TIMEOUT_S,
        metavar="SECONDS",
        help="time limit of one query (default %(default)g)",
    )
    serve.add_argument(
        "--query-memory",
        type=_positive_float,
        default=QUERY_MAX_MEMORY_BYTES / MB,
        metavar="MB",
        help="memory one query may add to the server's (default %(default)g)",
    )
    serve.add_argument("--quiet", action="store_true", help="no progress bar")
    serve.set_defaults(handler=run_serve)

    token = subparsers.add_parser("token", help="print the vault's API token (creating it)")
    token.add_argument("vault", type=Path)
    token.set_defaults(handler=run_token)

    get = subparsers.add_parser("get", help="run one API request in-process and print the JSON")
    get.add_argument("vault", type=Path)
    get.add_argument("path", help="e.g. /api/v1/status or /api/v1/notes/Projects/A.md")
    get.add_argument("--data", help="a JSON body: sends a POST (e.g. to /api/v1/query)")
    get.add_argument("--index-dir", type=Path)
    get.add_argument("--no-cache", action="store_true")
    get.add_argument("--no-model", action="store_true", help="no embedding model (keyword only)")
    get.set_defaults(handler=run_get)


MB = 1024 * 1024


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _check_vault(vault: Path) -> str | None:
    return None if vault.is_dir() else f"error: {vault} is not a directory"


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.web.app import create_app

    problem = _check_vault(args.vault)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    explicit = args.token or None
    if not is_loopback(args.host) and not (explicit or _env_token()):
        print(
            f"error: refusing to listen on {args.host} (not loopback) without an explicit token; "
            f"pass --token or set ${ENV_VAR}",
            file=sys.stderr,
        )
        return 2
    token = _strong_token(args.vault, explicit)
    if token is None:
        return 2
    from server.application.vault_app import AppOptions, VaultApp

    settings = ServerSettings(
        token=token,
        host=args.host,
        port=args.port,
        allowed_hosts=tuple(args.allow_host),
        cors=args.cors,
        watch=not args.no_watch,
    )
    options = AppOptions(
        index_dir=args.index_dir,
        cache=not args.no_cache,
        search=not args.no_search,
        query_timeout_s=args.query_timeout,
        query_max_memory_bytes=int(args.query_memory * MB),
    )
    service = VaultApp(args.vault, options)
    app = create_app(service, settings)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"VaultQL serving {service.vault}", flush=True)
    print(f"  URL:   http://{host}:{args.port}/api/v1/", flush=True)
    print(f"  token: {token}", flush=True)
    if not args.quiet:
        threading.Thread(target=_progress_bar, args=(service.live,), daemon=True).start()
    uvicorn.Server(uvicorn_config(app, settings)).run()
    return 0


def uvicorn_config(app: Any, settings: ServerSettings) -> uvicorn.Config:
    """uvicorn's configuration for ``app``: httptools with the head-size and read-time limits
    of ``server.web.http_limits``, and no WebSocket support (no route needs it)."""
    import uvicorn

    from server.web.http_limits import limited_protocol

    protocol = limited_protocol(settings.max_head_bytes, settings.read_timeout_s)
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol,
        ws="none",
        log_level="warning",
        timeout_graceful_shutdown=2,
    )


def _strong_token(vault: Path, explicit: str | None) -> str | None:
    """The token to serve with, or ``None`` after saying on stderr why it is too weak."""
    token = resolve_token(vault, explicit=explicit)
    assert token is not None
    problem = token_problem(token)
    if problem is None:
        return token
    source = "--token" if explicit else f"${ENV_VAR}" if _env_token() else "the token file"
    print(
        f"error: the token from {source} is too weak: {problem}; a token needs {TOKEN_RULE} "
        "(omit --token and unset $VAULTQL_TOKEN to use a generated one)",
        file=sys.stderr,
    )
    return None


def _env_token() -> str | None:
    import os

    return os.environ.get(ENV_VAR) or None


def _progress_bar(service: Any) -> None:
    """The /status progress as a one-line bar on stderr until the index is ready."""
    width = 30
    while not service.wait_ready(0.2):
        p = service.progress.snapshot()
        if p["phase"] == "failed":
            print(f"\nindexing failed: {p.get('message')}", file=sys.stderr)
            return
        total = p["total"] or 1
        filled = int(width * min(p["done"] / total, 1.0))
        eta = f"ETA {p['eta_s']:.1f}s" if p["eta_s"] is not None else ""
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r{p['phase']:<13} [{bar}] {p['done']}/{p['total']} {p['rate_per_s']:.0f}/s {eta}"
        print(line, end="", file=sys.stderr, flush=True)
    status = service.status()
    info = status.get("cache", {})
    print(
        f"\rready: {status.get('notes', 0)} notes, revision {status['revision']}, "
        f"{info.get('reused', 0)} from cache, {info.get('reparsed', 0)} parsed" + " " * 20,
        file=sys.stderr,
        flush=True,
    )


def run_token(args: argparse.Namespace) -> int:
    problem = _check_vault(args.vault)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    print(resolve_token(args.vault))
    return 0


def run_get(args: argparse.Namespace) -> int:
    from server.web.app import create_app

    problem = _check_vault(args.vault)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.path.split("?", 1)[0].rstrip("/") == "/api/v1/events":
        print("error: /api/v1/events is a stream; use `vaultql serve` and curl", file=sys.stderr)
        return 2
    token = _strong_token(args.vault, None)
    if token is None:
        return 2
    vault_app = one_shot_app(args)
    vault_app.load()
    settings = ServerSettings(token=token, watch=False)
    app = create_app(vault_app, settings)
    body = args.data.encode() if args.data is not None else None
    try:
        status, payload = asyncio.run(request_in_process(app, args.path, token, body))
    finally:
        vault_app.close()
    try:
        sys.stdout.write(pretty(orjson.loads(payload)))
    except orjson.JSONDecodeError:
        sys.stdout.write(payload.decode("utf-8", "replace"))
    return 0 if status < 400 else 1


async def request_in_process(
    app: Any, path: str, token: str, body: bytes | None = None
) -> tuple[int, bytes]:
    """One HTTP request through the ASGI app, no server, no lifespan: ``(status, body)``."""
    from urllib.parse import unquote

    raw_path, _, query = path.partition("?")
    headers = [(b"host", b"localhost"), (b"authorization", f"Bearer {token}".encode())]
    if body is not None:
        length = str(len(body)).encode()
        headers += [(b"content-type", b"application/json"), (b"content-length", length)]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST" if body is not None else "GET",
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
    }
    chunks: list[bytes] = []
    status = 500
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body or b"", "more_body": False}
        await asyncio.Event().wait()  # never: one request, no disconnect
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)
