"""The LP under construction: columns and named row blocks, for the rules to add to.

A rule (:mod:`models.rules`) adds its columns and rows through a :class:`Target` and never
builds arrays itself, so the arrays are assembled once (:meth:`Rows.assemble`). Rows are
collected as COO triplets; each :meth:`Rows.add` appends one :class:`RowBlock`, named by
the rule, with each row's coordinates (its region or goal, and its place on the outer
axes), so duals and slacks can be named afterwards.

Every model builds on :class:`Rows`: the one-year LP through :class:`Builder` (its cells
and budget column), robust over a ``scenario`` axis and the agenda over ``year`` and
``funder`` (``models/robust.py``, ``models/agenda.py``). A model that repeats the one-year
rules along an axis hands each rule one coordinate of it, a :class:`Slice`
(:meth:`Rows.along`): the rule builds into it as into the one-year model, the slice reads a
region's money its own way and stamps the coordinate on every row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from models.data import AllocationData, FloatArray, IntArray

INF = np.inf


@dataclass(frozen=True)
class RowBlock:
    """A contiguous run of rows that all express one rule, with each row's coordinates (as
    linopy names a constraint's coordinates): ``over`` the innermost dimension and ``index``
    each row's place on it, ``outer`` each row's place on the outer axes (``scenario``,
    ``year``, ``funder``) of a model that repeats the rules along them."""

    rule: str
    start: int
    stop: int
    over: str  # "region", "goal", "cell", "year" or "" (a single row)
    index: IntArray  # the region, goal, cell or year of each row
    outer: Mapping[str, IntArray] = field(default_factory=dict)

    @property
    def rows(self) -> slice:
        return slice(self.start, self.stop)

    @property
    def dims(self) -> tuple[str, ...]:
        """The block's dimensions, outermost first (``("scenario", "region")``)."""
        return (*self.outer, *((self.over,) if self.over else ()))


@dataclass(frozen=True)
class Coverages:
    """The coverages max-min raises, on the columns of an LP: coverage k is
    (have[k] + rows[k] @ x) / need[k], need[k] > 0; ``over`` and ``index`` name them as a
    row block does (``over`` and ``index`` the region, ``outer`` the scenario or year)."""

    rows: sp.csr_matrix  # k x n_cols
    need: FloatArray
    have: FloatArray
    over: str
    index: np.ndarray
    outer: Mapping[str, IntArray] = field(default_factory=dict)

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


class Target(Protocol):
    """What a rule builds into (:meth:`models.rules.base.Rule.build`): the one-year
    :class:`Builder`, or one coordinate of an outer axis of a larger model (:class:`Slice`)."""

    d: AllocationData
    columns: dict[str, int]

    @property
    def budget(self) -> int: ...

    @property
    def cells(self) -> IntArray: ...

    def add_columns(self, name: str, lower: FloatArray, upper: FloatArray,
                    cost: FloatArray | None = None) -> IntArray: ...

    def add(self, rule: str, over: str, index: IntArray, rows: IntArray, cols: IntArray,
            vals: FloatArray, lo: FloatArray, hi: FloatArray) -> None: ...

    def sums(self, rule: str, over: str, keys: IntArray, lo: FloatArray, hi: FloatArray,
             col: int | IntArray | None = None, coef: FloatArray | None = None) -> None: ...


