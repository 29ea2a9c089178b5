"""The catalog: building from memory and from disk, linking, summaries, bad input, updates."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from query.temporal.dates import local_date
from query.values import Link
from server.vault import catalog as catalog_module
from server.vault import reading
from server.vault.catalog import Catalog, SourceFile
from tests.server.vault._corpus import encode
from tests.server.vault.conftest import DEMO_VAULT


def _ms(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


@pytest.fixture(scope="module")
def test_vault(corpus: dict[str, Any]) -> Catalog:
    files = corpus["vaults"]["test-vault"]["files"]
    sources = [
        SourceFile(path, spec["content"].encode("utf-8"), _ms(spec["ctime"]), _ms(spec["mtime"]))
        for path, spec in files.items()
    ]
    return Catalog.from_sources(sources, local=UTC)


def test_corpus_vault_the_hobbit(test_vault: Catalog, corpus: dict[str, Any]) -> None:
    hobbit = test_vault.get("Books/The Hobbit.md")
    assert hobbit is not None
    assert hobbit.etags == ("#favourite", "#book", "#fantasy/classic")
    assert hobbit.tags == ("#favourite", "#book", "#fantasy/classic", "#fantasy")
    assert hobbit.aliases == ("Hobbit", "There and Back Again")
    assert hobbit.fields["genre"] == "Fantasy" and hobbit.fields["Genre"] == "Fantasy"
    assert encode(hobbit.fields["read-on"]) == {"$date": "2021-04-18"}
    assert hobbit.frontmatter["published"] == "1937-09-21"
    assert encode(hobbit.fields["published"]) == {"$date": "1937-09-21"}
    assert hobbit.outlinks == (Link("Tolkien.md", "Tolkien"),)
    tasks = hobbit.tasks
    assert [(t.line, t.text, t.status) for t in tasks] == [
        (13, "Write review [due:: 2021-05-01]", " "),
        (14, "Buy copy ✅ 2021-04-01", "x"),
    ]
    assert encode(tasks[0].fields["due"]) == {"$date": "2021-05-01"}
    assert encode(tasks[1].fields["completion"]) == {"$date": "2021-04-01"}
    assert tasks[0].section == Link("Books/The Hobbit.md", None, "Tasks", "header")
    content = corpus["vaults"]["test-vault"]["files"]["Books/The Hobbit.md"]["content"]
    assert hobbit.size == len(content.encode("utf-8"))
    assert encode(hobbit.ctime) == {"$date": "2024-01-02T10:00:00"}
    assert encode(hobbit.mtime) == {"$date": "2024-01-03T10:00:00"}


def test_corpus_vault_pages(test_vault: Catalog) -> None:
    paths = [record.path for record in test_vault.records()]
    assert paths == sorted(paths) and len(paths) == 10
    dune = test_vault.get("Books/Dune.md")
    assert dune is not None and dune.etags == ("#book/scifi", "#later", "#book")
    assert [(t.line, t.parent, [c.line for c in t.children]) for t in dune.tasks] == [
        (11, None, [12, 13]),
        (12, 11, []),
        (13, 11, []),
    ]
    daily = test_vault.get("Daily/2024-03-15.md")
    assert daily is not None
    assert daily.fields["with"] == Link("Alice") and daily.unresolved == ("Alice",)
    assert daily.lists[0].outlinks == (Link("Dune", "Dune"), Link("Alice", "Alice"))
    assert daily.outlinks[0] == Link("Books/Dune.md", "Dune")
    assert encode(daily.day) == {"$date": "2024-03-15"}
    second = test_vault.get("Daily/2024-03-16.md")
    assert second is not None and encode(second.day) == {"$date": "2024-03-10"}
    foundation = test_vault.get("Books/Series/Foundation.md")
    assert foundation is not None and foundation.size == 66
    inbox = test_vault.get("Inbox.md")
    assert inbox is not None and inbox.fields == {"x": 1}  # from a non-task child item


def test_demo_vault_summary() -> None:
    catalog = Catalog.scan(DEMO_VAULT, local=UTC)
    summary = catalog.summary()
    assert summary.notes == 20
    assert summary.sections == 30
    assert (summary.links_resolved, summary.links_unresolved) == (34, 4)
    assert summary.tasks == 17 and summary.list_items == 44
    assert summary.inline_fields == 44
    assert summary.excluded == 3  # .obsidian/, Templates/ (app.json) and the excalidraw file
    assert summary.files_with_problems == 0
    assert catalog.get("Templates/Daily Template.md") is None


def test_demo_vault_records() -> None:
    catalog = Catalog.scan(DEMO_VAULT, local=UTC)
    web = catalog.get("Projects/Website Redesign.md")
    assert web is not None
    assert web.fields["owner"] == Link("People/Alice Chen.md")
    assert web.fields["area"] == Link("Areas/Finances.md", "Finances")
    assert web.fields["decision"] == "static-site"  # inside a callout
    assert web.unresolved == ("Missing Decision Record",)
    assert web.etags == ("#design", "#meeting", "#project", "#work/web")
    tasks = {t.line: t for t in web.tasks}
    assert sorted(tasks) == [17, 18, 19, 20, 21, 22]
    assert tasks[18].fields["due"] == local_date(2024, 3, 20, local=UTC)
    assert tasks[18].fields["scheduled"] == local_date(2024, 3, 18, local=UTC)
    assert [c.line for c in tasks[18].children] == [19, 20]
    assert tasks[21].status == "/" and tasks[21].fields["effort"] == 3
    assert tasks[22].block_id == "migrate" and "created" in tasks[22].fields
    garden = catalog.get("Projects/Garden Planning.md")
    assert garden is not None
    assert garden.outlinks[-1] == Link("Attachments/garden-plan.png", "garden-plan.png", embed=True)
    assert garden.fields["variety"] == "San Marzano"  # a non-task item's field reaches the page
    assert "cost" not in garden.fields  # a task's does not
    basil = next(item for item in garden.lists if item.text == "Basil")
    assert [child.text for child in basil.children] == ["Genovese", "Thai"]
    daily = catalog.get("Daily/2024-03-16.md")
    assert daily is not None and daily.day == local_date(2024, 3, 17, local=UTC)
    prag = catalog.get("Resources/Books/The Pragmatic Programmer.md")
    assert prag is not None
    assert prag.fields["config"] == "not-a-real-field"  # Dataview reads fields in code blocks
    assert prag.etags == ("#mindset", "#book", "#programming")
    assert prag.outlinks == ()
    finances = catalog.get("Areas/Finances.md")
    assert finances is not None and finances.aliases == ("Money", "Budget")


def test_bad_inputs_are_reported_and_the_rest_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.md").write_text("# Good\n[[bad yaml]] #ok\n")
    (tmp_path / "bad yaml.md").write_text("---\na: [1\n---\n# Body\nk:: v\n#tag\n")
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "latin1.md").write_bytes("# caf\xe9\n#tag\n".encode("latin-1"))
    (tmp_path / "locked.md").write_text("secret")
    (tmp_path / "vanishing.md").write_text("soon gone")
    os.symlink(tmp_path / "loop.md", tmp_path / "loop.md")
    big_line = "word " * 2000 + "key:: " + "v" * 40_000
    big = ("# Big\n" + ("para #big [[good]] text\n" * 2_000) + big_line + "\n") * 20
    (tmp_path / "big.md").write_text(big)

    real_open = os.open
    real_read = reading.read_file

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("locked.md"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    def vanishing_read(path: Path, root: str) -> Any:
        if path.name == "vanishing.md":
            path.unlink()
        return real_read(path, root)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(catalog_module, "read_file", vanishing_read)
    catalog = Catalog.scan(tmp_path, local=UTC)

    kinds = {(p.path, p.kind) for p in catalog.problems}
    assert kinds == {
        ("bad yaml.md", "frontmatter"),
        ("binary.md", "binary"),
        ("latin1.md", "encoding"),
        ("locked.md", "unreadable"),
        ("vanishing.md", "vanished"),
        ("loop.md", "symlink-loop"),
    }
    assert sorted(r.path for r in catalog.records()) == [
        "bad yaml.md",
        "big.md",
        "good.md",
        "latin1.md",
    ]
    bad = catalog.get("bad yaml.md")
    assert bad is not None and bad.errors and bad.fields == {"k": "v"} and bad.etags == ("#tag",)
    latin = catalog.get("latin1.md")
    assert latin is not None and latin.sections[0].heading == "caf\ufffd"
    assert latin.errors and latin.etags == ("#tag",)
    good = catalog.get("good.md")
    assert good is not None and good.outlinks[0].path == "bad yaml.md"
    huge = catalog.get("big.md")
    assert huge is not None and "key" not in huge.fields and len(huge.sections) == 20
    summary = catalog.summary()
    assert summary.files_with_problems == 6 and summary.problems_by_kind["binary"] == 1


def test_a_note_swapped_for_a_symlink_out_after_the_walk_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue #12: the walk saw a plain note; by the time it is read it leaves the vault.
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("plain:: 1\n")
    (vault / "b.md").write_text("plain:: 2\n")
    secret = tmp_path / "secret.md"
    secret.write_text("leak:: TOPSECRET-CANARY\n")
    real_read = reading.read_file

    def swapped_read(path: Path, root: str) -> Any:
        if path.name == "b.md":
            path.unlink()
            path.symlink_to(secret)
        return real_read(path, root)

    monkeypatch.setattr(catalog_module, "read_file", swapped_read)
    catalog = Catalog.scan(vault, local=UTC)
    assert [r.path for r in catalog.records()] == ["a.md"]
    assert [(p.path, p.kind, p.message) for p in catalog.problems] == [
        ("b.md", "symlink-escape", "symlink leaves the vault")
    ]


def test_a_50_mb_note_is_read_with_bounded_per_line_work(tmp_path: Path) -> None:
    line = ("word " * 10_000) + "#tag [[Other]] key:: value\n"  # 50 kB: over the field limit
    with open(tmp_path / "huge.md", "w", encoding="utf-8") as handle:
        handle.write("---\ntitle: huge\n---\n# Huge\n- [ ] a task [due:: 2024-01-01]\n")
        for _ in range(1_000):
            handle.write(line)
    (tmp_path / "Other.md").write_text("small")
    catalog = Catalog.scan(tmp_path, local=UTC)
    huge = catalog.get("huge.md")
    assert huge is not None and huge.size > 50_000_000
    assert "key" not in huge.fields and huge.fields["title"] == "huge"
    assert huge.etags == ("#tag",) and len(huge.outlinks) == 1_000
    assert huge.outlinks[0].path == "Other.md" and len(huge.tasks) == 1


def test_unreadable_file_on_disk(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("ok")
    locked = tmp_path / "locked.md"
    locked.write_text("x")
    locked.chmod(0)
    try:
        catalog = Catalog.scan(tmp_path, local=UTC)
    finally:
        locked.chmod(0o644)
    assert catalog.get("ok.md") is not None
    if os.geteuid() != 0:  # root reads anything; the monkeypatched test covers that case
        assert [p.kind for p in catalog.problems] == ["unreadable"]


def test_incremental_upsert_and_remove_relink() -> None:
    a = SourceFile("A.md", b"[[B]] [[C]]", 0, 0)
    b = SourceFile("sub/B.md", b"# B", 0, 0)
    catalog = Catalog.from_sources([a, b], local=UTC)
    record = catalog.get("A.md")
    assert record is not None and record.unresolved == ("C",)
    catalog.upsert(SourceFile("C.md", b"back to [[A]]", 0, 0))
    record = catalog.get("A.md")
    assert record is not None and record.unresolved == ()
    assert [link.path for link in record.outlinks] == ["sub/B.md", "C.md"]
    catalog.upsert(SourceFile("C.md", b"changed #t", 0, 1))
    changed = catalog.get("C.md")
    assert changed is not None and changed.etags == ("#t",)
    catalog.remove("sub/B.md")
    record = catalog.get("A.md")
    assert record is not None and record.unresolved == ("B",)
    catalog.upsert(SourceFile("C.md", b"\x00binary now", 0, 2))
    assert catalog.get("C.md") is None and [p.kind for p in catalog.problems] == ["binary"]
