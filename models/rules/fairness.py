"""Max-min fairness: not rows of the LP but a sequence of LPs that turns into per-region
minimums (:mod:`allocator.maxmin`); listed for the support table and the central refusal."""

from __future__ import annotations

from models.rules.base import Rule

MAX_MIN = Rule(
    "max_min", ("policy:fairness=max-min",),
    "raise the lowest regional coverage first, then the next (lexicographic max-min)",
    {"robust": "max-min over need scenarios is not in the robust model yet",
     "agenda": "max-min over years and funders is not in the agenda model yet"})
