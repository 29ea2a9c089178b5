"""Dataview's ``normalizeMarkdown`` (what ``display()`` shows), in linear time.

Dataview strips a value's links, then runs the ``remove-markdown`` package's regular expressions
over it. Run as they are, most of those patterns are quadratic or worse on some text (a lazy
scan to the end of the line or the text restarted from every ``[``, ``<``, ``*``, backtick or
line start; an ATX heading pattern that is cubic in a run of spaces), and Python's ``re`` holds
the GIL while it works: a 3 KB field value froze the server for minutes.

Each step below gives exactly what its pattern gives: the pattern is quoted in the step's
docstring and ``tests/query/test_remove_markdown.py`` compares the two on random text. The steps
find each closer once instead of from every opener: either with a pattern that always matches
up to the point where every later attempt would fail as well, and says in a group whether the
construct closed (a failed attempt is then left as it is), or by hand. A step returns at once
when the text lacks the characters its pattern needs (most values have none).

Pure string work; nothing here knows about values or queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["link_label", "normalize_markdown"]

Step = Callable[[str], str]


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _kept_unless(
    group: int, repl: Callable[[re.Match[str]], str]
) -> Callable[[re.Match[str]], str]:
    """A replacement that leaves a match alone when ``group`` did not take part (not closed)."""

    def replace(match: re.Match[str]) -> str:
        return match.group(0) if match.group(group) is None else repl(match)

    return replace


def _runs(text: str, char: str) -> tuple[list[int], list[int], list[int]]:
    """Starts, ends and line numbers of the runs of ``char`` in ``text``."""
    starts: list[int] = []
    ends: list[int] = []
    lines: list[int] = []
    line = 0
    for match in re.finditer(re.escape(char) + "+|\n", text):
        if match.group() == "\n":
            line += 1
            continue
        starts.append(match.start())
        ends.append(match.end())
        lines.append(line)
    return starts, ends, lines


def _best_after(values: list[int], lines: list[int]) -> list[int]:
    """For each run, the largest value among the later runs of its line (0 if none)."""
    best = [0] * len(values)
    for i in range(len(values) - 2, -1, -1):
        if lines[i + 1] == lines[i]:
            best[i] = max(values[i + 1], best[i + 1])
    return best


# -- links --------------------------------------------------------------------------------------

_PLAIN_WIKILINK = re.compile(r"\[\[([^|]*?)(?:(\]\])|(?=\|)|\Z)")


def _plain_wikilinks(text: str) -> str:
    r"""``\[\[([^\|]*?)\]\]`` → ``\1``. An attempt stops at the first ``]]``, ``|`` or the end."""
    if "[[" not in text:
        return text
    return _PLAIN_WIKILINK.sub(_kept_unless(2, lambda m: m.group(1)), text)


def _first_aliased_wikilink(text: str) -> str:
    r"""``\[\[.*?\|(.*?)\]\]`` → ``\1``, first match only (Dataview's pass is not global).

    From ``[[``: the first ``|`` on the line, then the first ``]]`` after it. When that fails,
    every later ``[[`` of the line fails too."""
    if "[[" not in text:
        return text
    pos = 0
    while (start := text.find("[[", pos)) >= 0:
        end = _line_end(text, start)
        bar = text.find("|", start + 2, end)
        if bar >= 0:
            close = text.find("]]", bar + 1, end)
            if close >= 0:
                return text[:start] + text[bar + 1 : close] + text[close + 2 :]
        pos = end + 1
    return text


def link_label(markdown: str) -> str:
    r"""``\[\[.*\|(.*)\]\]`` → ``\1``, first match only (a link's ``[[target|label]]`` form).

    From ``[[``: the last ``]]`` of the line and the last ``|`` before it; without them every
    later ``[[`` of the line fails too."""
    pos = 0
    while (start := markdown.find("[[", pos)) >= 0:
        end = _line_end(markdown, start)
        close = markdown.rfind("]]", start + 3, end)
        bar = markdown.rfind("|", start + 2, close) if close >= 0 else -1
        if bar >= 0:
            return markdown[:start] + markdown[bar + 1 : close] + markdown[close + 2 :]
        pos = end + 1
    return markdown


# -- remove-markdown's rules, in its order -------------------------------------------------------

_RULE = re.compile(r"^(-\s*?|\*\s*?|_\s*?){3,}\s*", re.M)  # linear: each repeat starts with a mark
_LIST_LEADER = re.compile(r"^([\s\t]*+)(?:([\*\-\+]|\d+\.)\s+)?", re.M)
_SETEXT_BREAK = re.compile(r"\n={2,}")
_TILDE_FENCE = re.compile(r"~{3}.*\n")
_STRIKE = re.compile(r"~~")
_BACKTICK_FENCE = re.compile(r"`{3}.*\n")
_HTML_TAG = re.compile(r"<[^>]*>")
_SETEXT_ONLY = re.compile(r"\A[=\-]{2,}\s*\Z")
_FOOTNOTE = re.compile(r"\[\^(?:[^\n][^\]\n]*+(\])?)?")
_FOOTNOTE_LAST_LINE = re.compile(r"\[\^(?:[^\n][^\]\n]*+(?:(\])(?:: [^\n]*+\Z)?)?)?")
_IMAGE = re.compile(r"!\[(.*?)\][\[\(].*?[\]\)]|!\[[^\n]*+")
_INLINE_LINK = re.compile(r"\[([^\]]*+)(\][\[\(].*[\]\)])?")
_BLOCKQUOTE = re.compile(r"^(\n)?\s{0,3}>\s?", re.M)
_REFERENCE_TITLE = re.compile(r'\]: \S+ "')
_INLINE_CODE = re.compile(r"`(.+?)`")
_TILDES = re.compile(r"~(.*?)~")
_ASCII_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _list_leaders(text: str) -> str:
    r"""``^([\s\t]*)([\*\-\+]|\d+\.)\s+`` (multi-line) → ``\1``.

    The leader can only follow the whole blank run (which may span lines): after a failure,
    the line starts inside that run fail the same way, so the run is taken in one piece."""
    if not ("*" in text or "-" in text or "+" in text or "." in text):
        return text
    return _LIST_LEADER.sub(_kept_unless(2, lambda m: m.group(1)), text)


def _before_last_newline(pattern: re.Pattern[str]) -> Step:
    r"""``pattern`` (``~{3}.*\n`` or a backtick fence) → ``""``: it needs a newline after its
    start, so the last line, where each attempt failed at the end, is left out."""

    def step(text: str) -> str:
        cut = text.rfind("\n") + 1
        return pattern.sub("", text[:cut]) + text[cut:]

    return step


def _html_tags(text: str) -> str:
    """``<[^>]*>`` → ``""``: no match can start after the last ``>``, so the rest is left out."""
    cut = text.rfind(">") + 1
    return _HTML_TAG.sub("", text[:cut]) + text[cut:]


def _footnotes(text: str) -> str:
    r"""``\[\^.+?\](: .*?\Z)?`` → ``""``.

    ``.+?\]`` is the first ``]`` after one character of the line; the optional tail can only
    reach the end of the text from the last line, so the other lines do without it."""
    if "[^" not in text:
        return text
    cut = text.rfind("\n") + 1
    keep = _kept_unless(1, lambda m: "")
    return _FOOTNOTE.sub(keep, text[:cut]) + _FOOTNOTE_LAST_LINE.sub(keep, text[cut:])


def _reference_definition(text: str) -> str:
    r"""``\s{0,2}\[.*?\]: .*?\Z`` → ``""``.

    Neither ``.*?`` crosses a newline and the match ends the text: it is the first ``[`` of the
    last line with a ``]: `` after it, and the (at most two) blanks before that ``[``."""
    line = text.rfind("\n") + 1
    bracket = text.find("[", line)
    if bracket < 0 or text.rfind("]: ", bracket + 1) < 0:
        return text
    start = bracket
    while start > bracket - 2 and start > 0 and text[start - 1].isspace():
        start -= 1
    return text[:start]


def _images(text: str) -> str:
    r"""``!\[(.*?)\][\[\(].*?[\]\)]`` → ``\1``.

    When it fails from a ``![``, no ``](``/``][`` of the line is followed by a ``]`` or ``)``
    (any later one would be), so every later ``![`` of the line fails: the second alternative
    takes the rest of the line, unchanged."""
    if "![" not in text:
        return text
    return _IMAGE.sub(_kept_unless(1, lambda m: m.group(1)), text)


def _inline_links(text: str) -> str:
    r"""``\[([^\]]*?)\][\[\(].*[\]\)]`` → ``\1``. The lazy class stops at the first ``]``
    anyway; a failure leaves the text up to it, where every later attempt would fail too."""
    if "[" not in text:
        return text
    return _INLINE_LINK.sub(_kept_unless(2, lambda m: m.group(1)), text)


def _reference_link(text: str) -> str:
    r"""``\A\s{1,2}\[(.*?)\]: (\S+)( \".*?\")?\s*\Z`` → ``""``: all or nothing.

    After the blanks and ``[``, the first line must be ``…]: B`` or ``…]: B "…"`` (``B`` without
    blanks) up to its trailing blanks, and only blanks may follow it."""
    if not text or not text[0].isspace():
        return text
    if text[1:2] == "[":
        bracket = 1
    elif text[1:2].isspace() and text[2:3] == "[":
        bracket = 2
    else:
        return text
    end = _line_end(text, bracket)
    if text[end:] and not text[end:].isspace():
        return text
    line = text[bracket + 1 : end].rstrip()
    if not line:
        return text
    # "]: B": B is the line's last run of non-blanks.
    word = len(line)
    while word > 0 and not line[word - 1].isspace():
        word -= 1
    if line[:word].endswith("]: "):
        return ""
    # ']: B "…"': the line ends with a quote, and a ']: B "' closes before it.
    if line.endswith('"') and _REFERENCE_TITLE.search(line, 0, len(line) - 1):
        return ""
    return text


def _atx_headings(text: str) -> str:
    r"""``^(\n)?\s*#{1,6}\s*( (.+))? +#+$|^(\n)?\s*#{1,6}\s*( (.+))?$`` (multi-line) →
    ``\1\3\4\6``.

    Both ``\s*`` may span lines. From a line start: the blank run, one to six ``#``, the blank
    run after them (up to ``e``); the pattern then gives back blanks one at a time, so the
    answer is the last position of that run where the rest can match. The first alternative
    needs the line of ``e`` to end in `` +#+``; the second takes a space followed by text, or a
    newline."""
    if "#" not in text:
        return text
    out: list[str] = []
    last = 0
    n = len(text)
    pos = 0
    while pos <= n:
        if pos and text[pos - 1] != "\n":  # the next line start
            newline = text.find("\n", pos)
            if newline < 0:
                break
            pos = newline + 1
        start = pos
        newline_group = "\n" if text.startswith("\n", start) else ""
        hashes = start
        while hashes < n and text[hashes].isspace():
            hashes += 1
        count = 0
        while hashes + count < n and text[hashes + count] == "#" and count < 7:
            count += 1
        found = None
        if 1 <= count <= 6:
            found = _atx_at(text, hashes + count)
        if found is None:
            pos = hashes + 1  # every line start up to ``hashes`` fails the same way
            continue
        replacement, end = found
        out.append(text[last:start])
        out.append(newline_group + replacement)
        last = pos = end  # after at least one "#": never empty
    out.append(text[last:])
    return "".join(out)


def _atx_at(text: str, after_hashes: int) -> tuple[str, int] | None:
    """The heading text and match end of :func:`_atx_headings` once its ``#`` are read."""
    n = len(text)
    blank_end = after_hashes
    while blank_end < n and text[blank_end].isspace():
        blank_end += 1
    if blank_end < n:
        # First alternative: the line of blank_end ends in " +#+" (spaces, then "#").
        line_start = text.rfind("\n", 0, blank_end) + 1
        line_end = _line_end(text, blank_end)
        closing = line_end
        while closing > line_start and text[closing - 1] == "#":
            closing -= 1
        spaces = closing
        while spaces > line_start and text[spaces - 1] == " ":
            spaces -= 1
        if closing < line_end and spaces < closing:
            for k in range(blank_end - 1, max(after_hashes, line_start) - 1, -1):
                if text[k] != " ":
                    continue
                if k <= closing - 3:  # " (.+)" then " +#+"
                    return text[k + 1 : closing - 1], line_end
                if k >= spaces:  # " +#+" alone
                    return "", line_end
    else:
        return "", n  # second alternative, at the end of the text
    # Second alternative: " (.+)" up to the line's end, or "$" before a newline.
    for k in range(blank_end - 1, after_hashes - 1, -1):
        char = text[k]
        if char == " " and text[k + 1] != "\n":
            end = _line_end(text, k + 1)
            return text[k + 1 : end], end
        if char == "\n":
            return "", k
    return None


def _star_emphasis(text: str) -> str:
    r"""``([\*]+)(\S)(.*?\S)??\1`` → ``\2\3``.

    From a start before R stars, the pattern tries widths L from R down; the text ``\2\3`` runs
    from the start plus L to the first place m on the line where L stars follow a non-blank (or
    follow ``\2`` directly). Inside the opening run that is m = start + L + 1 when R > 2L; after
    it, a later run of the line serves if it holds L stars after a non-blank: all of it when a
    non-blank precedes it, else all but its first star. So the widest L is the larger of
    (R - 1) / 2 and the best later run (capped at R - 1), or R itself when a non-blank follows
    the run and a later run holds R."""
    if "*" not in text:
        return text
    starts, ends, lines = _runs(text, "*")
    caps = [
        end - start - (1 if start == 0 or text[start - 1].isspace() else 0)
        for start, end in zip(starts, ends, strict=True)
    ]
    best = _best_after(caps, lines)
    out: list[str] = []
    last = pos = 0
    i = 0
    while i < len(starts):
        start = max(starts[i], pos)
        run_end = ends[i]
        if start >= run_end:
            i += 1
            continue
        length = run_end - start
        if run_end < len(text) and not text[run_end].isspace() and best[i] >= length:
            width = length
        else:
            width = max((length - 1) // 2, min(length - 1, best[i]))
        if width < 1:
            pos = start + 1
            continue
        j = i
        if length >= 2 * width + 1:
            m = start + width + 1
        else:
            j = i + 1
            while caps[j] < width:
                j += 1
            m = starts[j] if caps[j] == ends[j] - starts[j] else starts[j] + 1
        out.append(text[last:start])
        out.append(text[start + width : m])
        last = pos = m + width
        i = j
    out.append(text[last:])
    return "".join(out)


def _underscore_emphasis(text: str) -> str:
    r"""``(^|[^A-Za-z0-9_])([_]+)(\S)(.*?\S)??\2($|[^A-Za-z0-9_])`` → ``\1\3\4\5``.

    As :func:`_star_emphasis`, except that a match starts at the text's start or on the
    character before a run (so never inside one), and the closing ``_`` must end a run that is
    followed by the end of the text or a character other than an ASCII letter or digit (taken
    into the match unless the end, or a last newline, is there)."""
    if "_" not in text:
        return text
    n = len(text)
    starts, ends, lines = _runs(text, "_")
    closes = [end == n or text[end] not in _ASCII_WORD for end in ends]
    caps = [
        0 if not closes[i] else end - start - (1 if start == 0 or text[start - 1].isspace() else 0)
        for i, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]
    best = _best_after(caps, lines)
    out: list[str] = []
    last = pos = 0
    for i, (run_start, run_end) in enumerate(zip(starts, ends, strict=True)):
        if run_start == 0:
            if pos > 0:
                continue
            start = 0
        else:
            start = run_start - 1
            if start < pos or text[start] in _ASCII_WORD:
                continue
        length = run_end - run_start
        if run_end < n and not text[run_end].isspace() and best[i] >= length:
            width = length
        else:
            inside = (length - 1) // 2 if closes[i] else 0
            width = max(inside, min(length - 1, best[i]))
        if width < 1:
            continue
        if width < length and length >= 2 * width + 1 and closes[i]:
            close_end = run_end
        else:
            j = i + 1
            while caps[j] < width:
                j += 1
            close_end = ends[j]
        m = close_end - width
        if close_end == n or (close_end == n - 1 and text[close_end] == "\n"):
            after, end = "", close_end
        else:
            after, end = text[close_end], close_end + 1
        out.append(text[last:start])
        out.append(text[start:run_start] + text[run_start + width : m] + after)
        last = pos = end
    out.append(text[last:])
    return "".join(out)


def _code_blocks(text: str) -> str:
    r"""``(`{3,})(.*?)\1`` → ``\2`` (no dot-all: one line).

    From a start before R backticks, width L matches right after itself when 2L ≤ R, else at
    the first later run of the line holding L: the widest is the larger of R // 2 and the
    longest later run (capped at R), and it must be at least three. A failed start fails for
    the rest of its run too (fewer backticks only narrow the choice)."""
    if "```" not in text:
        return text
    starts, ends, lines = _runs(text, "`")
    longest = _best_after([end - start for start, end in zip(starts, ends, strict=True)], lines)
    out: list[str] = []
    last = pos = 0
    i = 0
    while i < len(starts):
        start = max(starts[i], pos)
        length = ends[i] - start
        width = max(min(length, longest[i]), length // 2)
        if length <= 0 or width < 3:
            i += 1
            continue
        j = i
        if 2 * width <= length:
            m = start + width
        else:
            j = i + 1
            while ends[j] - starts[j] < width:
                j += 1
            m = starts[j]
        out.append(text[last:start])
        out.append(text[start + width : m])
        last = pos = m + width
        i = j
    out.append(text[last:])
    return "".join(out)


_STEPS: tuple[Step, ...] = (
    lambda text: _RULE.sub("", text),
    _list_leaders,
    lambda text: _SETEXT_BREAK.sub("\n", text),
    _before_last_newline(_TILDE_FENCE),
    lambda text: _STRIKE.sub("", text),
    _before_last_newline(_BACKTICK_FENCE),
    _html_tags,
    _html_tags,  # the package runs this rule twice
    lambda text: _SETEXT_ONLY.sub("", text),  # whole text only: no multi-line flag
    _footnotes,
    _reference_definition,
    _images,
    _inline_links,
    lambda text: _BLOCKQUOTE.sub(r"\1", text),
    _reference_link,
    _atx_headings,
    _star_emphasis,
    _underscore_emphasis,
    _code_blocks,
    lambda text: _INLINE_CODE.sub(r"\1", text),  # linear: a failure means no backtick follows
    lambda text: _TILDES.sub(r"\1", text),
)


def normalize_markdown(text: str) -> str:
    """Dataview's ``normalizeMarkdown``: plain text with links and markdown markup removed."""
    text = _first_aliased_wikilink(_plain_wikilinks(text))
    for step in _STEPS:
        text = step(text)
    return text
