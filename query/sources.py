"""``FROM`` sources resolved against the index (SPEC §4): tags, folders and files, links.

Every answer comes from :class:`VaultIndex`'s prebuilt maps; no page is inspected. The result is a
set of paths, returned in path order (Dataview's "vault order").
"""

from __future__ import annotations

from query import ast
from query.errors import QueryExecutionError
from query.index import VaultIndex


def resolve_source(source: ast.Source, index: VaultIndex, origin: str | None) -> list[str]:
    """The sorted paths ``source`` selects, seen from the note ``origin``."""
    return sorted(_paths(source, index, origin or ""))


def _paths(source: ast.Source, index: VaultIndex, origin: str) -> set[str]:
    if isinstance(source, ast.TagSource):
        return set(index.tagged(source.tag))
    if isinstance(source, ast.FolderSource):
        return _folder_or_file(source.path, index)
    if isinstance(source, ast.LinkSource):
        return _linked(source, index, origin)
    if isinstance(source, ast.NegatedSource):
        return set(index.paths) - _paths(source.inner, index, origin)
    if isinstance(source, ast.BinarySource):
        left = _paths(source.left, index, origin)
        right = _paths(source.right, index, origin)
        return left & right if source.op == "and" else left | right
    if isinstance(source, ast.CsvSource):
        raise QueryExecutionError("csv() sources are not supported: VaultQL indexes notes only")
    raise QueryExecutionError(f"Unrecognized source type '{type(source).__name__}'")


def _folder_or_file(path: str, index: VaultIndex) -> set[str]:
    """A folder (recursively) wins over a file of the same name; then the file; then ``path.md``."""
    if index.is_folder(path):
        return set(index.in_folder(path))
    if index.get(path) is not None:
        return {path}
    if index.get(f"{path}.md") is not None:
        return {f"{path}.md"}
    return set()


def _linked(source: ast.LinkSource, index: VaultIndex, origin: str) -> set[str]:
    """``[[x]]``: notes linking to x; ``outgoing([[x]])``: notes x links to.

    An empty target (``[[]]``, ``[[#]]``) means the note holding the query. When the target does not
    exist, both forms fall back to the notes holding an unresolved link with that text (Dataview's
    behaviour, quirk included for ``outgoing``).
    """
    target = source.target
    resolved = origin if target == "" else index.resolve(target, origin)
    if resolved is None or index.get(resolved) is None:
        return set(index.unresolved_linking(target))
    if source.outgoing:
        return set(index.linked_from(resolved))
    return set(index.linking_to(resolved))
