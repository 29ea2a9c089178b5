"""Obsidian's link resolution and link-text parsing (query.links)."""

from __future__ import annotations

from query.links import LinkResolver, display_text, normalize_header, parse_link_inner
from query.values import Link

PATHS = [
    "Home.md",
    "Books/Dune.md",
    "Books/Series/Foundation.md",
    "Archive/Dune.md",
    "Archive/Old/Notes.md",
    "Projects/Notes.md",
    "Projects/Plan.md",
    "Deep/er/Notes.md",
    "img/pic.png",
    "CamelCase.md",
]


def test_exact_path_then_extension_then_case() -> None:
    resolver = LinkResolver(PATHS)
    assert resolver.resolve("Books/Dune.md", "Home.md") == "Books/Dune.md"
    assert resolver.resolve("Books/Dune", "Home.md") == "Books/Dune.md"
    assert resolver.resolve("books/dune", "Home.md") == "Books/Dune.md"
    assert resolver.resolve("/Books/Dune", "Home.md") == "Books/Dune.md"


def test_basename_match_prefers_same_folder_then_shortest_path() -> None:
    resolver = LinkResolver(PATHS)
    assert resolver.resolve("Dune", "Home.md") == "Books/Dune.md"  # shortest, then alphabetical
    assert resolver.resolve("Dune", "Archive/Index.md") == "Archive/Dune.md"  # same folder
    assert resolver.resolve("notes", "Home.md") == "Projects/Notes.md"
    assert resolver.resolve("Old/Notes", "Home.md") == "Archive/Old/Notes.md"  # path suffix
    assert resolver.resolve("camelcase", "Home.md") == "CamelCase.md"
    assert resolver.resolve("pic.png", "Home.md") == "img/pic.png"


def test_relative_and_unresolvable_targets() -> None:
    resolver = LinkResolver(PATHS)
    assert resolver.resolve("./Plan.md", "Projects/Notes.md") == "Projects/Plan.md"
    assert resolver.resolve("../Books/Dune.md", "Projects/Notes.md") == "Books/Dune.md"
    assert resolver.resolve("../../x.md", "Projects/Notes.md") is None
    assert resolver.resolve("Missing", "Home.md") is None
    assert resolver.resolve("", "Home.md") == "Home.md"  # [[#Heading]] is the note itself
    assert "Home.md" in resolver and "Nope.md" not in resolver


def test_cached_answers_stay_origin_aware() -> None:
    resolver = LinkResolver(PATHS)
    assert resolver.resolve("Dune", "Archive/X.md") == "Archive/Dune.md"
    assert resolver.resolve("Dune", "Home.md") == "Books/Dune.md"
    assert resolver.resolve("./Plan", "Projects/A.md") == "Projects/Plan.md"
    assert resolver.resolve("./Plan", "Books/A.md") is None


def test_link_text_parsing_and_display() -> None:
    assert parse_link_inner("Note#Some Header!|x") == Link("Note", "x", "Some Header", "header")
    assert parse_link_inner("Note#^id", embed=True) == Link("Note", None, "id", "block", True)
    assert parse_link_inner("a\\|b") == Link("a", "b")
    assert display_text("Note#H1#H2", None) == "Note > H1 > H2"
    assert display_text("#H", None) == "H"
    assert normalize_header("  A -- B!!  📷 [[x]] ") == "A -- B 📷 x"
