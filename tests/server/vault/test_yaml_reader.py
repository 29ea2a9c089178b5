"""Frontmatter decoding as Obsidian does it (YAML 1.2 scalars, no timestamps)."""

from __future__ import annotations

import math

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from server.vault.yaml_reader import ObsidianLoader, fast_frontmatter, read_frontmatter


def _read(text: str) -> object:
    return read_frontmatter(("---\n" + text + "\n---\nbody").split("\n"))


def test_yaml_12_scalars() -> None:
    front = _read(
        "a: yes\nb: 010\nc: 1:30\nd: 2024-03-15\ne: on\nf: True\ng: ~\nh: 0x1F\ni: .inf\n"
        "j: 2024-03-15T10:00:00Z\nk: '5'"
    )
    assert front.error is None and front.body_start == 13
    data = front.data  # type: ignore[attr-defined]
    assert data["a"] == "yes" and data["e"] == "on" and data["f"] is True
    assert data["b"] == 10 and data["c"] == "1:30" and data["h"] == 31
    assert data["d"] == "2024-03-15" and data["j"] == "2024-03-15T10:00:00Z"
    assert data["g"] is None and math.isinf(data["i"]) and data["k"] == "5"


def test_position_is_dropped_and_keys_become_strings() -> None:
    data = _read("position: 1\n2: two\nfalse: no").data  # type: ignore[attr-defined]
    assert data == {"2": "two", "false": "no"}


def test_fast_path_covers_typical_frontmatter() -> None:
    lines = [
        "tags: [far, tait]",
        "created: 2022-07-16",
        "priority: 1",
        'project: "[[Beam]]"',
        "rating: 3.5",
        "aliases:",
        "  - One",
        "  - Two",
        "done:",
    ]
    assert fast_frontmatter(lines) == {
        "tags": ["far", "tait"],
        "created": "2022-07-16",
        "priority": 1,
        "project": "[[Beam]]",
        "rating": 3.5,
        "aliases": ["One", "Two"],
        "done": None,
    }


def test_broken_yaml_and_non_mapping_are_reported() -> None:
    broken = read_frontmatter(["---", "a: [unclosed", "---", "body"])
    assert broken.data == {} and broken.error and "invalid YAML" in broken.error
    assert broken.body_start == 3
    listed = read_frontmatter(["---", "- a", "- b", "---"])
    assert listed.error == "frontmatter is not a mapping"


def test_only_a_block_opening_on_the_first_line_counts() -> None:
    assert read_frontmatter(["", "---", "a: 1", "---"]).body_start == 0
    assert read_frontmatter(["---", "a: 1"]).body_start == 0  # never closed
    assert read_frontmatter(["--- ", "a: 1", "---  "]).data == {"a": 1}


_KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_ \-]{0,8}[A-Za-z0-9_]", fullmatch=True)
_SCALARS = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.+\-:/ ]{1,12}", fullmatch=True),
    st.sampled_from(
        [
            "true",
            "False",
            "null",
            "~",
            "yes",
            "010",
            "-5",
            "1e3",
            "0x1F",
            "0o17",
            ".5",
            "1:30",
            "2024-03-15",
            "2024-03-15T10:00:00",
            "[[Link]]",
            "a # b",
            "x: y",
            "-",
            "- a",
            "=",
            "<<",
            "'quoted'",
            '"dq"',
            '"esc\\"aped"',
            "[a, b]",
            "[]",
            "[1, two, 3.5]",
            "{a: 1}",
            "&anchor",
            "*alias",
            "!tag x",
            "|",
            ">",
            "%x",
            "@x",
            "`x`",
            "'it''s'",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_KEYS, st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3))), max_size=6))
def test_fast_path_agrees_with_the_loader(pairs: list[tuple[str, object]]) -> None:
    lines: list[str] = []
    for key, value in pairs:
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in value)
        else:
            lines.append(f"{key}: {value}")
    fast = fast_frontmatter(lines)
    if fast is None:
        return  # not in the simple subset: the real loader handles it
    expected = yaml.load("\n".join(lines), Loader=ObsidianLoader)
    expected = {} if expected is None else {str(k): v for k, v in expected.items()}
    assert _same(fast, expected)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
