"""Related notes on the real model: real vault neighbours, exclude_linked, boilerplate."""

from __future__ import annotations

from pathlib import Path

from query.index import VaultIndex
from server.related.related_service import RelatedService
from tests.server.related.conftest import Build, write_notes

GOOD = "vault/05_Zettelkasten/Good modelling practice.md"
VAULT_GUIDE = "vault/00_GetStarted/Get Started - Vault.md"


def _paths(body: dict[str, object]) -> list[str]:
    results = body["results"]
    assert isinstance(results, list)
    return [r["path"] for r in results]


def test_a_known_neighbour_appears_with_reasons(demo: tuple[RelatedService, VaultIndex]) -> None:
    service, _ = demo
    body = service.related(GOOD, k=3, exclude_linked=False)
    paths = _paths(body)
    assert "vault/05_Zettelkasten/TRACE protocol.md" in paths
    assert GOOD not in paths and len(paths) == len(set(paths))  # never itself; one per note
    top = body["results"][0]
    kinds = {r["kind"] for r in top["reasons"]}
    assert "semantic" in kinds and "co_citation" in kinds
    assert abs(sum(r["score"] for r in top["reasons"]) - top["score"]) < 1e-4
    assert top["passage"]["snippet"]
    # A template's own instance is its nearest note: the project note made from it.
    made = service.related("vault/Templates/project template.md", k=1)
    assert _paths(made) == ["vault/02_Projects/project_A.md"]


def test_exclude_linked_hides_links_both_ways(demo: tuple[RelatedService, VaultIndex]) -> None:
    service, index = demo
    outgoing = "vault/00_GetStarted/Get Started - Resources.md"  # the guide links to it
    incoming = "UPSTREAM-README.md"  # it links to the guide
    assert outgoing in index.linked_from(VAULT_GUIDE)
    assert VAULT_GUIDE in index.linked_from(incoming)
    shown = {
        r["path"]: r["linked"]
        for r in service.related(VAULT_GUIDE, k=5, exclude_linked=False)["results"]
    }
    assert shown[outgoing] == "out" and shown[incoming] == "in"
    hidden = _paths(service.related(VAULT_GUIDE, k=28, min_score=0.0))
    linked = index.linked_from(VAULT_GUIDE) | index.linking_to(VAULT_GUIDE)
    assert hidden and not linked & set(hidden)


TEMPLATE = (
    "## Morning review\n"
    "- What am I grateful for today and what would make today great?\n"
    "- Which three priorities deserve my full attention this morning?\n\n"
    "## Evening review\n"
    "- What went well today and what could have gone better tomorrow?\n"
    "- Which lesson from today should I remember next week?\n"
)
TOPICS = {
    "01": "Fed the sourdough starter with rye flour; it doubled in six hours and smelled sour.",
    "02": "Read about the Jupiter moon Europa and its ice shell hiding a salty ocean.",
    "03": "Renewed the car insurance policy and compared three premium quotes.",
    "04": "Practised Chopin nocturnes on the piano, slow hands, pedal lightly.",
}


def test_boilerplate_only_note_gets_no_relations(build: Build, tmp_path: Path) -> None:
    notes = {
        f"Daily/2024-01-{day}.md": f"{TEMPLATE}\n## Notes\n{text}\n" for day, text in TOPICS.items()
    }
    notes["Daily/2024-01-05.md"] = TEMPLATE  # nothing but the template
    notes["Bread/Sourdough.md"] = (
        "# Sourdough\nA starter of flour and water ferments with wild yeast; feed it daily, "
        "bake when it has doubled and smells sour.\n"
    )
    notes["Space/Europa.md"] = (
        "# Europa\nJupiter's moon Europa has an ice crust over a deep salty ocean.\n"
    )
    service, _ = build(write_notes(tmp_path, notes), "boilerplate")
    corpus = service.corpus()
    empty = corpus.ids["Daily/2024-01-05.md"]
    assert all(corpus.boilerplate[empty])
    assert service.related("Daily/2024-01-05.md")["results"] == []
    for day in TOPICS:
        found = _paths(service.related(f"Daily/2024-01-{day}.md", k=10))
        assert not any(p.startswith("Daily/") for p in found), (day, found)
    assert _paths(service.related("Daily/2024-01-01.md", k=1)) == ["Bread/Sourdough.md"]
    assert _paths(service.related("Daily/2024-01-02.md", k=1)) == ["Space/Europa.md"]


def test_min_score_cuts_the_tail(demo: tuple[RelatedService, VaultIndex]) -> None:
    service, _ = demo
    everything = service.related(GOOD, k=100, min_score=0.0, exclude_linked=False)["results"]
    cut = service.related(GOOD, k=100, min_score=0.3, exclude_linked=False)["results"]
    assert 0 < len(cut) < len(everything)
    assert all(r["score"] >= 0.3 for r in cut)
    scores = [r["score"] for r in everything]
    assert scores == sorted(scores, reverse=True)
