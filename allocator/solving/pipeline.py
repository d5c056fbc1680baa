"""One built model of an instance, re-solved warm as the studies around a solve change it.

The studies ask the same model many questions: each assumed weight 10 % down and up
(``sensitivity``, the weight sensitivity of every ``solve``), the engine's allocation at
each breakpoint of a budget curve (``sweep``, and the reasons per region that read it),
each a full solve before. A :class:`Pipeline` builds the instance's model data, LP and
HiGHS instance once. Each question whose LP differs in numbers only (costs from weights,
bounds from the budget or a rule's value, coefficients such as a region's need in the
coverage gap's rows) then runs the engine's stages on it:

1. stage 1 warm: the new costs and bounds on the same HiGHS instance, which starts from
   the last optimal basis, not from nothing;
2. the tie-break (the engine's own, :func:`allocator.solving.engine.tie_break_stages`) on
   a copy of the model that starts from stage 1's basis, so stage 1's instance stays as it
   is for the next question;
3. the certificate (:func:`allocator.solving.certify.certify`) on the question's own data.

Each answer is an :class:`Outcome` (status, allocation, duals, certificate, notes,
seconds), from which :meth:`Pipeline.result` makes the engine's :class:`Result`. A
question with other rows (a rule switched on or off), an answer that fails its
certificate or whose tie-break was cut short (its point then depends on the solver's
path), max-min with an efficiency bound and instances the engine solves through the
reduced LP go to the engine's full solve (:meth:`Pipeline.takes`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from allocator.errors import Status
from allocator.inputs.instance import Instance
from allocator.solving import aggregate, highs
from allocator.solving.certify import Certificate, certify, tier_penalty, unmet
from allocator.solving.maxmin import with_leximin
from allocator.solving.modeldata import money_scale, to_model_data
from allocator.solving.result import Note, Result, SolverInfo
from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram, build_lp

#: The engine's notes of a tie-break cut short (its stage 3 skipped or not finished).
UNFINISHED = ("note_skipped", "note_unfinished", "note_no_converge")


class Different(ValueError):
    """A question the pipeline's model cannot take by a change of numbers."""


@dataclass
class Outcome:
    """What one run of the stages gives: the allocation in model units (cells), stage 1's
    duals, the certificate, the notes of the tie-break and the seconds it took."""

    status: Status
    x: FloatArray = field(default_factory=lambda: np.zeros(0))
    objective: float = float("nan")
    row_dual: FloatArray = field(default_factory=lambda: np.zeros(0))
    col_dual: FloatArray = field(default_factory=lambda: np.zeros(0))
    certificate: Certificate | None = None
    notes: list[Note] = field(default_factory=list)
    seconds: float = 0.0


