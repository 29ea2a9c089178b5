"""JavaScript regular expressions on top of Python's ``re``, for the string built-ins.

Dataview hands user patterns to ``new RegExp(pattern)`` (no flags, non-Unicode mode). Python's
syntax and semantics differ in places, so patterns are translated rather than used verbatim:

- ``\\d \\w \\b`` (and their negations) are ASCII-only in JS; ``.`` excludes all four JS line
  terminators; ``$`` matches only at the very end (Python's also matches before a final newline).
- Named groups are ``(?<n>…)`` / ``\\k<n>`` in JS; ``[^]`` matches anything and ``[]`` nothing.
- JS rejects inline flags ``(?i)``, atomic groups and possessive quantifiers, which Python accepts;
  an unknown escape of a letter is the letter itself (``\\e`` = ``e``).

Anything that fails to translate or compile raises :class:`EvaluationError`, as an invalid
``RegExp`` throws in Dataview. Also here: JS ``String.prototype.replace`` replacement templates
(``$1 $& $$ $<n>``) and ``String.prototype.split`` with a regex separator.

Patterns run on the ``regex`` package rather than ``re``: it takes a time-out and releases the
GIL while it matches, so a catastrophic pattern (``(a+)+$`` on ``aaaa…!``) ends at the query's
time limit with a :class:`QueryLimitError` while the server's other threads keep running.
Everything built here (a replacement's output, a split's pieces) is metered against the
query's limits (``query.limits``).
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache

import regex

from query.errors import EvaluationError, QueryLimitError
from query.limits import (
    MAX_PATTERN,
    UNLIMITED,
    Guard,
    check_list_size,
    check_string_size,
    within_time,
)

_WORD = "A-Za-z0-9_"
_LINE_TERMINATORS = "\\n\\r\\u2028\\u2029"
_CLASS_ESCAPES = {"d": "0-9", "w": _WORD}
_OUTSIDE_ESCAPES = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
}
# Escapes whose meaning Python shares with JS (inside or outside a class).
_SHARED_ESCAPES = set("sSfnrtv0")
_QUANTIFIER_END = re.compile(r"\{\d+(,\d*)?\}")


class _Translator:
    def __init__(self, pattern: str, *, dot_all: bool = False, multiline: bool = False) -> None:
        self.src = pattern
        self.i = 0
        self.out: list[str] = []
        self.dot_all = dot_all  # the s flag: "." matches line terminators too
        self.multiline = multiline  # the m flag: "^" and "$" match at line terminators

    def fail(self, why: str) -> EvaluationError:
        return EvaluationError(f"Invalid regular expression: /{self.src}/: {why}")

    def run(self) -> str:
        src = self.src
        while self.i < len(src):
            ch = src[self.i]
            if ch == "\\":
                self.escape(in_class=False)
            elif ch == "[":
                self.char_class()
            elif ch == "(":
                self.group_open()
            elif ch == ".":
                self.out.append("[\\s\\S]" if self.dot_all else f"[^{_LINE_TERMINATORS}]")
                self.i += 1
            elif ch == "$":
                self.out.append(f"(?=[{_LINE_TERMINATORS}]|\\Z)" if self.multiline else r"\Z")
                self.i += 1
            elif ch == "^" and self.multiline:
                self.out.append(f"(?:(?<=[{_LINE_TERMINATORS}])|\\A)")
                self.i += 1
            elif ch in "*+?":
                self.out.append(ch)
                self.i += 1
                self.reject_possessive()
            elif ch == "{":
                m = _QUANTIFIER_END.match(src, self.i)
                if m:
                    self.out.append(m.group(0))
                    self.i = m.end()
                    self.reject_possessive()
                else:
                    self.out.append("\\{")
                    self.i += 1
            elif ch == "}":
                self.out.append("\\}")
                self.i += 1
            else:
                self.out.append(ch)
                self.i += 1
        return "".join(self.out)

    def reject_possessive(self) -> None:
        # "a*?" is lazy in both; "a*+" is possessive in Python but a syntax error in JS.
        if self.i < len(self.src) and self.src[self.i] == "?":
            self.out.append("?")
            self.i += 1
        elif (
            self.i < len(self.src)
            and self.src[self.i] in "*+{"
            and (self.src[self.i] != "{" or _QUANTIFIER_END.match(self.src, self.i))
        ):
            raise self.fail("Nothing to repeat")

    def group_open(self) -> None:
        src, i = self.src, self.i
        if not src.startswith("(?", i):
            self.out.append("(")
            self.i += 1
            return
        rest = src[i + 2 : i + 4]
        if rest[:1] in (":", "=", "!") or rest in ("<=", "<!"):
            self.out.append("(?" + (rest[:1] if rest[:1] in ":=!" else rest))
            self.i += 2 + (1 if rest[:1] in ":=!" else 2)
            return
        m = re.compile(r"\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>").match(src, i)
        if m:
            self.out.append(f"(?P<{m.group(1)}>")
            self.i = m.end()
            return
        raise self.fail("Invalid group")

    def escape(self, *, in_class: bool) -> None:
        src = self.src
        if self.i + 1 >= len(src):
            raise self.fail("\\ at end of pattern")
        c = src[self.i + 1]
        self.i += 2
        if in_class and c in _CLASS_ESCAPES:
            self.out.append(_CLASS_ESCAPES[c])
        elif in_class and c == "b":
            self.out.append("\\x08")  # backspace inside a class, in both languages
        elif not in_class and c in _OUTSIDE_ESCAPES:
            self.out.append(_OUTSIDE_ESCAPES[c])
        elif c in _SHARED_ESCAPES or c in "DW":
            self.out.append("\\" + c)
        elif c == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", src[self.i : self.i + 2]):
            self.out.append("\\x" + src[self.i : self.i + 2])
            self.i += 2
        elif c == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", src[self.i : self.i + 4]):
            self.out.append("\\u" + src[self.i : self.i + 4])
            self.i += 4
        elif c == "c" and self.i < len(src) and src[self.i].isascii() and src[self.i].isalpha():
            self.out.append(f"\\x{ord(src[self.i]) % 32:02x}")
            self.i += 1
        elif c == "k" and not in_class:
            m = re.compile(r"<([A-Za-z_$][A-Za-z0-9_$]*)>").match(src, self.i)
            if not m:
                self.out.append("k")
                return
            self.out.append(f"(?P={m.group(1)})")
            self.i = m.end()
        elif c.isdigit() and not in_class:
            m = re.compile(r"\d*").match(src, self.i)
            digits = c + (m.group(0) if m else "")
            self.i += len(digits) - 1
            self.out.append(f"(?:\\{digits})")
        elif c.isascii() and c.isalnum():
            self.out.append(re.escape(c))  # identity escape (Annex B): "\e" is "e"
        else:
            self.out.append(re.escape(c))

    def char_class(self) -> None:
        src = self.src
        if src.startswith("[^]", self.i):
            self.out.append("[\\s\\S]")
            self.i += 3
            return
        if src.startswith("[]", self.i):
            self.out.append("(?!)")
            self.i += 2
            return
        self.out.append("[")
        self.i += 1
        if self.i < len(src) and src[self.i] == "^":
            self.out.append("^")
            self.i += 1
        while self.i < len(src):
            ch = src[self.i]
            if ch == "]":
                self.out.append("]")
                self.i += 1
                return
            if ch == "\\":
                self.escape(in_class=True)
            elif ch in "[&~|" or (ch == "-" and self.out[-1] == "-"):
                # Python warns about (future) set operations on these; they are literal in JS.
                self.out.append("\\" + ch)
                self.i += 1
            else:
                self.out.append(ch)
                self.i += 1
        raise self.fail("Unterminated character class")


@lru_cache(maxsize=512)
def compile_js(
    pattern: str, ignore_case: bool = False, *, dot_all: bool = False, multiline: bool = False
) -> regex.Pattern[str]:
    """Compile a JS regex source into an equivalent pattern of the ``regex`` package (match it
    with ``timeout=`` and ``concurrent=True``). Flags: ``i`` (``ignore_case``), ``s``
    (``dot_all``) and ``m`` (``multiline``); ``g`` is the caller's (how many matches)."""
    if len(pattern) > MAX_PATTERN:
        raise QueryLimitError(
            f"a regular expression of {len(pattern):,} characters is over the limit of "
            f"{MAX_PATTERN:,}"
        )
    translated = _Translator(pattern, dot_all=dot_all, multiline=multiline).run()
    flags = regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0)
    try:
        return regex.compile(translated, flags)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise EvaluationError(f"Invalid regular expression: /{pattern}/: {exc}") from exc


