"""An approximation of ICU's root collation, which JavaScript's ``localeCompare`` uses for en-US.

Dataview orders strings with ``localeCompare``. ICU compares in levels: first the base characters
(case- and accent-blind; spaces < punctuation < symbols < digits < letters), then accents, then case
(lowercase first). So ``"a" < "B"``, ``"a" < "A"`` and ``"10" < "9"``, and canonically equivalent
strings are equal. We reproduce those levels with a sort key; exotic scripts fall back to code
point order within their level.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# ICU root order of ASCII spaces, punctuation and symbols (non-ignorable).
_ASCII_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_ASCII_RANK = {char: index for index, char in enumerate(_ASCII_ORDER)}

_SPACE, _PUNCT, _SYMBOL, _CURRENCY, _DIGIT, _LETTER = range(6)

Key = tuple[str, tuple[tuple[int, ...], ...], str]
"""(primary weights, accents per weight, case per weight): compared level by level."""


def _primary(char: str) -> tuple[int, int] | None:
    if char in _ASCII_RANK:
        rank = _ASCII_RANK[char]
        if char.isspace():
            return (_SPACE, rank)
        if char == "$":
            return (_CURRENCY, 0)
        return (_PUNCT if unicodedata.category(char).startswith("P") else _SYMBOL, rank)
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Mn", "Me"):
        return None  # completely ignorable at these levels
    if category.startswith("Z") or char.isspace():
        return (_SPACE, 100 + ord(char))
    if category.startswith("P"):
        return (_PUNCT, 100 + ord(char))
    if category == "Sc":
        return (_CURRENCY, ord(char))
    if category.startswith("S"):
        return (_SYMBOL, 100 + ord(char))
    if category == "Nd":
        return (_DIGIT, unicodedata.digit(char, 0))
    folded = char.casefold()
    return (_LETTER, ord(folded[0]) if folded else ord(char))


def _encode(weight: tuple[int, int]) -> str:
    """A primary weight as two characters whose code-point order is the weight's tuple order.

    Every weight is two characters wide, so comparing encoded strings compares the weight
    sequences element by element, shorter-prefix-first, exactly as tuples of weights would.
    """
    kind, rank = weight
    return chr(kind * 32 + (rank >> 16)) + chr(rank & 0xFFFF)


def _slow_key(text: str) -> Key:
    """The three levels, character by character (any script)."""
    primary: list[str] = []
    secondary: list[tuple[int, ...]] = []
    tertiary: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if secondary:
                secondary[-1] = (*secondary[-1], ord(char))
            continue
        weight = _primary(char)
        if weight is None:
            continue
        folded = char.casefold()
        # Characters that fold to several letters (ß → ss) weigh as those letters.
        if weight[0] == _LETTER and len(folded) > 1:
            for extra in folded:
                primary.append(_encode((_LETTER, ord(extra))))
                secondary.append(())
                tertiary.append("0")
            continue
        primary.append(_encode(weight))
        secondary.append(())
        tertiary.append("1" if char != char.lower() else "0")
    return "".join(primary), tuple(secondary), "".join(tertiary)


def _ascii_tables() -> tuple[dict[int, str], dict[int, str]]:
    primary: dict[int, str] = {}
    tertiary: dict[int, str] = {}
    for code in range(128):
        weights, _, cases = _slow_key(chr(code))
        primary[code] = weights  # "" for ignorable control characters
        tertiary[code] = cases
    return primary, tertiary


_ASCII_PRIMARY, _ASCII_TERTIARY = _ascii_tables()
_NO_ACCENTS: tuple[tuple[int, ...], ...] = ((),)


@lru_cache(maxsize=65536)
def collation_key(text: str) -> Key:
    """A sort key whose order follows ICU's three comparison levels.

    ASCII text (almost every note name and path) is keyed by two ``str.translate`` calls with
    tables built from the general rules, so both paths give identical keys.
    """
    if text.isascii():
        cases = text.translate(_ASCII_TERTIARY)
        return text.translate(_ASCII_PRIMARY), _NO_ACCENTS * len(cases), cases
    return _slow_key(text)


def locale_compare(a: str, b: str) -> int:
    """``a.localeCompare(b)`` for en-US, as -1, 0 or 1."""
    if a == b:
        return 0
    key_a, key_b = collation_key(a), collation_key(b)
    if key_a < key_b:
        return -1
    if key_a > key_b:
        return 1
    return 0
