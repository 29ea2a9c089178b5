"""Fast paths give exactly what the slow forms give: normalize_header, UTF-16 offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from query.links import _HEADER_DROPPED, normalize_header

_ALPHABET = st.sampled_from(list("aZé9²½Ⅻ٣_- \t\u00a0#.!😀"))


@given(st.text(_ALPHABET, max_size=12))
def test_fast_path_matches_the_regex(text: str) -> None:
    normalize_header.cache_clear()
    assert normalize_header(text) == _HEADER_DROPPED.sub(" ", text).strip()


def test_examples() -> None:
    assert normalize_header("Plain Words 12") == "Plain Words 12"
    assert normalize_header(" lead  and trail ") == "lead and trail"
    assert normalize_header("a.b, c") == "a b c"


@given(st.text(st.sampled_from(list("aé😀\ud800€𝄞")), max_size=10), st.integers(0, 10))
def test_utf16_offsets_count_astral_characters_twice(line: str, index: int) -> None:
    from server.vault.fields import _utf16

    index = min(index, len(line))
    assert _utf16(line, index) == index + sum(1 for ch in line[:index] if ord(ch) > 0xFFFF)