_Part = tuple[str, object]
"""One piece of a replacement template: ("text", str), ("group", int | str), ("before", None),
("after", None) or ("match", None)."""


def _template(template: str, pattern: regex.Pattern[str]) -> list[_Part]:
    """JS ``GetSubstitution``'s reading of ``template`` (``$$ $& $` $' $n $nn $<name>``;
    anything else stays literal), parsed once per call instead of once per match."""
    parts: list[_Part] = []
    text: list[str] = []

    def part(kind: str, arg: object = None) -> None:
        if text:
            parts.append(("text", "".join(text)))
            text.clear()
        parts.append((kind, arg))

    groups = pattern.groups
    has_names = bool(pattern.groupindex)
    i = 0
    while i < len(template):
        ch = template[i]
        if ch != "$" or i + 1 >= len(template):
            text.append(ch)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            text.append("$")
            i += 2
        elif nxt == "&":
            part("match")
            i += 2
        elif nxt == "`":
            part("before")
            i += 2
        elif nxt == "'":
            part("after")
            i += 2
        elif nxt.isdigit():
            two = template[i + 1 : i + 3]
            if len(two) == 2 and two.isdigit() and 1 <= int(two) <= groups:
                part("group", int(two))
                i += 3
            elif 1 <= int(nxt) <= groups:
                part("group", int(nxt))
                i += 2
            else:
                text.append("$")
                i += 1
        elif nxt == "<" and has_names:
            end = template.find(">", i + 2)
            if end < 0:
                text.append("$")
                i += 1
            else:
                name = template[i + 2 : end]
                if name in pattern.groupindex:
                    part("group", name)
                i = end + 1
        else:
            text.append("$")
            i += 1
    if text:
        parts.append(("text", "".join(text)))
    return parts


