r"""Stage 1 by aggregation: the LP :func:`models.matrix.build_lp` makes, solved through a
small one, exactly.

The LP has few *coupling* rows (the budget, one share row per goal) and few *level* columns
(the coverage gap's lowest and highest coverage); every other row is a sum over one region's
cells (``X_r``), plus level columns and fixed columns. For given prices ``y`` on the
coupling rows and given levels ``v``, the problem separates by region, and each region's
part is a greedy: its cells in order of their priced weight ``p_c = -c_c + A_c' y``, filled
while ``p_c > 0``, the total clamped to the region's bounds at ``v``. The answer says, for
each region, which row holds it (if any), which cell is the one left between its bounds
(the *free* cell) and which cells are full.

Given such a classification of the regions, a region that is held by a row is an affine
function of the levels (its free cell takes what the row leaves), and a region held by
none is a constant. Folded in, the regions leave a small LP (the *reduced* LP): the level
columns, the coupling rows with the folded regions' sums as constants and level
coefficients, the regions whose class is uncertain (the *working set*) in full, and the
folded regions' other rows as rows over the levels alone (parallel ones merged into the
tightest). HiGHS solves it; its prices and levels classify the regions again. When no
folded region changes class and no folded region's row binds, the folded classes are the
greedy answer at the reduced LP's prices: every region satisfies its optimality conditions
and the reduced LP's optimum is the whole LP's. A region that changes class joins the
working set; after FREE_ROUNDS rounds the working set only grows, so the method ends (at
worst with every region in the working set: the whole LP).

The first classification needs prices and levels near the optimum's: an LP over a sample of
the regions gives them roughly, and Newton's method on the coupling rows' excess over all
regions sharpens the prices; the regions whose class could change within what is left of
their uncertainty start in the working set (see docs/model.md, "Solving at scale").

The answer comes back as a whole-LP solution (every column, every row's dual), so the
certificate checks it exactly as it checks HiGHS's own: feasibility from the data, and
the Lagrangian bound of the duals. Whatever this method cannot take (shortfall tiers'
columns, a layout that is not region sums, a class that keeps changing), it declines, and
the engine solves the whole LP with HiGHS.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from allocator.solving import highs, stages
from allocator.solving.certify import GAP_TOLERANCE, VIOLATION_TOLERANCE, lagrangian_bound
from allocator.solving.stages import (
    FIXING_TOLERANCE,
    QP_SCALE,
    STAGE_TOLERANCE,
    max_min_stage,
    stacked,
)
from models.data import AllocationData, FloatArray, IntArray
from models.matrix import LinearProgram

log = logging.getLogger(__name__)

#: From this many cells ``algorithm="auto"`` solves stage 1 through the reduced LP; below,
#: HiGHS's simplex on the whole LP is as fast and warm-starts the later stages.
MIN_CELLS = 20_000

#: Rounds in which the working set is made afresh (the uncertain regions and those whose
#: class changed last); after them it only grows.
FREE_ROUNDS = 3
#: Rounds of classify - reduced LP before the method declines.
MAX_ROUNDS = 20
#: The first classification comes from a sample of this share of the regions (at least
#: SAMPLE_MIN of them), solved as an LP of its own with its coupling bounds scaled down.
SAMPLE_SHARE = 0.02
SAMPLE_MIN = 2000
#: Relative tolerances (of the largest weight, of a region's money) under which a priced
#: weight counts as zero and a region's total as on a bound: such regions are uncertain and
#: go to the working set.
PRICE_TOLERANCE = 1e-9
MONEY_TOLERANCE = 1e-9
#: The prices' first guess is refined by Newton's method on the coupling rows' excess: its
#: finite-difference step (of the largest weight), its rounds, the excess it stops at (of the
#: rows' bounds), and the least uncertainty it leaves on a price (of the largest weight).
CLEAR_STEP = 5e-3
CLEAR_ROUNDS = 8
CLEAR_TOLERANCE = 1e-6
CLEAR_WIDTH = 1e-4
#: ... and how many times a price's width may double before its row's excess changes sign
#: within it.
CLEAR_BRACKETS = 8
#: When a row over the levels binds, this many of the regions that set it (tightest first)
#: join the working set, doubling each time the same row binds again.
IMPLIED_FIRST = 4
#: The cost of a euro the elastic columns add to or take from a coupling row (times the
#: largest weight).
ELASTIC_PENALTY = 1e3
#: A row of the reduced LP over the levels alone binds when its dual exceeds this.
DUAL_TOLERANCE = 1e-9


class Declined(Exception):
    """The method cannot give the optimum (the engine then solves the whole LP): ``kind``
    "shape" (the LP is not of the shape it takes) or "solve" (no optimum reached: an
    infeasible instance, a time limit, a class that keeps changing)."""

    def __init__(self, why: str, kind: str = "solve") -> None:
        super().__init__(why)
        self.kind = kind


@dataclass
class Shape:
    """The whole LP, read as coupling rows, region rows, level rows and level columns."""

    lp: LinearProgram
    n: int  # cells
    n_regions: int
    cell_region: IntArray
    canonical: IntArray  # the cells by region, then goal
    slots: IntArray  # (R, M) cell of each region slot (goals in order), -1 for none
    cost: FloatArray  # cells' cost (min form)
    upper: FloatArray  # cells' upper bounds (their lower bounds are 0)
    levels: IntArray  # level columns (free, bounded, few)
    fixed_value: FloatArray  # value of every column that is fixed (0 elsewhere)
    coupling: IntArray  # rows over cells of many regions
    c_cells: sp.csr_matrix  # coupling rows x cells
    c_levels: FloatArray  # coupling rows x levels
    c_lo: FloatArray
    c_hi: FloatArray
    region_rows: IntArray  # rows X_r + a.v in [lo, hi], sorted by region
    r_region: IntArray
    r_levels: FloatArray  # region rows x levels
    r_lo: FloatArray
    r_hi: FloatArray
    r_start: IntArray  # first region row of each region (R + 1)
    level_rows: IntArray  # rows over levels alone
    l_coef: FloatArray
    l_lo: FloatArray
    l_hi: FloatArray


def read(lp: LinearProgram, d: AllocationData) -> Shape:
    """Read ``lp`` (the LP of ``d``) as coupling rows, region rows and level rows;
    :class:`Declined` when a row or column does not fit."""
    cell_region, n_regions = d.cell_region, len(d.regions)
    n = lp.n_cells
    if np.any(lp.col_lower[:n] != 0.0) or not np.all(np.isfinite(lp.col_upper[:n])):
        raise Declined("cells not in [0, u]", "shape")
    fixed = np.flatnonzero(lp.col_lower == lp.col_upper)
    fixed = fixed[fixed >= n]
    fixed_value = np.zeros(lp.n_cols)
    fixed_value[fixed] = lp.col_lower[fixed]
    free = np.setdiff1d(np.arange(n, lp.n_cols), fixed)
    if free.size > 4:
        raise Declined("more than four level columns", "shape")
    a = lp.matrix.tocsr()
    shift = a @ fixed_value  # what the fixed columns add to each row
    lo, hi = lp.row_lower - shift, lp.row_upper - shift
    cells = a[:, :n].tocsr()
    levels = a[:, free].toarray() if free.size else np.zeros((lp.n_rows, 0))
    counts = np.diff(cells.indptr)
    row_of = np.repeat(np.arange(lp.n_rows), counts)
    regions_of = cell_region[cells.indices]
    first = np.full(lp.n_rows, -1, dtype=np.int64)
    first[row_of[::-1]] = regions_of[::-1]
    lowest = np.full(lp.n_rows, n_regions, dtype=np.int64)
    np.minimum.at(lowest, row_of, regions_of)
    highest = np.full(lp.n_rows, -1, dtype=np.int64)
    np.maximum.at(highest, row_of, regions_of)
    one_region = (counts > 0) & (lowest == highest)
    if one_region.any():
        ones = cells.data[one_region[row_of]]
        if not np.all(ones == 1.0):
            raise Declined("a region row that is not a plain sum of its cells", "shape")
    is_level = counts == 0
    is_coupling = (counts > 0) & ~one_region
    # a level column may sit in region rows and level rows, not in coupling rows
    if free.size and np.any(levels[is_coupling] != 0.0):
        raise Declined("a coupling row over a level column", "shape")
    region_rows = np.flatnonzero(one_region)
    r_region = first[region_rows]
    order = np.argsort(r_region, kind="stable")
    region_rows, r_region = region_rows[order], r_region[order]
    # region slots: the cells of each region, in cell order
    per_region = np.bincount(cell_region, minlength=n_regions)
    width = int(per_region.max(initial=0))
    if width == 0 or n_regions * width > 4 * n + 16:
        raise Declined("regions too unequal in cells", "shape")
    # every order below is by region, then goal (both ids, sorted): the reduced LP and its
    # answer do not depend on the order of the rows in the files
    by_region = np.lexsort((d.cell_goal, cell_region))
    start = np.concatenate([[0], np.cumsum(per_region)])
    slot = np.arange(n) - start[cell_region[by_region]]
    slots = np.full((n_regions, width), -1, dtype=np.int64)
    slots[cell_region[by_region], slot] = by_region
    coupling = np.flatnonzero(is_coupling)
    level_rows = np.flatnonzero(is_level)
    return Shape(
        lp=lp, n=n, n_regions=n_regions, cell_region=cell_region, canonical=by_region,
        slots=slots,
        cost=lp.cost[:n].copy(), upper=lp.col_upper[:n].copy(), levels=free,
        fixed_value=fixed_value, coupling=coupling, c_cells=cells[coupling],
        c_levels=levels[coupling], c_lo=lo[coupling], c_hi=hi[coupling],
        region_rows=region_rows, r_region=r_region, r_levels=levels[region_rows],
        r_lo=lo[region_rows], r_hi=hi[region_rows],
        r_start=np.searchsorted(r_region, np.arange(n_regions + 1)).astype(np.int64),
        level_rows=level_rows, l_coef=levels[level_rows], l_lo=lo[level_rows],
        l_hi=hi[level_rows])


@dataclass
class Classes:
    """Each region's class at given prices and levels."""

    held: IntArray  # the region row holding the region (index into Shape.region_rows), -1
    free: IntArray  # the free cell (-1: none)
    low: np.ndarray  # (R,) held on its row's lower bound (else its upper)
    full: np.ndarray  # (R, M) slots at their upper bound
    uncertain: np.ndarray  # (R,) on a tie, a bound or an infeasible pair of bounds
    x: FloatArray  # every cell's greedy amount
    p: FloatArray  # (R, M) priced weights of the slots
    free_slot: IntArray  # (R,) the free cell's slot, -1


