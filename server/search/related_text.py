"""Text pieces shared by related notes, mentions and duplicates: what is prose, words, lines.

* :func:`masked_ranges` — the character ranges of a note's text that are *not* prose a mention may
  sit in: frontmatter, fenced and inline code, wikilinks and embeds, Markdown links, bare URLs,
  HTML and ``%%`` comments, HTML tags and ``#tags``. Offsets are into the text exactly as given,
  so a caller slicing the same text gets the same characters.
* :func:`terms` — the content words of a passage for "rare shared terms" (link targets and URLs
  dropped, display text kept, stop words dropped).
* :func:`line_key` — a line normalised for boilerplate detection (case, list markers and digits
  erased, so template lines with a filled-in date still match), or ``None`` for a line too short
  to say anything.
* :func:`body_words` — the lowercased tokens of a note's body (frontmatter excluded) for shingles.

Pure functions over strings; nothing here reads files.
"""

from __future__ import annotations

import bisect
import re

__all__ = [
    "Ranges",
    "body_start",
    "body_words",
    "inside",
    "line_key",
    "masked_ranges",
    "strip_links",
    "terms",
]

Ranges = list[tuple[int, int]]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_WIKILINK = re.compile(r"\[\[[^\]\n]*\]\]")
_MD_LINK = re.compile(r"\[[^\]\n]*\]\([^)\n]*\)")
_URL = re.compile(r"(?:https?|file|obsidian)://[^\s<>)\]]+|www\.[^\s<>)\]]+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_OBSIDIAN_COMMENT = re.compile(r"%%.*?(?:%%|\Z)", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")
_TAG = re.compile(r"(?<![^\s(\[])#[^\s#,;:!?()\[\]{}\"'`]+")

_WORD = re.compile(r"[^\W\d_][\w'’-]*[\w]|[^\W\d_]")
_KEY_STRIP = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d+[.)])?\s*(?:\[.\]\s*)?")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_WIKI_DISPLAY = re.compile(r"!?\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]")
_MD_DISPLAY = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")

_BIG = 1 << 62
MIN_LINE_CHARS = 12  # shorter normalised lines ("- [ ]", "---", "## Notes") carry no evidence

_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing done down during each either else
etc even ever every few for from further get gets got had has have having he her here hers
herself him himself his how however i if in into is it its itself just let like may me might
more most much must my myself no nor not now of off often on once one only or other our ours
ourselves out over own per rather same see she should since so some such than that the their
theirs them themselves then there these they this those through thus to too under until up
upon us use used uses using very via was we well were what when where whether which while who
whom whose why will with within without would yet you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def body_start(text: str) -> int:
    """The offset of the first character after the frontmatter block (0 when there is none)."""
    if not text.startswith("---"):
        return 0
    first_end = text.find("\n")
    if first_end < 0 or text[3:first_end].strip(" \t\r"):
        return 0
    pos = first_end + 1
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        line = text[pos:line_end].rstrip("\r")
        if line.startswith("---") and not line[3:].strip(" \t"):
            return len(text) if end < 0 else end + 1
        if end < 0:
            break
        pos = end + 1
    return 0  # an unclosed block is not frontmatter (Obsidian agrees)


def _fenced(text: str, start: int) -> Ranges:
    """Fenced code blocks (an unclosed fence runs to the end, as in Obsidian)."""
    out: Ranges = []
    pos = start
    while True:
        opening = _FENCE.search(text, pos)
        if opening is None:
            return out
        marker = opening.group(1)
        fence = re.escape(marker[0]) + "{" + str(len(marker)) + ",}"
        closer = re.compile(r"^ {0,3}" + fence + r"[ \t]*\r?$", re.MULTILINE)
        line_end = text.find("\n", opening.end())
        if line_end < 0:
            out.append((opening.start(), len(text)))
            return out
        closing = closer.search(text, line_end + 1)
        end = len(text) if closing is None else closing.end()
        out.append((opening.start(), end))
        pos = end


def masked_ranges(text: str) -> Ranges:
    """Sorted, merged ``[start, end)`` ranges of ``text`` that are not prose (see module doc)."""
    start = body_start(text)
    ranges: Ranges = [(0, start)] if start else []
    blocks = _fenced(text, start)
    ranges.extend(blocks)
    # Inline constructs are searched in the whole text; a hit inside a block is merged anyway.
    patterns = (
        _HTML_COMMENT,
        _OBSIDIAN_COMMENT,
        _INLINE_CODE,
        _WIKILINK,
        _MD_LINK,
        _URL,
        _HTML_TAG,
    )
    for pattern in (*patterns, _TAG):
        for match in pattern.finditer(text, start):
            begin = match.start()
            embed = begin > 0 and text[begin - 1] == "!"
            if embed and (pattern is _WIKILINK or pattern is _MD_LINK):
                begin -= 1  # embeds: the "!" belongs to them
            ranges.append((begin, match.end()))
    return _merge(ranges)


def _merge(ranges: Ranges) -> Ranges:
    ranges.sort()
    merged: Ranges = []
    for begin, end in ranges:
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def inside(ranges: Ranges, begin: int, end: int) -> bool:
    """Whether ``[begin, end)`` overlaps any of the sorted, merged ``ranges``."""
    i = bisect.bisect_right(ranges, (begin, _BIG)) - 1  # the last range starting at or before
    if i >= 0 and ranges[i][1] > begin:
        return True
    return i + 1 < len(ranges) and ranges[i + 1][0] < end


def strip_links(text: str) -> str:
    """Links replaced by the text a reader sees ([[a|b]] → b, [[a]] → a, [b](url) → b), no URLs."""
    text = _WIKI_DISPLAY.sub(lambda m: m.group(2) or m.group(1).split("#")[0], text)
    text = _MD_DISPLAY.sub(lambda m: m.group(1), text)
    return _URL.sub(" ", text)


def terms(text: str) -> set[str]:
    """Distinct lowercased content words (≥ 3 letters, no stop words) of a passage."""
    out: set[str] = set()
    for word in _WORD.findall(strip_links(text).lower()):
        word = word.strip("'’-")
        if len(word) >= 3 and word not in STOP_WORDS:
            out.add(word)
    return out


def line_key(line: str) -> str | None:
    """``line`` normalised for boilerplate counting, or None when it is too short to count."""
    key = _KEY_STRIP.sub("", line.lower())
    key = _SPACE.sub(" ", _DIGITS.sub("0", key)).strip()
    letters = sum(1 for ch in key if ch.isalpha())
    return key if letters >= MIN_LINE_CHARS else None


def body_words(text: str) -> list[str]:
    """The lowercased whitespace-separated tokens of the body (frontmatter excluded), for shingles.

    Punctuation stays attached: for near-duplicate detection a changed comma is a (tiny) edit,
    and ``str.split`` is several times faster than a word regex over 30 MB.
    """
    return text[body_start(text) :].lower().split()
