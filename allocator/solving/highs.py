"""HiGHS through highspy: load an array LP in one call, run it, read the answer as arrays.

The only module that talks to the solver. It maps HiGHS's model status to the project's
:class:`~allocator.errors.Status`.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import highspy
import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from models.data import FloatArray
from models.matrix import LinearProgram

#: Above this many columns the interior point method (with crossover) is used by default:
#: it scales far better than dual simplex on this LP; simplex wins for small models and for
#: warm-started re-solves.
IPM_THRESHOLD = 200_000
T = TypeVar("T")
#: HiGHS's kIisStrategyIrreducible and kIisStrategyFromLp (missing from highspy's stubs).
IIS_IRREDUCIBLE, IIS_FROM_LP = 4, 2


@dataclass
class Solution:
    status: Status
    x: FloatArray  # column values
    row_activity: FloatArray
    row_dual: FloatArray
    col_dual: FloatArray
    objective: float  # including the offset


@functools.cache
def version() -> str:
    from importlib.metadata import version as dist_version

    return dist_version("highspy")


#: Independent solves run on at most this many threads: each holds an LP of its own, so
#: the memory of a study grows with them (a server worker is held to its share).
MAX_THREADS = 4


def cores() -> int:
    """The cores this process may run on, at most :data:`MAX_THREADS`: independent solves
    (robust's regret table, sensitivity's parts, the agenda's years) run on as many
    threads. HiGHS releases the GIL while it solves, and each instance runs on one thread
    with a fixed seed, so each answer is the one it gives alone."""
    try:
        found = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        found = os.cpu_count() or 1
    return max(1, min(found, MAX_THREADS))


class Background:
    """Calls run on other threads (:func:`cores` of them) while the caller goes on; each
    call's result is read from the :class:`~concurrent.futures.Future` :meth:`start`
    gives. Where no thread can be had (a server worker held to its memory), a call runs on
    the caller's thread as it is started. Leaving the ``with`` block waits for the calls
    running and drops those not started."""

    def __init__(self, workers: int | None = None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        _scheduler_ready()
        self.pool = ThreadPoolExecutor(workers or cores(), thread_name_prefix="allocator")

    def start(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        try:
            return self.pool.submit(fn, *args, **kwargs)
        except RuntimeError:  # no thread to be had: here, now
            done: Future[T] = Future()
            done.set_result(fn(*args, **kwargs))
            return done

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *_: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@functools.cache
def _scheduler_ready() -> None:
    """Run one tiny LP on this thread before solves start on others, so that a scheduler
    HiGHS made earlier with another thread count is made anew here (:meth:`Solver.run`)
    before any other thread solves, not while one does."""
    one = LinearProgram(cost=np.ones(1), offset=0.0, col_lower=np.zeros(1),
                        col_upper=np.ones(1), matrix=sp.csc_matrix((0, 1)),
                        row_lower=np.zeros(0), row_upper=np.zeros(0), n_cells=1)
    Solver(one).run()


class Refused(RuntimeError):
    """HiGHS refused a change to the model it holds (which then stays as it was)."""


class Solver:
    """One HiGHS instance holding one LP, re-solved (warm) as stages change it."""

    def __init__(self, lp: LinearProgram, *, algorithm: str = "auto",
                 time_limit: float | None = None) -> None:
        # The core class: the Python wrapper's constructor prints a banner (before any
        # option can silence it) and adds callbacks this project does not use.
        self.h = highspy._core._Highs()
        self.h.setOptionValue("output_flag", False)
        # Deterministic runs: one thread, fixed seed.
        self.h.setOptionValue("threads", 1)
        self.h.setOptionValue("random_seed", 0)
        if algorithm == "auto":
            algorithm = "ipm" if lp.n_cols > IPM_THRESHOLD else "simplex"
        self.h.setOptionValue("solver", algorithm)
        self.algorithm = algorithm
        self.deadline = None if time_limit is None else time.perf_counter() + time_limit
        self.seconds = 0.0
        self.runs = 0
        a = lp.matrix
        status = self.h.passModel(
            lp.n_cols, lp.n_rows, int(a.nnz), 1, 1, float(lp.offset),
            lp.cost, lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper,
            a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32),
            a.data.astype(np.float64),
            np.zeros(lp.n_cols, dtype=np.int32),  # every column continuous
        )
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS refused the model")
        self.lp = lp
        self._added: list[tuple[np.ndarray, np.ndarray, FloatArray]] = []  # rows since

    def load(self, lp: LinearProgram) -> bool:
        """Hold ``lp`` instead, where it has the held LP's shape and matrix pattern (other
        costs, bounds or coefficients: a scenario's need, another weight or budget), so that
        the next run starts from the last basis; False, and nothing changed, where it does
        not."""
        held = self.lp
        if not held.same_pattern(lp):
            return False
        # only what differs changes: HiGHS keeps more of its last solve for the next
        cost = np.flatnonzero(lp.cost != held.cost)
        if cost.size:
            self.h.changeColsCost(cost.size, cost.astype(np.int32), lp.cost[cost])
        if lp.offset != held.offset:
            self.h.changeObjectiveOffset(float(lp.offset))
        cols = np.flatnonzero((lp.col_lower != held.col_lower)
                              | (lp.col_upper != held.col_upper))
        if cols.size:
            self.h.changeColsBounds(cols.size, cols.astype(np.int32), lp.col_lower[cols],
                                    lp.col_upper[cols])
        rows = np.flatnonzero((lp.row_lower != held.row_lower)
                              | (lp.row_upper != held.row_upper))
        if rows.size:
            self.set_row_bounds(rows, lp.row_lower[rows], lp.row_upper[rows])
        changed = np.flatnonzero(lp.matrix.data != held.matrix.data)
        if changed.size:
            col = np.searchsorted(lp.matrix.indptr, changed, side="right") - 1
            for k, j in zip(changed.tolist(), col.tolist(), strict=True):
                self.h.changeCoeff(int(lp.matrix.indices[k]), int(j), float(lp.matrix.data[k]))
        self.lp = lp
        return True

    def run(self) -> Solution:
        if self.deadline is not None:
            self.h.setOptionValue("time_limit", max(self.deadline - time.perf_counter(), 1e-3))
        start = time.perf_counter()
        if (self.h.run() == highspy.HighsStatus.kError and not self.h.getInfo().valid
                and threading.current_thread() is threading.main_thread()):
            # HiGHS keeps one thread pool per thread that runs it: one made earlier with
            # another thread count (a highspy.Highs() of the caller's, with its defaults)
            # makes this run fail before it starts. Make the pool anew, as this instance
            # asks, and run again; on the main thread only, as resetting it while another
            # thread solves is unsafe (a solve on another thread that fails so reports an
            # error, and its caller solves again here).
            highspy._core._Highs.resetGlobalScheduler(True)
            self.h.run()
        self.seconds += time.perf_counter() - start
        self.runs += 1
        model_status = self.h.getModelStatus()
        sol = self.h.getSolution()
        info = self.h.getInfo()
        return Solution(
            status=_status(model_status),
            x=np.asarray(sol.col_value, dtype=float),
            row_activity=np.asarray(sol.row_value, dtype=float),
            row_dual=np.asarray(sol.row_dual, dtype=float),
            col_dual=np.asarray(sol.col_dual, dtype=float),
            objective=float(info.objective_function_value),
        )

    def basic(self) -> np.ndarray:
        """Which variables the last run's basis holds: a mask over the columns, then the
        rows (their activities)."""
        basis = self.h.getBasis()
        kind = int(highspy.HighsBasisStatus.kBasic)
        return np.array([int(v) == kind for v in (*basis.col_status, *basis.row_status)])

    def set_basis(self, status: np.ndarray) -> None:
        """Start the next run from a basis: HiGHS's status code of each column, then each
        row (0 at its lower bound, 1 basic, 2 at its upper, 3 free at zero)."""
        codes = highspy.HighsBasisStatus
        kinds = [codes(int(k)) for k in range(4)]
        n = int(self.h.getNumCol())
        basis = highspy.HighsBasis()
        basis.col_status = [kinds[k] for k in status[:n].tolist()]
        basis.row_status = [kinds[k] for k in status[n:].tolist()]
        basis.valid = True
        self.h.setBasis(basis)

    def iis(self, irreducible: bool) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """A set of rows and column bounds that cannot hold together, after an infeasible run:
        (index, bound) pairs, bound 2 = lower, 3 = upper, 4 = both (HiGHS's IisBoundStatus).

        HiGHS's default strategy returns an empty set, so one is chosen explicitly:
        "irreducible" (drop any member and the rest can hold) or "from the LP" (the rows
        and bounds of the infeasibility proof: fast, but not minimal)."""
        self.h.setOptionValue("iis_strategy", IIS_IRREDUCIBLE if irreducible else IIS_FROM_LP)
        status, iis = self.h.getIis()
        if status == highspy.HighsStatus.kError or not iis.valid_:
            return [], []

        def members(index: list[int], bound: list[int]) -> list[tuple[int, int]]:
            return [(int(i), int(b)) for i, b in zip(index, bound, strict=True) if b >= 2]

        return (members(iis.row_index_, iis.row_bound_), members(iis.col_index_, iis.col_bound_))

    def use_primal_simplex(self) -> None:
        """For re-solves whose last basis stays primal feasible (new objective, slack rows)."""
        self.h.setOptionValue("solver", "simplex")
        self.h.setOptionValue("simplex_strategy", 4)

    def without_crossover(self) -> None:
        """For a question of feasibility alone: the interior point method stops at its own
        optimum, with no crossover to a vertex (no basis, no warm start after it)."""
        self.h.setOptionValue("solver", "ipm")
        self.h.setOptionValue("run_crossover", "off")

    def use_qp_solver(self, iteration_limit: int) -> None:
        """Let HiGHS take the QP, with a deterministic bound on its iterations: its active-set
        method can cycle on badly scaled data (found by the fuzz tests on a 5-cell instance)."""
        self.h.setOptionValue("solver", "choose")
        self.h.setOptionValue("simplex_strategy", 1)
        self.h.setOptionValue("qp_iteration_limit", int(iteration_limit))

    # Changes between stages (the basis is kept, so the next run starts warm).
    def set_costs(self, cost: FloatArray, offset: float = 0.0) -> None:
        n = len(cost)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(cost, dtype=float))
        self.h.changeObjectiveOffset(offset)

    def set_col_bounds(self, col: int, lower: float, upper: float) -> None:
        self.h.changeColBounds(col, lower, upper)

    def fix_cols(self, cols: np.ndarray, values: FloatArray) -> None:
        v = np.asarray(values, dtype=float)
        self.h.changeColsBounds(len(cols), cols.astype(np.int32), v, v)

    def set_row_bounds(self, rows: np.ndarray, lower: FloatArray, upper: FloatArray) -> None:
        self.h.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
            len(rows), rows.astype(np.int32), np.asarray(lower, float), np.asarray(upper, float)
        )

    def add_col(self, cost: float, lower: float, upper: float) -> int:
        self.h.addCol(cost, lower, upper, 0, np.empty(0, np.int32), np.empty(0))
        return int(self.h.getNumCol()) - 1

    def add_rows(self, lower: FloatArray, upper: FloatArray, starts: np.ndarray,
                 index: np.ndarray, value: FloatArray) -> None:
        """Add rows; :class:`Refused` (and nothing added) where HiGHS refuses them: a
        coefficient of 1e15 or more (a need of €10^12 against a budget of €1 puts the
        tie-break's coverage rows there)."""
        status = self.h.addRows(len(lower), np.asarray(lower, float), np.asarray(upper, float),
                                len(index), starts.astype(np.int32), index.astype(np.int32),
                                np.asarray(value, float))
        if status == highspy.HighsStatus.kError:
            raise Refused("HiGHS refused the rows")
        self._added.append((np.append(starts, len(index)), np.asarray(index),
                            np.asarray(value, float)))

    def model(self) -> tuple[sp.csr_matrix, FloatArray, FloatArray, FloatArray, FloatArray]:
        """The LP HiGHS holds now: its matrix (the LP given, with the rows and columns added
        through this class since, kept on this side: reading HiGHS's own copy back takes
        8 ms at 1e4 cells, and is done only where the model was changed past this class),
        column bounds and row bounds (read from HiGHS, 2 ms)."""
        n_rows, n_cols = int(self.h.getNumRow()), int(self.h.getNumCol())
        matrix = with_rows(self.lp.matrix, self._added, n_cols)
        if matrix.shape != (n_rows, n_cols):  # changed past this class: HiGHS's own copy
            a = self.h.getLp().a_matrix_
            matrix = sp.csc_matrix((np.asarray(a.value_), np.asarray(a.index_),
                                    np.asarray(a.start_)), shape=(n_rows, n_cols)).tocsr()
        _, _, _, col_lower, col_upper, _ = self.h.getCols(
            n_cols, np.arange(n_cols, dtype=np.int32))
        _, _, row_lower, row_upper, _ = self.h.getRows(
            n_rows, np.arange(n_rows, dtype=np.int32))
        return (matrix, np.asarray(col_lower, float), np.asarray(col_upper, float),
                np.asarray(row_lower, float), np.asarray(row_upper, float))

    def set_hessian(self, lower: sp.csc_matrix) -> None:
        """Make the objective 1/2 x' H x + cost' x, H positive semidefinite given by its lower
        triangle (CSC, at most as many columns as the model's)."""
        n = int(self.h.getNumCol())
        h = sp.csc_matrix(lower, shape=(n, n)) if lower.shape != (n, n) else lower
        h = sp.tril(h).tocsc()
        h.eliminate_zeros()
        h.sort_indices()
        self.h.passHessian(n, int(h.nnz), 1, h.indptr[:-1].astype(np.int32),
                           h.indices.astype(np.int32), h.data.astype(np.float64))


def with_rows(matrix: sp.spmatrix, added: list[tuple[np.ndarray, np.ndarray, FloatArray]],
              n_cols: int) -> sp.csr_matrix:
    """``matrix`` widened to ``n_cols`` columns (those added since are empty in its rows)
    with the rows ``added`` since below it, each block given as (row starts with the end,
    column indices, values): the model a solver, or a tie-break's edits, hold now."""
    base = matrix.tocsr()
    blocks = [sp.csr_matrix((base.data, base.indices, base.indptr),
                            shape=(base.shape[0], n_cols))]
    blocks += [sp.csr_matrix((value, index, ptr), shape=(ptr.size - 1, n_cols))
               for ptr, index, value in added]
    return sp.vstack(blocks, format="csr")


def _status(model_status: highspy.HighsModelStatus) -> Status:
    ms = highspy.HighsModelStatus
    if model_status == ms.kOptimal:
        return Status.OPTIMAL
    if model_status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        # Every column of the allocation LP is bounded, so "unbounded or infeasible" is infeasible.
        return Status.INFEASIBLE
    if model_status == ms.kUnbounded:
        return Status.UNBOUNDED
    if model_status in (ms.kTimeLimit, ms.kIterationLimit, ms.kInterrupt):
        return Status.TIME_LIMIT
    return Status.ERROR