class Rows:
    """Columns and named row blocks of an LP under construction, collected as COO triplets
    and assembled once (:meth:`assemble`). Every model adds to one: the one-year LP
    (:class:`Builder`), robust over need scenarios and the agenda over years and funders
    (``models/robust.py``, ``models/agenda.py``), which repeat the one-year rules along an
    outer axis through :meth:`along`."""

    def __init__(self, n_cols: int = 0) -> None:
        self.columns: dict[str, int] = {}
        self.n_cols = n_cols
        # columns added by name: (first column, lower, upper, cost)
        self._extra: list[tuple[int, FloatArray, FloatArray, FloatArray]] = []
        self._r: list[IntArray] = []
        self._c: list[IntArray] = []
        self._v: list[FloatArray] = []
        self._lo: list[FloatArray] = []
        self._hi: list[FloatArray] = []
        self.blocks: list[RowBlock] = []
        self.n_rows = 0

    def add_columns(self, name: str, lower: FloatArray, upper: FloatArray,
                    cost: FloatArray | None = None) -> IntArray:
        """Append ``len(lower)`` columns; the first is known as ``name``."""
        k = int(lower.shape[0])
        first = self.n_cols
        self.columns[name] = first
        self._extra.append((first, np.asarray(lower, float), np.asarray(upper, float),
                            np.zeros(k) if cost is None else np.asarray(cost, float)))
        self.n_cols += k
        return np.arange(first, first + k, dtype=np.int64)

    def add(self, rule: str, over: str, index: IntArray, rows: IntArray, cols: IntArray,
            vals: FloatArray, lo: FloatArray, hi: FloatArray,
            outer: Mapping[str, IntArray] | None = None) -> None:
        """One block of ``len(lo)`` rows: entries (rows[i], cols[i]) = vals[i]; ``outer``
        gives each row's place on the outer axes."""
        k = int(lo.shape[0])
        self._r.append(np.asarray(rows, np.int64) + self.n_rows)
        self._c.append(np.asarray(cols, np.int64))
        self._v.append(np.asarray(vals, np.float64))
        self._lo.append(np.asarray(lo, np.float64))
        self._hi.append(np.asarray(hi, np.float64))
        coords = {axis: np.asarray(at, np.int64) for axis, at in (outer or {}).items()}
        self.blocks.append(RowBlock(rule, self.n_rows, self.n_rows + k, over,
                                    np.asarray(index, np.int64), coords))
        self.n_rows += k

    def along(self, axis: str, at: int, d: AllocationData, reading: Reading, *,
              label: str = "", reads: Mapping[str, Reading] | None = None,
              budget: int | None = None, cost_factor: float = 1.0) -> Slice:
        """Coordinate ``at`` of the outer axis ``axis`` (a scenario, a year), seen as the
        one-year model the rules build into: see :class:`Slice`."""
        return Slice(self, axis, at, d, reading, label=label, reads=reads or {},
                     budget=budget, cost_factor=cost_factor)

    def assemble(self, cost: FloatArray, col_lower: FloatArray, col_upper: FloatArray,
                 offset: float, n_cells: int) -> LinearProgram:
        """The LP: ``cost`` and the bounds of the first columns (those not added by name),
        then each named column's own."""
        full_cost, lower, upper = (np.zeros(self.n_cols) for _ in range(3))
        first = cost.shape[0]
        full_cost[:first], lower[:first], upper[:first] = cost, col_lower, col_upper
        for start, lo, hi, extra in self._extra:
            k = lo.shape[0]
            lower[start:start + k], upper[start:start + k] = lo, hi
            full_cost[start:start + k] = extra
        matrix = sp.csc_matrix(
            (np.concatenate(self._v), (np.concatenate(self._r), np.concatenate(self._c))),
            shape=(self.n_rows, self.n_cols),
        )
        return LinearProgram(
            cost=full_cost, offset=offset, col_lower=lower, col_upper=upper, matrix=matrix,
            row_lower=np.concatenate(self._lo), row_upper=np.concatenate(self._hi),
            n_cells=n_cells, columns=self.columns, blocks=self.blocks)


