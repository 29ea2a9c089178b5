"""LinkResolver.with_changes: equal to a fresh resolver, and copy-on-write."""

from __future__ import annotations

import random

import pytest

from query.links import LinkResolver

_NAMES = ["a", "A", "b", "note", "Note", "readme", "x y", "a.md"]
_FOLDERS = ["", "f/", "F/", "f/g/", "h/", "h/f/"]
_EXTS = [".md", ".md", ".png", ""]


def _paths(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(_FOLDERS) + rng.choice(_NAMES) + rng.choice(_EXTS) for _ in range(count)]


def _targets() -> list[str]:
    targets = [""]
    for folder in _FOLDERS:
        for name in _NAMES:
            for ext in ("", ".md", ".png"):
                targets.append(folder + name + ext)
                targets.append((folder + name + ext).upper())
    return [*targets, "./a", "../b.md", "/f/note", "g/a", "f/g/A"]


def _answers(resolver: LinkResolver, origins: list[str]) -> dict[tuple[str, str], str | None]:
    return {(t, o): resolver.resolve(t, o) for t in _targets() for o in origins}


def _tables(resolver: LinkResolver) -> tuple[object, ...]:
    by_name = {key: sorted(paths) for key, paths in resolver._by_name.items()}
    return (set(resolver._exact), dict(resolver._lower), by_name)


@pytest.mark.parametrize("seed", range(40))
def test_with_changes_equals_a_fresh_resolver(seed: int) -> None:
    rng = random.Random(seed)
    current: set[str] = set(_paths(rng, rng.randrange(0, 25)))
    resolver = LinkResolver(sorted(current))
    origins = ["f/note.md", "h/f/a.md", "b.md"]
    for _ in range(8):
        removed = rng.sample(sorted(current), min(len(current), rng.randrange(0, 4)))
        removed += _paths(rng, 1)  # sometimes a path that is not there
        added = _paths(rng, rng.randrange(0, 4))
        before_tables = _tables(resolver)
        before_answers = _answers(resolver, origins)
        changed = resolver.with_changes(added=added, removed=removed)
        # The old resolver is untouched (snapshots still use it).
        assert _tables(resolver) == before_tables
        assert _answers(resolver, origins) == before_answers
        current = (current - set(removed)) | set(added)
        fresh = LinkResolver(sorted(current))
        assert _tables(changed) == _tables(fresh)
        assert _answers(changed, origins) == _answers(fresh, origins)
        resolver = changed


def test_removing_the_preferred_case_variant_falls_back_to_the_other() -> None:
    resolver = LinkResolver(["Notes/A.md", "notes/a.md"])
    assert resolver.resolve("NOTES/A", "x.md") == "Notes/A.md"
    changed = resolver.with_changes(removed=["Notes/A.md"])
    assert changed.resolve("NOTES/A", "x.md") == "notes/a.md"
    assert resolver.resolve("NOTES/A", "x.md") == "Notes/A.md"
    assert "Notes/A.md" not in changed and "Notes/A.md" in resolver


def test_added_then_removed_in_one_call_keeps_the_addition() -> None:
    # Removals apply first, then additions (a re-created path exists afterwards).
    resolver = LinkResolver(["a.md"])
    changed = resolver.with_changes(added=["a.md", "b.md"], removed=["a.md"])
    assert changed.resolve("a", "x.md") == "a.md"
    assert changed.resolve("b", "x.md") == "b.md"
    assert resolver.resolve("b", "x.md") is None
