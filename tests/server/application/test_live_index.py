"""Incremental updates: every kind of file event converges on what a cold scan gives."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from server.application.live_index import NotReadyError, VaultService
from server.errors import NotFoundError
from server.vault.catalog import Catalog
from tests.server.server_helpers import UTC, app_over, make_service


def assert_matches_cold_scan(service: VaultService) -> None:
    cold = Catalog.scan(service.vault, local=UTC)
    assert service.records() == cold.records()
    assert [r.path for r in service.snapshot().index] == [r.path for r in cold.records()]


def _paths(service: VaultService, query: str) -> list[str]:
    body = app_over(service).query(query)
    return [item["path"] for item in body["items"]]


def test_modify_updates_fields_and_bumps_revision(service: VaultService, vault: Path) -> None:
    (vault / "Projects/Beta.md").write_text("---\ntags: [project]\nstatus: done\n---\n")
    snapshot = service.apply_changes(["Projects/Beta.md"])
    assert snapshot is not None and snapshot.revision == 2
    assert snapshot.changed == ("Projects/Beta.md",)
    assert _paths(service, 'LIST WHERE status = "done"') == ["Projects/Beta.md"]
    assert_matches_cold_scan(service)


def test_create_resolves_links_elsewhere(service: VaultService, vault: Path) -> None:
    alpha = _note(service, "Projects/Alpha.md")
    assert alpha is not None and alpha["unresolved"] == ["Missing"]
    (vault / "Missing.md").write_text("now here\n")
    service.apply_changes([str(vault / "Missing.md")])  # absolute paths work too
    alpha = _note(service, "Projects/Alpha.md")
    assert alpha is not None and alpha["unresolved"] == []
    assert "Missing.md" in {link["path"] for link in alpha["outlinks"]}
    note = _note(service, "Missing.md")
    assert note is not None and [link["path"] for link in note["inlinks"]] == ["Projects/Alpha.md"]
    assert_matches_cold_scan(service)


def test_delete_drops_backlinks(service: VaultService, vault: Path) -> None:
    (vault / "README.md").unlink()
    snapshot = service.apply_changes(["README.md"])
    assert snapshot is not None and snapshot.removed == ("README.md",)
    note = _note(service, "Projects/Alpha.md")
    assert note is not None
    assert [link["path"] for link in note["inlinks"]] == ["Projects/Beta.md"]
    assert_matches_cold_scan(service)


def test_rename_file_and_folder(service: VaultService, vault: Path) -> None:
    (vault / "Projects/Beta.md").rename(vault / "Projects/Gamma.md")
    service.apply_changes(["Projects/Beta.md", "Projects/Gamma.md"])
    assert_matches_cold_scan(service)
    (vault / "Projects").rename(vault / "Archive")
    service.apply_changes(["Projects", "Archive"])
    assert _paths(service, 'LIST FROM "Archive"') == ["Archive/Alpha.md", "Archive/Gamma.md"]
    assert_matches_cold_scan(service)
    shutil.rmtree(vault / "Archive")
    service.apply_changes(["Archive"])
    assert_matches_cold_scan(service)


def test_untouched_files_do_not_make_revisions(service: VaultService, vault: Path) -> None:
    assert service.apply_changes(["README.md"]) is None
    assert service.apply_changes(["not-there.md", ".obsidian/workspace.json"]) is None
    assert service.revision == 1


def test_attachments_change_link_resolution(service: VaultService, vault: Path) -> None:
    (vault / "README.md").write_text("![[pic.png]]\n")
    service.apply_changes(["README.md"])
    (vault / "pic.png").write_bytes(b"\x89PNG")
    service.apply_changes(["pic.png"])
    assert_matches_cold_scan(service)


def test_excluded_and_escaping_paths_are_ignored(
    service: VaultService, vault: Path, tmp_path: Path
) -> None:
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian/x.md").write_text("hidden:: 1\n")
    outside = tmp_path / "outside.md"
    outside.write_text("secret:: 1\n")
    assert service.apply_changes([".obsidian/x.md", "../outside.md"]) is None
    os.symlink(outside, vault / "escape.md")
    snapshot = service.apply_changes(["escape.md"])  # not read, but reported
    assert snapshot is not None and snapshot.changed == ()
    assert [(p.path, p.kind) for p in snapshot.problems] == [("escape.md", "symlink-escape")]
    assert_matches_cold_scan(service)


def test_binary_and_bad_utf8_files_are_reported(service: VaultService, vault: Path) -> None:
    (vault / "bin.md").write_bytes(b"abc\x00def")
    (vault / "latin.md").write_bytes(b"caf\xe9 x:: 1\n")
    service.apply_changes(["bin.md", "latin.md"])
    kinds = {(p["path"], p["kind"]) for p in service.status()["problems"]}
    assert {("bin.md", "binary"), ("latin.md", "encoding")} <= kinds
    assert_matches_cold_scan(service)


def test_queries_see_one_snapshot_while_updates_run(service: VaultService, vault: Path) -> None:
    errors: list[BaseException] = []
    stop = threading.Event()

    def query_loop() -> None:
        while not stop.is_set():
            try:
                body = app_over(service).query("LIST FROM #project")
                # A batch writes two notes at once: a query sees both or neither.
                paths = {item["path"] for item in body["items"]}
                assert ("P/x.md" in paths) == ("P/y.md" in paths), paths
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return

    threads = [threading.Thread(target=query_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    (vault / "P").mkdir()
    for i in range(20):
        tag = "project" if i % 2 == 0 else "other"
        (vault / "P/x.md").write_text(f"#{tag}\n")
        (vault / "P/y.md").write_text(f"#{tag}\n")
        service.apply_changes(["P/x.md", "P/y.md"])
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]
    revisions = service.revision
    assert revisions >= 20


def test_not_ready_before_load(vault: Path) -> None:
    service = make_service(vault)
    assert not service.ready
    with pytest.raises(NotReadyError):
        app_over(service).query("LIST")
    assert service.status()["ready"] is False


def test_cached_pages_follow_backlink_changes(service: VaultService, vault: Path) -> None:
    query = 'TABLE length(file.inlinks) AS n FROM "Projects" SORT file.name'
    assert [row[1] for row in app_over(service).query(query)["rows"]] == [2, 1]  # pages now cached
    (vault / "README.md").unlink()
    service.apply_changes(["README.md"])
    assert [row[1] for row in app_over(service).query(query)["rows"]] == [1, 1]
    (vault / "Projects/Beta.md").write_text("no links now\n")
    service.apply_changes(["Projects/Beta.md"])
    assert [row[1] for row in app_over(service).query(query)["rows"]] == [0, 1]
    (vault / "C.md").write_text("[[Beta]] [[Alpha]]\n")
    service.apply_changes(["C.md"])
    assert [row[1] for row in app_over(service).query(query)["rows"]] == [1, 2]


def test_a_stop_right_after_the_start_leaves_a_warm_cache(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shutdown (close) can come while the first load is still building pages; the cache that
    # makes the next start warm must be written by then all the same.
    from query.index import VaultIndex

    warming, release = threading.Event(), threading.Event()

    def slow_warm(index: VaultIndex) -> None:
        warming.set()
        release.wait(10)

    monkeypatch.setattr(VaultIndex, "warm", slow_warm)
    first = make_service(vault, tmp_path / "index")
    loader = threading.Thread(target=first.load)
    loader.start()
    try:
        assert warming.wait(10) and first.ready
        first.close()  # as the server's shutdown does; the process may end right after
        assert Path(first.cache_info["path"]).is_file()
    finally:
        release.set()
        loader.join(10)
    second = make_service(vault, tmp_path / "index")
    second.load()
    assert second.cache_info["used"] and second.cache_info["reparsed"] == 0
    assert app_over(second).query("LIST")["items"] == app_over(first).query("LIST")["items"]


def test_a_note_swapped_for_a_symlink_out_is_dropped_and_reported(
    service: VaultService, vault: Path, tmp_path: Path
) -> None:
    # Issue #12: the live re-read goes through the same containment check as the scan.
    secret = tmp_path / "secret.md"
    secret.write_text("leak:: TOPSECRET-CANARY\n[[Alpha]]\n")
    beta = vault / "Projects" / "Beta.md"
    beta.unlink()
    beta.symlink_to(secret)
    snapshot = service.apply_changes(["Projects/Beta.md"])
    assert snapshot is not None and snapshot.removed == ("Projects/Beta.md",)
    assert ("Projects/Beta.md", "symlink-escape") in [(p.path, p.kind) for p in snapshot.problems]
    assert _note(service, "Projects/Beta.md") is None
    assert _paths(service, "LIST WHERE leak") == []
    assert "TOPSECRET" not in repr(service.status()) + repr(service.records())
    assert_matches_cold_scan(service)
    # A folder swapped for a symlink out of the vault: its notes go too.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Alpha.md").write_text("leak:: TOPSECRET-CANARY\n")
    shutil.rmtree(vault / "Projects")
    (vault / "Projects").symlink_to(outside)
    service.apply_changes(["Projects"])
    assert _paths(service, "LIST WHERE leak") == []
    assert not any(r.path.startswith("Projects/") for r in service.records())
    assert_matches_cold_scan(service)


def test_a_replaced_vault_folder_is_read_again(service: VaultService, vault: Path) -> None:
    # mv V V.old && cp -a V.old V: the path is the same, the folder is another one.
    assert service.check_root() == "ok"
    old = vault.with_name("vault.old")
    vault.rename(old)
    shutil.copytree(old, vault, symlinks=True)
    (vault / "New.md").write_text("fresh:: yes\n")
    assert service.check_root() == "changed"
    snapshot = service.rescan()
    assert snapshot is not None and "New.md" in snapshot.changed
    assert service.ready and service.check_root() == "ok"
    assert _paths(service, "LIST WHERE fresh") == ["New.md"]
    assert_matches_cold_scan(service)


def test_a_missing_vault_folder_is_not_ready_until_it_is_back(
    service: VaultService, vault: Path
) -> None:
    away = vault.with_name("away")
    vault.rename(away)
    assert service.check_root() == "missing"
    status = service.status()
    assert status["ready"] is False and status["progress"]["phase"] == "vault-missing"
    assert "missing" in status["reason"]
    with pytest.raises(NotReadyError, match="missing"):
        app_over(service).query("LIST")
    assert service.apply_changes(["Projects/Alpha.md"]) is None  # nothing applied meanwhile
    away.rename(vault)
    (vault / "README.md").unlink()
    assert service.check_root() == "changed"  # the same folder, but anything may have changed
    service.rescan()
    status = service.status()
    assert status["ready"] is True and status["progress"]["phase"] == "ready"
    assert "reason" not in status
    assert_matches_cold_scan(service)


def _note(service: VaultService, path: str) -> dict[str, Any] | None:
    """What ``GET /api/v1/notes/{path}`` answers, or None for no such note."""
    try:
        return app_over(service).note(path)
    except NotFoundError:
        return None
