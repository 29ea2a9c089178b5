"""A base's formulas: compiled once, ordered by dependency, cycles found, evaluated lazily per
row and memoised (SPEC §3.3).

``formula.x`` may read other formulas. Each formula's dependencies are known at compile time
(:attr:`Compiled.formulas`); a formula on a dependency cycle evaluates to an error value naming
the cycle, reported once as a diagnostic, and so does a formula reading an unknown formula (the
app shows an empty cell; we say why). An optional ``cache`` keeps the values of formulas that
depend only on their row's own file (:attr:`Compiled.row_local`: no ``this``, clock, other
files, links or backlinks, no formula chosen at run time), so a formula is evaluated once per
file revision across queries. The key is (path, the file's stamp, the vault's
:attr:`~query.bases.vault.BasesVault.files_generation`, formula text with the texts of the
formulas it reads): the stamp is a note's content hash, size and times, or an attachment's
size and times; the generation changes whenever a file appears or vanishes, since a property
holding ``[[C]]`` resolves anew when ``C.md`` is created.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from query.bases.compile import Compiled, Diagnostic
from query.bases.context import Context
from query.bases.values import ErrorValue, Value

__all__ = ["FormulaTable", "find_cycles"]


def find_cycles(graph: Mapping[str, set[str]]) -> dict[str, list[str]]:
    """Each formula on a dependency cycle → one cycle through it (Tarjan's SCCs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: dict[str, list[str]] = {}
    counter = 0

    def strongconnect(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    ordered = sorted(component)
                    for member in component:
                        out[member] = ordered

    for name in graph:
        if name not in index:
            strongconnect(name)
    return out


class FormulaTable:
    """The compiled formulas of one base (see the module docstring)."""

    def __init__(
        self,
        compiled: Mapping[str, Compiled],
        texts: Mapping[str, str] | None = None,
        *,
        cache: MutableMapping[Any, Value] | None = None,
    ) -> None:
        self.compiled = dict(compiled)
        self.texts = dict(texts or {})
        self.diagnostics: list[Diagnostic] = []
        graph = {name: set(c.formulas) for name, c in self.compiled.items()}
        self.cycles = find_cycles(graph)
        for name in sorted(self.cycles):
            if self.cycles[name][0] == name:
                chain = " → ".join([*self.cycles[name], self.cycles[name][0]])
                self.diagnostics.append(
                    Diagnostic(
                        "error", "formula-cycle", f"formulas.{name}", f"formula cycle: {chain}"
                    )
                )
        self._local = self._row_local()
        self._cache = cache
        self._signatures: dict[str, tuple[str, ...]] = {}

    def _row_local(self) -> set[str]:
        local: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, c in self.compiled.items():
                if name in local or name in self.cycles or not c.row_local:
                    continue
                if all(dep in local for dep in c.formulas):
                    local.add(name)
                    changed = True
        return local

    def names(self) -> list[str]:
        return list(self.compiled)

    def order(self) -> list[str]:
        """The formulas in dependency order (cycles last)."""
        done: list[str] = []
        seen: set[str] = set()

        def visit(name: str, trail: set[str]) -> None:
            if name in seen or name in trail or name not in self.compiled:
                return
            trail.add(name)
            for dep in sorted(self.compiled[name].formulas):
                visit(dep, trail)
            trail.discard(name)
            seen.add(name)
            done.append(name)

        for name in self.compiled:
            if name not in self.cycles:
                visit(name, set())
        return done + sorted(self.cycles)

    def value(self, name: str, ctx: Context) -> Value:
        memo = ctx.memo
        if name in memo:
            found = memo[name]
            if found is _RUNNING:
                return ErrorValue(f'Formula "{name}" depends on itself')
            return found
        compiled = self.compiled.get(name)
        if compiled is None:
            return None  # an undefined formula is an empty cell in the app
        if name in self.cycles:
            chain = " → ".join([*self.cycles[name], self.cycles[name][0]])
            result: Value = ErrorValue(f"Formula cycle: {chain}")
            memo[name] = result
            return result
        key = None
        cache = self._cache
        if cache is not None and name in self._local and ctx.path is not None:
            stamp = _stamp(ctx)
            if stamp is not None:
                key = (ctx.path, stamp, ctx.vault.files_generation, self._signature(name))
                found = cache.get(key, _MISSING)  # one read: another thread may evict it
                if found is not _MISSING:
                    memo[name] = found
                    return found
        memo[name] = _RUNNING
        try:
            result = compiled.run(ctx)
        finally:
            memo.pop(name, None)
        memo[name] = result
        if key is not None and cache is not None:
            cache[key] = result
        return result

    def _signature(self, name: str) -> tuple[str, ...]:
        """The formula's text with those of the formulas it reads (transitively)."""
        found = self._signatures.get(name)
        if found is None:
            found = self._signatures[name] = self._build_signature(name)
        return found

    def _build_signature(self, name: str) -> tuple[str, ...]:
        out: list[str] = []
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            out.append(f"{current}={self.texts.get(current, '')}")
            pending.extend(sorted(self.compiled[current].formulas & self.compiled.keys()))
        return tuple(out)


def _stamp(ctx: Context) -> tuple[Any, ...] | None:
    """What identifies this revision of the row's file: a note's content hash, size and times;
    an attachment's size and times (stat-ed); None when neither is known (not cached)."""
    path = ctx.path
    assert path is not None
    record = ctx.vault.record(path)
    if record is not None:
        return (
            "note",
            record.content_hash,
            record.size,
            record.ctime.epoch_ms,
            record.mtime.epoch_ms,
        )
    facts = ctx.vault.facts(path)
    if facts is None:
        return None
    size, ctime, mtime = facts
    return ("file", size, ctime.epoch_ms, mtime.epoch_ms)


_RUNNING = object()
_MISSING = object()
