"""Stage 1 of an LP that falls apart into independent blocks (the agenda over years nothing
ties together), solved a block per thread: the same optimum as the whole LP, with duals
that certify it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import allocator
from allocator.errors import Status
from allocator.solving import highs, split
from allocator.solving.certify import lagrangian_bound
from allocator.studies import agenda as agenda_study
from models.matrix import LinearProgram

ROOT = Path(__file__).parent.parent


def blocks(seed: int, infeasible: bool = False) -> LinearProgram:
    """Three random blocks (each feasible at the origin's neighbourhood), one fixed column
    in rows of every block, a row over the fixed column alone and a free column in no row."""
    rng = np.random.default_rng(seed)
    parts, lower, upper = [], [], []
    for _ in range(3):
        m, n = int(rng.integers(4, 9)), int(rng.integers(5, 12))
        a = sp.random(m, n, density=0.5, random_state=rng, data_rvs=lambda k: rng.uniform(
            -1, 2, k)).toarray()
        a[:, 0] += 1.0  # every row meets the block's first column: one piece
        a[0, :] += 0.5  # and the first row every column
        point = rng.uniform(0, 1, n)
        activity = a @ point
        parts.append(a)
        lower.append(activity - rng.uniform(0, 1, m))
        upper.append(activity + rng.uniform(0, 1, m))
    n_cols = sum(a.shape[1] for a in parts) + 2  # the fixed column, the lone free one
    matrix = sp.block_diag(parts, format="lil")
    matrix.resize((matrix.shape[0] + 1, n_cols))
    fixed = n_cols - 2
    for r in range(0, matrix.shape[0] - 1, 3):
        matrix[r, fixed] = 0.5
    matrix[matrix.shape[0] - 1, fixed] = 1.0
    col_lower = np.zeros(n_cols)
    col_upper = np.ones(n_cols)
    col_lower[fixed] = col_upper[fixed] = 0.4
    row_lower = np.concatenate([*lower, [0.3 if not infeasible else 0.5]])
    row_upper = np.concatenate([*upper, [0.5]])
    shift = matrix.tocsr()[:-1] @ np.where(np.arange(n_cols) == fixed, 0.4, 0.0)
    row_lower[:-1] += shift
    row_upper[:-1] += shift
    if infeasible:
        row_lower[-1] = 0.45  # the fixed column's 0.4 is below it: that row cannot hold
    return LinearProgram(cost=rng.uniform(-1, 1, n_cols), offset=1.5, col_lower=col_lower,
                         col_upper=col_upper, matrix=matrix.tocsc(), row_lower=row_lower,
                         row_upper=row_upper, n_cells=0)


@pytest.fixture(autouse=True)
def any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "MIN_NONZEROS", 0)


@pytest.mark.parametrize("seed", range(6))
def test_the_blocks_give_the_whole_lp_s_optimum_and_duals_that_bound_it(seed: int) -> None:
    lp = blocks(seed)
    pieces = split.parts(lp, 2)
    assert pieces is not None and len(pieces) == 2
    # every row and every free column in exactly one part
    rows = np.sort(np.concatenate([r for r, _ in pieces]))
    cols = np.sort(np.concatenate([c for _, c in pieces]))
    assert np.array_equal(rows, np.arange(lp.n_rows))
    assert np.array_equal(cols, np.flatnonzero(lp.col_lower < lp.col_upper))
    whole = highs.Solver(lp).run()
    parted = split.solve(lp, 2)
    assert whole.status == Status.OPTIMAL and parted is not None
    assert parted.status == Status.OPTIMAL
    assert parted.objective == pytest.approx(whole.objective, rel=1e-9, abs=1e-9)
    assert parted.objective == pytest.approx(lp.cost @ parted.x + lp.offset, rel=1e-12)
    activity = lp.matrix @ parted.x
    assert np.all(activity >= lp.row_lower - 1e-7) and np.all(activity <= lp.row_upper + 1e-7)
    assert np.all(parted.x >= lp.col_lower - 1e-9) and np.all(parted.x <= lp.col_upper + 1e-9)
    # the stitched duals bound the optimum as HiGHS's own do (the certificate's bound)
    assert lagrangian_bound(lp, parted.row_dual) == pytest.approx(whole.objective,
                                                                  rel=1e-7, abs=1e-7)


def test_a_part_that_cannot_hold_makes_the_whole_infeasible() -> None:
    lp = blocks(1, infeasible=True)
    assert highs.Solver(lp).run().status == Status.INFEASIBLE
    parted = split.solve(lp, 2)
    assert parted is not None and parted.status == Status.INFEASIBLE


def test_an_lp_in_one_piece_is_left_whole() -> None:
    lp = blocks(2)
    joined = lp.matrix.tolil()
    joined[1, :] = 1.0  # one row over every column
    lp.matrix = joined.tocsc()
    lp.row_lower[1], lp.row_upper[1] = -np.inf, np.inf
    assert split.parts(lp, 4) is None
    assert split.parts(blocks(2), 1) is None


def test_an_agenda_of_independent_years_is_solved_a_year_a_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four years with nothing carried over: stage 1 a year per part, and the agenda the
    same as from the whole LP, certified."""
    folder = tmp_path / "agenda"
    shutil.copytree(ROOT / "instances" / "npvr-2026", folder)
    budget = allocator.load(folder).policy.budget_eur
    (folder / "years.csv").write_text("year,budget_eur,need_factor\n" + "".join(
        f"{2027 + k},{budget * (1 + 0.05 * k):.0f},{1 + 0.02 * k}\n" for k in range(4)))
    agenda = agenda_study.load_agenda(folder)
    seen: list[int] = []
    solve = split.solve

    def counted(lp: LinearProgram, count: int | None = None) -> highs.Solution | None:
        pieces = split.parts(lp, count or highs.cores())
        seen.append(0 if pieces is None else len(pieces))
        return solve(lp, count)

    monkeypatch.setattr(highs, "cores", lambda: 4)
    monkeypatch.setattr(split, "solve", counted)
    parted = agenda_study.solve_agenda(agenda)
    monkeypatch.setattr(split, "solve", lambda *_: None)
    whole = agenda_study.solve_agenda(agenda)
    assert seen == [4]
    assert parted.optimal and whole.optimal
    assert parted.max_violation_eur <= 0.01 and parted.duality_gap <= 1e-7
    for year in whole.weighted_unmet_eur:
        assert parted.weighted_unmet_eur[year] == pytest.approx(
            whole.weighted_unmet_eur[year], rel=1e-8)
    keys = ["year", "funder", "region", "goal"]
    joined = pd.merge(parted.allocation, whole.allocation, on=keys)
    assert len(joined) == len(whole.allocation)
    np.testing.assert_allclose(joined["amount_eur_x"], joined["amount_eur_y"], atol=1.0)
