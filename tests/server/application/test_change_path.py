"""One path for a change (issue 13): a batch flows once from the watcher's paths to the catalog,
the index (derived once, PARA fields included) and the search index (the batch's notes only,
with the bytes the catalog already read)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from query.index import VaultIndex
from server.application import catalog_sync
from server.search import snapshot_sync
from server.search.embedder import HashEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.vault.change_set import ChangeSet
from tests.server.server_helpers import app_over, make_service, make_vault


def test_a_change_set_merges_a_later_one() -> None:
    first = ChangeSet(changed=["a.md", "b.md"], removed=["c.md"], relinked=["d.md"], reused=1)
    first.merge(ChangeSet(changed=["c.md"], removed=["b.md"], relinked=["e.md"], reparsed=2))
    assert first.changed == ["a.md", "c.md"]  # c came back
    assert first.removed == ["b.md"]  # b changed, then went
    assert first.relinked == ["d.md", "e.md"]
    assert (first.reused, first.reparsed) == (1, 2)


def test_a_batch_is_read_once_applied_once_and_its_bytes_handed_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(tmp_path / "vault")
    service = make_service(vault)
    service.load()
    assert service.take_changes() is not None  # the first load: everything
    applies: list[int] = []
    real_apply = service._catalog.apply  # type: ignore[union-attr]

    def counting(*args: Any, **kwargs: Any) -> Any:
        applies.append(1)
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(service._catalog, "apply", counting)
    (vault / "Projects" / "Alpha.md").write_text("# Alpha\nrewritten\n", encoding="utf-8")
    (vault / "Unreadable.md").mkdir()  # a "note" that cannot be read: a folder named .md
    (vault / "README.md").unlink()
    snapshot = service.apply_changes(
        [str(vault / "Projects" / "Alpha.md"), "README.md", str(vault / "Unreadable.md")]
    )
    assert snapshot is not None and len(applies) == 1  # one pass, failures included
    batch = service.take_changes()
    assert batch is not None and not batch.full
    assert batch.changes.changed == ["Projects/Alpha.md"]
    assert batch.changes.removed == ["README.md"]
    assert batch.texts == {"Projects/Alpha.md": b"# Alpha\nrewritten\n"}
    assert service.take_changes() is None  # taken


def test_batches_coalesce_until_taken(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "vault")
    service = make_service(vault)
    service.load()
    service.take_changes()
    (vault / "New.md").write_text("new\n", encoding="utf-8")
    service.apply_changes(["New.md"])
    (vault / "New.md").write_text("newer\n", encoding="utf-8")
    service.apply_changes(["New.md"])
    (vault / "README.md").unlink()
    service.apply_changes(["README.md"])
    batch = service.take_changes()
    assert batch is not None
    assert (batch.changes.changed, batch.changes.removed) == (["New.md"], ["README.md"])
    assert batch.texts == {"New.md": b"newer\n"}


def test_each_revision_derives_the_index_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(tmp_path / "vault")
    service = make_service(vault)
    service.load()
    derived: list[int] = []
    real = VaultIndex.derive

    def counting(*args: Any, **kwargs: Any) -> Any:
        derived.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(VaultIndex, "derive", counting)
    (vault / "Projects" / "Gamma.md").write_text("---\ntags: [project]\n---\n", encoding="utf-8")
    snapshot = service.apply_changes(["Projects/Gamma.md"])
    assert snapshot is not None and derived == [1]
    page = snapshot.index.page("Projects/Gamma.md")
    assert page is not None and page["file"]["para"] == "projects"  # the PARA fields, too


def test_the_search_index_takes_the_batch_without_reading_the_disk_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(tmp_path / "vault")
    service = make_service(vault)
    service.load()
    service.take_changes()
    search = SearchService(HashEmbedder())
    reader = vault_text_reader(vault)
    snapshot_sync.apply_snapshot(search, service.snapshot().index, reader, initial=True)
    (vault / "Projects" / "Alpha.md").write_text("# Alpha\nzebracorn sighting\n", "utf-8")
    service.apply_changes(["Projects/Alpha.md"])
    batch = service.take_changes()
    assert batch is not None
    reads: list[str] = []

    def disk(path: str) -> str | None:
        reads.append(path)
        return reader(path)

    compared: list[int] = []
    real_index_records = search.index_records

    def index_records(records: Any, text_of: Any, **kwargs: Any) -> int:
        records = list(records)
        compared.append(len(records))
        return real_index_records(records, text_of, **kwargs)

    monkeypatch.setattr(search, "index_records", index_records)
    changes = batch.changes
    snapshot_sync.apply_changes(
        search, service.snapshot().index, changes.changed, changes.removed, batch.texts, disk
    )
    assert reads == [] and compared == [1]  # the one note, from the bytes already read
    hits = search.search("zebracorn", "keyword", 5)
    assert [hit.path for hit in hits] == ["Projects/Alpha.md"]
    search.close()


def test_bytes_of_an_older_version_are_not_indexed(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "vault")
    service = make_service(vault)
    service.load()
    search = SearchService(HashEmbedder())
    reader = vault_text_reader(vault)
    (vault / "Projects" / "Alpha.md").write_text("# Alpha\nnewest words\n", "utf-8")
    service.apply_changes(["Projects/Alpha.md"])
    stale = {"Projects/Alpha.md": b"# Alpha\nolder words\n"}  # edited again since they were read
    snapshot_sync.apply_changes(
        search, service.snapshot().index, ["Projects/Alpha.md"], [], stale, reader
    )
    assert [hit.path for hit in search.search("newest", "keyword", 5)] == ["Projects/Alpha.md"]
    assert search.search("older", "keyword", 5) == []
    search.close()


def test_watcher_paths_stay_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = make_vault(tmp_path / "vault")
    service = make_service(vault)
    service.load()
    seen: list[list[str]] = []
    real = catalog_sync.apply_paths

    def spy(catalog: Any, root: Path, rel_paths: Any, exclusions: Any) -> Any:
        seen.append(list(rel_paths))
        return real(catalog, root, rel_paths, exclusions)

    monkeypatch.setattr("server.application.live_index.apply_paths", spy)
    service.apply_changes([str(vault / "README.md"), "/elsewhere/x.md", "Daily/2024-01-01.md"])
    assert seen == [["README.md", "Daily/2024-01-01.md"]]  # vault-relative, outside dropped


def test_a_warm_start_reads_only_the_files_whose_size_or_times_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(tmp_path / "vault")
    first = make_service(vault, tmp_path / "index")
    first.load()
    first.close()  # writes the catalog cache
    (vault / "README.md").write_text("# Readme\nSee [[Alpha]] and [[Beta]].\n", encoding="utf-8")
    read: list[str] = []
    real = catalog_sync.read_file

    def spy(path: Any, root: str, **kwargs: Any) -> Any:
        read.append(Path(path).name)
        return real(path, root, **kwargs)

    monkeypatch.setattr(catalog_sync, "read_file", spy)
    second = make_service(vault, tmp_path / "index")
    second.load()
    assert read == ["README.md"]
    assert second.cache_info["reused"] == len(second.records()) - 1
    assert "Beta" in str(app_over(second).note("README.md")["outlinks"])
