"""Repeated and canonical keys as Dataview merges them (SPEC §9.5, §11.4), through the Markdown
reader: every occurrence of a key is one element, a list-valued occurrence included."""

from __future__ import annotations

from typing import Any

import pytest

from query.values import Link
from server.vault.field_map import FieldMap
from tests.server.vault.test_markdown import note

PAGE_FIELDS = [
    # (note text, key, the page's value)
    ("---\nnames: [Hans, peter]\n---\nnames:: Peter\n", "names", [["Hans", "peter"], "Peter"]),
    ("links:: [[A]], [[B]]\nlinks:: [[C]]\n", "links", [[Link("A"), Link("B")], Link("C")]),
    ("a:: 1\na:: 2\na:: 3\n", "a", [1, 2, 3]),
    ("a:: 1\na:: 2, 3\n", "a", [1, [2, 3]]),
    ("a:: 1, 2\n", "a", [1, 2]),
    ("---\na: [1]\n---\n", "a", [1]),
    ("---\nrating: 3\n---\nrating:: 4\n", "rating", [3, 4]),
    ("---\na: [1, 2]\n---\n- a:: 3\n", "a", [[1, 2], 3]),
    ("[a:: 1, 2] [a:: 3, 4]\n", "a", [[1, 2], [3, 4]]),
    # Raw keys sharing a canonical key pool their occurrences under it.
    ("Read On:: 1, 2\nread on:: 3\n", "read-on", [[1, 2], 3]),
    ("Read On:: 1, 2\nread on:: 3\n", "Read On", [1, 2]),
]


@pytest.mark.parametrize(("text", "key", "expected"), PAGE_FIELDS)
def test_page_fields_keep_one_element_per_occurrence(text: str, key: str, expected: Any) -> None:
    assert note(text).fields[key] == expected


def test_task_fields_keep_one_element_per_occurrence() -> None:
    task = note("- [ ] t [a:: 1, 2] [a:: 3]\n").lists[0]
    assert task.fields["a"] == [[1, 2], 3]


def test_a_key_with_no_canonical_form_is_only_raw() -> None:
    fields = FieldMap()
    fields.add("!!", 1)
    fields.add("Read On", 2)
    assert fields.build() == {"!!": 1, "Read On": 2, "read-on": 2}
