"""Unlinked mentions: exact spans, prose only, both directions (no model needed)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from query.index import VaultIndex
from server.related.mentions import NameTable, mentions_in, mentions_of
from server.search.search_service import vault_text_reader
from server.vault.catalog import Catalog
from tests.conftest import VAULTS
from tests.server.related.conftest import write_notes

TARGET = "People/Ada Lovelace.md"
NOTES = {
    TARGET: "---\naliases: [Countess of Lovelace, AL]\n---\n# Ada\nShe wrote the first program.\n",
    "Essay.md": (
        "---\ntitle: about ada lovelace\n---\n"
        "Ada Lovelace met Babbage. ADA LOVELACE again, and the countess of lovelace too.\r\n"
        "Not these: `Ada Lovelace` in code, [[Ada Lovelace]] linked, [Ada Lovelace](x.md),\n"
        "https://example.com/Ada Lovelace-ish, #Ada, Ada Lovelaces, xAda Lovelace, AL.\n"
        "```\nAda Lovelace in a fence\n```\n"
        "<!-- Ada Lovelace in a comment --> %%Ada Lovelace hidden%%\n"
        "Last: (Ada Lovelace).\n"
    ),
    "Engines/Analytical Engine.md": "# Engine\nBabbage designed it; see Ada Lovelace's notes.\n",
    "Plain.md": "Nothing about her here. Ada alone is not her name.\n",
}


def _index(root: Path) -> VaultIndex:
    catalog = Catalog.scan(root, local=UTC)
    return VaultIndex(catalog.records(), catalog.resolver)


def test_mentions_of_a_note_have_exact_spans_and_skip_non_prose(tmp_path: Path) -> None:
    root = write_notes(tmp_path, NOTES)
    index = _index(root)
    text_of = vault_text_reader(root)
    found = mentions_of(index, TARGET, text_of)
    essay = [m for m in found if m.path == "Essay.md"]
    assert [m.text for m in essay] == [
        "Ada Lovelace",
        "ADA LOVELACE",
        "countess of lovelace",
        "Ada Lovelace",
    ]
    assert essay[-1].line == 10 and essay[-1].context == "Last: (Ada Lovelace)."
    assert [m.path for m in found] == ["Engines/Analytical Engine.md"] + ["Essay.md"] * 4
    for mention in found:
        text = text_of(mention.path)
        assert text is not None
        assert text[mention.start : mention.end] == mention.text
        lines = text.split("\n")
        assert lines[mention.line][mention.column : mention.column + len(mention.text)] == (
            mention.text
        )
    # "AL" is shorter than the 3-character minimum: never a mention.
    assert all(m.text != "AL" for m in found)
    assert essay[0].linked  # the essay links the note elsewhere ([[Ada Lovelace]])


def test_mentions_inside_a_note_find_other_notes_names(tmp_path: Path) -> None:
    root = write_notes(tmp_path, NOTES)
    index = _index(root)
    text = vault_text_reader(root)("Engines/Analytical Engine.md")
    assert text is not None
    found = mentions_in(index, "Engines/Analytical Engine.md", text, NameTable(index))
    assert [(m.target, m.text) for m in found] == [(TARGET, "Ada Lovelace")]
    assert text[found[0].start : found[0].end] == "Ada Lovelace"
    assert found[0].line == 1 and not found[0].linked


def test_every_mention_span_is_exact_on_a_real_vault() -> None:
    root = VAULTS / "obsidian-tasks" / "docs"
    index = _index(root)
    text_of = vault_text_reader(root)
    table = NameTable(index)
    total = 0
    for path in index.paths:
        text = text_of(path)
        assert text is not None
        for mention in mentions_in(index, path, text, table):
            total += 1
            assert text[mention.start : mention.end] == mention.text
            assert mention.text.lower() == mention.name.lower()
            assert mention.target != path
    for target in ("Getting Started/Priority.md", "Queries/Regular Expressions.md"):
        for mention in mentions_of(index, target, text_of):
            total += 1
            text = text_of(mention.path)
            assert text is not None and text[mention.start : mention.end] == mention.text
            before = text[mention.start - 1] if mention.start else " "
            after = text[mention.end] if mention.end < len(text) else " "
            assert not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")
    assert total > 50
