"""Every ``inline-field`` case of the Dataview conformance corpus against server.vault.fields."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest

from server.vault import fields
from tests.conftest import require_shared
from tests.server.vault._corpus import encode
from tests.server.vault.conftest import CORPUS


def _cases() -> list[dict[str, Any]]:
    data = json.loads(require_shared(CORPUS).read_text(encoding="utf-8"))
    return [case for case in data["cases"] if case["kind"] == "inline-field"]


def _extracted(found: list[fields.InlineField]) -> list[dict[str, Any]]:
    out = []
    for field in found:
        row = field.as_dict()
        row["parsed"] = encode(row["parsed"])
        out.append(row)
    return out


def actual_for(case: dict[str, Any]) -> Any:
    mode, text = case["mode"], case["input"]
    if mode == "value":
        return encode(fields.parse_inline_value(text, UTC))
    if mode == "extract-inline":
        return _extracted(fields.extract_inline_fields(text, UTC))
    if mode == "extract-task-inline":
        return _extracted(fields.extract_task_inline_fields(text, UTC))
    if mode == "extract-full-line":
        found = fields.extract_full_line_field(text, UTC)
        if found is None:
            return None
        return {"key": found.key, "value": found.value, "parsed": encode(found.parsed)}
    if mode == "canonicalize-key":
        return fields.canonicalize_key(text)
    if mode == "normalize-header":
        return fields.normalize_header(text)
    if mode == "extract-tags":
        return fields.extract_item_tags(text)
    if mode == "frontmatter-tags":
        return fields.frontmatter_tags(text)
    if mode == "frontmatter-aliases":
        return fields.frontmatter_aliases(text)
    if mode == "frontmatter-value":
        return encode(fields.frontmatter_value(text, UTC))
    if mode == "file-title":
        return fields.file_title(text)
    if mode == "file-folder":
        return fields.file_folder(text)
    if mode == "file-day-from-name":
        return encode(fields.file_day_from_name(text, UTC))
    if mode == "set-inline-field":
        return fields.set_inline_field(text["line"], text["key"], text["value"])
    if mode == "set-emoji-completion":
        return fields.set_emoji_completion(text["line"], text["value"])
    raise AssertionError(f"unknown mode {mode}")


CASES = _cases()


def test_corpus_has_every_mode() -> None:
    modes = {case["mode"] for case in CASES}
    assert len(CASES) >= 170
    assert {"value", "extract-inline", "extract-task-inline", "extract-full-line"} <= modes


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_inline_field_case(case: dict[str, Any]) -> None:
    actual = actual_for(case)
    expected = case["expected"]
    if case["mode"] in ("extract-inline", "extract-task-inline"):
        # Some corpus rows omit positions; compare the keys the corpus gives.
        assert len(actual) == len(expected)
        actual = [{k: row[k] for k in want} for row, want in zip(actual, expected, strict=True)]
    assert actual == expected, case.get("note", "")
