"""Max-min fairness: not rows of the LP but a sequence of LPs over a model's coverages
(:mod:`allocator.solving.maxmin`) whose levels then hold as the ``max_min`` row block; listed for
the support table."""

from __future__ import annotations

from models.rules.base import Rule
from models.rules.params import MAX_WEIGHT, Param


class MaxMin(Rule):
    def holds(self) -> dict[str, str]:
        """Its levels hold a region at a minimum (named ``max_min`` in the results)."""
        return {self.name: "minimum"}


MAX_MIN = MaxMin(
    "max_min", ("policy:fairness=max-min",),
    "raise the lowest regional coverage first, then the next (lexicographic max-min); in "
    "robust every region in every scenario, in agenda every region in every year (or over "
    "the period)",
    params=(
        Param("fairness", "choice", flag="--fairness", choices=("weighted", "max-min"),
              default="weighted", off="weighted",
              name={"nl": "eerlijkheid", "en": "fairness"},
              help={"nl": "weighted: de minste gewogen onvervulde behoefte; max-min: eerst de "
                          "laagste dekking zo hoog mogelijk, dan de volgende",
                    "en": "weighted: least weighted unmet need; max-min: raise the lowest "
                          "coverage first, then the next"}),
        Param("max_efficiency_loss", "ratio", flag="--max-efficiency-loss", metavar="F",
              ge=0, le=MAX_WEIGHT,
              name={"nl": "maximaal efficiëntieverlies", "en": "maximum efficiency loss"},
              help={"nl": "met max-min: de gewogen onvervulde behoefte ten hoogste (1 + F) "
                          "maal haar optimum zonder max-min",
                    "en": "with max-min: weighted unmet need at most (1 + F) x its optimum "
                          "without max-min"}),
    ))
