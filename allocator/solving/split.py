"""Stage 1 of an LP that falls apart into independent blocks, one block per core.

An LP whose rows and free columns form several connected components (a column fixed by
its bounds is a constant and joins nothing) is several LPs: the agenda over years that no
carry-over, borrowing, ramp-up or floor over the period ties together is one LP a year.
Each component's optimum is the whole LP's on its columns, and its rows' duals are the
whole LP's, so the stitched answer is an optimum of the whole LP, with duals the
certificate checks as it checks HiGHS's own (feasibility from the data, the Lagrangian
bound of the duals).

The components with rows and columns are packed into one LP per core (largest first, each
onto the lightest so far, by nonzeros) and solved on threads
(:class:`allocator.solving.highs.Background`: HiGHS solves without the GIL); an LP in one
piece is left to the caller.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from allocator.solving import highs
from models.matrix import LinearProgram

#: Below this many nonzeros an LP is solved whole: splitting it costs more than it saves.
MIN_NONZEROS = 50_000


def parts(lp: LinearProgram, count: int) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The rows and free columns of each of at most ``count`` independent LPs ``lp`` falls
    apart into, or None when it is one piece (or too small to be worth splitting)."""
    if count < 2 or lp.matrix.nnz < MIN_NONZEROS:
        return None
    from scipy.sparse.csgraph import connected_components

    free = np.flatnonzero(lp.col_lower < lp.col_upper)
    a = lp.matrix.tocsc()[:, free]
    graph = sp.bmat([[None, a], [a.T, None]], format="csr")
    found, label = connected_components(graph, directed=False)
    rows, cols = label[:lp.n_rows], label[lp.n_rows:]
    # a piece has rows and columns; a row over fixed columns alone (a check) or a column in
    # no row (a bound) goes with the largest piece
    nonzeros = np.bincount(rows[a.indices], minlength=found).astype(float)
    real = (np.bincount(rows, minlength=found) > 0) & (np.bincount(cols, minlength=found) > 0)
    if real.sum() < 2:
        return None
    bins = min(count, int(real.sum()))
    load = np.zeros(bins)
    home = np.zeros(found, dtype=np.int64)
    for k in np.argsort(-nonzeros, kind="stable"):
        if real[k]:  # the largest first, each onto the lightest bin so far
            home[k] = int(np.argmin(load))
            load[home[k]] += nonzeros[k]
    home[~real] = home[int(np.argmax(nonzeros))]
    return [(np.flatnonzero(home[rows] == b), free[home[cols] == b]) for b in range(bins)]


def solve(lp: LinearProgram, count: int | None = None) -> highs.Solution | None:
    """Stage 1 of ``lp`` in independent parts on threads: the whole LP's solution (every
    column, every row's dual), or None where ``lp`` is one piece."""
    pieces = parts(lp, count or highs.cores())
    if pieces is None:
        return None
    fixed = lp.col_lower >= lp.col_upper
    x = np.where(fixed, lp.col_lower, 0.0)
    a = lp.matrix.tocsr()
    shift = a @ x  # what the fixed columns put in each row
    with highs.Background(len(pieces)) as background:
        jobs = [background.start(_piece, lp, a, shift, rows, cols) for rows, cols in pieces]
        answers = [job.result() for job in jobs]
    for answer in answers:
        if answer.status != Status.OPTIMAL:
            return highs.Solution(answer.status, np.zeros(0), np.zeros(0), np.zeros(0),
                                  np.zeros(0), float("nan"))
    row_dual = np.zeros(lp.n_rows)
    for (rows, cols), answer in zip(pieces, answers, strict=True):
        x[cols] = answer.x
        row_dual[rows] = answer.row_dual
    col_dual = lp.cost - lp.matrix.T @ row_dual
    return highs.Solution(Status.OPTIMAL, x, lp.matrix @ x, row_dual, col_dual,
                          float(lp.cost @ x + lp.offset))


def _piece(lp: LinearProgram, a: sp.csr_matrix, shift: np.ndarray, rows: np.ndarray,
           cols: np.ndarray) -> highs.Solution:
    """One part's LP: its rows over its free columns, the fixed columns' share moved into
    the rows' bounds."""
    part = LinearProgram(
        cost=lp.cost[cols], offset=0.0, col_lower=lp.col_lower[cols],
        col_upper=lp.col_upper[cols], matrix=a[rows][:, cols].tocsc(),
        row_lower=lp.row_lower[rows] - shift[rows], row_upper=lp.row_upper[rows] - shift[rows],
        n_cells=0)
    return highs.Solver(part).run()
