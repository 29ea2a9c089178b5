"""Generated benchmark vaults: ``../shared/bench/gen_vault.py --vocab builtin``, made once per size.

The generator is deterministic, so a vault made earlier under ``base`` is reused as it is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "gen_vault.py"


def generated_vault(notes: int, base: Path, name: str | None = None) -> Path:
    """The vault of ``notes`` notes under ``base`` (``vault<notes>`` unless ``name`` is given)."""
    vault = base / (name or f"vault{notes}")
    if not (vault / "Projects").is_dir():
        base.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(GENERATOR), "--notes", str(notes), "--out", str(vault)]
        command += ["--vocab", "builtin", "--force"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return vault
