"""The state one evaluation runs in: the vault, the row, ``this``, locals, the clock, limits.

A :class:`Context` is made per row (cheap: a few slots); list lambdas (``filter``, ``map``,
``reduce``) evaluate in a child with ``value``/``index``/``acc`` bound. Formulas are evaluated
through ``formulas`` (:class:`~query.bases.view.FormulaTable`), memoised per row in ``memo``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from query.bases.values import Moment, Value
from query.limits import UNLIMITED, Guard

if TYPE_CHECKING:
    from query.bases.vault import BasesVault

__all__ = ["Clock", "Context"]


@dataclass(slots=True)
class Clock:
    """ "Now", the local zone and the random source of one query (injected: the package reads no
    clock)."""

    now: Moment
    local: tzinfo
    random: Callable[[], float] = field(default=lambda: 0.5)


class Context:
    __slots__ = ("clock", "formulas", "guard", "locals", "memo", "path", "this", "vault")

    def __init__(
        self,
        vault: BasesVault,
        clock: Clock,
        *,
        path: str | None = None,
        this: str | None = None,
        formulas: Any = None,
        guard: Guard = UNLIMITED,
        locals: dict[str, Value] | None = None,
        memo: dict[str, Value] | None = None,
    ) -> None:
        self.vault = vault
        self.clock = clock
        self.path = path
        self.this = this
        self.formulas = formulas
        self.guard = guard
        self.locals = locals
        self.memo = memo if memo is not None else {}

    def child(self, bindings: dict[str, Value]) -> Context:
        merged = {**self.locals, **bindings} if self.locals else bindings
        return Context(
            self.vault,
            self.clock,
            path=self.path,
            this=self.this,
            formulas=self.formulas,
            guard=self.guard,
            locals=merged,
            memo=self.memo,
        )

    def for_row(self, path: str) -> Context:
        return Context(
            self.vault,
            self.clock,
            path=path,
            this=self.this,
            formulas=self.formulas,
            guard=self.guard,
            locals=self.locals,
        )
