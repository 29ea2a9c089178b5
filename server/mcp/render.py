"""The compact text of each tool's answer: what a model reads when its client shows ``content``
rather than ``structuredContent``.

Renderings carry the same facts as the structured answer in fewer tokens — one line per hit,
note or task, the revision and paging hints on the last line. The notes' own text (``read_note``,
``fetch``) goes out as it is. Pure functions of the structured answer (a plain dict).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

__all__ = ["RENDERERS", "compact_json"]


def compact_json(data: Any) -> str:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()


def _more(data: dict[str, Any], noun: str) -> str:
    following = data.get("next_cursor")
    tail = f"; more: cursor={following}" if following else ""
    return f"[{data.get('total', 0)} {noun} in all{tail}; revision {data['revision']}]"


def _search(data: dict[str, Any]) -> str:
    lines = []
    for n, hit in enumerate(data["results"], 1):
        where = f" › {hit['heading']}" if hit["heading"] else ""
        lines.append(f"{n}. {hit['path']}{where} (line {hit['line']}, score {hit['score']:.3f})")
        lines.append(f"   {hit['snippet']}")
    if not lines:
        lines.append("no matches")
    coverage = ""
    if data.get("to_embed"):
        coverage = f"; embedded {data.get('embedded')}/{data['to_embed']} notes"
    lines.append(f"[{data['mode']} search; revision {data['revision']}{coverage}]")
    return "\n".join(lines)


def _note(data: dict[str, Any]) -> str:
    head = f"# {data['path']}"
    if data.get("resolved_from"):
        head += f"  (from {data['resolved_from']!r} via {data['via']})"
    lines = [head]
    if data.get("section"):
        lines.append(f"section {data['section']} (lines {data['line']}–{data['line_end']})")
    if data["view"] in ("outline", "metadata"):
        meta = {
            key: data[key]
            for key in (
                "aliases",
                "tags",
                "frontmatter",
                "fields",
                "outlinks",
                "inlinks",
                "backlink_count",
                "unresolved",
                "tasks",
                "size",
                "mtime",
                "problems",
            )
            if data.get(key) not in (None, [], {})
        }
        lines.append(compact_json(meta))
    for entry in data.get("outline") or ():
        indent = "  " * (entry["level"] - 1)
        lines.append(f"{indent}- {entry['heading']} (line {entry['line']}, {entry['chars']} chars)")
    if (data.get("outline_total") or 0) > len(data.get("outline") or ()):
        lines.append(f"… {data['outline_total']} headings in all")
    if data.get("content") is not None:
        lines.append("---")
        lines.append(data["content"])
        lines.append("---")
    tail = f"{data['total_chars']} chars"
    if data.get("next_offset") is not None:
        tail += f"; continue with offset={data['next_offset']}"
    elif data["view"] == "outline" and data.get("content") is None:
        tail += "; read with view=content or a section"
    lines.append(f"[{tail}; revision {data['revision']}]")
    return "\n".join(lines)


def _query(data: dict[str, Any]) -> str:
    if data["format"] == "md":
        body = data.get("text") or ""
    else:
        payload = {k: data[k] for k in ("headers", "rows", "items", "tasks") if data.get(k)}
        body = compact_json(payload)
    cut = f"; showing {data['returned']}" if data["truncated"] else ""
    return f"{body}\n[{data['type']}: {data['count']} results{cut}; revision {data['revision']}]"


def _related(data: dict[str, Any]) -> str:
    lines = [f"notes related to {data['path']}:"]
    for n, note in enumerate(data["related"], 1):
        why = "; ".join(r["detail"] for r in note["reasons"][:3])
        lines.append(f"{n}. {note['path']} (score {note['score']:.3f}) — {why}")
    lines.append(f"[revision {data['revision']}]")
    return "\n".join(lines)


def _notes(data: dict[str, Any]) -> str:
    lines = [
        f"{n['path']}  {n['mtime'][:10]}  {' '.join(n['tags'])}".rstrip() for n in data["notes"]
    ]
    lines.append(_more(data, "notes"))
    return "\n".join(lines)


def _tags(data: dict[str, Any]) -> str:
    lines = [f"{t['tag']} {t['count']}" for t in data["tags"]]
    lines.append(_more(data, "tags"))
    return "\n".join(lines)


def _tasks(data: dict[str, Any]) -> str:
    lines = []
    for task in data["tasks"]:
        due = f" (due {task['due']})" if task["due"] else ""
        box = task["checkbox"] or " "
        lines.append(f"[{box}] {task['text']}{due} — {task['path']}:{task['line']}")
    lines.append(_more(data, "tasks"))
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "search": _search,
    "read_note": _note,
    "query_dql": _query,
    "related_notes": _related,
    "list_notes": _notes,
    "list_tags": _tags,
    "tasks": _tasks,
}
