"""Catalog.apply: batches of file changes give what a cold build of the same files gives, and
re-link only the notes whose links resolve differently."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.vault.catalog import Catalog, SourceFile
from server.vault.link_index import ALWAYS, path_keys, target_key

# Paths chosen to collide: the same name in several folders, case variants, ".md.md", a name
# equal to a folder, and attachments sharing a note's name.
PATHS = [
    "A.md",
    "a.md",
    "sub/A.md",
    "sub/deep/A.md",
    "B.md",
    "sub/B.md.md",
    "sub.md",
    "sub/C.md",
    "other/C.md",
    "img.png",
    "sub/img.png",
    "A.png",
]
TARGETS = [
    "A",
    "a",
    "A.md",
    "sub/A",
    "deep/A",
    "B",
    "B.md",
    "sub",
    "C",
    "../C",
    "./C.md",
    "../sub/..",
    "img.png",
    "sub/img.png",
    "A.png",
    "missing",
    "",
]


def _body(targets: list[str], variant: int) -> bytes:
    lines = [f'---\nup: "[[{targets[0]}]]"\n---' if targets and variant % 3 == 0 else ""]
    for index, target in enumerate(targets):
        if index % 3 == 0:
            lines.append(f"see [[{target}]] and #tag{variant}")
        elif index % 3 == 1:
            lines.append(f"- item rel:: [[{target}]]")
        else:
            lines.append(f"field:: [[{target}|shown]] ![x]({target.replace(' ', '%20')})")
    return "\n".join(lines).encode()


def _source(path: str, targets: list[str], variant: int) -> SourceFile:
    data = _body(targets, variant) if path.endswith(".md") else b"\x89PNG"
    return SourceFile(path, data, 1000.0, 1000.0 + variant)


FILE = st.tuples(st.sampled_from(PATHS), st.lists(st.sampled_from(TARGETS), max_size=4))
STEP = st.one_of(
    st.tuples(st.just("write"), FILE, st.integers(0, 5)),
    st.tuples(st.just("delete"), st.sampled_from(PATHS)),
    st.tuples(st.just("rename"), st.sampled_from(PATHS), st.sampled_from(PATHS)),
    st.tuples(st.just("touch"), st.sampled_from(PATHS)),
)


def _cold(files: dict[str, SourceFile]) -> Catalog:
    return Catalog.from_sources(files.values(), local=UTC)


def _assert_same(catalog: Catalog, files: dict[str, SourceFile]) -> None:
    cold = _cold(files)
    assert catalog.records() == cold.records()
    assert catalog.other_files == cold.other_files
    assert catalog.summary() == cold.summary()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(FILE, st.integers(0, 5)), max_size=6),
    st.lists(st.lists(STEP, min_size=1, max_size=3), min_size=1, max_size=6),
)
def test_random_batches_equal_a_cold_build(
    initial: list[tuple[tuple[str, list[str]], int]],
    batches: list[list[tuple[Any, ...]]],
) -> None:
    files = {path: _source(path, targets, v) for (path, targets), v in initial}
    catalog = _cold(files)
    for batch in batches:
        upserts: dict[str, SourceFile] = {}
        removals: set[str] = set()
        for step in batch:
            if step[0] == "write":
                (path, targets), variant = step[1], step[2]
                files[path] = upserts[path] = _source(path, targets, variant)
                removals.discard(path)
            elif step[0] == "delete" and step[1] in files:
                del files[step[1]]
                upserts.pop(step[1], None)
                removals.add(step[1])
            elif step[0] == "rename" and step[1] in files and step[1] != step[2]:
                moved = files.pop(step[1])
                upserts.pop(step[1], None)
                removals.add(step[1])
                files[step[2]] = upserts[step[2]] = SourceFile(
                    step[2], moved.data, moved.ctime_ms, moved.mtime_ms
                )
                removals.discard(step[2])
            elif step[0] == "touch" and step[1] in files:
                old = files[step[1]]
                files[step[1]] = upserts[step[1]] = SourceFile(
                    old.path, old.data, old.ctime_ms, old.mtime_ms + 1
                )
        before = {record.path: record for record in catalog.records()}
        changes = catalog.apply(upserts.values(), removals)
        _assert_same(catalog, files)
        after = {record.path: record for record in catalog.records()}
        replaced = set(changes.changed) | set(changes.relinked)
        for path, record in after.items():
            if path not in replaced:
                assert before[path] is record  # untouched records keep their identity
        for path in changes.relinked:
            assert before[path] != after[path]  # a re-link is reported only when it changed
        assert set(changes.removed) == {p for p in before if p not in after}
        assert {p for p in after if p not in before} <= set(changes.changed)


def _catalog(*files: tuple[str, str]) -> Catalog:
    return Catalog.from_sources([SourceFile(p, t.encode(), 0, 0) for p, t in files], local=UTC)


def test_adding_a_note_relinks_only_notes_naming_it() -> None:
    catalog = _catalog(
        ("one.md", "[[Target]]"),
        ("two.md", "[[Other]]"),
        ("three.md", "field:: [[target]]"),
        ("Other.md", ""),
    )
    changes = catalog.apply([SourceFile("deep/Target.md", b"# T", 0, 0)])
    assert changes.changed == ["deep/Target.md"] and changes.removed == []
    assert changes.relinked == ["one.md", "three.md"] and changes.paths_changed
    one, three = catalog.get("one.md"), catalog.get("three.md")
    assert one is not None and one.outlinks[0].path == "deep/Target.md" and one.unresolved == ()
    assert three is not None and str(three.fields["field"]) != "target"


def test_rename_moves_resolution_and_reports_both_paths() -> None:
    catalog = _catalog(("A.md", "[[B]]"), ("B.md", "x"))
    changes = catalog.apply([SourceFile("dir/B.md", b"x", 0, 0)], ["B.md"])
    assert changes.changed == ["dir/B.md"] and changes.removed == ["B.md"]
    assert changes.relinked == ["A.md"]
    record = catalog.get("A.md")
    assert record is not None and record.outlinks[0].path == "dir/B.md"


def test_unchanged_bytes_and_times_do_nothing_and_times_alone_are_cheap() -> None:
    catalog = _catalog(("A.md", "[[B]]"))
    record = catalog.get("A.md")
    same = catalog.apply([SourceFile("A.md", b"[[B]]", 0, 0)])
    assert same.empty and same.reused == 1 and catalog.get("A.md") is record
    touched = catalog.apply([SourceFile("A.md", b"[[B]]", 0, 5)])
    assert touched.changed == ["A.md"] and touched.reused == 1 and touched.reparsed == 0
    after = catalog.get("A.md")
    assert after is not None and after.mtime != record.mtime if record else False


def test_attachments_resolve_and_vanish() -> None:
    catalog = _catalog(("A.md", "![[pic.png]]"))
    added = catalog.apply(attachments=["pic.png"])
    assert added.relinked == ["A.md"] and added.changed == [] and not added.empty
    assert "pic.png" in catalog.other_files and catalog.has_file("pic.png")
    gone = catalog.apply((), ["pic.png"])
    record = catalog.get("A.md")
    assert gone.relinked == ["A.md"] and record is not None and record.unresolved == ("pic.png",)


def test_binary_rewrite_removes_the_note() -> None:
    catalog = _catalog(("A.md", "[[B]]"), ("B.md", ""))
    changes = catalog.apply([SourceFile("B.md", b"\x00", 0, 1)])
    assert changes.removed == ["B.md"] and changes.relinked == ["A.md"]
    assert [p.kind for p in catalog.problems] == ["binary"]


def test_state_round_trip_then_apply() -> None:
    catalog = _catalog(("A.md", "[[B]]"), ("B.md", "x"))
    restored = Catalog.restore(catalog.state(), local=UTC)
    assert restored.records() == catalog.records()
    changes = restored.apply(
        [SourceFile("A.md", b"[[B]]", 0, 0), SourceFile("C.md", b"[[A]]", 0, 0)], ["B.md"]
    )
    assert changes.reused == 1 and changes.reparsed == 1 and changes.removed == ["B.md"]
    assert restored.records() == _catalog(("A.md", "[[B]]"), ("C.md", "[[A]]")).records()


def test_name_keys() -> None:
    assert target_key(" Folder/Note.md ") == "note" and target_key("") is None
    assert target_key("../up/..") == ALWAYS and target_key("./") == ALWAYS
    assert target_key("../x/Note") == "note"
    assert path_keys("a/X.md.md") == ("x.md", "x") and path_keys("pic.PNG") == ("pic.png",)


def test_odd_names_still_relink() -> None:
    # "B.md" also names "B.md.md"; "../sub/.." from sub/deep/ is "sub", i.e. sub.md.
    catalog = _catalog(("x.md", "[[B.md]]"), ("sub/deep/y.md", "[[../sub/..]]"))
    changes = catalog.apply(
        [SourceFile("other/B.md.md", b"", 0, 0), SourceFile("sub.md", b"", 0, 0)]
    )
    assert changes.relinked == ["sub/deep/y.md", "x.md"]
    x, y = catalog.get("x.md"), catalog.get("sub/deep/y.md")
    assert x is not None and x.outlinks[0].path == "other/B.md.md"
    assert y is not None and y.outlinks[0].path == "sub.md"
