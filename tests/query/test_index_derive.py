"""``VaultIndex.derive`` gives exactly the index a fresh build would, and reuses what it can.

Vaults are built through the real vault model (``Catalog.from_sources``), so records carry real
link resolution: deleting or adding a note re-links the notes around it, which then arrive as
upserts, as they would from the server.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from query.index import VaultIndex
from query.records import NoteRecord
from query.values import Link
from server.vault.catalog import Catalog, SourceFile

BASE_MS = 1_704_067_200_000

VAULT: dict[str, str] = {
    "Home.md": "# Home\n\nSee [[Books/Dune]], [[Tolkien]] and [[Missing]].\n",
    "Books/Dune.md": "---\ntags: [book, scifi/classic]\n---\n- [ ] reread [due:: 2024-03-20]\n",
    "Books/Hobbit.md": "---\ntags: [book]\n---\nBy [[Tolkien]].\n- [x] read\n    - [ ] lend\n",
    "Tolkien.md": "born:: 1892\nWrote [[Books/Hobbit]]. #author\n",
    "Daily/2024-03-15.md": "- [ ] call [[Home]] #family\n",
}


def records_of(files: dict[str, str]) -> dict[str, NoteRecord]:
    sources = [
        SourceFile(path, text.encode("utf-8"), BASE_MS, BASE_MS + 1000 * i)
        for i, (path, text) in enumerate(sorted(files.items()))
    ]
    return {record.path: record for record in Catalog.from_sources(sources, local=UTC).records()}


def derive_to(previous: VaultIndex, files: dict[str, str]) -> tuple[VaultIndex, VaultIndex]:
    """``previous`` derived to the vault ``files`` (upserting only the records that changed),
    and the fresh index of the same records."""
    target = records_of(files)
    kept: dict[str, NoteRecord] = {}
    upserts: list[NoteRecord] = []
    for path, record in target.items():
        old = previous.get(path)
        if old is not None and old == record:
            kept[path] = old  # the very object: derive must treat it as unchanged
        else:
            upserts.append(record)
            kept[path] = record
    removed = [path for path in previous.paths if path not in target]
    derived = VaultIndex.derive(previous, upserts, removed)
    return derived, VaultIndex(kept.values())


def assert_equivalent(derived: VaultIndex, fresh: VaultIndex) -> None:
    assert derived.paths == fresh.paths
    assert list(derived) == list(fresh)
    # The maps themselves, empty entries included, so a later derivation starts from the same.
    mine, theirs = derived._maps, fresh._maps
    assert mine.folders == theirs.folders
    assert mine.tags == theirs.tags
    assert mine.outgoing == theirs.outgoing
    assert mine.incoming == theirs.incoming
    assert mine.unresolved == theirs.unresolved
    assert mine.dangling == theirs.dangling
    assert mine.odd_links == theirs.odd_links
    for path in fresh.paths:
        assert derived.page(path) == fresh.page(path), path
        assert derived.task_rows(path) == fresh.task_rows(path)
    for tag in theirs.tags:
        assert derived.tagged_sorted(tag) == fresh.tagged_sorted(tag)
    assert derived.page_rows(derived.paths) == fresh.page_rows(fresh.paths)


def warm(index: VaultIndex) -> VaultIndex:
    """Fill every cache, as queries on a live server would."""
    index.page_rows(index.paths)
    for path in index.paths:
        index.task_rows(path)
    for tag in ("#book", "#author", "#family", "#scifi", "#nothing"):
        index.tagged_sorted(tag)
    return index


def test_edit_adding_a_link_updates_the_target_inlinks_only() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    files = dict(VAULT, **{"Books/Dune.md": VAULT["Books/Dune.md"] + "Compare [[Tolkien]].\n"})
    derived, fresh = derive_to(before, files)
    assert_equivalent(derived, fresh)
    assert Link("Books/Dune.md") in derived.page("Tolkien.md")["file"]["inlinks"]
    # Untouched notes keep their page objects; the edited one and the new target are rebuilt.
    assert derived.page("Books/Hobbit.md") is before.page("Books/Hobbit.md")
    assert derived.page("Tolkien.md") is not before.page("Tolkien.md")
    assert derived.page("Books/Dune.md") is not before.page("Books/Dune.md")


def test_edit_without_link_changes_keeps_the_targets_pages() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    files = dict(VAULT, **{"Home.md": VAULT["Home.md"] + "More words.\n"})
    derived, fresh = derive_to(before, files)
    assert_equivalent(derived, fresh)
    assert derived.page("Tolkien.md") is before.page("Tolkien.md")
    assert derived.page("Books/Dune.md") is before.page("Books/Dune.md")


def test_delete_turns_links_to_the_note_unresolved() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    files = {path: text for path, text in VAULT.items() if path != "Tolkien.md"}
    derived, fresh = derive_to(before, files)
    assert_equivalent(derived, fresh)
    assert derived.linking_to("Books/Hobbit.md") == set()
    assert derived.unresolved_linking("tolkien") == {"Home.md", "Books/Hobbit.md"}
    assert before.tagged("#author") and not derived.tagged("#author")


def test_rename_moves_folders_and_inlinks() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    files = {("People/Tolkien.md" if p == "Tolkien.md" else p): t for p, t in VAULT.items()}
    derived, fresh = derive_to(before, files)
    assert_equivalent(derived, fresh)
    assert derived.in_folder("People") == ("People/Tolkien.md",)
    assert derived.linking_to("People/Tolkien.md") == {"Home.md", "Books/Hobbit.md"}


def test_new_note_resolves_previously_unresolved_links() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    assert before.unresolved_linking("Missing") == {"Home.md"}
    derived, fresh = derive_to(before, dict(VAULT, **{"Missing.md": "found #new\n"}))
    assert_equivalent(derived, fresh)
    assert derived.linking_to("Missing.md") == {"Home.md"}
    assert derived.page("Missing.md")["file"]["inlinks"] == [Link("Home.md")]
    assert derived.tagged_sorted("#new") == ("Missing.md",)


def test_deleting_a_folders_last_note_removes_the_folder() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    files = {path: text for path, text in VAULT.items() if not path.startswith("Daily/")}
    derived, fresh = derive_to(before, files)
    assert_equivalent(derived, fresh)
    assert not derived.is_folder("Daily")


def test_a_note_appearing_under_an_unchanged_dangling_link_gains_the_edge() -> None:
    # A record whose link already names the new path (as written with ".md") need not change
    # when the note appears; the edge must still be counted, as a fresh build counts it.
    linker = records_of({"A.md": "[[B.md]]\n"})["A.md"]
    assert [link.path for link in linker.outlinks] == ["B.md"]
    newcomer = records_of({"B.md": "hello\n"})["B.md"]
    before = warm(VaultIndex([linker]))
    derived = VaultIndex.derive(before, [newcomer], [])
    assert_equivalent(derived, VaultIndex([linker, newcomer]))
    assert derived.linking_to("B.md") == {"A.md"}
    back = VaultIndex.derive(derived, [], ["B.md"])
    assert_equivalent(back, VaultIndex([linker]))


def test_the_previous_index_is_left_untouched() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    snapshot = {path: before.page(path) for path in before.paths}
    maps = before._maps
    incoming = {key: set(value) for key, value in maps.incoming.items()}
    tags = {key: set(value) for key, value in maps.tags.items()}
    files = {path: text for path, text in VAULT.items() if path != "Tolkien.md"}
    files["New.md"] = "[[Books/Dune]] #book\n"
    derive_to(before, files)
    assert before._maps.incoming == incoming
    assert before._maps.tags == tags
    assert before.paths == tuple(sorted(VAULT))
    assert all(before.page(path) is page for path, page in snapshot.items())
    assert before.tagged_sorted("#book") == ("Books/Dune.md", "Books/Hobbit.md")


def test_upserting_the_same_record_objects_changes_nothing() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    derived = VaultIndex.derive(before, list(before), [])
    assert derived.paths is before.paths
    assert all(derived.page(path) is before.page(path) for path in before.paths)


def test_a_path_both_removed_and_upserted_ends_up_upserted() -> None:
    before = warm(VaultIndex(records_of(VAULT).values()))
    edited = replace(before.get("Tolkien.md"), size=1)  # type: ignore[type-var]
    derived = VaultIndex.derive(before, [edited], ["Tolkien.md"])
    assert derived.get("Tolkien.md") is edited
    assert derived.page("Tolkien.md")["file"]["size"] == 1


# -- random change sequences -------------------------------------------------------------------

_NAMES = ["A", "B", "C", "d/E", "d/F", "d/g/H"]
_note = st.builds(
    lambda links, tags: (
        " ".join(f"[[{name}]]" for name in links)
        + "".join(f" #{tag}" for tag in tags)
        + "\n- [ ] task\n"
    ),
    st.lists(st.sampled_from([*_NAMES, "Nowhere", "A.md", "E"]), max_size=4),
    st.lists(st.sampled_from(["x", "x/y", "z"]), max_size=2),
)
_vault = st.dictionaries(st.sampled_from(_NAMES).map(lambda name: f"{name}.md"), _note, max_size=6)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_vault, min_size=2, max_size=4))
def test_random_change_sequences_match_fresh_builds(vaults: list[dict[str, str]]) -> None:
    index = warm(VaultIndex(records_of(vaults[0]).values()))
    for files in vaults[1:]:
        index, fresh = derive_to(index, files)
        assert_equivalent(index, fresh)
        warm(index)