def classify(s: Shape, y: FloatArray, v: FloatArray, price_tol: float,
             money_tol: float) -> Classes:
    """The greedy answer of every region at coupling prices ``y`` and levels ``v``."""
    n_regions, width = s.slots.shape
    present = s.slots >= 0
    cell = np.where(present, s.slots, 0)
    priced = -s.cost + s.c_cells.T @ y  # p_c
    p = np.where(present, priced[cell], -np.inf)
    u = np.where(present, s.upper[cell], 0.0)
    # the region's bounds at v, and the rows that set them
    lower = s.r_lo - s.r_levels @ v
    upper = s.r_hi - s.r_levels @ v
    total = u.sum(axis=1)
    low = np.zeros(n_regions)
    high = total.copy()
    # reduce over the regions that have rows alone: their starts rise strictly, so each
    # reduction runs to the next one's first row (a region without rows, wherever its id
    # sorts, takes no row from the region before it)
    has = np.flatnonzero(np.diff(s.r_start) > 0)
    if has.size:
        starts = s.r_start[has]
        low[has] = np.maximum(np.maximum.reduceat(lower, starts), 0.0)
        high[has] = np.minimum(np.minimum.reduceat(upper, starts), total[has])
    scale = np.maximum(np.maximum(np.abs(low), np.abs(high)), 1.0) * money_tol
    order = np.argsort(-p, axis=1, kind="stable")
    ps = np.take_along_axis(p, order, axis=1)
    us = np.take_along_axis(u, order, axis=1)
    cum = np.cumsum(us, axis=1)
    wanted = np.where(p > 0, u, 0.0).sum(axis=1)
    x = np.clip(wanted, low, high)
    infeasible = low > high + scale
    held_low = wanted < low - scale
    held_high = wanted > high + scale
    held = held_low | held_high
    near = ~held & (((np.abs(wanted - low) <= scale) & (low > 0))
                    | ((np.abs(wanted - high) <= scale) & (high < total)))
    k = np.minimum((cum < x[:, None] - scale[:, None]).sum(axis=1), width - 1)
    left = x - (cum - us)[np.arange(n_regions), k]
    at_k = us[np.arange(n_regions), k]
    degenerate = held & ((left <= scale) | (left >= at_k - scale))
    # a zero priced weight in an unheld region: the region could take any amount of it
    tie = ~held & np.any((np.abs(p) <= price_tol) & (u > 0), axis=1)
    # which row holds a held region (two rows at the same bound: uncertain)
    row = np.full(n_regions, -1, dtype=np.int64)
    two = np.zeros(n_regions, dtype=bool)
    if len(lower):
        region = s.r_region
        bound = np.where(held_low[region], lower, upper)
        target = np.where(held_low, low, high)[region]
        hits = held[region] & (np.abs(bound - target) <= scale[region])
        count = np.bincount(region[hits], minlength=n_regions)
        two = count > 1
        pick = np.flatnonzero(hits)
        row[region[pick[::-1]]] = pick[::-1]
        # held by a cell total or by 0 (no row): not a row's hold
        no_row = held & (row < 0)
        degenerate |= no_row
    # a held region whose free cell's priced weight ties another cell's, or zero: the split
    # of its money, or whether the row holds it at all, is not decided by the prices
    pf = ps[np.arange(n_regions), k]
    tie |= held & (np.abs(pf) <= price_tol)
    with np.errstate(invalid="ignore"):  # -inf - -inf in empty slots (us = 0 there)
        close = np.abs(ps - pf[:, None]) <= price_tol
    tie |= held & np.any(close & (us > 0) & (np.arange(width)[None, :] != k[:, None]), axis=1)
    free_slot = order[np.arange(n_regions), k]
    free = np.where(held, s.slots[np.arange(n_regions), free_slot], -1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(width)[None, :].repeat(n_regions, 0), axis=1)
    full = np.where(held[:, None], rank < k[:, None], (p > 0)) & present
    uncertain = infeasible | near | degenerate | tie | two
    amount = np.clip(x[:, None] - (cum - us), 0.0, us)
    amount = np.take_along_axis(amount, rank, axis=1)
    cells = np.zeros(s.n)
    cells[s.slots[present]] = amount[present]
    return Classes(held=np.where(held, row, -1), free=free, low=held_low, full=full,
                   uncertain=uncertain, x=cells, p=p, free_slot=np.where(held, free_slot, -1))


