"""The stages every model's LP goes through, and one built model re-solved warm.

:func:`run_stages` takes any LP the builder made (the one-year LP, robust's over its
scenario axis, the agenda's over years and funders) with the model's own check and
tie-break, and runs max-min's levels, stage 1, the tie-break and the certificate's one
verdict, returning one :class:`Outcome`. Robust, the agenda and :meth:`Pipeline.run` call
it.

The rest of this module re-solves one built model warm as the studies around a solve
change it.

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

import copy
import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allocator.errors import Status
from allocator.inputs.instance import Instance
from allocator.solving import aggregate, highs
from allocator.solving.certify import (
    Certificate,
    judge,
    lagrangian_bound,
    objective,
    tier_penalty,
    unmet,
    violations,
)
from allocator.solving.maxmin import leximin_levels, with_levels, with_leximin
from allocator.solving.modeldata import money_scale, to_model_data
from allocator.solving.result import Note, Result, SolverInfo
from allocator.solving.stages import Edits
from models.builder import Coverages
from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram, build_lp, prices

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
    stages: dict[str, float] = field(default_factory=dict)  # seconds of each stage


#: A model's last tie-break stage: given the solver (holding the LP after the stages so far;
#: None where stage 1 was solved through the reduced LP), the LP and the last stage's
#: solution, the LP's columns it settles on and a note (None when it ran to the end).
TieBreak = Callable[["highs.Solver | None", LinearProgram, highs.Solution],
                    tuple[FloatArray, "Note | None"]]
#: A model's own check of an answer: given the LP's columns (and max-min's levels, where
#: found), each rule's largest violation and the objective's value there (model units).
Check = Callable[[FloatArray, "FloatArray | None"], tuple[Mapping[str, float], float]]
#: A stage between stage 1 and the tie-break (robust's worst case: the least expected unmet
#: need among the worst-case optima; the engine's next million); its solution, or None to
#: keep stage 1's.
Between = Callable[["highs.Solver | None", LinearProgram, highs.Solution],
                   "highs.Solution | None"]
#: Stage 1 solved the model's own way (the engine's reduced LP, or HiGHS under a time limit):
#: the solver that holds the LP (None for the reduced LP) and stage 1's solution.
Stage1 = Callable[[LinearProgram], tuple["highs.Solver | None", highs.Solution]]


def run_stages(lp: LinearProgram, scale: float, check: Check, tie_break: TieBreak, *,
               coverages: Coverages | None = None, max_loss: float | None = None,
               stage1: Stage1 | None = None, between: Between | None = None,
               solver: highs.Solver | None = None) -> tuple[Outcome, LinearProgram]:
    """Any model's LP through the stages every model shares, in order:

    1. max-min where ``coverages`` are given: the leximin levels
       (:func:`~allocator.solving.maxmin.leximin_levels`, within ``max_loss`` of the
       optimum where given), which then hold as the row block ``max_min``;
    2. stage 1: by ``stage1`` where given (the engine's reduced LP), else by HiGHS (on
       ``solver``, which holds ``lp`` and starts warm, where given; a warm start that ends
       unsure is solved afresh);
    3. ``between`` where given, then the model's ``tie_break``;
    4. the certificate: the model's ``check`` of the answer and the one verdict
       (:func:`~allocator.solving.certify.judge`) against the Lagrangian bound of stage
       1's duals.

    Every model calls it: the one-year solve (:func:`allocator.solving.engine.solve`), its
    warm re-solves (:meth:`Pipeline.run`), robust and the agenda. Returns the
    :class:`Outcome` (its ``x`` the LP's columns; its ``stages`` the seconds of each
    stage) and the LP it answers (with the ``max_min`` block, where added)."""
    clock = time.perf_counter()
    times: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    def stopped(status: Status) -> tuple[Outcome, LinearProgram]:
        return Outcome(status, seconds=sum(times.values()), stages=times), lp

    levels = None
    if coverages is not None:
        levels = leximin_levels(lp, coverages, max_loss)
        lap("max_min")
        if levels is None:
            return stopped(Status.INFEASIBLE)
        lp = with_levels(lp, coverages, levels)
    if stage1 is not None:
        solver, first = stage1(lp)
    else:
        warm = solver is not None
        solver = solver if solver is not None else highs.Solver(lp)
        first = solver.run()
        if first.status != Status.OPTIMAL and warm:
            # a fresh start settles a status a warm start may leave unsure
            solver = highs.Solver(lp, algorithm="simplex")
            first = solver.run()
    lap("stage1")
    if first.status != Status.OPTIMAL:
        return stopped(first.status)
    last = between(solver, lp, first) if between is not None else None
    lap("between")
    columns, note = tie_break(solver, lp, last if last is not None else first)
    lap("tie_break")
    checks, value = check(columns, levels)
    certificate = judge(checks, value, lagrangian_bound(lp, first.row_dual), scale)
    lap("certify")
    return Outcome(Status.OPTIMAL, columns, first.objective, first.row_dual, first.col_dual,
                   certificate, [] if note is None else [note], sum(times.values()),
                   times), lp


def _same(a: object, b: object) -> bool:
    """Whether two fields of model data hold the same values (arrays element by element)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f")))
    return a == b


