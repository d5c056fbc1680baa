"""Lexicographic max-min fairness: raise the lowest regional coverage as far as it goes, then
the next lowest, and so on (Radunović and Le Boudec's water-filling, as a sequence of LPs).

Each round maximises a common level t that every region not yet fixed must reach:

    max t   s.t.  E_r + Σ_g x_rg ≥ t·N_r   (regions still rising)
                  E_r + Σ_g x_rg ≥ c_r·N_r (regions fixed at their level c_r)
                  every rule of the instance;  U ≤ (1 + ε)·U*  when a loss bound ε is given

A region whose row has a positive dual in that LP is held at t in every optimum
(complementary slackness), so it is fixed at c_r = t; the others rise in the next round.
The result is a per-region minimum in euros, c_r·N_r − E_r: the ordinary engine then
minimises weighted unmet need under it, with its tie-break and its certificate. So the
max-min answer is certified like any other, and still spends what is left efficiently.

The rounds run on any model's LP: :class:`Coverages` says which coverages it has and how
each reads the LP's columns — a region in the one-year model, a region in each need
scenario (``robust``: the money that meets need there), a region in each year or over the
period (``agenda``: every funder's money). :func:`with_levels` then adds the levels as a
``max_min`` row block, which the model's own solve, tie-break and certificate take as they
take any rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from allocator.solving.highs import Solver
from models.builder import Coverages, RowBlock
from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram, build_lp, region_rows, with_parameter

#: The levels are lowered by this relative margin when they become minimums, so that the
#: solver's own tolerances cannot make the final LP infeasible.
MARGIN = 1e-9


def leximin_levels(lp: LinearProgram, cov: Coverages, max_loss: float | None = None,
                   money: float | None = None) -> FloatArray | None:
    """The leximin coverage level of each coverage in ``cov``, subject to every row of
    ``lp`` (and its objective at most (1 + max_loss) times its optimum when given), or
    None if ``lp`` is infeasible.

    One HiGHS model holds every round: the level t and one row per coverage, built once;
    a round changes the rows' bounds (and t's coefficient in the rows it settles) and
    re-solves warm. Each round settles many coverages at once (see :func:`reach`): with T
    the highest t at which every rising coverage k can reach min(t, reach_k), every
    coverage whose reach is below T ends at its reach, and every one whose row has a
    positive dual at T ends at T. T is found by a bisection on t that changes bounds only
    (see :func:`_round`). ``money``, where given, is the most the coverages' own columns can
    take together (the one-year model's budget: each coverage is one region's money); it
    bounds the bisection from above."""
    bound = None
    if max_loss is not None:
        best = Solver(lp).run()
        if best.status != Status.OPTIMAL:
            return None
        bound = best.objective * (1.0 + max_loss) + 1e-9 * max(1.0, abs(best.objective))
    rounds = _Rounds(lp, cov, bound)
    ceiling = reach(lp, cov)
    rising = np.ones(cov.size, dtype=bool)
    level = np.zeros(cov.size)
    while rising.any():
        t, sol = _round(rounds, rising, level, ceiling, money)
        if sol is None:
            return None
        # every rising coverage ends at least at min(T, reach): at its reach where that is
        # below T, at T where its row holds T back (a positive dual)
        at_reach = rising & (ceiling <= t + TOLERANCE)
        level[at_reach] = np.minimum(ceiling[at_reach], t)
        rising &= ~at_reach
        dual = sol.row_dual[lp.n_rows: lp.n_rows + cov.size]
        held = rising & (dual > 1e-9)
        if not held.any() and not at_reach.any() or t >= 1.0 - 1e-12:
            held = rising  # nothing holds t back but its own bound of 1
        level[held] = t
        rising &= ~held
    return level


def _round(rounds: _Rounds, rising: np.ndarray, level: FloatArray, ceiling: FloatArray,
           money: float | None = None) -> tuple[float, Any]:
    """T, the highest t at which every rising coverage k reaches min(t, reach_k), and the
    solution of the LP that maximises t with the reaches below T pinned there ((0, None)
    when the rules cannot hold).

    First the free level t0 (every rising coverage at t): when no reach lies at or below
    it, T is t0 (one solve, the textbook's round). Otherwise T lies in [t0, 1], and whether
    every coverage can reach min(t, reach) at a given t is a question of row bounds alone
    (t fixed): a bisection over the reaches answers which of them lie below T, with warm
    re-solves that change bounds only. Those reaches are then pinned and t maximised once
    more, which gives T exactly and the duals that settle the coverages held at it.

    Where ``money`` bounds T from above (:func:`affordable`), the highest reach below that
    bound is probed first: where money is what holds the lowest coverages back, every
    reach below what it can pay lies below T, and that one probe settles which reaches are
    pinned, with no free level and no bisection (on a binding 1e4 instance: 2 solves
    instead of 10, 1.3 s instead of 2.9 s). Where it fails, the probe has narrowed the
    bracket, and the rounds go on as above."""
    reaches = np.sort(ceiling[rising])
    cap = float(min(1.0, reaches.max()))
    if money is not None:
        # no level the money cannot pay for can hold: the bisection's first probe then lies
        # near T, not far above it, where proving it infeasible took 1.7 s of a 3.7 s
        # max-min on a binding 1e4 instance
        cap = min(cap, affordable(rounds.cov, rising, level, ceiling, money))
        inside = reaches[(reaches > 0.0) & (reaches < cap)]
        if inside.size:
            top = float(inside[-1])
            if rounds.holds(rising, level, ceiling, top):
                exact = rounds.level(rising, level, ceiling,
                                     np.flatnonzero(rising & (ceiling <= top)))
                if exact is not None:
                    return exact
            else:
                cap = top
    free = rounds.level(rising, level, ceiling, np.zeros(0, dtype=np.int64))
    if free is None:
        return 0.0, None
    t0, sol = free
    below = rising & (ceiling <= t0 + TOLERANCE)
    if not below.any():
        return t0, sol  # no reach at or below the free level: T is it
    lower, upper = t0, max(t0, cap)
    # Only which reaches lie below T matters (the last solve finds T itself): bisect over
    # the reaches inside the bracket, until none is left strictly inside it.
    while True:
        inside = reaches[(reaches > lower) & (reaches < upper)]
        if not inside.size or upper - lower <= BISECTION_TOLERANCE * max(1.0, upper):
            break
        mid = float(inside[inside.size // 2])
        if rounds.holds(rising, level, ceiling, mid):
            lower = mid
        else:
            upper = mid
    pinned = np.flatnonzero(rising & (ceiling <= lower))
    exact = rounds.level(rising, level, ceiling, pinned)
    if exact is None:  # numerically at the edge: the bracket's feasible end stands
        return t0, sol
    return exact


def affordable(cov: Coverages, rising: np.ndarray, level: FloatArray, ceiling: FloatArray,
               money: float) -> float:
    """An upper bound on the round's level T where each coverage is paid from its own money
    and all of it from ``money``: the highest t at which bringing every rising coverage to
    min(t, its reach) and every settled one to its level costs at most ``money`` (found by
    bisection to far below the solver's tolerance, then rounded up, so it never cuts T)."""
    low, high = _paid(cov, rising, level, ceiling, money)
    return 1.0 if low >= 1.0 else min(1.0, high + TOLERANCE)


def _paid(cov: Coverages, rising: np.ndarray, level: FloatArray, ceiling: FloatArray,
          money: float) -> tuple[float, float]:
    """The level ``money`` pays for (see :func:`affordable`) as a bracket ``(low, high)``
    60 halvings wide: what brings every rising coverage to min(low, its reach) costs at
    most ``money``, to min(high, its reach) more ((1, 1) where 1 is paid for)."""
    settled = np.maximum(level[~rising] * cov.need[~rising] - cov.have[~rising], 0.0).sum()
    need, have, reach = cov.need[rising], cov.have[rising], ceiling[rising]

    def cost(t: float) -> float:
        return float(np.maximum(np.minimum(t, reach) * need - have, 0.0).sum()) + settled

    if cost(1.0) <= money:
        return 1.0, 1.0
    low, high = 0.0, 1.0
    for _ in range(60):
        mid = (low + high) / 2
        if cost(mid) <= money:
            low = mid
        else:
            high = mid
    return low, high


#: The bisection stops at the latest when its bracket is this narrow (relative); the final
#: solve then gives T exactly.
BISECTION_TOLERANCE = 1e-7


#: Coverages closer than this to a level are taken to be at it (the solver's tolerance).
TOLERANCE = 1e-9


def reach(lp: LinearProgram, cov: Coverages) -> FloatArray:
    """An upper bound on each coverage from its own columns alone: their bounds, and every
    row of ``lp`` over exactly the coverage's columns with proportional coefficients (a
    region's cap, its per-capita cap, its maximum amount). Where those are all the rows
    that hold a region back, the bound is the region's true reach, and max-min settles
    every such region in one round instead of one round each; elsewhere it is merely
    larger, and the rounds' duals settle the region."""
    rows = cov.rows.tocsr()
    rows.sort_indices()
    a = rows.data
    lower, upper = lp.col_lower[rows.indices], lp.col_upper[rows.indices]
    best = _row_sums(np.where(a > 0, a * upper, a * lower), rows.indptr)
    # rows of the LP with the same pattern: match on two random projections, then check
    rng = np.random.default_rng(0)
    probe = rng.random(lp.n_cols)
    # a fixed column (the budget, outside spend-all) is a constant: rows read without it
    fixed = np.flatnonzero(lp.col_lower == lp.col_upper)
    fixed_value = np.zeros(lp.n_cols)
    fixed_value[fixed] = lp.col_lower[fixed]
    m = lp.matrix.tocsr()
    shift = m @ fixed_value
    if fixed.size:
        keep = np.ones(lp.n_cols)
        keep[fixed] = 0.0
        m = (m @ sp.diags(keep)).tocsr()
        m.eliminate_zeros()
    m.sort_indices()

    def keys(mat: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        counts = np.diff(mat.indptr)
        firsts = np.where(counts > 0, mat.data[np.minimum(mat.indptr[:-1],
                                                          max(mat.nnz - 1, 0))], 1.0)
        scaled = mat.data / np.repeat(firsts, counts)
        pattern = np.round(_row_sums(probe[mat.indices], mat.indptr), 9)
        shape = np.round(_row_sums(probe[mat.indices] * scaled, mat.indptr), 9)
        return np.where(counts > 0, pattern, np.nan), shape, firsts

    cp, cs, cf = keys(rows)
    lp_p, lp_s, lp_f = keys(m)
    index = {(p, q): k for k, (p, q) in enumerate(zip(cp.tolist(), cs.tolist(), strict=True))
             if p == p}
    candidates = np.flatnonzero(np.isfinite(lp_p))
    found = [index.get(key) for key in zip(lp_p[candidates].tolist(),
                                           lp_s[candidates].tolist(), strict=True)]
    matched = np.array([k is not None for k in found], dtype=bool)
    r = candidates[matched]
    k = np.array([k for k in found if k is not None], dtype=np.int64)
    m_len, c_len = np.diff(m.indptr)[r], np.diff(rows.indptr)[k]
    same = m_len == c_len
    r, k, length = r[same], k[same], m_len[same]
    if r.size:
        # every matched pair checked at once: the same columns, coefficients in proportion
        ratio = lp_f[r] / cf[k]  # row = ratio * coverage's sum
        within = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
        at_m = np.repeat(m.indptr[r], length) + within
        at_c = np.repeat(rows.indptr[k], length) + within
        expected = np.repeat(ratio, length) * a[at_c]
        ok = (m.indices[at_m] == rows.indices[at_c]) & (
            np.abs(m.data[at_m] - expected) <= 1e-12 * np.abs(expected))
        starts = np.cumsum(length) - length
        proportional = np.logical_and.reduceat(ok, starts) if ok.size else ok
        proportional &= length > 0
        r, k, ratio = r[proportional], k[proportional], ratio[proportional]
        limit = np.where(ratio > 0, (lp.row_upper[r] - shift[r]) / ratio,
                         (lp.row_lower[r] - shift[r]) / ratio)
        finite = np.isfinite(limit)
        np.minimum.at(best, k[finite], limit[finite])
    return np.minimum((cov.have + best) / cov.need, 1.0)


def _row_sums(values: FloatArray, indptr: np.ndarray) -> FloatArray:
    """The sum of each CSR row's ``values`` (0 for an empty row). A zero is appended so that
    every row's start, a trailing empty row's too (it starts at the end), is an index:
    ``reduceat`` refuses a start beyond its array, and clipping the start instead would
    drop the last element of the last row that has one."""
    sums = np.add.reduceat(np.append(values, 0.0), indptr[:-1]) if indptr.size > 1 \
        else np.zeros(0)
    return np.where(np.diff(indptr) > 0, sums, 0.0)


class _Rounds:
    """The rounds' one HiGHS model: ``lp``, the level t (maximised, the last column), one row
    per coverage k, a.x_k - alpha_k N_k t >= lower_k, and the objective row when the
    efficiency loss is bounded. alpha_k is 1 while coverage k rises and 0 once it is
    settled or pinned; everything else a round asks is a change of bounds."""

    def __init__(self, lp: LinearProgram, cov: Coverages, bound: float | None) -> None:
        self.cov, self.first = cov, lp.n_rows
        self.t = lp.n_cols
        self.solver = Solver(_round_lp(lp, cov, np.ones(cov.size, dtype=bool),
                                       np.zeros(cov.size), bound))
        self.alpha = np.ones(cov.size)
        self.rows = np.arange(self.first, self.first + cov.size)
        self.solves = 0

    def level(self, rising: np.ndarray, level: FloatArray, ceiling: FloatArray,
              pinned: np.ndarray) -> tuple[float, Any] | None:
        """Maximise t with the rising coverages at t, ``pinned`` at their reach and the
        settled ones at their level: (t, the solution), or None."""
        cov = self.cov
        on_t = rising.copy()
        on_t[pinned] = False
        self._coefficients(on_t.astype(float))
        target = np.where(rising, ceiling, level)
        lower = np.where(on_t, -cov.have, target * cov.need - cov.have)
        self.solver.set_row_bounds(self.rows, lower, np.full(cov.size, np.inf))
        self.solver.set_col_bounds(self.t, 0.0, 1.0)
        sol = self._run()
        return None if sol is None else (float(sol.x[self.t]), sol)

    def holds(self, rising: np.ndarray, level: FloatArray, ceiling: FloatArray,
              t: float) -> bool:
        """Whether every rising coverage can reach min(t, reach) at once (the settled ones
        at their level): t fixed, bounds alone change. With alpha_k = 1 a row reads
        a.x_k - N_k t >= (min(t, reach_k) - t) N_k - E_k."""
        cov = self.cov
        lower = np.where(self.alpha > 0,
                         (np.minimum(t, ceiling) - t) * cov.need - cov.have,
                         np.where(rising, ceiling, level) * cov.need - cov.have)
        self.solver.set_row_bounds(self.rows, lower, np.full(cov.size, np.inf))
        self.solver.set_col_bounds(self.t, t, t)
        return self._run() is not None

    def _coefficients(self, alpha: FloatArray) -> None:
        h = self.solver.h
        for k in np.flatnonzero(alpha != self.alpha):
            h.changeCoeff(int(self.rows[k]), int(self.t), float(-alpha[k] * self.cov.need[k]))
        self.alpha = alpha

    def _run(self) -> Any:
        sol = self.solver.run()
        self.solves += 1
        return sol if sol.status == Status.OPTIMAL else None


def with_levels(lp: LinearProgram, cov: Coverages, levels: FloatArray) -> LinearProgram:
    """``lp`` with the block ``max_min``: each coverage at least its level (lowered by
    :data:`MARGIN`)."""
    lower = levels * (1.0 - MARGIN) * cov.need - cov.have
    start = lp.n_rows
    return dataclasses.replace(
        lp, matrix=sp.vstack([lp.matrix, cov.rows]).tocsc(),
        row_lower=np.concatenate([lp.row_lower, lower]),
        row_upper=np.concatenate([lp.row_upper, np.full(cov.size, np.inf)]),
        blocks=[*lp.blocks, RowBlock("max_min", start, start + cov.size, cov.over,
                                     np.asarray(cov.index, dtype=np.int64), cov.outer)])


def region_coverages(d: AllocationData, n_cols: int) -> Coverages:
    """The one-year model's coverages: one per region with need, on the cells x."""
    covered = d.covered_regions
    return Coverages(region_rows(d, covered, np.zeros(covered.size), n_cols),
                     d.region_need[covered], d.region_covered[covered], "region", covered)


def leximin_minimums(d: AllocationData, max_loss: float | None = None,
                     holds: Callable[[AllocationData], bool] | None = None
                     ) -> FloatArray | None:
    """Per-region minimum allocation (model units) that realises the leximin coverage, or
    None if the rules cannot hold at all. ``max_loss`` bounds the weighted unmet need to
    (1 + max_loss) times its optimum without max-min. ``holds`` says whether every rule of
    a candidate (``d`` with the levels money alone sets as its minimums: :func:`by_money`)
    holds; by default its stage 1 (the engine passes its own, and keeps it for the
    answer)."""
    base = build_lp(d)
    cov = region_coverages(d, base.n_cols)

    def minimums(level: FloatArray) -> FloatArray:
        minimum = np.full(len(d.regions), np.nan)
        minimum[cov.index] = np.maximum(level * (1.0 - MARGIN) * cov.need - cov.have, 0.0)
        return minimum if d.region_min is None else np.fmax(minimum, d.region_min)

    if max_loss is None:
        paid = by_money(base, cov, d.budget)
        if paid is not None:
            candidate = minimums(paid)
            if (holds or _holds)(dataclasses.replace(d, region_min=candidate)):
                return candidate
    level = leximin_levels(base, cov, max_loss, money=d.budget)
    return None if level is None else minimums(level)


def by_money(lp: LinearProgram, cov: Coverages, money: float) -> FloatArray | None:
    """The leximin levels where money alone sets them, if every other rule lets it (which
    the caller asks: one solve): None where money does not bind.

    T is the level ``money`` pays for (:func:`_paid`: bringing every coverage to
    min(T, its reach) costs all of it, to far below the solver's tolerance); no higher
    lowest level can be paid for, so where every rule holds with each coverage at
    min(T, its reach), T is the first round's level, and that round settles every
    coverage: one whose reach is below T ends at its reach; one that needs money to reach
    T ends at T, as every euro is spent on holding the coverages at their levels and
    raising it would lower another; one its existing money covers beyond T ends at its
    own coverage, as no euro is left to raise it. Those are the textbook's rounds' levels
    without a round (on a binding 1e4 instance: 0.1 s against 1.1 s for the one-probe
    round; at 1e5 the check goes through the reduced LP)."""
    ceiling = reach(lp, cov)
    rising = np.ones(cov.size, dtype=bool)
    t, _ = _paid(cov, rising, np.zeros(cov.size), ceiling, money)
    if not cov.size or t >= min(1.0, float(ceiling.max())):
        return None  # money does not hold the lowest back: the rounds decide
    own = np.minimum(cov.have / cov.need, 1.0)
    return np.where(ceiling <= t, ceiling, np.maximum(t, own))


def _holds(d: AllocationData) -> bool:
    """Whether every rule of ``d`` holds: its stage 1 as the engine solves it (through the
    reduced LP from its size: 2.5 s at 1e5 cells, where the round's probe on the whole LP
    took 51.6 s)."""
    from allocator.solving.aggregate import optimum

    return optimum(build_lp(d), d).status == Status.OPTIMAL


def with_leximin(d: AllocationData, max_loss: float | None = None,
                 holds: Callable[[AllocationData], bool] | None = None
                 ) -> AllocationData | None:
    """``d`` with the leximin levels added as per-region minimums (``holds``: see
    :func:`leximin_minimums`)."""
    minimum = leximin_minimums(d, max_loss, holds)
    return None if minimum is None else dataclasses.replace(d, region_min=minimum)


def _round_lp(base: LinearProgram, cov: Coverages, rising: np.ndarray, level: FloatArray,
              bound: float | None) -> LinearProgram:
    """``base`` plus the level t (maximised, the last column) and one row per coverage:
    rising ones a.x - N t >= -E, fixed ones a.x >= c N - E; and the objective <= bound if
    given."""
    n = base.n_cols + 1
    t = sp.csr_matrix(np.where(rising, -cov.need, 0.0)[:, None])
    rows = sp.hstack([cov.rows, t]).tocsr()
    lower = np.where(rising, -cov.have, level * cov.need - cov.have)
    upper = np.full(cov.size, np.inf)
    if bound is not None:  # the objective, cost.x + offset <= bound
        objective = sp.csr_matrix(np.append(base.cost, 0.0)[None, :])
        rows = sp.vstack([rows, objective]).tocsr()
        lower = np.append(lower, -np.inf)
        upper = np.append(upper, bound - base.offset)
    assert rows.shape[1] == n
    return with_parameter(base, rows, lower, upper, sign=-1.0, upper=1.0)
