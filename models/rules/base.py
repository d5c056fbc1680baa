"""What a rule is: one object that states the rule once for every use.

A :class:`Rule` owns its name (the LP block, the certificate entry and the report label),
the policy keys or instance columns that switch it on, its columns and rows in the LP
(through :class:`models.builder.Target`: the one-year builder, or one scenario or
year of a larger model), the check of its violation on an allocation (the
certificate), its Pyomo form (the reference model of the parity test), and where it does
not apply yet, with the reason (the support table, one refusal for every command).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from models.data import AllocationData, FloatArray
from models.rules.params import Param

if TYPE_CHECKING:
    from models.builder import Target

INF = np.inf

#: The commands that solve, in the order of the support table.
COMMANDS = ("solve", "compare", "sweep", "grid", "robust", "agenda")


@dataclass(frozen=True)
class Sums:
    """An allocation summed the ways the rules read it (model units)."""

    x: FloatArray
    per_region: FloatArray
    per_goal: FloatArray

    @classmethod
    def of(cls, d: AllocationData, x: FloatArray) -> Sums:
        return cls(x, np.bincount(d.cell_region, x, minlength=len(d.regions)).astype(float),
                   np.bincount(d.cell_goal, x, minlength=len(d.goals)).astype(float))


@dataclass(frozen=True)
class PyomoContext:
    """What a rule's Pyomo form needs besides the model: sums of x by region and goal."""

    in_region: Any
    in_goal: Any
    pop_total: float


@dataclass(frozen=True)
class Step:
    """Tightening a row block by one step, in words (``text``), and how far that moves each
    row's bound (``move``: model units, from the data, the block and the money scale). Its
    dual times the move is what the step costs: the price of fairness per step, and the
    meaning of a binding row in the report."""

    text: str
    move: Callable[[AllocationData, Any, float], FloatArray]


@dataclass(frozen=True)
class Rule:
    """One rule, stated once. Subclasses override what applies to them."""

    name: str  # LP block = certificate key = label key
    keys: tuple[str, ...]  # the policy keys (or instance columns) that switch it on
    meaning: str  # one line, for the support table and the docs
    refused: Mapping[str, str] = field(default_factory=dict)  # command -> why not (yet)
    params: tuple[Param, ...] = ()  # the policy parameters it reads, each declared once

    kind: ClassVar[str] = "equity"  # "money", "equity", "objective" or "agenda"
    #: The rule reads the national funder's money alone (co-financing, the change cap): in
    #: the one-year model all money is national; in the agenda only the national funder's.
    national_money: ClassVar[bool] = False
    #: Where a region held by this rule's rows ranks when the report says why it gets what
    #: it gets (a rule of its own before the coverage gap's common bounds).
    hold_rank: ClassVar[int] = 0

    def active(self, d: AllocationData) -> bool:
        return False

    def build(self, b: Target) -> None:
        """Add the rule's columns and rows (only called when active)."""

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        """The largest violation by the allocation, in model units (only when active)."""
        return {}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        """Add the rule to the Pyomo reference model (only when active)."""

    def steps(self) -> Mapping[str, Step]:
        """Per row block of the rule: the step that tightens it, where one reads in words."""
        return {}

    def holds(self) -> Mapping[str, str]:
        """Per row block: what a binding row does to a region's money, ``minimum`` or
        ``maximum`` (for why a region gets what it gets)."""
        return {}

    def off(self) -> Mapping[str, object]:
        """The model-data fields that switch the rule off (to price it, or to explain an
        infeasibility without it); empty for a rule that cannot be switched off."""
        return {}

    def why_not(self, command: str) -> str | None:
        """None where the rule applies in ``command``, or why it does not (yet)."""
        return self.refused.get(command)

    def used(self, policy: Any, tables: Mapping[str, Any]) -> bool:
        """Whether an instance switches the rule on. ``keys`` read ``policy:KEY`` (set, and
        not 0 or false), ``policy:KEY=VALUE``, or ``TABLE:COLUMN`` (any value given)."""
        for key in self.keys:
            where, _, what = key.partition(":")
            if where == "policy":
                name, _, wanted = what.partition("=")
                value = getattr(policy, name, None)
                if (str(value) == wanted) if wanted else value not in (None, False, 0, 0.0):
                    return True
            else:
                table = tables.get(where)
                if table is not None and what in table and table[what].notna().any():
                    return True
        return False


def nanmax0(values: FloatArray) -> float:
    """The largest value, at least 0, ignoring NaN (a rule absent for that row)."""
    return float(np.nanmax(np.append(values, 0.0)))