class Pipeline:
    """The model of ``instance`` built once; :meth:`run` answers it under new weights."""

    def __init__(self, instance: Instance, tie_break: str = "lexicographic") -> None:
        self.instance, self.tie_break = instance, tie_break
        self.scale = money_scale(instance)
        data = to_model_data(instance, self.scale)
        self.notes: list[Note] = []
        tried: dict[str, Any] = {}
        if instance.policy.fairness == "max-min":
            def holds(candidate: AllocationData) -> bool:
                # the check of max-min's candidate (the levels money alone sets) is this
                # model's first solve: where the candidate stands, it is kept
                lp = build_lp(candidate)
                solver = highs.Solver(lp, algorithm="simplex")
                tried.update(data=candidate, lp=lp, solver=solver)
                return solver.run().status == Status.OPTIMAL

            # the levels do not depend on the weights (without an efficiency bound): found
            # once, they hold as per-region minimums in every question
            fair = with_leximin(data, None, holds=holds)
            if fair is not None:
                data = fair
                self.notes.append(("note_leximin", {}))
        self.data = data
        if tried and data.region_min is not None and np.array_equal(
                tried["data"].region_min, data.region_min, equal_nan=True):
            self.lp, self.solver = tried["lp"], tried["solver"]
        else:
            self.lp = build_lp(data)
            self.solver = highs.Solver(self.lp, algorithm="simplex")
        self.runs = 0

    def twin(self) -> Pipeline:
        """Another pipeline of the same model (its data, max-min's levels and LP shared,
        a HiGHS instance of its own), to answer questions on another thread."""
        other = copy.copy(self)
        other.notes = list(self.notes)
        other.solver = highs.Solver(self.lp, algorithm="simplex")
        other.runs = 0
        return other

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

    def _lp_of(self, d: AllocationData) -> LinearProgram:
        """The LP of ``d``: where ``d`` is this pipeline's data with other weights alone
        (a weight's question), its LP re-priced (the rows, bounds and columns are the
        same); else built afresh."""
        if all(name == "weight" or _same(getattr(d, name), getattr(self.data, name))
               for name in (f.name for f in dataclasses.fields(d))):
            cost, offset = prices(d)
            return dataclasses.replace(self.lp, cost=cost, offset=offset)
        return build_lp(d)

    def run(self, d: AllocationData) -> tuple[Outcome, LinearProgram]:
        """The stages on data ``d`` (this pipeline's cells and rows, other numbers: costs,
        bounds): stage 1 warm on the one HiGHS instance, the tie-break on a copy started
        from its basis, the certificate. Returns the outcome and the LP it answers;
        :class:`Different` when ``d``'s LP has other rows (other coefficients in the same
        places are changed in place: :meth:`highs.Solver.load`)."""
        from allocator.solving.engine import tie_break_stages

        lp = self._lp_of(d)
        if not self.solver.load(lp):
            raise Different("another LP: other rows")
        self.runs += 1

        def tie_break(solver: highs.Solver | None, lp: LinearProgram, first: highs.Solution
                      ) -> tuple[FloatArray, Note | None]:
            assert solver is not None  # stage 1 ran on HiGHS
            if self.tie_break != "lexicographic":
                return first.x[:lp.n_cells], None
            # on the LP changed on this side: stage 1's instance stays as it is for the next
            # question
            return tie_break_stages(Edits(lp), lp, d, first.objective, first.x,
                                    first.col_dual, first.row_dual)

        def check(x: FloatArray, _: FloatArray | None) -> tuple[Mapping[str, float], float]:
            return violations(d, x), objective(d, x)

        outcome, lp = run_stages(lp, self.scale, check, tie_break, solver=self.solver)
        outcome.notes[:0] = self.notes
        return outcome, lp

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
