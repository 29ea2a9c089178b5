"""The ``vaultql`` command line (``main``), one module per family of commands."""

from server.cli.main import ProgressBar, build_parser, main

__all__ = ["ProgressBar", "build_parser", "main"]