@dataclass
class Reduced:
    """The reduced LP and how to read its answer back."""

    lp: LinearProgram
    work_cells: IntArray
    work_rows: IntArray  # region rows (indices into Shape.region_rows) in the LP
    n_level_rows: int
    # per row over the levels: its direction, and the regions that bound it from below and
    # from above, tightest first
    implied: list[tuple[FloatArray, IntArray, IntArray]]
    const: FloatArray  # the folded cells' values at v = 0 (all cells; work cells 0)
    slope: FloatArray  # (n, L) their change per unit of each level
    # The level columns are scaled to a largest coefficient of 1 (the folded regions' sums
    # give them coefficients in the thousands): column j holds level_scale[j] x level j.
    level_scale: FloatArray

    def levels(self, columns: FloatArray) -> FloatArray:
        """The levels at reduced-LP columns ``columns``."""
        n_work = self.work_cells.size
        return columns[n_work:n_work + self.level_scale.size] / self.level_scale


def reduce(s: Shape, c: Classes, work: np.ndarray) -> Reduced:
    """The reduced LP of classification ``c`` with working regions ``work`` (bool, R)."""
    n, n_levels = s.n, s.levels.size
    n_regions = s.n_regions
    folded = ~work
    present = s.slots >= 0
    cell = np.where(present, s.slots, 0)
    # folded cells at v = 0, and their slope in the levels
    const = np.zeros(n)
    slope = np.zeros((n, n_levels))
    full = c.full & folded[:, None]
    const[s.slots[full]] = s.upper[s.slots[full]]
    fixed_sum = np.where(full, s.upper[cell], 0.0).sum(axis=1)
    held = folded & (c.held >= 0)
    regions = np.flatnonzero(held)
    rows = c.held[regions]
    side_low = c.low[regions]
    bound = np.where(side_low, s.r_lo[rows], s.r_hi[rows])
    f = c.free[regions]
    const[f] = bound - fixed_sum[regions]
    slope[f] = -s.r_levels[rows]
    # region totals of folded regions, as const + slope.v
    x_const = np.bincount(s.cell_region, const, minlength=n_regions)
    x_slope = np.zeros((n_regions, n_levels))
    if n_levels:
        x_slope[regions] = -s.r_levels[rows]
    # Rows over levels alone: each folded free cell in [0, u], each folded region row.
    dirs: list[FloatArray] = []
    los: list[FloatArray] = []
    his: list[FloatArray] = []
    who: list[IntArray] = []
    if n_levels:
        dirs.append(slope[f])
        los.append(-const[f])
        his.append(s.upper[f] - const[f])
        who.append(regions)
        on = folded[s.r_region]
        rr = np.flatnonzero(on)
        reg = s.r_region[rr]
        d = s.r_levels[rr] + x_slope[reg]
        dirs.append(d)
        los.append(s.r_lo[rr] - x_const[reg])
        his.append(s.r_hi[rr] - x_const[reg])
        who.append(reg)
    implied_rows, implied = _merge(dirs, los, his, who, n_levels)
    # the LP
    work_cells = s.canonical[work[s.cell_region[s.canonical]]]
    work_rows = np.flatnonzero(work[s.r_region])
    k = s.coupling.size
    c_const = s.c_cells @ const
    c_slope = s.c_cells @ slope if n_levels else np.zeros((k, 0))
    obj_const = float(s.cost @ const)
    obj_slope = s.cost @ slope if n_levels else np.zeros(0)
    n_cols = work_cells.size + n_levels
    blocks = [
        sp.hstack([s.c_cells[:, work_cells], sp.csr_matrix(s.c_levels + c_slope)]),
    ]
    lo = [s.c_lo - c_const]
    hi = [s.c_hi - c_const]
    # region rows of working regions
    pos = np.full(n, -1, dtype=np.int64)
    pos[work_cells] = np.arange(work_cells.size)
    wr_region = s.r_region[work_rows]
    w_slots = s.slots[wr_region]
    ok = w_slots >= 0
    r_idx = np.repeat(np.arange(work_rows.size), ok.sum(axis=1))
    c_idx = pos[w_slots[ok]]
    region_block = sp.csr_matrix((np.ones(c_idx.size), (r_idx, c_idx)),
                                 shape=(work_rows.size, work_cells.size))
    blocks.append(sp.hstack([region_block, sp.csr_matrix(s.r_levels[work_rows])]))
    lo.append(s.r_lo[work_rows])
    hi.append(s.r_hi[work_rows])
    blocks.append(sp.hstack([sp.csr_matrix((s.level_rows.size, work_cells.size)),
                             sp.csr_matrix(s.l_coef)]))
    lo.append(s.l_lo)
    hi.append(s.l_hi)
    if implied_rows is not None:
        d, ilo, ihi = implied_rows
        blocks.append(sp.hstack([sp.csr_matrix((d.shape[0], work_cells.size)),
                                 sp.csr_matrix(d)]))
        lo.append(ilo)
        hi.append(ihi)
    matrix, penalty = _elastic(sp.vstack(blocks).tocsr(), k, s)
    lv = slice(work_cells.size, work_cells.size + n_levels)
    level_scale = np.ones(n_levels)
    if n_levels and matrix.shape[0]:
        level_scale = np.asarray(abs(matrix[:, lv]).max(axis=0).toarray()).ravel()
        level_scale = np.where(level_scale > 0, level_scale, 1.0)
        matrix = (matrix @ sp.diags(np.concatenate([
            np.ones(work_cells.size), 1.0 / level_scale, np.ones(penalty.size)]))).tocsc()
    cost = np.concatenate([s.cost[work_cells], (s.lp.cost[s.levels] + obj_slope) / level_scale,
                           penalty])
    lp = LinearProgram(
        cost=cost, offset=s.lp.offset + obj_const + float(s.lp.cost @ s.fixed_value),
        col_lower=np.concatenate([np.zeros(work_cells.size),
                                  s.lp.col_lower[s.levels] * level_scale,
                                  np.zeros(penalty.size)]),
        col_upper=np.concatenate([s.upper[work_cells], s.lp.col_upper[s.levels] * level_scale,
                                  np.full(penalty.size, np.inf)]),
        matrix=matrix, row_lower=np.concatenate(lo), row_upper=np.concatenate(hi),
        n_cells=work_cells.size)
    assert lp.n_cols == n_cols + penalty.size
    return Reduced(lp, work_cells, work_rows, s.level_rows.size, implied, const, slope,
                   level_scale)


