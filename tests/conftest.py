"""Shared test fixtures: where the shared material lives."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS_PATH = SHARED / "dataview" / "conformance.json"
VAULTS = SHARED / "vaults"
DEMO_VAULT = ROOT / "fixtures" / "demo-vault"


def require_shared(path: Path) -> Path:
    """``path`` (in the shared folder) when it is there. The suite never skips for want of it:
    a missing file fails the test (or the module's collection), saying what and where."""
    if not path.exists():
        pytest.fail(
            f"missing {path}: the tests read the shared folder beside this checkout ({SHARED}: "
            "the real vaults, the Dataview conformance corpus, the retrieval data); restore it "
            "there, as the project's checkout has it",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return require_shared(SHARED)


def _fingerprint(roots: list[Path]) -> dict[str, str]:
    """Every file under ``roots`` (symlinks not followed) → a hash of its bytes."""
    out: dict[str, str] = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session", autouse=True)
def vaults_are_never_written() -> Iterator[None]:
    """The whole suite reads the shared vaults and the committed fixture vaults in place; their
    bytes must be the same after it as before (tests that edit notes work on copies)."""
    vaults = (VAULTS, ROOT / "fixtures" / "demo-vault", ROOT / "fixtures" / "dashboard-vault")
    roots = [root for root in vaults if root.is_dir()]
    before = _fingerprint(roots)
    yield
    after = _fingerprint(roots)
    changed = sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )
    assert not changed, f"the test suite changed vault files: {changed[:10]}"


@pytest.fixture(scope="session", autouse=True)
def private_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Caches (index folders, the exported query model) and tokens go to a folder of this test
    session, never to the user's own: commands and servers under test use the defaults."""
    root = tmp_path_factory.mktemp("user-dirs")
    names = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["XDG_CACHE_HOME"] = str(root / "cache")
    os.environ["XDG_CONFIG_HOME"] = str(root / "config")
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
