"""The conformance corpus's JSON encodings: AST nodes (SPEC §1 "AST encoding") and tagged values.

Used by the conformance tests and by debugging tools (``vaultql parse``); the engine never needs
it. Date literals are clock-dependent (``date(today)``), so encoding one needs ``now``/``local``.
"""

from __future__ import annotations

import math
from datetime import UTC, tzinfo
from typing import Any

from query import ast
from query.parsing.tree import DATE_SHORTHANDS
from query.temporal.dates import date_shorthand, date_to_corpus, parse_date
from query.values import Date, Duration, Function, Link, Value, Widget


def value_to_corpus(value: Value) -> Any:
    """A Dataview value in the corpus's tagged JSON encoding."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        if math.isnan(value):
            return {"$number": "NaN"}
        if math.isinf(value):
            return {"$number": "Infinity" if value > 0 else "-Infinity"}
        return 0 if value == 0 else value
    if isinstance(value, Link):
        out: dict[str, Any] = {"$link": value.path}
        if value.display is not None:
            out["display"] = value.display
        if value.type != "file":
            out["type"] = value.type
        if value.subpath is not None:
            out["subpath"] = value.subpath
        if value.embed:
            out["embed"] = True
        return out
    if isinstance(value, Date):
        if value.invalid is not None:
            return {"$date": "invalid", "reason": value.invalid}
        return {"$date": date_to_corpus(value)}
    if isinstance(value, Duration):
        return {"$dur": value.units()}
    if isinstance(value, Function):
        return {"$function": None}
    if isinstance(value, Widget):
        return {"$widget": value.kind, **{k: value_to_corpus(v) for k, v in value.data.items()}}
    if isinstance(value, (list, tuple)):
        return [value_to_corpus(item) for item in value]
    if isinstance(value, dict):
        encoded = {str(k): value_to_corpus(v) for k, v in value.items()}
        if any(str(k).startswith("$") for k in value):
            return {"$object": encoded}
        return encoded
    raise TypeError(f"not a Dataview value: {type(value).__name__}")


def ast_to_corpus(node: ast.Node, *, now: Date | None = None, local: tzinfo = UTC) -> Any:
    """``node`` in the corpus's AST encoding. ``now`` resolves date shorthands (``date(today)``)."""
    return _Encoder(now, local).encode(node)


class _Encoder:
    def __init__(self, now: Date | None, local: tzinfo) -> None:
        self._now = now
        self._local = local

    def encode(self, node: ast.Node) -> Any:
        e = self.encode
        if isinstance(node, ast.Literal):
            return {"lit": value_to_corpus(node.value)}
        if isinstance(node, ast.DateLiteral):
            return {"lit": value_to_corpus(self._date(node.text))}
        if isinstance(node, ast.Variable):
            return {"var": node.name}
        if isinstance(node, ast.Index):
            return {"index": [e(node.obj), e(node.index)]}
        if isinstance(node, ast.Call):
            return {"call": e(node.callee), "args": [e(arg) for arg in node.args]}
        if isinstance(node, ast.BinaryOp):
            return {"op": node.op, "left": e(node.left), "right": e(node.right)}
        if isinstance(node, ast.Negate):
            return {"not": e(node.operand)}
        if isinstance(node, ast.ListExpr):
            return {"list": [e(item) for item in node.items]}
        if isinstance(node, ast.ObjectExpr):
            return {"object": {key: e(value) for key, value in node.entries}}
        if isinstance(node, ast.Lambda):
            return {"lambda": list(node.params), "body": e(node.body)}
        if isinstance(node, ast.TagSource):
            return {"tag": node.tag}
        if isinstance(node, ast.FolderSource):
            return {"folder": node.path}
        if isinstance(node, ast.LinkSource):
            return {"link": node.target, "direction": "outgoing" if node.outgoing else "incoming"}
        if isinstance(node, ast.CsvSource):
            return {"csv": node.path}
        if isinstance(node, ast.NegatedSource):
            return {"not": e(node.inner)}
        if isinstance(node, ast.BinarySource):
            return {node.op: [e(node.left), e(node.right)]}
        if isinstance(node, ast.NamedField):
            return {"name": node.name, "expr": e(node.expr)}
        if isinstance(node, ast.ListHeader):
            fmt = e(node.expr) if node.expr is not None else None
            return {"type": "list", "showId": not node.without_id, "format": fmt}
        if isinstance(node, ast.TableHeader):
            fields = [e(f) for f in node.fields]
            return {"type": "table", "showId": not node.without_id, "fields": fields}
        if isinstance(node, ast.TaskHeader):
            return {"type": "task"}
        if isinstance(node, ast.CalendarHeader):
            return {"type": "calendar", "field": e(node.field)}
        if isinstance(node, ast.SortKey):
            direction = "descending" if node.descending else "ascending"
            return {"expr": e(node.expr), "direction": direction}
        if isinstance(node, ast.Where):
            return {"where": e(node.expr)}
        if isinstance(node, ast.Sort):
            return {"sort": [e(key) for key in node.keys]}
        if isinstance(node, ast.Limit):
            return {"limit": e(node.expr)}
        if isinstance(node, ast.GroupBy):
            return {"group": e(node.field)}
        if isinstance(node, ast.Flatten):
            return {"flatten": e(node.field)}
        if isinstance(node, ast.UnknownOp):
            return {"unknown": ast.source_kind(node.source)}
        if isinstance(node, ast.Query):
            return {
                "header": e(node.header),
                "source": e(node.source),
                "ops": [e(op) for op in node.ops],
            }
        raise TypeError(f"not an AST node: {type(node).__name__}")

    def _date(self, text: str) -> Date | None:
        if text in DATE_SHORTHANDS:
            if self._now is None:
                raise ValueError(f"date({text}) needs 'now' to be encoded")
            return date_shorthand(text, self._now)
        return parse_date(text, self._local)