#: Fixed weights that turn a direction over the levels into one number (for grouping).
_KEY_WEIGHTS = np.array([1.0, np.sqrt(2.0), np.sqrt(3.0), np.sqrt(5.0), np.sqrt(7.0)])


def _merge(dirs: list[FloatArray], los: list[FloatArray], his: list[FloatArray],
           who: list[IntArray], n_levels: int
           ) -> tuple[tuple[FloatArray, FloatArray, FloatArray] | None,
                      list[tuple[FloatArray, IntArray, IntArray]]]:
    """Rows a.v in [lo, hi] over the levels, parallel ones merged into the tightest: one
    row per direction, with the region that sets each side."""
    if not dirs or n_levels == 0 or not sum(len(x) for x in dirs):
        return None, []
    d = np.concatenate(dirs)
    lo = np.concatenate(los)
    hi = np.concatenate(his)
    region = np.concatenate(who)
    norm = np.abs(d).max(axis=1)
    keep = norm > 0
    d, lo, hi, region, norm = d[keep], lo[keep], hi[keep], region[keep], norm[keep]
    lead = d[np.arange(d.shape[0]), np.argmax(np.abs(d) > 0, axis=1)] if d.size else norm
    sign = np.sign(lead)
    scale = sign * norm
    d = d / scale[:, None]
    lo, hi = lo / scale, hi / scale
    lo, hi = np.where(scale > 0, lo, hi), np.where(scale > 0, hi, lo)
    key = np.round(d, 12)
    # group equal directions by a 1-D key (np.unique over rows sorts them as records: 4 s
    # at 1e6 rows); the key's collisions are checked and then grouped the slow way
    _, first, inverse = np.unique(key @ _KEY_WEIGHTS[:key.shape[1]], return_index=True,
                                  return_inverse=True)
    groups = key[first]
    if np.any(groups[inverse] != key):
        groups, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    out_lo = np.full(groups.shape[0], -np.inf)
    out_hi = np.full(groups.shape[0], np.inf)
    np.maximum.at(out_lo, inverse, lo)
    np.minimum.at(out_hi, inverse, hi)
    implied = []
    for g in range(groups.shape[0]):
        mine = np.flatnonzero(inverse == g)
        below = mine[np.isfinite(lo[mine])]
        above = mine[np.isfinite(hi[mine])]
        implied.append((groups[g], region[below[np.argsort(-lo[below], kind="stable")]],
                        region[above[np.argsort(hi[above], kind="stable")]]))
    return (groups.astype(float), out_lo, out_hi), implied


