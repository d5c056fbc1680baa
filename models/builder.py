"""The LP under construction: columns and named row blocks, for the rules to add to.

A rule (:mod:`models.rules`) adds its columns and rows through this object and never builds
arrays itself, so the arrays are assembled once, in :meth:`Builder.finish`. Rows are
collected as COO triplets; each :meth:`Builder.add` appends one :class:`RowBlock`, whose
name is the rule's name, so duals and slacks can be named afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from models.data import AllocationData, FloatArray, IntArray

INF = np.inf


@dataclass(frozen=True)
class RowBlock:
    """A contiguous run of rows that all express one rule."""

    rule: str
    start: int
    stop: int
    over: str  # "region", "goal" or "" (a single row)
    index: IntArray  # the region or goal of each row

    @property
    def rows(self) -> slice:
        return slice(self.start, self.stop)


@dataclass(frozen=True)
class Coverages:
    """The coverages max-min raises, on the columns of an LP: coverage k is
    (have[k] + rows[k] @ x) / need[k], need[k] > 0; ``over`` and ``index`` name them as a
    row block does (``region``, ``scenario_region``, ``year_region`` …)."""

    rows: sp.csr_matrix  # k x n_cols
    need: FloatArray
    have: FloatArray
    over: str
    index: np.ndarray

    @property
    def size(self) -> int:
        return int(self.need.shape[0])

    def shortfall(self, x: FloatArray, levels: FloatArray, margin: float = 0.0) -> float:
        """The largest amount by which ``x`` (all LP columns) misses a level (the check of
        the ``max_min`` block, for a certificate)."""
        funded = self.have + self.rows @ x
        return float(np.max(levels * (1.0 - margin) * self.need - funded, initial=0.0))


@dataclass
class LinearProgram:
    """min cost @ x + offset  s.t.  row_lower <= A x <= row_upper, col_lower <= x <= col_upper."""

    cost: FloatArray
    offset: float
    col_lower: FloatArray
    col_upper: FloatArray
    matrix: sp.csc_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    n_cells: int
    columns: dict[str, int] = field(default_factory=dict)
    blocks: list[RowBlock] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return int(self.cost.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.row_lower.shape[0])

    def same_pattern(self, other: LinearProgram) -> bool:
        """Whether ``other`` has this LP's shape and matrix pattern (its numbers may differ)."""
        return bool((self.n_rows, self.n_cols, self.matrix.nnz)
                    == (other.n_rows, other.n_cols, other.matrix.nnz)
                    and np.array_equal(self.matrix.indptr, other.matrix.indptr)
                    and np.array_equal(self.matrix.indices, other.matrix.indices))

    def same_numbers(self, other: LinearProgram) -> bool:
        """Whether ``other`` is this LP: the same pattern and the same numbers."""
        return bool(self.same_pattern(other) and self.offset == other.offset
                    and all(np.array_equal(getattr(self, k), getattr(other, k))
                            for k in ("cost", "col_lower", "col_upper", "row_lower",
                                      "row_upper"))
                    and np.array_equal(self.matrix.data, other.matrix.data))


def key_sums(key_of_col: IntArray, size: int, keys: IntArray, cols: IntArray, sign: float,
             col: int | IntArray | None = None, coef: FloatArray | None = None
             ) -> tuple[IntArray, IntArray, FloatArray]:
    """COO entries of one row per key k in ``keys``: ``sign`` times the columns ``cols``
    whose key (region or goal, of ``size`` in all) is k, plus coef[k] times column ``col``
    (one column, or one per key) when given. Every builder's region and goal sums."""
    pos = np.full(size, -1, dtype=np.int64)
    pos[keys] = np.arange(keys.size)
    keep = pos[key_of_col] >= 0
    r, c = pos[key_of_col][keep], cols[keep]
    v = np.full(int(keep.sum()), float(sign))
    if col is not None and coef is not None:
        r = np.concatenate([r, np.arange(keys.size)])
        c = np.concatenate([c, np.broadcast_to(np.asarray(col, dtype=np.int64), keys.size)])
        v = np.concatenate([v, coef])
    return r, c, v


