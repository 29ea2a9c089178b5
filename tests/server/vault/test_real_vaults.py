"""The vault model on real vaults (../shared/vaults, read in place) and on the demo vault.

Counts and records below were checked by hand against the Markdown files. The last test hashes
every file of every vault before and after indexing: the catalog must never write.
"""

from __future__ import annotations

import hashlib
from datetime import UTC
from pathlib import Path

import pytest

from query.values import Link
from server.vault.catalog import Catalog
from tests.conftest import require_shared
from tests.server.vault.conftest import DEMO_VAULT, SHARED_VAULTS

NOTEBOOK = SHARED_VAULTS / "notebook-demo" / "vault"
TASKS_DEMO = SHARED_VAULTS / "obsidian-tasks" / "Tasks-Demo"
TASKS_DOCS = SHARED_VAULTS / "obsidian-tasks" / "docs"
KNOWLEDGE = SHARED_VAULTS / "vaultofknowledge" / "vault"

require_shared(SHARED_VAULTS)


@pytest.fixture(scope="module")
def notebook() -> Catalog:
    return Catalog.scan(NOTEBOOK, local=UTC)


@pytest.fixture(scope="module")
def tasks_demo() -> Catalog:
    return Catalog.scan(TASKS_DEMO, local=UTC)


def test_notebook_demo(notebook: Catalog) -> None:
    summary = notebook.summary()
    assert summary.notes == 27 and summary.tasks == 11
    # 59 wikilinks and 13 embeds in the census; the images were not copied, so embeds dangle
    assert summary.links_resolved + summary.links_unresolved == 72
    broken = {p.path for p in notebook.problems if p.kind == "frontmatter"}
    assert broken == {  # Templater placeholders ({{date}}) are not valid YAML
        "Templates/daily template.md",
        "Templates/literature template.md",
        "Templates/weekly template.md",
    }
    template = notebook.get("Templates/daily template.md")
    assert template is not None and template.errors and len(template.sections) == 7
    note = notebook.get("02_Projects/notes/example note.md")
    assert note is not None
    assert note.fields["project"] == Link("02_Projects/project_A.md")
    assert note.etags == ("#note", "#project_A")
    assert [s.heading for s in note.sections] == [
        "🦋 example note",
        "🧭 Summary",
        "📒 Notes",
        "Part 1",
        "Part 2",
    ]
    assert note.sections[3].heading_path == ("🦋 example note", "📒 Notes", "Part 1")
    assert [t.text for t in note.tasks] == ["abore et dolore magna aliquyam erat"]
    home = notebook.get("HOME.md")
    assert home is not None and len(home.lists) == 3 and home.fields == {}


def test_tasks_demo_nesting_and_multiline(tasks_demo: Catalog) -> None:
    assert len(tasks_demo) == 205
    tree = tasks_demo.get("Test Data/inheritance_1parent2children2grandchildren1sibling.md")
    assert tree is not None
    assert [(t.line, t.parent, [c.line for c in t.children]) for t in tree.tasks] == [
        (0, None, [1, 3]),
        (1, 0, [2]),
        (2, 1, []),
        (3, 0, [4]),
        (4, 3, []),
        (5, None, []),
    ]
    multi = tasks_demo.get("Test Data/multi_line_task_and_list_item.md")
    assert multi is not None
    assert [(i.line, i.line_count, i.task) for i in multi.lists] == [(2, 3, True), (5, 3, False)]
    assert multi.lists[0].text.endswith("\ntask line 1\ntask line 2")


def test_tasks_demo_yaml_and_tags(tasks_demo: Catalog) -> None:
    populated = tasks_demo.get("Test Data/yaml_all_property_types_populated.md")
    assert populated is not None
    assert populated.frontmatter["sample_date_property"] == "2024-07-21"  # raw stays a string
    assert populated.frontmatter["sample_checkbox_property"] is True
    assert populated.aliases == ("YAML All Property Types Populated",)
    assert populated.tags == ("#task", "#sample/tag/value", "#sample/tag", "#sample")
    assert [link.path for link in populated.outlinks] == [
        "Test Data/yaml_all_property_types_populated.md",
        "Test Data/yaml_all_property_types_populated.md",
        "Test Data/yaml_all_property_types_empty.md",
    ]
    empty_tags = tasks_demo.get("Test Data/yaml_tags_field_added_by_obsidian_but_not_populated.md")
    assert empty_tags is not None and empty_tags.etags == ("#task",)
    code = tasks_demo.get("Test Data/code_block_in_task.md")
    assert code is not None
    assert code.etags == ("#task",)  # "#3344" is all digits: not a tag for Obsidian
    assert [item.tags for item in code.lists][1:3] == [("#3344",), ("#2061",)]  # but for items


def test_tasks_demo_every_link_form() -> None:
    catalog = Catalog.scan(TASKS_DEMO, local=UTC)
    note = catalog.get("Test Data/all_link_types.md")
    assert note is not None and note.unresolved == ()
    assert len(note.outlinks) == 22 and len(note.tasks) == 22
    self_path = "Test Data/all_link_types.md"
    assert Link(self_path, "heading", "heading", "header") in note.outlinks
    assert Link(self_path, "^block", "block", "block") in note.outlinks
    assert (
        Link("Test Attachments/markdownLink.md", "markdownLink", "heading sub-heading", "header")
        in note.outlinks
    )


def test_tasks_docs_and_vault_of_knowledge() -> None:
    docs = Catalog.scan(TASKS_DOCS, local=UTC)
    assert len(docs) == 118 and docs.summary().tasks == 72
    about = docs.get("Advanced/About Advanced.md")
    assert about is not None
    assert about.aliases == ("Advanced/Advanced",) and about.frontmatter["publish"] is True
    knowledge = Catalog.scan(KNOWLEDGE, local=UTC)
    assert len(knowledge) == 778 and knowledge.summary().tasks == 0
    colour = knowledge.get("Creativity and Arts/Colour Theory/Colour Perception/Colourfulness.md")
    assert colour is not None and len(colour.lists) == 4
    assert [link.path for link in colour.outlinks] == [
        "Creativity and Arts/Colour Theory/Colour Perception/Saturation.md",
        "Creativity and Arts/Colour Theory/Colour Perception/Chroma.md",
        "Creativity and Arts/Colour Theory/Colour Perception/Excitation Purity.md",
    ]


def _hash_tree(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_indexing_never_writes_to_a_vault() -> None:
    roots = [DEMO_VAULT, NOTEBOOK, TASKS_DEMO, TASKS_DOCS, KNOWLEDGE]
    before = {str(root): _hash_tree(root) for root in roots}
    for root in roots:
        Catalog.scan(root, local=UTC).summary()
    after = {str(root): _hash_tree(root) for root in roots}
    assert before == after
    assert sum(len(files) for files in before.values()) > 1000
