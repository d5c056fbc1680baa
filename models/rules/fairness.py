"""Max-min fairness: not rows of the LP but a sequence of LPs over a model's coverages
(:mod:`allocator.solving.maxmin`) whose levels then hold as the ``max_min`` row block; listed for
the support table."""

from __future__ import annotations

from models.rules.base import Rule


class MaxMin(Rule):
    def holds(self) -> dict[str, str]:
        """Its levels hold a region at a minimum (named ``max_min`` in the results)."""
        return {self.name: "minimum"}


MAX_MIN = MaxMin(
    "max_min", ("policy:fairness=max-min",),
    "raise the lowest regional coverage first, then the next (lexicographic max-min); in "
    "robust every region in every scenario, in agenda every region in every year (or over "
    "the period)")