class Builder:
    """Columns (one allocation column per cell, then the budget column, then whatever the
    rules add) and row blocks of the LP of ``d``."""

    def __init__(self, d: AllocationData) -> None:
        self.d = d
        n = d.n_cells
        self.cells = np.arange(n, dtype=np.int64)
        self.columns: dict[str, int] = {"budget": n}
        self.n_cols = n + 1
        # column bounds and costs beyond the cells: (first column, lower, upper, cost)
        self._extra: list[tuple[int, FloatArray, FloatArray, FloatArray]] = []
        self._r: list[IntArray] = []
        self._c: list[IntArray] = []
        self._v: list[FloatArray] = []
        self._lo: list[FloatArray] = []
        self._hi: list[FloatArray] = []
        self.blocks: list[RowBlock] = []
        self.n_rows = 0

    @property
    def budget(self) -> int:
        """The budget column B (fixed by its bounds, so the envelope moves without a row)."""
        return self.columns["budget"]

    def add_columns(self, name: str, lower: FloatArray, upper: FloatArray,
                    cost: FloatArray | None = None) -> IntArray:
        """Append ``len(lower)`` columns; the first is known as ``name``."""
        k = int(lower.shape[0])
        first = self.n_cols
        self.columns[name] = first
        self._extra.append((first, lower.astype(float), upper.astype(float),
                            np.zeros(k) if cost is None else cost.astype(float)))
        self.n_cols += k
        return np.arange(first, first + k, dtype=np.int64)

    def add(self, rule: str, over: str, index: IntArray, rows: IntArray, cols: IntArray,
            vals: FloatArray, lo: FloatArray, hi: FloatArray) -> None:
        """One block of ``len(lo)`` rows: entries (rows[i], cols[i]) = vals[i]."""
        k = int(lo.shape[0])
        self._r.append(rows.astype(np.int64) + self.n_rows)
        self._c.append(cols.astype(np.int64))
        self._v.append(vals.astype(np.float64))
        self._lo.append(lo.astype(np.float64))
        self._hi.append(hi.astype(np.float64))
        self.blocks.append(RowBlock(rule, self.n_rows, self.n_rows + k, over,
                                    index.astype(np.int64)))
        self.n_rows += k

    def sums(self, rule: str, over: str, keys: IntArray, lo: FloatArray, hi: FloatArray,
             col: int | IntArray | None = None, coef: FloatArray | None = None) -> None:
        """One row per key k in ``keys``: the sum of the cells of region (or goal) k, plus
        coef[k] times column ``col`` (one column, or one per key) when given, between lo[k]
        and hi[k]."""
        d = self.d
        by_region = over == "region"
        r, c, v = key_sums(d.cell_region if by_region else d.cell_goal,
                           len(d.regions) if by_region else len(d.goals), keys, self.cells,
                           1.0, col, coef)
        self.add(rule, over, keys, r, c, v, lo, hi)

    def finish(self) -> LinearProgram:
        d = self.d
        n = d.n_cells
        matrix = sp.csc_matrix(
            (np.concatenate(self._v), (np.concatenate(self._r), np.concatenate(self._c))),
            shape=(self.n_rows, self.n_cols),
        )
        cost = np.zeros(self.n_cols)
        cost[:n] = -d.weight
        col_lower = np.zeros(self.n_cols)
        col_upper = np.zeros(self.n_cols)
        col_upper[:n] = d.upper
        col_lower[self.budget] = col_upper[self.budget] = d.budget
        for first, lower, upper, extra in self._extra:
            k = lower.shape[0]
            col_lower[first:first + k] = lower
            col_upper[first:first + k] = upper
            cost[first:first + k] = extra
        return LinearProgram(
            cost=cost,
            offset=float(d.weight @ d.net_need),
            col_lower=col_lower,
            col_upper=col_upper,
            matrix=matrix,
            row_lower=np.concatenate(self._lo),
            row_upper=np.concatenate(self._hi),
            n_cells=n,
            columns=self.columns,
            blocks=self.blocks,
        )
