"""Filters the index can answer (SPEC §15.2): candidate files before row-by-row evaluation.

The top-level conjuncts of the global and the view filter (the items of an ``and`` group, and
the operands of a top-level ``&&``) that are one of

``file.inFolder("F")`` · ``file.hasTag("t", …)`` · ``file.hasProperty("p")`` ·
``file.ext == "md"`` · ``file.hasLink("X")`` / ``file.hasLink(this)`` / ``file.hasLink(this.file)``

give a **superset** of the rows that pass them, from the index's folder, tag and link maps.
Their intersection is what the full filters are then evaluated on, so the answer is the same
as evaluating every file; only the work shrinks.
"""

from __future__ import annotations

from collections.abc import Iterable

from query.bases import ast
from query.bases.config import FilterNode
from query.bases.members import split_name
from query.bases.parser import parse_expression
from query.bases.vault import BasesVault

__all__ = ["candidates"]


def _conjuncts(node: FilterNode | None) -> Iterable[ast.Expr]:
    if node is None:
        return
    if node.op == "and":
        for child in node.children:
            yield from _conjuncts(child)
    elif node.op == "expr":
        try:
            expr = parse_expression(node.text, node.where)
        except Exception:
            return
        stack = [expr]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.Logical) and current.op == "&&":
                stack.extend((current.left, current.right))
            else:
                yield current


def _is_file(node: ast.Expr) -> bool:
    return isinstance(node, ast.Name) and node.name == "file"


def _strings(args: tuple[ast.Expr, ...]) -> list[str] | None:
    out = []
    for arg in args:
        if not (isinstance(arg, ast.Literal) and isinstance(arg.value, str)):
            return None
        out.append(arg.value)
    return out


def _this_target(arg: ast.Expr) -> bool:
    if isinstance(arg, ast.Name) and arg.name == "this":
        return True
    return (
        isinstance(arg, ast.Member)
        and arg.name == "file"
        and isinstance(arg.target, ast.Name)
        and arg.target.name == "this"
    )


def _folder_files(vault: BasesVault, folder: str) -> set[str]:
    folder = folder.strip().strip("/")
    if not folder:
        return set(vault.paths)
    notes = set(vault.index.in_folder(folder))
    prefix = folder + "/"
    return notes | {p for p in vault.attachments if p.startswith(prefix)}


def _one(expr: ast.Expr, vault: BasesVault, this: str | None) -> set[str] | None:
    if isinstance(expr, ast.Binary) and expr.op == "==":
        for left, right in ((expr.left, expr.right), (expr.right, expr.left)):
            if (
                isinstance(left, ast.Member)
                and _is_file(left.target)
                and left.name == "ext"
                and isinstance(right, ast.Literal)
                and isinstance(right.value, str)
            ):
                ext = right.value
                if not ext:
                    return None  # "LICENSE": files without a dot; not worth an index
                same = {p for p in vault.attachments if split_name(p)[1] == ext}
                if ext == "md":
                    same.update(vault.index.paths)
                return same
        return None
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Member)):
        return None
    func = expr.func
    if not _is_file(func.target):
        return None
    name = func.name
    if name == "inFolder":
        args = _strings(expr.args)
        return _folder_files(vault, args[0]) if args and len(args) == 1 else None
    if name == "hasTag":
        tags = _strings(expr.args)
        if not tags:
            return None
        found: set[str] = set()
        for tag in tags:
            found |= vault.index.tagged("#" + tag.lstrip("#"))
        return found
    if name == "hasProperty":
        args = _strings(expr.args)
        if not args or len(args) != 1:
            return None
        key = args[0]
        return {r.path for r in vault.index if key in r.frontmatter}
    if name == "hasLink" and len(expr.args) == 1:
        arg = expr.args[0]
        if _this_target(arg):
            if this is None:
                return set()
            return vault.linking_candidates(this)
        texts = _strings(expr.args)
        if texts is None:
            return None
        target = texts[0].split("#", 1)[0].strip().lstrip("/")
        # Only a full path resolves the same from every note (a bare name may reach the
        # nearest of several files, and an unresolved target matches by text).
        for path in (target, target + ".md"):
            if vault.exists(path):
                return vault.linking_candidates(path)
        return None
    return None


def candidates(
    filters: Iterable[FilterNode | None], vault: BasesVault, this: str | None
) -> list[str]:
    """The files worth evaluating the filters on, in path order (a superset of the answer)."""
    chosen: set[str] | None = None
    for node in filters:
        for conjunct in _conjuncts(node):
            found = _one(conjunct, vault, this)
            if found is None:
                continue
            chosen = found if chosen is None else chosen & found
            if not chosen:
                return []
    if chosen is None:
        return list(vault.paths)
    return sorted(chosen)
