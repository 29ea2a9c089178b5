"""Queries answered while ``VaultIndex.warm`` builds the pages in another thread (as the server
does right after it starts serving) get exactly the answers of a warmed index."""

from __future__ import annotations

import threading
from datetime import UTC

from query.engine import execute
from query.index import VaultIndex
from query.results import to_json
from query.semantics import Env
from query.temporal.dates import date_from_epoch_ms
from tests.query.test_index_derive import records_of

ENV = Env(date_from_epoch_ms(1_710_683_130_250, UTC), UTC)
NOTES = 1200
FILES = {
    f"Notes/N{i:04}.md": f"---\ntags: [t{i % 7}]\nrating: {i % 10}\n---\n"
    f"- [ ] task {i} [[N{(i + 1) % NOTES:04}]]\n"
    for i in range(NOTES)
}
QUERIES = [
    "LIST LIMIT 1",
    "TABLE rating FROM #t3 SORT rating DESC, file.name LIMIT 20",
    "LIST WHERE rating > 7 AND contains(file.outlinks, [[N0005]])",
    "TASK WHERE !completed GROUP BY rating",
    "TABLE length(rows) AS n GROUP BY rating",
]


def answers(index: VaultIndex) -> list[object]:
    return [to_json(execute(query, index, env=ENV), ENV) for query in QUERIES]


def test_queries_during_warm_match_a_warmed_index() -> None:
    records = list(records_of(FILES).values())
    warmed = VaultIndex(records)
    warmed.warm()
    expected = answers(warmed)
    for _ in range(3):
        index = VaultIndex(records)
        warmer = threading.Thread(target=index.warm)
        warmer.start()
        got = answers(index)
        warmer.join()
        assert got == expected
        assert index.cached_page_count() == NOTES
        assert answers(index) == expected
