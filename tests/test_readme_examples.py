"""The README's command-line examples run, as written, against the demo vault."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from server.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _examples() -> list[str]:
    block = README.split("Examples on the demo vault:", 1)[1]
    code = re.search(r"```sh\n(.*?)```", block, flags=re.DOTALL)
    assert code is not None, "the README lost its examples block"
    return [line for line in code.group(1).splitlines() if line.startswith("vaultql ")]


EXAMPLES = _examples()


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("command", EXAMPLES)
def test_example_runs(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # never the user's own dirs
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert main(shlex.split(command)[1:]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip(), "the example printed nothing"