def optimum(lp: LinearProgram, d: AllocationData) -> highs.Solution:
    """Stage 1 of ``lp`` (the LP of ``d``) as ``algorithm="auto"`` solves it: through the
    reduced LP from MIN_CELLS cells (the whole LP when it declines), else HiGHS's simplex."""
    if lp.n_cells >= MIN_CELLS:
        try:
            return solve(lp, d).solution
        except Declined:
            pass
    return highs.Solver(lp).run()


@dataclass
class Aggregated:
    """The whole LP's optimum from the reduced LP, with what the tie-break needs: the
    reduced LP, its solution, and how its columns give the cells."""

    solution: highs.Solution  # of the whole LP
    shape: Shape
    reduced: Reduced
    reduced_solution: highs.Solution
    rounds: int
    working_regions: int
    seconds: float

    def cells(self, columns: FloatArray) -> FloatArray:
        """The cells of the whole LP at reduced-LP columns ``columns``."""
        red = self.reduced
        n_work = red.work_cells.size
        x = red.const + (red.slope @ red.levels(columns) if self.shape.levels.size else 0.0)
        x[red.work_cells] = columns[:n_work]
        return np.clip(x, 0.0, self.shape.upper)


def solve(lp: LinearProgram, d: AllocationData, *, seed: int = 0,
          time_limit: float | None = None) -> Aggregated:
    """The optimum of ``lp``, the LP of ``d`` (see the module docstring); :class:`Declined`
    when the method cannot give it."""
    clock = time.perf_counter()
    s = read(lp, d)
    n_regions = s.n_regions
    y, v = _start(s, seed)
    tol = PRICE_TOLERANCE * max(1.0, float(np.abs(s.cost).max(initial=0.0)))
    y, width = _clear(s, y, v, tol)
    c = classify(s, y, v, tol, MONEY_TOLERANCE)
    work = c.uncertain | _band(s, c, width)
    k = s.coupling.size
    times: dict[tuple[tuple[float, ...], bool], int] = {}
    for rounds in range(1, MAX_ROUNDS + 1):
        red = reduce(s, c, work)
        left = None if time_limit is None else time_limit - (time.perf_counter() - clock)
        if left is not None and left <= 0:
            raise Declined("time limit")
        solver = highs.Solver(red.lp, algorithm="simplex", time_limit=left)
        sol = solver.run()
        if sol.status != Status.OPTIMAL:
            raise Declined(f"reduced LP {sol.status.value}")
        y = sol.row_dual[:k]
        v = red.levels(sol.x)
        # A row over the levels that binds holds the levels back: the regions that set it
        # join the working set, the tightest first, twice as many each time it binds again.
        moved = np.zeros(n_regions, dtype=bool)
        first = k + red.work_rows.size + red.n_level_rows
        for (direction, at_lo, at_hi), dual in zip(red.implied, sol.row_dual[first:],
                                                   strict=True):
            if abs(dual) > DUAL_TOLERANCE:
                key = (tuple(np.round(direction, 12)), dual > 0)
                times[key] = times.get(key, 0) + 1
                count = max(IMPLIED_FIRST, n_regions // 2000) * 2 ** times[key]
                moved[(at_lo if dual > 0 else at_hi)[:count]] = True
        new = classify(s, y, v, tol, MONEY_TOLERANCE)
        log.debug("round %d: %d working regions, objective %.12g, prices %s, levels %s",
                  rounds, int(work.sum()), sol.objective, y, v)
        changed = ~work & (new.uncertain | (new.held != c.held) | (new.free != c.free)
                           | (new.low != c.low) | np.any(new.full != c.full, axis=1))
        log.debug("  %d folded regions change class, %d join from rows over the levels",
                  int(changed.sum()), int(moved.sum()))
        if not changed.any() and not moved.any():
            slack = sol.x[red.work_cells.size + s.levels.size:]
            if np.any(slack > MONEY_TOLERANCE * max(1.0, float(np.abs(s.c_lo[
                    np.isfinite(s.c_lo)]).max(initial=1.0)))):
                # the elastic whole LP's optimum needs them: the rules cannot all hold
                raise Declined("infeasible")
            whole = _whole(s, c, work, red, sol)
            _check(lp, whole)
            return Aggregated(whole, s, red, sol, rounds, int(work.sum()),
                              time.perf_counter() - clock)
        # The first rounds make the working set afresh; later it only grows, so the
        # method ends.
        work = (new.uncertain | changed | moved) if rounds <= FREE_ROUNDS else (
            work | changed | moved)
        c = new
    raise Declined(f"no fixed classification in {MAX_ROUNDS} rounds")


def _start(s: Shape, seed: int) -> tuple[FloatArray, FloatArray]:
    """Prices and levels to classify by first: the LP of a random sample of the regions,
    its coupling bounds scaled by the sample's share of what the cells can absorb."""
    rng = np.random.default_rng(seed)
    size = min(s.n_regions, max(SAMPLE_MIN, int(SAMPLE_SHARE * s.n_regions)))
    mask = np.zeros(s.n_regions, dtype=bool)
    mask[rng.choice(s.n_regions, size=size, replace=False)] = True
    cells = s.canonical[mask[s.cell_region[s.canonical]]]
    ratio = float(s.upper[cells].sum() / max(s.upper.sum(), 1e-300))
    rows = np.flatnonzero(mask[s.r_region])
    pos = np.full(s.n, -1, dtype=np.int64)
    pos[cells] = np.arange(cells.size)
    slots = s.slots[s.r_region[rows]]
    ok = slots >= 0
    region_block = sp.csr_matrix(
        (np.ones(int(ok.sum())), (np.repeat(np.arange(rows.size), ok.sum(axis=1)),
                                  pos[slots[ok]])), shape=(rows.size, cells.size))
    n_levels = s.levels.size
    # every region, sampled or not, must be able to meet its rows at the levels: its rows
    # with levels, projected on the levels over the range its other rows allow
    projected, p_lo, p_hi = _projection(s)
    matrix = sp.vstack([
        sp.hstack([s.c_cells[:, cells], sp.csr_matrix(s.c_levels)]),
        sp.hstack([region_block, sp.csr_matrix(s.r_levels[rows])]),
        sp.hstack([sp.csr_matrix((s.level_rows.size, cells.size)), sp.csr_matrix(s.l_coef)]),
        sp.hstack([sp.csr_matrix((projected.shape[0], cells.size)),
                   sp.csr_matrix(projected)]),
    ]).tocsc()
    matrix, penalty = _elastic(matrix.tocsr(), s.coupling.size, s)
    sample = LinearProgram(
        cost=np.concatenate([s.cost[cells], s.lp.cost[s.levels], penalty]), offset=0.0,
        col_lower=np.concatenate([np.zeros(cells.size), s.lp.col_lower[s.levels],
                                  np.zeros(penalty.size)]),
        col_upper=np.concatenate([s.upper[cells], s.lp.col_upper[s.levels],
                                  np.full(penalty.size, np.inf)]),
        matrix=matrix,
        row_lower=np.concatenate([_scaled(s.c_lo, ratio), s.r_lo[rows], s.l_lo, p_lo]),
        row_upper=np.concatenate([_scaled(s.c_hi, ratio), s.r_hi[rows], s.l_hi, p_hi]),
        n_cells=cells.size)
    sol = highs.Solver(sample, algorithm="simplex").run()
    if sol.status != Status.OPTIMAL:
        raise Declined(f"sample LP {sol.status.value}")
    return sol.row_dual[:s.coupling.size], sol.x[cells.size:cells.size + n_levels]


def _clear(s: Shape, y: FloatArray, v: FloatArray, tol: float
           ) -> tuple[FloatArray, FloatArray]:
    """Prices near those that clear the coupling rows with a nonzero price at levels ``v``
    (the greedy's sums on their bounds), by Newton's method on the rows' excess with one
    finite-difference Jacobian (the excess is a step function of the prices, smooth at the
    scale of the step over many regions); and how far each price may still be off."""
    active = np.flatnonzero(np.abs(y) > DUAL_TOLERANCE)
    width = np.zeros(y.size)
    if not active.size:
        return y, width
    weight = float(np.abs(s.cost).max(initial=1.0))
    target = np.where(y[active] > 0, s.c_lo[active], s.c_hi[active])
    if not np.all(np.isfinite(target)):
        return y, width
    money = max(1.0, float(np.abs(target).max()))

    def excess(prices: FloatArray) -> FloatArray:
        x = classify(s, prices, v, tol, MONEY_TOLERANCE).x
        return np.asarray(s.c_cells @ x + s.c_levels @ v)[active] - target

    step = CLEAR_STEP * weight
    e = excess(y)
    jac = np.empty((active.size, active.size))
    for j, row in enumerate(active):
        moved = y.copy()
        moved[row] += step
        jac[:, j] = (excess(moved) - e) / step
    for _ in range(CLEAR_ROUNDS):
        if np.abs(e).max() <= CLEAR_TOLERANCE * money:
            break
        move = np.clip(np.linalg.lstsq(jac, -e, rcond=None)[0], -0.25 * weight,
                       0.25 * weight)
        for _ in range(4):
            trial = y.copy()
            trial[active] += move
            # a price keeps its sign (a lower bound's is >= 0, an upper bound's <= 0)
            trial[active] = np.where(y[active] > 0, np.maximum(trial[active], 0.0),
                                     np.minimum(trial[active], 0.0))
            got = excess(trial)
            if np.abs(got).max() < np.abs(e).max():
                y, e = trial, got
                break
            move = move / 2
        else:
            break
    width[active] = np.maximum(4.0 * np.abs(np.linalg.lstsq(jac, -e, rcond=None)[0]),
                               CLEAR_WIDTH * weight)
    # The excess is a step function (a class of equal weights changes at once), so the
    # linear model can be off by a step: each row's own excess, which rises with its own
    # price, must change sign within the width on the side the excess points to; the width
    # doubles until it does.
    for j, row in enumerate(active):
        toward = -np.sign(e[j])
        for _ in range(CLEAR_BRACKETS if toward else 0):
            moved = y.copy()
            moved[row] += toward * width[row]
            if toward * excess(moved)[j] >= 0.0:
                break
            width[row] *= 2.0
    log.debug("prices %s, excess %s, width %s", y[active], e, width[active])
    return y, width


def _band(s: Shape, c: Classes, width: FloatArray) -> np.ndarray:
    """The regions whose class may change when each price moves by up to ``width``: a cell's
    priced weight may cross zero, or a held region's free cell may swap places with another
    of its cells."""
    if not np.any(width > 0):
        return np.zeros(s.n_regions, dtype=bool)
    present = s.slots >= 0
    cell = np.where(present, s.slots, 0)
    coef = abs(s.c_cells).T @ width
    radius = np.where(present, coef[cell], 0.0)
    u = np.where(present, s.upper[cell], 0.0)
    out = np.any((np.abs(c.p) <= radius) & (u > 0), axis=1)
    held = np.flatnonzero(c.free_slot >= 0)
    if held.size:
        fs = c.free_slot[held]
        apart = np.zeros((held.size, s.slots.shape[1]))
        dense = s.c_cells.tocsr()
        for i in np.flatnonzero(width > 0):
            a = np.zeros(s.n)
            row = dense[i]
            a[row.indices] = row.data
            slot_a = np.where(present[held], a[cell[held]], 0.0)
            apart += np.abs(slot_a - slot_a[np.arange(held.size), fs][:, None]) * width[i]
        pf = c.p[held, fs]
        swap = (np.abs(c.p[held] - pf[:, None]) <= apart) & (u[held] > 0)
        swap[np.arange(held.size), fs] = False
        out[held] |= np.any(swap, axis=1)
    return out


def _scaled(bounds: FloatArray, ratio: float) -> FloatArray:
    """Row bounds times ``ratio``, infinite ones kept."""
    out = bounds.copy()
    finite = np.isfinite(bounds)
    out[finite] = bounds[finite] * ratio
    return out


def _elastic(matrix: sp.csr_matrix, k: int, s: Shape) -> tuple[sp.csc_matrix, FloatArray]:
    """``matrix`` with two columns per coupling row (its first ``k`` rows), one adding and
    one taking away, at a cost far above any weight: a classification that cannot meet
    the coupling rows still gives a reduced LP with an optimum, whose prices (at most the
    penalty) move the next classification. At the end their values must be zero."""
    rows = np.repeat(np.arange(k), 2)
    signs = np.tile([1.0, -1.0], k)
    extra = sp.csr_matrix((signs, (rows, np.arange(2 * k))), shape=(matrix.shape[0], 2 * k))
    penalty = np.full(2 * k, ELASTIC_PENALTY * max(1.0, float(np.abs(s.cost).max(initial=1.0))))
    return sp.hstack([matrix, extra]).tocsc(), penalty


def _projection(s: Shape) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rows over the levels that every region's rows imply: a row lo <= X_r + a.v <= hi
    with a != 0 holds for some X_r in the range [a_r, b_r] the region's rows without levels
    (and its cells) allow only if lo - b_r <= a.v <= hi - a_r. Parallel rows merged."""
    n_regions = s.n_regions
    plain = ~np.any(s.r_levels != 0.0, axis=1)
    total = np.bincount(s.cell_region, s.upper, minlength=n_regions)
    low = np.zeros(n_regions)
    high = total.copy()
    np.maximum.at(low, s.r_region[plain], s.r_lo[plain])
    np.minimum.at(high, s.r_region[plain], s.r_hi[plain])
    rows = np.flatnonzero(~plain)
    region = s.r_region[rows]
    merged, _ = _merge([s.r_levels[rows]], [s.r_lo[rows] - high[region]],
                       [s.r_hi[rows] - low[region]], [region], s.levels.size)
    if merged is None:
        return np.zeros((0, s.levels.size)), np.zeros(0), np.zeros(0)
    return merged


def _check(lp: LinearProgram, whole: highs.Solution) -> None:
    """The whole LP's solution checked on the whole LP before anyone reads it: its rows and
    bounds hold and the Lagrangian bound of its duals meets its objective, to the
    certificate's tolerances (the engine's certificate checks it again from the data);
    :class:`Declined` otherwise."""
    x = whole.x
    rows = max(float(np.max(lp.row_lower - whole.row_activity, initial=0.0)),
               float(np.max(whole.row_activity - lp.row_upper, initial=0.0)))
    cols = max(float(np.max(lp.col_lower - x, initial=0.0)),
               float(np.max(x - lp.col_upper, initial=0.0)))
    gap = whole.objective - lagrangian_bound(lp, whole.row_dual)
    if (max(rows, cols) > VIOLATION_TOLERANCE
            or gap > GAP_TOLERANCE * max(1.0, abs(whole.objective))):
        log.debug("check failed: rows %.3g, columns %.3g, gap %.3g", rows, cols, gap)
        raise Declined("not verified")


def _whole(s: Shape, c: Classes, work: np.ndarray, red: Reduced,
           sol: highs.Solution) -> highs.Solution:
    """The reduced LP's answer as the whole LP's: every column, every row's dual."""
    lp = s.lp
    k = s.coupling.size
    v = red.levels(sol.x)
    x = s.fixed_value.copy()
    cells = red.const + (red.slope @ v if s.levels.size else 0.0)
    cells[red.work_cells] = sol.x[:red.work_cells.size]
    x[:s.n] = np.clip(cells, 0.0, s.upper)
    x[s.levels] = v
    y = np.zeros(lp.n_rows)
    y[s.coupling] = sol.row_dual[:k]
    y[s.region_rows[red.work_rows]] = sol.row_dual[k:k + red.work_rows.size]
    first = k + red.work_rows.size
    y[s.level_rows] = sol.row_dual[first:first + red.n_level_rows]
    held = np.flatnonzero(~work & (c.held >= 0))
    f = c.free[held]
    priced = -s.cost[f] + s.c_cells[:, f].T @ sol.row_dual[:k]
    y[s.region_rows[c.held[held]]] = -priced
    col_dual = lp.cost - lp.matrix.T @ y
    return highs.Solution(status=Status.OPTIMAL, x=x, row_activity=lp.matrix @ x,
                          row_dual=y, col_dual=col_dual,
                          objective=float(lp.cost @ x + lp.offset))


