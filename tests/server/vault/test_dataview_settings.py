"""The vault's own Dataview settings (``.obsidian/plugins/dataview/data.json``): Dataview's
defaults, the file's values, a bad file never fatal, and a change read again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from query.semantics import Settings
from server.vault.dataview_settings import (
    DATAVIEW_SETTINGS,
    DEFAULTS,
    DataviewSettingsFile,
    parse,
    read,
)


def write(vault: Path, content: str | bytes) -> Path:
    path = vault.joinpath(*DATAVIEW_SETTINGS.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_the_defaults_are_dataviews() -> None:
    assert {
        "defaultDateFormat": "MMMM dd, yyyy",
        "defaultDateTimeFormat": "h:mm a - MMMM dd, yyyy",
        "renderNullAs": "\\-",
        "tableIdColumnName": "File",
        "tableGroupColumnName": "Group",
        "showResultCount": True,
        "warnOnEmptyResult": True,
        "inlineQueryPrefix": "=",
        "inlineJsQueryPrefix": "$=",
        "taskCompletionTracking": False,
        "taskCompletionUseEmojiShorthand": False,
        "taskCompletionText": "completion",
        "taskCompletionDateFormat": "yyyy-MM-dd",
        "recursiveSubTaskCompletion": False,
        "maxRecursiveRenderDepth": 4,
    }.items() <= DEFAULTS.items()
    none = parse(None)
    assert none.values == dict(DEFAULTS) and none.problem is None
    assert none.settings == Settings()


def test_the_files_values_replace_the_defaults_key_by_key(tmp_path: Path) -> None:
    data = {
        "renderNullAs": "—",
        "defaultDateFormat": "yyyy-MM-dd",
        "defaultDateTimeFormat": "yyyy-MM-dd HH:mm",
        "tableIdColumnName": "Note",
        "showResultCount": False,
        "maxRecursiveRenderDepth": 2,
        "inlineQueryPrefix": "dv:",
        "someOtherVersionsKey": [1, 2],  # unknown keys are ignored, as Dataview ignores them
    }
    write(tmp_path, json.dumps(data))
    loaded = read(tmp_path)
    assert loaded.problem is None
    assert loaded.values["inlineQueryPrefix"] == "dv:"
    assert loaded.values["warnOnEmptyResult"] is True  # not in the file: the default
    assert "someOtherVersionsKey" not in loaded.values
    assert set(loaded.values) == set(DEFAULTS)
    assert loaded.settings == Settings(
        render_null_as="—",
        default_date_format="yyyy-MM-dd",
        default_datetime_format="yyyy-MM-dd HH:mm",
        table_id_column_name="Note",
        show_result_count=False,
        max_recursive_render_depth=2,
    )


BROKEN = [
    (b"{not json", "is not JSON"),
    (b"[1, 2]", "is not a JSON object"),
    (b"\xff\xfe{}", "is not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "is not JSON"),
]


@pytest.mark.parametrize(("content", "why"), BROKEN, ids=[b[1] for b in BROKEN[:3]] + ["deep"])
def test_a_broken_file_gives_the_defaults_and_a_problem(
    tmp_path: Path, content: bytes, why: str
) -> None:
    write(tmp_path, content)
    loaded = read(tmp_path)
    assert loaded.values == dict(DEFAULTS) and loaded.settings == Settings()
    assert loaded.problem is not None
    assert loaded.problem.startswith(DATAVIEW_SETTINGS) and why in loaded.problem
    assert "using the defaults" in loaded.problem


def test_a_value_of_the_wrong_type_keeps_its_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        '{"renderNullAs": 5, "showResultCount": "yes", "maxRecursiveRenderDepth": true,'
        ' "refreshInterval": 1e999, "defaultDateFormat": "yyyy", "tableIdColumnName": null}',
    )
    loaded = read(tmp_path)
    assert loaded.values["defaultDateFormat"] == "yyyy"
    for key in ("renderNullAs", "showResultCount", "maxRecursiveRenderDepth", "refreshInterval"):
        assert loaded.values[key] == DEFAULTS[key]
    assert loaded.problem == (
        f"{DATAVIEW_SETTINGS}: renderNullAs must be a string; refreshInterval must be a number; "
        "maxRecursiveRenderDepth must be a number; tableIdColumnName must be a string; "
        "showResultCount must be true or false; using the default for these"
    )


def test_a_symlink_leaving_the_vault_is_refused_without_saying_more(tmp_path: Path) -> None:
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    (vault / ".obsidian" / "plugins" / "dataview").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.json").write_text('{"renderNullAs": "SECRET"}', encoding="utf-8")
    os.symlink(outside / "secret.json", vault / DATAVIEW_SETTINGS)
    loaded = read(vault)
    assert loaded.values["renderNullAs"] == "\\-"
    assert loaded.problem is not None
    assert "leaves the vault" in loaded.problem
    assert "SECRET" not in loaded.problem and str(outside) not in loaded.problem


def test_a_file_over_1_mb_is_refused(tmp_path: Path) -> None:
    write(tmp_path, '{"renderNullAs": "' + "x" * (1024 * 1024) + '"}')
    loaded = read(tmp_path)
    assert loaded.values == dict(DEFAULTS)
    assert loaded.problem is not None and "larger than 1 MB" in loaded.problem


def test_the_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    settings = DataviewSettingsFile(tmp_path)
    assert settings.current().values == dict(DEFAULTS)  # no file yet
    path = write(tmp_path, '{"renderNullAs": "one"}')
    assert settings.current().settings.render_null_as == "one"
    first = settings.current()
    assert settings.current() is first  # unchanged: not read again
    path.write_text('{"renderNullAs": "a longer two"}', encoding="utf-8")
    assert settings.current().settings.render_null_as == "a longer two"
    path.write_text("{broken", encoding="utf-8")
    assert settings.current().problem is not None
    path.unlink()
    assert settings.current().values == dict(DEFAULTS) and settings.current().problem is None
