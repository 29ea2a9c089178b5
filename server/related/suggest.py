"""Link suggestions for one note: what it should link to, ranked, each with its reasons.

Two sources, merged per target note:

* **mentions** — the note already names another note in plain text
  (:func:`~server.related.mentions.mentions_in`); the suggestion carries every span, so the plugin
  can turn one into ``[[Target|text]]`` once the user accepts.
* **related** — semantic neighbours and graph signals (:func:`~server.related.related.related`,
  already-linked notes left out).

Score: a mention is strong evidence on its own (``MENTION_SCORE``) and the related score adds to
it, so a mention of a note that is also about the same thing ranks above a mention of a note that
merely shares a common word as its title. Targets already linked from the note are never
suggested. Nothing here writes a note: inserting a link is the plugin's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.related.mentions import Mention
from server.related.related import RelatedNote

__all__ = ["MENTION_SCORE", "Suggestion", "suggest_links"]

MENTION_SCORE = 0.5


@dataclass(slots=True)
class Suggestion:
    target: str
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "score": round(self.score, 6),
            "reasons": self.reasons,
            "mentions": [
                {k: v for k, v in m.to_dict().items() if k not in ("path", "target")}
                for m in self.mentions
            ],
        }


def suggest_links(
    mentions: list[Mention],
    neighbours: list[RelatedNote],
    related_scores: dict[str, float],
    *,
    linked: set[str],
    k: int = 20,
) -> list[Suggestion]:
    """Merge ``mentions`` inside the note and its ``neighbours`` into ranked suggestions.

    ``related_scores`` gives the related score of any mentioned target (0 when absent);
    ``linked`` holds the targets the note already links to.
    """
    by_target: dict[str, Suggestion] = {}
    for mention in mentions:
        if mention.target in linked or mention.linked:
            continue
        entry = by_target.get(mention.target)
        if entry is None:
            entry = by_target[mention.target] = Suggestion(mention.target, MENTION_SCORE)
            entry.reasons.append({"kind": "mention", "score": MENTION_SCORE, "count": 0})
        entry.mentions.append(mention)
        entry.reasons[0]["count"] += 1
    for target, entry in by_target.items():
        extra = related_scores.get(target, 0.0)
        if extra > 0:
            entry.score += extra
            entry.reasons.append({"kind": "related", "score": round(extra, 6)})
    for note in neighbours:
        if note.path in linked or note.path in by_target:
            continue
        by_target[note.path] = Suggestion(
            note.path,
            note.score,
            [{"kind": "related", "score": round(note.score, 6), "parts": note.reasons}],
        )
    ranked = sorted(by_target.values(), key=lambda s: (-s.score, s.target))
    return ranked[:k]