def tie_break(a: Aggregated, d: AllocationData, best: float
              ) -> tuple[FloatArray, tuple[str, dict[str, object]] | None]:
    """The engine's tie-break stages (max-min coverage among the stage-1 optima, then the
    point nearest pro rata) on the reduced LP: every folded cell is fixed on the optimal
    face or moves with the levels, so the face of the whole LP is the reduced LP's, with the
    folded regions' coverages as rows over the levels and their free cells' distance to pro
    rata as a quadratic in the levels. Returns the cells and a note (as the engine's)."""
    s, red, sol = a.shape, a.reduced, a.reduced_solution
    n_work = red.work_cells.size
    n_levels = s.levels.size
    # The levels measured from their stage-1 values: their columns carry most of the budget
    # (the folded regions' sums), so HiGHS's QP, whose tolerances are relative, would miss
    # the coupling rows by 1e-7 of that; as deviations they carry none of it.
    center = np.zeros(red.lp.n_cols)
    center[n_work:n_work + n_levels] = sol.x[n_work:n_work + n_levels]
    lp = _centered(red.lp, center)
    solver = highs.Solver(lp, algorithm="simplex")
    x1 = np.clip(sol.x - center, lp.col_lower, lp.col_upper)  # HiGHS's answer, in its box
    weight = float(np.abs(s.cost).max(initial=1.0))
    pinned = np.abs(sol.col_dual) > FIXING_TOLERANCE * max(1.0, weight)
    fixed = np.flatnonzero(pinned)
    if fixed.size:
        solver.fix_cols(fixed, x1[fixed])
    tight = np.flatnonzero(np.abs(sol.row_dual) > FIXING_TOLERANCE)
    if tight.size:
        # held where stage 1 has them (on their bound to HiGHS's tolerance): one point meets
        # all of them with the fixed columns, where their bounds' values may not quite
        at = (lp.matrix @ x1)[tight]
        solver.set_row_bounds(tight, at, at)
    # the objective held at its optimum: cost . columns <= best - offset + tol
    tol = STAGE_TOLERANCE * max(1.0, abs(best))
    priced = np.flatnonzero(lp.cost)
    rows: list[tuple[IntArray, FloatArray]] = [(priced, lp.cost[priced])]
    lower, upper = [-np.inf], [float(lp.cost @ x1) + tol]  # stage 1's own value
    # Stage 2: a level tau <= every covered region's coverage.
    tau = solver.add_col(0.0, 0.0, 1.0)
    covered = np.zeros(s.n_regions, dtype=bool)
    covered[d.covered_regions] = True
    working = np.zeros(s.n_regions, dtype=bool)
    working[s.cell_region[red.work_cells]] = True
    # working regions: sum of their cells - N_r tau >= -E_r
    region_of = s.cell_region[red.work_cells]  # by region, then goal
    starts = np.searchsorted(region_of, np.arange(s.n_regions + 1))
    for r in np.flatnonzero(covered & working):
        mine = np.arange(starts[r], starts[r + 1])
        rows.append((np.append(mine, tau), np.append(np.ones(mine.size), -d.region_need[r])))
        lower.append(-d.region_covered[r])
        upper.append(np.inf)
    # folded regions: X_r = const_r + slope_r . v, so slope_r . v - N_r tau >= -E_r - const_r
    folded = np.flatnonzero(covered & ~working)
    x_const = np.bincount(s.cell_region, red.const, minlength=s.n_regions)[folded]
    x_slope = np.zeros((folded.size, n_levels))
    for j in range(n_levels):
        x_slope[:, j] = np.bincount(s.cell_region, red.slope[:, j],
                                    minlength=s.n_regions)[folded]
    merged, _ = _merge([np.hstack([x_slope, -d.region_need[folded][:, None]])],
                       [-d.region_covered[folded] - x_const],
                       [np.full(folded.size, np.inf)], [folded], n_levels + 1)
    if merged is not None:
        dirs, mlo, mhi = merged
        for k in range(dirs.shape[0]):
            cols = np.append(n_work + np.arange(n_levels), tau)  # levels, then tau
            coef = dirs[k] / np.append(red.level_scale, 1.0)
            moved = float(coef[:n_levels] @ center[n_work:n_work + n_levels])
            keep = coef != 0
            rows.append((cols[keep], coef[keep]))
            lower.append(mlo[k] - moved)
            upper.append(mhi[k] - moved)
    # Stage 3's QP: nearest to pro rata, sum (x - p)^2 / m over the cells not fixed on the face.
    moving = np.flatnonzero(~pinned[:n_work])
    levels_move = n_levels and not np.all(pinned[n_work:n_work + n_levels])
    # the QP's columns: the working cells left free, and the levels (each moving the free
    # cells of the regions its rows hold)
    need = d.net_need
    total = float(need.sum())
    share = d.budget / total if total > 0 else 0.0
    n_cols = tau + 1
    hess = sp.lil_matrix((n_cols, n_cols))
    linear = np.zeros(n_cols)
    cells = red.work_cells[moving]
    positive = need[cells] > 0
    hess[moving[positive], moving[positive]] = QP_SCALE * 2.0 / need[cells[positive]]
    linear[moving[positive]] = QP_SCALE * -2.0 * share
    if levels_move:
        on = np.flatnonzero(red.slope.any(axis=1) & (need > 0))
        c1, m = red.slope[on], need[on]
        # in the level columns, scaled and centred: v = (center + column) / level_scale
        c1 = c1 / red.level_scale
        c0 = red.const[on] + c1 @ center[n_work:n_work + n_levels] - share * m  # x - p
        block = QP_SCALE * 2.0 * (c1.T / m) @ c1
        lv = n_work + np.arange(n_levels)
        for i in range(n_levels):
            for j in range(i + 1):
                hess[lv[i], lv[j]] = block[i, j]
        linear[lv] = QP_SCALE * 2.0 * (c1.T / m) @ c0
    # stage 2 on the free columns stage 3 then solves on
    stage2 = max_min_stage(solver, stacked(rows), np.array(lower), np.array(upper), tau,
                           hess.tocsc())
    if stage2 is None:
        return a.solution.x[:s.n], ("note_unfinished", {})
    face, second = stage2
    x2 = a.cells(second[:lp.n_cols] + center)
    x3 = face.nearest(linear)
    if x3 is None:
        return x2, (("note_skipped", {"free": face.freedom, "limit": stages.QP_MAX_FREEDOM})
                    if face.freedom > stages.QP_MAX_FREEDOM else ("note_no_converge", {}))
    return a.cells(x3[:lp.n_cols] + center), None


def _centered(lp: LinearProgram, center: FloatArray) -> LinearProgram:
    """``lp`` in the columns x - center: the same rows, their bounds moved."""
    shift = lp.matrix @ center
    return dataclasses.replace(
        lp, offset=lp.offset + float(lp.cost @ center),
        col_lower=lp.col_lower - center, col_upper=lp.col_upper - center,
        row_lower=lp.row_lower - shift, row_upper=lp.row_upper - shift)
