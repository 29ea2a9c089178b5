"""``FROM`` sources resolved against the index (SPEC §4): tags, folders and files, links.

Every answer comes from :class:`VaultIndex`'s prebuilt maps; no page is inspected. The result is a
set of paths, kept in Dataview's order: folders and tags in path order, ``outgoing`` in the order
the links appear in the note, ``or`` the left side's paths then the right side's new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from query import ast
from query.errors import QueryExecutionError
from query.index import VaultIndex


def resolve_source(source: ast.Source, index: VaultIndex, origin: str | None) -> Sequence[str]:
    """The paths ``source`` selects, seen from the note ``origin``, in Dataview's order.

    A lone tag or folder is answered straight from the index's cached, ordered sequences (the
    whole vault is ``index.paths`` itself, which the index's row cache recognises).
    """
    if isinstance(source, ast.TagSource):
        return index.tagged_sorted(source.tag)
    if isinstance(source, ast.FolderSource) and index.is_folder(source.path):
        return index.paths if source.path == "" else index.in_folder(source.path)
    return list(_paths(source, index, origin or ""))


OrderedPaths = dict[str, None]  # an insertion-ordered set, as JavaScript's Set is


def _ordered(paths: Iterable[str]) -> OrderedPaths:
    return dict.fromkeys(paths)


def _paths(source: ast.Source, index: VaultIndex, origin: str) -> OrderedPaths:
    if isinstance(source, ast.TagSource):
        return _ordered(index.tagged_sorted(source.tag))
    if isinstance(source, ast.FolderSource):
        return _folder_or_file(source.path, index)
    if isinstance(source, ast.LinkSource):
        return _linked(source, index, origin)
    if isinstance(source, ast.NegatedSource):
        excluded = _paths(source.inner, index, origin)
        return _ordered(path for path in index.paths if path not in excluded)
    if isinstance(source, ast.BinarySource):
        left = _paths(source.left, index, origin)
        right = _paths(source.right, index, origin)
        if source.op == "and":
            return _ordered(path for path in left if path in right)
        return left | right
    if isinstance(source, ast.CsvSource):
        raise QueryExecutionError("csv() sources are not supported: VaultQL indexes notes only")
    raise QueryExecutionError(f"Unrecognized source type '{type(source).__name__}'")


def _folder_or_file(path: str, index: VaultIndex) -> OrderedPaths:
    """A folder (recursively) wins over a file of the same name; then the file; then ``path.md``."""
    if index.is_folder(path):
        return _ordered(index.in_folder(path))
    if index.get(path) is not None:
        return _ordered([path])
    if index.get(f"{path}.md") is not None:
        return _ordered([f"{path}.md"])
    return {}


def _linked(source: ast.LinkSource, index: VaultIndex, origin: str) -> OrderedPaths:
    """``[[x]]``: notes linking to x; ``outgoing([[x]])``: notes x links to.

    x resolves as any link does, against every file of the vault (notes and attachments). An
    empty target (``[[]]``, ``[[#]]``) means the note holding the query. When the target does not
    exist, both forms fall back to the notes holding an unresolved link with that text (Dataview's
    behaviour, quirk included for ``outgoing``). An attachment has inlinks but no outlinks:
    ``outgoing`` of one fails, as in Dataview (it is no source of Obsidian's resolved links).
    """
    target = source.target
    resolved = origin if target == "" else index.resolve(target, origin)
    record = index.get(resolved) if resolved is not None else None
    if record is None:
        if resolved is not None and target != "":
            return _attachment(source, resolved, index)
        return _ordered(sorted(index.unresolved_linking(target)))
    if source.outgoing:
        return _ordered(link.path for link in record.outlinks if index.get(link.path) is not None)
    return _ordered(sorted(index.linking_to(record.path)))


def _attachment(source: ast.LinkSource, path: str, index: VaultIndex) -> OrderedPaths:
    """``[[x]]`` or ``outgoing([[x]])`` where x resolved to ``path``, a file that is not a note."""
    if source.outgoing:
        raise QueryExecutionError(
            f'Could not find file "{source.target}" during link lookup - does it exist?'
        )
    return _ordered(sorted(index.linking_to_file(path)))