class Pipeline:
    """The model of ``instance`` built once; :meth:`run` answers it under new weights."""

    def __init__(self, instance: Instance, tie_break: str = "lexicographic") -> None:
        self.instance, self.tie_break = instance, tie_break
        self.scale = money_scale(instance)
        data = to_model_data(instance, self.scale)
        self.notes: list[Note] = []
        if instance.policy.fairness == "max-min":
            # the levels do not depend on the weights (without an efficiency bound): found
            # once, they hold as per-region minimums in every question
            fair = with_leximin(data, None)
            if fair is not None:
                data = fair
                self.notes.append(("note_leximin", {}))
        self.data = data
        self.lp = build_lp(data)
        self.solver = highs.Solver(self.lp, algorithm="simplex")
        self.runs = 0

    @staticmethod
    def takes(instance: Instance, base: Result | None = None) -> bool:
        """Whether the pipeline answers ``instance``'s questions as the engine would: below
        the reduced LP's size (the engine's tie-break there is its own), without an
        efficiency bound on max-min, and, given the engine's answer ``base``, where its
        tie-break ran to the end (the allocation is then the one point the stages define,
        whichever basis they start from; a tie-break cut short leaves a point that depends
        on the solver's path, which only the engine's own path reproduces)."""
        unfinished = base is not None and any(
            k in UNFINISHED for k, _ in base.notes)
        return (len(instance.needs) < aggregate.MIN_CELLS and not unfinished
                and not (instance.policy.fairness == "max-min"
                         and instance.policy.max_efficiency_loss is not None))

    def data_of(self, instance: Instance) -> AllocationData:
        """The model data of ``instance`` (this pipeline's instance with other weights, or
        another budget or policy value that changes numbers only); under max-min with the
        pipeline's levels, which hold for its own budget only."""
        data = to_model_data(instance, self.scale)
        if data.weight.shape != self.data.weight.shape:
            raise Different("a pipeline answers questions on its own cells only")
        if self.notes:  # max-min's levels, found for this budget and these rules
            if data.budget != self.data.budget or instance.policy != self.instance.policy:
                raise Different("max-min's levels hold for their own budget and rules")
            return dataclasses.replace(self.data, weight=data.weight)
        return data

    def run(self, d: AllocationData) -> tuple[Outcome, LinearProgram]:
        """The stages on data ``d`` (this pipeline's cells and rows, other numbers: costs,
        bounds): stage 1 warm on the one HiGHS instance, the tie-break on a copy started
        from its basis, the certificate. Returns the outcome and the LP it answers;
        :class:`Different` when ``d``'s LP has other rows (other coefficients in the same
        places are changed in place: :meth:`highs.Solver.load`)."""
        from allocator.solving.engine import tie_break_stages

        clock = time.perf_counter()
        lp = build_lp(d)
        if not self.solver.load(lp):
            raise Different("another LP: other rows")
        first = self.solver.run()
        self.runs += 1
        if first.status != Status.OPTIMAL:
            # a fresh start settles a status a warm start may leave unsure
            first = highs.Solver(lp, algorithm="simplex").run()
            if first.status != Status.OPTIMAL:
                return Outcome(first.status, seconds=time.perf_counter() - clock), lp
        notes = list(self.notes)
        x = first.x[:lp.n_cells]
        if self.tie_break == "lexicographic":
            copy = highs.Solver(lp, algorithm="simplex")
            copy.h.setBasis(self.solver.h.getBasis())
            x, note = tie_break_stages(copy, lp, d, first.objective, first.x, first.col_dual,
                                       first.row_dual)
            if note is not None:
                notes.append(note)
        cert = certify(d, lp, x, first.row_dual, self.scale)
        return Outcome(Status.OPTIMAL, x, first.objective, first.row_dual, first.col_dual,
                       cert, notes, time.perf_counter() - clock), lp

    def result(self, instance: Instance) -> Result:
        """The engine's result for ``instance`` (this pipeline's instance with other weights)
        from one warm run: allocation, coverage, weighted unmet need, certificate. The
        studies' answers need no price of fairness, next million or rule rows."""
        from allocator.labels import text
        from allocator.solving.engine import allocation_of, coverage_of

        try:
            d = self.data_of(instance)
            outcome, lp = self.run(d)
        except Different:  # another model: the engine's full solve
            from allocator.solving.engine import solve

            return solve(instance, tie_break=self.tie_break, fairness_price=False,
                         marginal=False)
        info = SolverInfo("HiGHS", highs.version(), outcome.seconds, 1, "simplex")
        if outcome.status != Status.OPTIMAL:
            return Result(outcome.status, text("note_stopped", "en",
                                               status=outcome.status.value),
                          instance, self.tie_break, info,
                          notes=[("note_stopped", {"status": outcome.status.value})])
        x, scale = outcome.x, self.scale
        assert outcome.certificate is not None
        if not outcome.certificate.passed or any(k in UNFINISHED for k, _ in outcome.notes):
            # a warm answer that fails its check is asked again from scratch (the engine's
            # full solve, which stops with the certificate's words if that fails too); so
            # is one whose tie-break was cut short (its point depends on the solver's path)
            from allocator.solving.engine import solve

            return solve(instance, tie_break=self.tie_break, fairness_price=False,
                         marginal=False)
        return Result(
            status=Status.OPTIMAL,
            message=" ".join(["Optimal allocation found and certified.",
                              *[text(k, "en", **v) for k, v in outcome.notes]]),
            notes=outcome.notes, instance=instance, tie_break=self.tie_break, solver=info,
            allocation=allocation_of(instance, x * scale),
            coverage=coverage_of(instance, d, x, scale),
            weighted_unmet_eur=unmet(d, x) * scale,
            tier_penalty_eur=tier_penalty(d, x) * scale if d.shortfall_tiers else None,
            weighted_unmet_before_eur=unmet(d, np.zeros_like(x)) * scale,
            marginal_value=float(-outcome.col_dual[lp.columns["budget"]]),
            certificate=outcome.certificate, seconds={"solver": outcome.seconds})
