"""``.vaultql.toml``: the defaults, every key, the errors, and overrides applied to the fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.dashboards.classify import bucket_of, kind_of
from server.dashboards.conventions import (
    ConfigError,
    DashboardConfig,
    Thresholds,
    folder_key,
    load_config,
    parse_config,
)
from server.dashboards.para import note_facts, para_dashboard
from server.dashboards.zettel import zettel_dashboard
from tests.server.dashboards.vault import NOW, fixture_index

INDEX = fixture_index()


@pytest.mark.parametrize(
    "name",
    [
        "Projects",
        "projects",
        "PROJECTS",
        "1 Projects",
        "01-Projects",
        "02_Projects",
        "1. Projects",
        "1) Projects",
        "10 -  Projects",
    ],
)
def test_numbered_and_cased_forms(name: str) -> None:
    assert folder_key(name) == "projects"
    assert DashboardConfig().top_level_bucket(name) == "projects"


@pytest.mark.parametrize(
    ("name", "bucket"),
    [
        ("Archive", "archives"),
        ("4 Archives", "archives"),
        ("Area", None),
        ("Projects2", None),
        ("2024", None),
    ],
)
def test_top_level_names(name: str, bucket: str | None) -> None:
    assert DashboardConfig().top_level_bucket(name) == bucket


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == DashboardConfig()


def test_every_key(tmp_path: Path) -> None:
    (tmp_path / ".vaultql.toml").write_text(
        """
