"""A small in-memory vault for the Bases tests, and a one-call way to run a base over it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from query.bases.compile import compile_expression
from query.bases.config import BaseConfig, parse_base
from query.bases.context import Clock, Context
from query.bases.export import to_json
from query.bases.moment import from_epoch_ms
from query.bases.parser import parse_expression
from query.bases.vault import BasesVault
from query.bases.view import ViewResult, run_view
from query.index import VaultIndex
from server.vault.base_files import load_base_yaml
from server.vault.catalog import Catalog, SourceFile
from server.vault.markdown import frontmatter_links

LOCAL = ZoneInfo("Europe/Paris")
NOW = datetime(2024, 3, 17, 13, 45, 30, tzinfo=LOCAL)
T0 = datetime(2024, 1, 1, tzinfo=LOCAL).timestamp() * 1000

NOTES: dict[str, str] = {
    "Projects/Alpha.md": (
        "---\nstatus: active\ndue: 2024-04-01\nprice: 10\nquantity: 3\ntags: [project, work/a]\n"
        'owner: "[[People/Ann]]"\ndone: false\n---\nAlpha links [[Beta]] and [[Missing]]. #inline\n'
    ),
    "Projects/Beta.md": (
        "---\nstatus: paused\ndue: 2024-02-01\nprice: 4\nquantity: 5\ntags: [project]\n"
        "done: true\n---\nBack to [[Alpha]]; see ![[diagram.png]].\n"
    ),
    "Projects/Gamma.md": (
        "---\nstatus: done\nprice: 7\ntags: [project, archive]\ndone: true\n---\nNothing.\n"
    ),
    "Projects/Delta.md": "---\nstatus: active\nprice: 1\ncategories: [main, side]\n---\n",
    "People/Ann.md": "---\nrole: lead\n---\nAnn works on [[Alpha]].\n",
    "Home.md": "# Home\n[[Alpha]] [[Beta]]\n",
}
ATTACHMENTS = ("Projects/diagram.png", "Projects/report.pdf")


def make_vault(
    notes: dict[str, str] | None = None, types: dict[str, str] | None = None
) -> BasesVault:
    notes = NOTES if notes is None else notes
    sources = [
        SourceFile(path, text.encode(), T0 + i * 1000, T0 + i * 2000)
        for i, (path, text) in enumerate(sorted(notes.items()))
    ]
    catalog = Catalog.from_sources(sources, local=LOCAL, other_paths=ATTACHMENTS)
    index = VaultIndex(catalog.records(), catalog.resolver)
    return BasesVault(
        index,
        local=LOCAL,
        attachments=catalog.other_files,
        stat=lambda path: (100, T0, T0),
        property_types=types,
        frontmatter_links=frontmatter_links,
    )


def clock() -> Clock:
    return Clock(from_epoch_ms(NOW.timestamp() * 1000, LOCAL), LOCAL, lambda: 0.25)


def config(yaml_text: str) -> BaseConfig:
    data, positions = load_base_yaml(yaml_text, name="test.base")
    return parse_base(data, positions, yaml_text, name="test.base")


def run(
    yaml_text: str,
    view: str | None = None,
    *,
    vault: BasesVault | None = None,
    this: str | None = None,
    limit: int | None = None,
) -> ViewResult:
    return run_view(config(yaml_text), view, vault or make_vault(), clock(), this=this, limit=limit)


def rows(yaml_text: str, view: str | None = None, **kwargs: Any) -> list[str]:
    return run(yaml_text, view, **kwargs).paths


def json_of(yaml_text: str, view: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return to_json(run(yaml_text, view, **kwargs))


def evaluate(
    expression: str, *, path: str | None = "Projects/Alpha.md", this: str | None = None
) -> Any:
    vault = make_vault()
    compiled = compile_expression(parse_expression(expression))
    return compiled.run(Context(vault, clock(), path=path, this=this))
