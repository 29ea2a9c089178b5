"""The Obsidian plugin's own test suites, run from pytest so ``make test`` covers them.

* ``npm test`` in ``plugin-js/``: type-check, build ``main.js`` with esbuild, lint ``src/`` with
  eslint-plugin-obsidianmd's recommended rules, then the vitest suite (happy-dom + the
  hand-written ``obsidian`` mock), which loads the BUILT ``main.js`` and renders the golden API
  fixtures (``fixtures/api``; ``tests/server/web/test_golden_api.py`` checks the real server
  against the same files).
* ``npm run test:e2e``: the real ``vaultql serve`` on a temporary copy of the demo vault and the
  built plugin driven in headless Chromium (``plugin-js/e2e/run.mjs``), including the plugin
  starting, restarting and stopping a real ``vaultql serve`` itself (``VAULTQL_BIN``, this venv's).

They need ``npm ci`` in ``plugin-js/`` (and Chromium for the second). Without them the tests
skip, unless ``VAULTQL_REQUIRE_BROWSER=1`` (``make test``, CI) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugin-js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _missing(what: str) -> None:
    if os.environ.get("VAULTQL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} is required for the plugin tests")
    pytest.skip(f"{what} is not available")


def _npm(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    if npm is None:
        _missing("npm (Node 20)")
    if not (PLUGIN / "node_modules").is_dir():
        _missing("plugin-js/node_modules (run `cd plugin-js && npm ci`)")
    assert npm is not None
    env = dict(os.environ, VAULTQL_BIN=str(Path(sys.executable).with_name("vaultql")), CI="1")
    return subprocess.run(
        [npm, *args],
        cwd=PLUGIN,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


@pytest.mark.slow
def test_plugin_builds_and_its_vitest_suite_passes() -> None:
    result = _npm("test", timeout=180)
    assert result.returncode == 0, _report(result)
    assert (PLUGIN / "main.js").is_file()
    assert " failed" not in result.stdout.split("Test Files")[-1], _report(result)


@pytest.mark.slow
def test_plugin_end_to_end_in_headless_chromium() -> None:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium at {CHROMIUM}")
    if not (PLUGIN / "main.js").is_file():
        build = _npm("run", "build", timeout=120)
        assert build.returncode == 0, _report(build)
    result = _npm("run", "test:e2e", timeout=180)
    assert result.returncode == 0, _report(result)
    assert "0 failed" in result.stdout, _report(result)