def _expand(parts: list[_Part], m: regex.Match[str], text: str) -> str:
    out: list[str] = []
    for kind, arg in parts:
        if kind == "text":
            out.append(arg)  # type: ignore[arg-type]
        elif kind == "group":
            out.append(m.group(arg) or "")  # type: ignore[call-overload]
        elif kind == "match":
            out.append(m.group(0))
        elif kind == "before":
            out.append(text[: m.start()])
        else:
            out.append(text[m.end() :])
    return "".join(out)


def js_replace_all(text: str, pattern: str, replacement: str, guard: Guard = UNLIMITED) -> str:
    """``text.replace(new RegExp(pattern, "g"), replacement)``."""
    return js_replace_compiled(text, compile_js(pattern), replacement, guard)


def js_test(
    pattern: str, text: str, guard: Guard = UNLIMITED, *, ignore_case: bool = False
) -> bool:
    """``new RegExp(pattern).test(text)``: a match anywhere."""
    compiled = compile_js(pattern, ignore_case)
    found = within_time(
        guard, lambda timeout: compiled.search(text, timeout=timeout, concurrent=True)
    )
    return found is not None


def js_split(
    text: str, pattern: str, limit: float | None = None, guard: Guard = UNLIMITED
) -> list[str]:
    """``text.split(new RegExp(pattern), limit)`` with undefined captures turned into ``""``."""
    lim = 2**32 - 1 if limit is None else _to_uint32(limit)
    if lim == 0:
        return []
    if text and (pattern == "" or _LITERAL.fullmatch(pattern)):
        # No metacharacters: the separator is the text itself, so the pieces are str.split's
        # ("" cuts between characters), without a regex match per position.
        pieces = len(text) if pattern == "" else text.count(pattern) + 1
        check_list_size(min(pieces, lim), "split")
        guard.tick(pieces)
        out = list(text) if pattern == "" else text.split(pattern)
        return out[:lim]
    return js_split_compiled(text, compile_js(pattern), limit, guard)