class Builder(Rows):
    """The one-year LP of ``d``: one allocation column per cell, then the budget column,
    then whatever the rules add."""

    def __init__(self, d: AllocationData) -> None:
        n = d.n_cells
        super().__init__(n + 1)
        self.d = d
        self.cells = np.arange(n, dtype=np.int64)
        self.columns["budget"] = n

    @property
    def budget(self) -> int:
        """The budget column B (fixed by its bounds, so the envelope moves without a row)."""
        return self.columns["budget"]

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

    def own_columns(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Cost, lower and upper bound of the cells and the budget column."""
        d = self.d
        n = d.n_cells
        cost, lower, upper = np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1)
        cost[:n], upper[:n] = -d.weight, d.upper
        lower[n] = upper[n] = d.budget
        return cost, lower, upper

    def finish(self) -> LinearProgram:
        d = self.d
        return self.assemble(*self.own_columns(), offset=float(d.weight @ d.net_need),
                             n_cells=d.n_cells)


class Prices(Builder):
    """The one-year LP's columns and their costs without its rows: each rule adds its
    columns (and their costs) as in :class:`Builder`, and its rows go nowhere. What
    :func:`models.matrix.prices` reads."""

    def add(self, rule: str, over: str, index: IntArray, rows: IntArray, cols: IntArray,
            vals: FloatArray, lo: FloatArray, hi: FloatArray,
            outer: Mapping[str, IntArray] | None = None) -> None:
        pass

    def sums(self, rule: str, over: str, keys: IntArray, lo: FloatArray, hi: FloatArray,
             col: int | IntArray | None = None, coef: FloatArray | None = None) -> None:
        pass

    def objective(self) -> tuple[FloatArray, float]:
        """The cost of every column and the objective's offset."""
        d = self.d
        cost = np.zeros(self.n_cols)
        own = self.own_columns()[0]
        cost[:own.size] = own
        for start, lo, _, extra in self._extra:
            cost[start:start + lo.shape[0]] = extra
        return cost, float(d.weight @ d.net_need)


@dataclass(frozen=True)
class Reading:
    """How a slice's rules read a cell's allocation: ``sign`` times column ``cols[i]`` plus
    ``constant[i]`` for cell ``cells[i]`` (a cell of the slice's data). The agenda reads a
    year's money as every funder's column of it (sign 1, no constant); robust reads the
    need money meets in a scenario as m_sc - y_sc (sign -1, constant m_s)."""

    cols: IntArray
    cells: IntArray
    sign: float = 1.0
    constant: FloatArray | None = None


class Slice:
    """One coordinate ``at`` of an outer axis ``axis`` of a model built in ``rows``: the
    one-year model a rule of :mod:`models.rules` builds into, unchanged. ``d`` is that
    coordinate's data; a region's (goal's) allocation is read through ``reading`` (or
    ``reads[rule]`` for a rule that reads it otherwise); every row it adds carries its
    coordinate; its columns are named ``{name}_{label}`` in the model and are priced at
    ``cost_factor`` times their cost (a scenario's probability); the budget is column
    ``budget``, or a column of its own fixed at ``d.budget`` when not given."""

    def __init__(self, rows: Rows, axis: str, at: int, d: AllocationData, reading: Reading, *,
                 label: str, reads: Mapping[str, Reading], budget: int | None,
                 cost_factor: float) -> None:
        self.rows, self.axis, self.at, self.d = rows, axis, at, d
        self.reading, self.reads, self.label = reading, reads, label or f"{axis}{at}"
        self.cost_factor = cost_factor
        self._budget = budget
        self.columns: dict[str, int] = {}
        #: the columns added here with a cost: the columns, their cost (before
        #: ``cost_factor``) and their upper bounds
        self.priced: list[tuple[IntArray, FloatArray, FloatArray]] = []

    @property
    def budget(self) -> int:
        if self._budget is None:
            self._budget = int(self.add_columns("budget", np.full(1, self.d.budget),
                                                np.full(1, self.d.budget))[0])
        return self._budget

    @property
    def cells(self) -> IntArray:
        """The allocation columns, where they are read as they are (sign 1, no constant)."""
        if self.reading.sign != 1.0 or self.reading.constant is not None:
            raise ValueError(f"the {self.axis} reads its cells through other columns")
        return self.reading.cols

    def add_columns(self, name: str, lower: FloatArray, upper: FloatArray,
                    cost: FloatArray | None = None) -> IntArray:
        cols = self.rows.add_columns(
            f"{name}_{self.label}", lower, upper,
            None if cost is None else self.cost_factor * np.asarray(cost, float))
        self.columns[name] = int(cols[0])
        if cost is not None:
            nonzero = np.flatnonzero(cost)
            self.priced.append((cols[nonzero], np.asarray(cost, float)[nonzero],
                                np.asarray(upper, float)[nonzero]))
        return cols

    def add(self, rule: str, over: str, index: IntArray, rows: IntArray, cols: IntArray,
            vals: FloatArray, lo: FloatArray, hi: FloatArray) -> None:
        k = int(lo.shape[0])
        self.rows.add(rule, over, index if over else np.empty(0, np.int64), rows, cols, vals,
                      lo, hi, outer={self.axis: np.full(k, self.at, dtype=np.int64)})

    def sums(self, rule: str, over: str, keys: IntArray, lo: FloatArray, hi: FloatArray,
             col: int | IntArray | None = None, coef: FloatArray | None = None) -> None:
        d = self.d
        read = self.reads.get(rule, self.reading)
        by_region = over == "region"
        key_of = (d.cell_region if by_region else d.cell_goal)[read.cells]
        size = len(d.regions) if by_region else len(d.goals)
        r, c, v = key_sums(key_of, size, keys, read.cols, read.sign, col, coef)
        if read.constant is not None:  # the constant part of each sum moves the bounds
            shift = np.bincount(key_of, read.constant, minlength=size)[keys]
            lo, hi = lo - shift, hi - shift
        self.add(rule, over, keys, r, c, v, lo, hi)
