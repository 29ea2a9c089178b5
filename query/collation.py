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

Key = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, ...], ...], tuple[int, ...]]


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


@lru_cache(maxsize=8192)
def collation_key(text: str) -> Key:
    """A sort key whose tuple order follows ICU's three comparison levels."""
    primary: list[tuple[int, int]] = []
    secondary: list[tuple[int, ...]] = []
    tertiary: list[int] = []
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
                primary.append((_LETTER, ord(extra)))
                secondary.append(())
                tertiary.append(0)
            continue
        primary.append(weight)
        secondary.append(())
        tertiary.append(1 if char != char.lower() else 0)
    return tuple(primary), tuple(secondary), tuple(tertiary)


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