def js_split_compiled(
    text: str,
    compiled: regex.Pattern[str],
    limit: float | None = None,
    guard: Guard = UNLIMITED,
) -> list[str]:
    """``text.split(regexp, limit)`` with an already compiled pattern (:func:`compile_js`):
    JavaScript's SplitMatcher, so an empty match cuts between characters and never yields an
    empty first or last piece (``"abc".split(/(?:)/)`` is ``["a", "b", "c"]``)."""
    lim = 2**32 - 1 if limit is None else _to_uint32(limit)
    if lim == 0:
        return []
    if not text:
        empty = within_time(guard, lambda timeout: compiled.match(text, timeout=timeout))
        return [] if empty else [text]
    return _split(compiled, text, lim, guard)


# Characters with a meaning in a JS pattern; a pattern without any is a literal string.
_LITERAL = re.compile(r"[^\\^$.|?*+()\[\]{}]+")


def _split(compiled: regex.Pattern[str], text: str, lim: int, guard: Guard) -> list[str]:
    # JS's SplitMatcher tries a sticky match at every position q; a search from q finds the
    # first position at or after q where that match exists, and the same match there.
    out: list[str] = []
    size = len(text)
    p = q = 0
    metered = 0

    def search_from(at: int, timeout: float | None) -> regex.Match[str] | None:
        return compiled.search(text, at, timeout=timeout, concurrent=True)

    while q < size:
        m = within_time(guard, functools.partial(search_from, q))
        if m is None:
            break
        q = m.start()
        if q >= size:
            break
        if m.end() == p:
            # An empty separator right after the previous cut: move on.
            q += 1
            continue
        out.append(text[p:q])
        if len(out) == lim:
            return out
        for g in m.groups():
            out.append(g or "")
            if len(out) == lim:
                return out
        if len(out) - metered >= 4096:
            check_list_size(len(out), "split")
            guard.tick(len(out) - metered)
            metered = len(out)
        p = q = m.end()
    out.append(text[p:])
    check_list_size(len(out), "split")
    return out


def _to_uint32(x: float) -> int:
    if x != x or x in (float("inf"), float("-inf")):
        return 0
    return int(x) % 2**32


def js_replace_compiled(
    text: str,
    compiled: regex.Pattern[str],
    replacement: str,
    guard: Guard = UNLIMITED,
    *,
    count: int = 0,
) -> str:
    """``text.replace(regexp, replacement)`` with an already compiled pattern: every match
    (``count`` 0, the ``g`` flag) or the first ``count``; the template as JavaScript reads it."""
    parts = _template(replacement, compiled)

    def attempt(timeout: float | None) -> str:
        size = len(text)

        def expand(m: regex.Match[str]) -> str:
            nonlocal size
            piece = _expand(parts, m, text)
            grown = len(piece) - (m.end() - m.start())
            if grown > 0:
                size += grown
                check_string_size(size)
                guard.tick(grown)
            return piece

        return compiled.sub(expand, text, count=count, timeout=timeout, concurrent=True)

    return within_time(guard, attempt)
