"""Cutting a note into search chunks that follow its headings.

A chunk never crosses a heading: each section (the lines a heading governs up to the next heading,
whatever its level — ``NoteRecord.sections`` nest, chunks do not) is cut on its own. A section that
fits the embedding window is one chunk; a longer one is split at paragraph boundaries, with a small
overlap (the tail of the previous chunk) so a sentence cut at the border is still found whole.
Each chunk keeps its heading path, which :func:`embedding_text` prefixes for the model.

Deliberate choices, not accidents of parsing:

* **Frontmatter** is metadata, not prose: it is never part of a chunk. Title and aliases reach the
  keyword index through :func:`keyword_text`; tags are stored for display and filters.
* **Code blocks** are kept whole as one paragraph (identifiers in code are what users search for by
  keyword) and only split on lines when a block alone exceeds the window. ``dataview`` and
  ``dataviewjs`` blocks are queries, not content, and are dropped.
* **Huge notes** are capped: only the first :data:`MAX_NOTE_CHARS` characters are chunked (and at
  most :data:`MAX_CHUNKS_PER_NOTE` chunks kept), so a 50 MB log pasted into a vault costs what a
  1 MB note costs. The search service embeds only a note's first
  :data:`~server.search.search_service.MAX_EMBEDDED_CHUNKS` chunks; the rest is keyword-searchable.

Token counts are estimated (word pieces ≈ words plus one per 6 letters of long words) — cheap and
conservative enough for the 256-token window of all-MiniLM-L6-v2; the model truncates the rare
overshoot. Nothing here reads files or knows about Whoosh or FAISS.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from query.records import Section

__all__ = [
    "MAX_CHUNKS_PER_NOTE",
    "MAX_NOTE_CHARS",
    "Chunk",
    "body_lines",
    "chunk_note",
    "embedding_text",
    "estimate_tokens",
    "keyword_text",
    "text_hash",
]

MAX_TOKENS = 200  # leaves room for the heading prefix inside the model's 256-token window
OVERLAP_TOKENS = 32
MAX_NOTE_CHARS = 1_000_000
MAX_CHUNKS_PER_NOTE = 2048

_PIECE = re.compile(r"\w+|[^\w\s]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SKIPPED_LANGS = frozenset({"dataview", "dataviewjs"})


@dataclass(frozen=True, slots=True)
class Chunk:
    """One passage of a note: its text and where it sits."""

    path: str
    ordinal: int  # position in the note, from 0
    heading_path: tuple[str, ...]  # outermost heading first; () before the first heading
    text: str
    line_start: int  # 0-based line of the section (its heading) this chunk came from
    line_end: int  # 0-based last line of that section, inclusive
    overlap: int = 0  # leading characters of ``text`` repeated from the previous chunk

    @property
    def heading(self) -> str:
        return self.heading_path[-1] if self.heading_path else ""


def estimate_tokens(text: str) -> int:
    """An upper-ish estimate of WordPiece tokens in ``text``."""
    count = 0
    for piece in _PIECE.findall(text):
        count += 1 + len(piece) // 6
    return count


def text_hash(text: str) -> str:
    """The key an embedding is cached under (with the model id)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def file_title(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    return base[:-3] if base.endswith(".md") else base


def embedding_text(chunk: Chunk) -> str:
    """What the model sees: the note title and heading path, then the passage."""
    title = file_title(chunk.path)
    parts = list(chunk.heading_path)
    if not parts or parts[0].strip().lower() != title.strip().lower():
        parts.insert(0, title)
    return " > ".join(parts) + "\n" + chunk.text


def keyword_text(
    path: str, aliases: Sequence[str], headings: Sequence[str], chunks: Sequence[Chunk]
) -> str:
    """The one combined keyword field: title, aliases, headings and body (overlap counted once)."""
    bodies = [chunk.text[chunk.overlap :] for chunk in chunks]
    return "\n".join([file_title(path), *aliases, *dict.fromkeys(headings), *bodies])


def body_lines(text: str) -> tuple[list[str], int]:
    """The note's lines (capped at :data:`MAX_NOTE_CHARS`) and the first line after frontmatter."""
    capped = text[:MAX_NOTE_CHARS]
    lines = capped.split("\n")
    if "\r" in capped:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if lines and _is_fence_line(lines[0]):
        for i in range(1, len(lines)):
            if _is_fence_line(lines[i]):
                return lines, i + 1
    return lines, 0


def _is_fence_line(line: str) -> bool:
    return line.startswith("---") and not line[3:].strip(" \t")


def chunk_note(path: str, text: str, sections: Sequence[Section] = ()) -> list[Chunk]:
    """The chunks of one note, in order; ``sections`` come from its ``NoteRecord``."""
    lines, start = body_lines(text)
    spans = _spans(lines, start, sections)
    chunks: list[Chunk] = []
    for heading_path, first, last, body_first in spans:
        paragraphs = _paragraphs(lines, body_first, last)
        for piece, overlap in _pack(paragraphs):
            chunks.append(Chunk(path, len(chunks), heading_path, piece, first, last, overlap))
            if len(chunks) >= MAX_CHUNKS_PER_NOTE:
                return chunks
    return chunks


def _spans(
    lines: list[str], start: int, sections: Sequence[Section]
) -> list[tuple[tuple[str, ...], int, int, int]]:
    """(heading path, first line, last line, first body line) for each heading-free stretch."""
    last_line = len(lines) - 1
    heads = sorted(
        (s for s in sections if start <= s.line_start <= last_line), key=lambda s: s.line_start
    )
    spans: list[tuple[tuple[str, ...], int, int, int]] = []
    first_head = heads[0].line_start if heads else last_line + 1
    if first_head > start:
        spans.append(((), start, first_head - 1, start))
    for i, section in enumerate(heads):
        end = heads[i + 1].line_start - 1 if i + 1 < len(heads) else last_line
        spans.append((section.heading_path, section.line_start, end, section.line_start + 1))
    return spans


def _paragraphs(lines: list[str], first: int, last: int) -> list[str]:
    """Blank-line separated paragraphs; a fenced code block is one paragraph."""
    out: list[str] = []
    current: list[str] = []
    fence: str | None = None
    skipping = False
    for line in lines[first : last + 1]:
        if fence is not None:
            if line.lstrip().startswith(fence):
                fence = None
                if not skipping:
                    current.append(line)
                    out.append("\n".join(current))
                current, skipping = [], False
            elif not skipping:
                current.append(line)
            continue
        match = _FENCE.match(line)
        if match:
            if current:
                out.append("\n".join(current))
            fence = match.group(1)
            skipping = match.group(2).lower() in _SKIPPED_LANGS
            current = [] if skipping else [line]
            continue
        if line.strip():
            current.append(line)
        elif current:
            out.append("\n".join(current))
            current = []
    if current and not skipping:
        out.append("\n".join(current))
    return [p for p in out if p.strip()]


def _split_long(paragraph: str) -> list[str]:
    """A paragraph over the window, cut into pieces that fit (sentences, then lines, then words)."""
    units = (
        _SENTENCE_END.split(paragraph) if "\n" not in paragraph.strip() else (paragraph.split("\n"))
    )
    pieces: list[str] = []
    for unit in units:
        if estimate_tokens(unit) <= MAX_TOKENS:
            pieces.append(unit)
            continue
        words = unit.split(" ")
        buf: list[str] = []
        size = 0
        for word in words:
            cost = estimate_tokens(word)
            if buf and size + cost > MAX_TOKENS:
                pieces.append(" ".join(buf))
                buf, size = [], 0
            buf.append(word[:2000])  # a single 'word' of megabytes (base64) must not stall
            size += min(cost, MAX_TOKENS)
        if buf:
            pieces.append(" ".join(buf))
    return pieces


def _tail(text: str) -> str:
    """The last few words of a chunk, carried into the next one as overlap."""
    words = text.split()
    tail: list[str] = []
    size = 0
    for word in reversed(words):
        size += estimate_tokens(word)
        if size > OVERLAP_TOKENS:
            break
        tail.append(word)
    return " ".join(reversed(tail))


def _pack(paragraphs: list[str]) -> list[tuple[str, int]]:
    """Greedy packing of paragraphs into window-sized chunks: (text, overlap length) pairs."""
    units: list[str] = []
    for paragraph in paragraphs:
        if estimate_tokens(paragraph) <= MAX_TOKENS:
            units.append(paragraph)
        else:
            units.extend(_split_long(paragraph))
    chunks: list[tuple[str, int]] = []
    buf: list[str] = []
    size = 0
    overlap = ""
    for unit in units:
        cost = estimate_tokens(unit)
        if buf and size + cost > MAX_TOKENS:
            chunks.append(_joined(overlap, buf))
            if len(chunks) >= MAX_CHUNKS_PER_NOTE:
                return chunks
            overlap = _tail(buf[-1])
            size = estimate_tokens(overlap)
            buf = []
            if size + cost > MAX_TOKENS:
                overlap, size = "", 0
        buf.append(unit)
        size += cost
    if buf:
        chunks.append(_joined(overlap, buf))
    return chunks


def _joined(overlap: str, buf: list[str]) -> tuple[str, int]:
    body = "\n\n".join(buf)
    if not overlap:
        return body, 0
    return f"{overlap} {body}", len(overlap) + 1