ignore_folders = ["Scratch"]
[para]
projects = ["Work"]
areas = ["Life"]
resources = ["Library"]
archives = ["Attic"]
status_fields = ["phase"]
[para.folders]
"Zettel" = "resources"
"Work/Someday" = "archive"
[thresholds]
stale_days = 30
max_words = 900
largest_folders = 3
[zettelkasten]
fleeting_folders = ["Drafts"]
daily_folders = ["Journal"]
literature_folders = ["Books"]
permanent_folders = ["Cards"]
map_names = ["Hub"]
"""
    )
    config = load_config(tmp_path)
    assert config.projects == ("work",)
    assert config.areas == ("life",)
    assert config.resources == ("library",)
    assert config.archives == ("attic",)
    assert config.status_fields == ("phase",)
    assert config.folders == (("work/someday", "archives"), ("zettel", "resources"))
    assert config.thresholds == Thresholds(stale_days=30, max_words=900, largest_folders=3)
    assert config.fleeting_folders == ("drafts",)
    assert config.daily_folders == ("journal",)
    assert config.literature_folders == ("books",)
    assert config.permanent_folders == ("cards",)
    assert config.map_names == ("hub",)
    assert config.ignore_folders == ("scratch",)


def test_overrides_change_buckets_projects_and_kinds() -> None:
    config = parse_config(
        {
            "ignore_folders": [],
            "para": {"projects": ["Work"], "folders": {"Zettel": "resources", "Loose": "none"}},
            "zettelkasten": {"permanent_folders": [], "map_names": []},
        }
    )
    facts = note_facts(INDEX, config)
    # "1 Projects" is no longer a projects root; `type: project` still makes Website.md one
    assert facts["1 Projects/Website/Design notes.md"].para == "none"
    assert facts["1 Projects/Website/Website.md"].para == "projects"
    assert facts["Zettel/Linking.md"].para == "resources"
    assert facts["Loose/Stray.md"].para == "none"
    # Work is the projects root: Thesis sits directly in it, the chapter joins by its field
    assert facts["Work/Thesis.md"].project == "Work/Thesis.md"
    assert facts["Work/Thesis chapter.md"].project == "Work/Thesis.md"
    # With no ignored folder the template is a project again (type: project)
    assert facts["Templates/Project template.md"].project == "Templates/Project template.md"
    # Website is still a project by its `type: project` note, now a one-note project
    ids = [p["id"] for p in para_dashboard(INDEX, config, NOW)["projects"]]
    assert "1 Projects/Website/Website.md" in ids
    linking = INDEX.get("Zettel/Linking.md")
    moc = INDEX.get("Maps/Learning MOC.md")
    assert linking is not None and moc is not None
    assert kind_of(linking, config) is None
    assert kind_of(moc, config) is None
    assert bucket_of(linking, DashboardConfig()) == "none"


def test_folder_prefix_longest_wins() -> None:
    config = parse_config(
        {"para": {"folders": {"1 Projects": "areas", "1 Projects/Website": "archives"}}}
    )
    facts = note_facts(INDEX, config)
    assert facts["1 Projects/Website/Design notes.md"].para == "archives"
    assert facts["1 Projects/Garden.md"].para == "areas"
    # frontmatter `para:` beats any folder rule
    assert facts["Notes/Override.md"].para == "areas"


def test_status_fields_override() -> None:
    config = parse_config({"para": {"status_fields": ["phase"]}})
    thesis = [
        p for p in para_dashboard(INDEX, config, NOW)["projects"] if p["id"] == "Work/Thesis.md"
    ]
    assert thesis[0]["status"] == "active"  # `status: in progress` no longer read; default
    launch = [
        p for p in para_dashboard(INDEX, config, NOW)["projects"] if p["note"] and "Old" in p["id"]
    ]
    assert launch[0]["status"] == "active"


def test_map_names_override() -> None:
    config = parse_config(
        {"zettelkasten": {"map_names": ["learning"]}, "thresholds": {"map_coverage": 0.4}}
    )
    assert zettel_dashboard(INDEX, config, NOW)["clusters"][0]["map"] == "Maps/Learning MOC.md"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[para]\nprojets = ['x']", "unknown key para.projets"),
        ("[thresholds]\nstale_day = 3", "unknown key thresholds.stale_day"),
        ("[thresholds]\nstale_days = 'x'", "must be a number"),
        ("[thresholds]\nstale_days = -1", "non-negative"),
        ("[thresholds]\nmax_words = 1.5", "whole number"),
        ("[para]\nprojects = 'Projects'", "must be a list of strings"),
        ("[para.folders]\nx = 'bucket'", "must be one of"),
        ("para = 3", "[para] must be a table"),
        ("unknown = 1", "unknown key unknown"),
        ("[para", "Expected ']'"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".vaultql.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert message in str(info.value)


def test_threshold_overrides_are_checked() -> None:
    with pytest.raises(ConfigError, match="unknown"):
        DashboardConfig().with_thresholds({"nope": 1})
    with pytest.raises(ConfigError, match="number"):
        DashboardConfig().with_thresholds({"stale_days": True})
    assert (
        DashboardConfig().with_thresholds({"largest_folders": 2.0}).thresholds.largest_folders == 2
    )


def test_threshold_override_errors_name_the_threshold() -> None:
    # Issue #12: the prefix was glued to the name ("thresholdstale_days").
    with pytest.raises(ConfigError) as info:
        DashboardConfig().with_thresholds({"stale_days": -1})
    assert str(info.value) == "threshold stale_days must be a non-negative number"
    with pytest.raises(ConfigError) as info:
        DashboardConfig().with_thresholds({"max_words": 1.5})
    assert str(info.value) == "threshold max_words must be a whole number"


def test_a_config_symlink_out_of_the_vault_is_refused_without_echoing_it(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    secret = tmp_path / "credentials"
    secret.write_text("[default]\naws_secret_access_key = 'TOPSECRET-CANARY'\n")
    messages = []
    for target in (secret, tmp_path / "absent"):
        (vault / ".vaultql.toml").symlink_to(target)
        with pytest.raises(ConfigError) as info:
            load_config(vault)
        messages.append(str(info.value))
        (vault / ".vaultql.toml").unlink()
    # The same words whether the target exists or not; nothing of the file, nor its path.
    assert messages == [".vaultql.toml: not read: it is a symlink that leaves the vault"] * 2
    (vault / ".vaultql.toml").write_text("# " + "x" * 2_000_000 + "\n")
    with pytest.raises(ConfigError, match="larger than 1 MB"):
        load_config(vault)
