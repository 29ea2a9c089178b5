"""The ``vaultql`` command line: a thin shell over the one application object.

Every module of this package adds its commands through ``add_commands(subparsers)``. A command
that reads a vault builds a one-shot :class:`~server.application.vault_app.VaultApp` — the
catalog loaded warm from the cache in the vault's index folder (``--index-dir``; ``--no-cache``
to skip it), the same folder ``vaultql serve`` uses — and calls the method the matching route
calls (:func:`run_app`). ``--json`` prints that method's answer with the encoder ``vaultql get``
uses, so a command and its route print the same bytes.

Exit codes: 0 success; 1 the note asked for does not exist (or, for ``get``, the route answered
an error); 2 bad arguments, a query error, a bad configuration, or a vault that is not a folder.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["ProgressBar", "add_app_arguments", "build_parser", "main", "one_shot_app", "run_app"]


def command_modules() -> list[str]:
    """Every module of ``server.cli`` but this one: each adds subcommands via ``add_commands``."""
    import server.cli

    return sorted(
        f"server.cli.{info.name}"
        for info in pkgutil.iter_modules(server.cli.__path__)
        if info.name not in ("main", "__main__")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultql", description="A local index and query server for Obsidian vaults."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in command_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # an optional part (or its dependencies) is not installed
            continue
        add_commands = getattr(module, "add_commands", None)
        if add_commands is not None:
            add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


# -- the shell every vault command shares ------------------------------------------------------


def add_app_arguments(parser: argparse.ArgumentParser, *, model: bool = False) -> None:
    """``VAULT``, ``--index-dir`` and ``--no-cache`` (and ``--no-model`` where it matters)."""
    parser.add_argument("vault", type=Path, help="the vault's folder")
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="the catalog cache, keyword index and embedding cache (default: user cache dir)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the catalog cache"
    )
    if model:
        parser.add_argument(
            "--no-model", action="store_true", help="no embedding model (no semantic signal)"
        )


def one_shot_app(args: argparse.Namespace, **options: Any) -> Any:
    """The application for one command (``options``: more :class:`AppOptions` fields)."""
    from server.application.vault_app import AppOptions, VaultApp

    chosen = AppOptions(
        index_dir=getattr(args, "index_dir", None),
        cache=not getattr(args, "no_cache", False),
        model=not getattr(args, "no_model", False),
        one_shot=True,
        **options,
    )
    progress = _embedding_progress if sys.stderr.isatty() else None
    return VaultApp(args.vault, chosen, on_progress=progress)


def run_app(
    args: argparse.Namespace,
    call: Callable[[Any], dict[str, Any]],
    text: Callable[[dict[str, Any]], str] | None = None,
    *,
    show_progress: bool = False,
    **options: Any,
) -> int:
    """Load the vault's application, ``call`` one of its methods, print the answer: as JSON
    with ``--json`` (or when there is no ``text`` rendering), else ``text(answer)``. With
    ``show_progress``, a progress bar of the load on a terminal."""
    from query.errors import QueryError
    from server.application.encoders import pretty
    from server.errors import NotFoundError, VaultQLError

    if not args.vault.is_dir():
        print(f"error: {args.vault} is not a folder", file=sys.stderr)
        return 2
    app = one_shot_app(args, **options)
    loaded = threading.Event()
    if show_progress and sys.stderr.isatty():
        threading.Thread(target=_draw_load, args=(app, loaded), daemon=True).start()
    try:
        try:
            app.load()
        finally:
            loaded.set()
        data = call(app)
    except NotFoundError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except (VaultQLError, QueryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        app.close()
    if getattr(args, "json", False) or text is None:
        sys.stdout.write(pretty(data))
    else:
        rendered = text(data)
        if rendered:
            print(rendered)
    return 0


def _draw_load(app: Any, loaded: threading.Event) -> None:
    """The load's progress (``/status``'s) as a bar on stderr until it ends."""
    bar = ProgressBar(sys.stderr)
    drawn = False
    while not loaded.wait(0.1):
        progress = app.live.progress.snapshot()
        if progress["total"]:
            bar(progress["done"], progress["total"])
            drawn = True
    if drawn:
        bar.finish()


def _embedding_progress(progress: dict[str, Any]) -> None:
    eta = progress.get("eta_s")
    eta_text = f"ETA {eta:.0f}s" if isinstance(eta, (int, float)) else "ETA ?"
    rate = progress.get("chunks_per_s") or 0
    sys.stderr.write(
        f"\rembedding {progress.get('done', 0)}/{progress.get('total', 0)} chunks, "
        f"{rate:.0f} chunks/s, {eta_text}  "
    )
    sys.stderr.flush()


class ProgressBar:
    """``[#####.....] done/total  pct  ETA`` on one terminal line (stderr), redrawn in place."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        filled = int(self.width * fraction)
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (total - done) if done else 0.0
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {fraction * 100:5.1f}%  ETA {eta:5.1f}s ")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


if __name__ == "__main__":
    raise SystemExit(main())
