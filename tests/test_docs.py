"""Docs are checked: every CLI command is in the README, and the README's set-up stays true."""

from __future__ import annotations

from server.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> list[str]:
    parser = build_parser()
    for action in parser._actions:  # argparse keeps subparsers here; there is no public accessor
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict):
            return sorted(choices)
    raise AssertionError("the CLI has no subcommands")


def test_every_cli_command_is_documented() -> None:
    missing = [name for name in _subcommands() if f"vaultql {name}" not in README]
    assert not missing, f"README does not document: {missing}"


def test_quick_start_names_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_ci_runs_exactly_make_test() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]


def test_every_api_route_is_documented() -> None:
    from starlette.routing import Route

    from server.web.app import routes

    paths = [route.path for route in routes() if isinstance(route, Route)]
    documented = [p.removeprefix("/api/v1").replace("{path:path}", "{path}") for p in paths]
    missing = [
        p
        for p in documented
        if f"`GET {p}" not in README
        and f"`POST {p}" not in README
        and f"{p}`" not in README
        and f"{p}," not in README
    ]
    assert not missing, f"README does not document the routes: {missing}"
