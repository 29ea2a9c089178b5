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
_FENCE_CLOSE = {
    "`": re.compile(r"^ {0,3}(`{3,})[ \t]*\r?$", re.MULTILINE),
    "~": re.compile(r"^ {0,3}(~{3,})[ \t]*\r?$", re.MULTILINE),
}
_BACKTICKS = re.compile(r"`+")
# Links and HTML tags end at the first "]", ")", ">" or newline after their start, and so do the
# failed attempts from every later start before it. These patterns always match up to that
# point and say in a group whether the construct closed there: a failure costs one scan instead
# of one per "[" or "<" on the line (quadratic on a line of "[[[[" or "<a<a<a").
_WIKILINK = re.compile(r"\[\[[^\]\n]*+(\]\])?")  # closed: ``[[…]]``
_MD_LINK = re.compile(r"\[[^\]\n]*+(?:\]\([^)\n]*+(\))?)?")  # closed: ``[…](…)``
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*+(>)?")  # closed: ``<tag …>``
_URL = re.compile(r"(?:https?|file|obsidian)://[^\s<>)\]]+|www\.[^\s<>)\]]+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_OBSIDIAN_COMMENT = re.compile(r"%%.*?(?:%%|\Z)", re.DOTALL)
_TAG = re.compile(r"(?<![^\s(\[])#[^\s#,;:!?()\[\]{}\"'`]+")

_WORD = re.compile(r"[^\W\d_][\w'’-]*[\w]|[^\W\d_]")
_KEY_STRIP = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d+[.)])?\s*(?:\[.\]\s*)?")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
# As above: closed when the last group matched; otherwise the text is left as it is.
_WIKI_DISPLAY = re.compile(r"!?\[\[([^\]|\n]*+)(?:\|([^\]\n]*+))?(\]\])?")
_MD_DISPLAY = re.compile(r"!?\[([^\]\n]*+)(?:\]\([^)\n]*+(\))?)?")

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
        line_end = text.find("\n", opening.end())
        if line_end < 0:
            out.append((opening.start(), len(text)))
            return out
        # The first fence line at least as long (one pattern per character: compiling one per
        # length cost milliseconds for each fence of a new length).
        end = len(text)
        for closing in _FENCE_CLOSE[marker[0]].finditer(text, line_end + 1):
            if len(closing.group(1)) >= len(marker):
                end = closing.end()
                break
        out.append((opening.start(), end))
        pos = end


def masked_ranges(text: str) -> Ranges:
    """Sorted, merged ``[start, end)`` ranges of ``text`` that are not prose (see module doc)."""
    start = body_start(text)
    ranges: Ranges = [(0, start)] if start else []
    blocks = _fenced(text, start)
    ranges.extend(blocks)
    # Inline constructs are searched in the whole text; a hit inside a block is merged anyway.
    for pattern in (_HTML_COMMENT, _OBSIDIAN_COMMENT):
        ranges.extend(match.span() for match in pattern.finditer(text, start))
    ranges.extend(_inline_code(text, start))
    for pattern in (_WIKILINK, _MD_LINK):
        for match in pattern.finditer(text, start):
            if match.group(1) is not None:
                begin = match.start()
                if begin > 0 and text[begin - 1] == "!":
                    begin -= 1  # embeds: the "!" belongs to them
                ranges.append((begin, match.end()))
    ranges.extend(match.span() for match in _URL.finditer(text, start))
    ranges.extend(m.span() for m in _HTML_TAG.finditer(text, start) if m.group(1) is not None)
    ranges.extend(match.span() for match in _TAG.finditer(text, start))
    return _merge(ranges)


def _inline_code(text: str, start: int) -> Ranges:
    """The spans ``(`+)(?:(?!\\1).)+?\\1`` (dot-all) finds from ``start``, in linear time.

    From a start before R backticks, that regex tries every opening width L from R down, each
    scanning to the end for L backticks: minutes on a long run before unclosed text. But the
    body must not begin with the closer, so only L > R/2 can match, and then the closer is the
    first later run of at least L backticks: the width is the smaller of R and M, the longest
    later run, and a start matches when R < 2M. A failed start moves one backtick on, so the
    first start that matches is the one with R = 2M - 1, found at once.
    """
    runs = [match.span() for match in _BACKTICKS.finditer(text, start)]
    longest_after = [0] * (len(runs) + 1)  # longest_after[i]: the longest run after run i - 1
    for i in range(len(runs) - 1, -1, -1):
        longest_after[i] = max(longest_after[i + 1], runs[i][1] - runs[i][0])
    out: Ranges = []
    pos = start
    i = 0
    while i < len(runs):
        run_start, run_end = runs[i]
        begin = max(run_start, pos)
        later = longest_after[i + 1]
        if run_end - begin > 2 * later - 1:
            if later == 0:
                break  # no backtick run follows: nothing closes
            begin = run_end - (2 * later - 1)  # the first start whose width can close
        width = min(run_end - begin, later)
        j = i + 1
        while runs[j][1] - runs[j][0] < width:
            j += 1
        pos = runs[j][0] + width
        out.append((begin, pos))
        i = j if pos < runs[j][1] else j + 1
    return out


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
    text = _WIKI_DISPLAY.sub(_wiki_display, text)
    text = _MD_DISPLAY.sub(lambda m: m.group(1) if m.group(2) is not None else m.group(0), text)
    return _URL.sub(" ", text)


def _wiki_display(match: re.Match[str]) -> str:
    if match.group(3) is None:
        return match.group(0)  # not closed: no link
    return match.group(2) or match.group(1).split("#")[0]


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
