"""The pipeline: one built model answers the studies' questions warm (allocator.solving.
pipeline). Each warm answer is compared with the engine's full solve of the same question,
cell by cell, and every rule is checked on it; where the engine's tie-break is cut short
the studies go back to full solves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import allocator
from allocator.solving import stages
from allocator.solving.pipeline import Pipeline
from allocator.studies import sensitivity as S
from allocator.studies.generate import synthetic_tables, write_csv_folder
from tests.conftest import npvr_weighted
from tests.test_engine import check_rules

ROOT = Path(__file__).parent.parent


def amounts(r: allocator.Result) -> np.ndarray:
    return r.allocation["amount_eur"].to_numpy(float)


@pytest.fixture(scope="module")
def binding(tmp_path_factory: pytest.TempPathFactory) -> allocator.Instance:
    folder = tmp_path_factory.mktemp("p") / "b"
    return allocator.load(write_csv_folder(folder, synthetic_tables(300, seed=1,
                                                                    family="binding")))


@pytest.mark.parametrize("which", ["npvr", "binding"])
def test_each_warm_answer_is_the_engine_s_full_solve(which: str,
                                                     binding: allocator.Instance) -> None:
    inst = allocator.load(npvr_weighted()) if which == "npvr" else binding
    base = allocator.solve(inst, fairness_price=False, marginal=False)
    assert Pipeline.takes(inst, base)
    pipeline = Pipeline(inst)
    names = S.assumptions(inst, ("weights",))[:12]
    for name in names:
        for factor in (0.9, 1.1):
            moved = S.moved(inst, name, factor)
            warm = pipeline.result(moved)
            full = allocator.solve(moved, fairness_price=False, marginal=False)
            assert warm.optimal and warm.certificate.passed
            check_rules(warm)
            assert np.abs(amounts(warm) - amounts(full)).max() < 0.01, (name, factor)
            assert warm.weighted_unmet_eur == pytest.approx(full.weighted_unmet_eur,
                                                            rel=1e-9)
    assert pipeline.runs == 2 * len(names)  # one built model, every question warm


def test_the_weight_sensitivity_is_the_same_figure_warm_and_cold(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of 55 weights down and up (the figure every solve of up to 60 weights
    reports): the same weight, region and euros, warm or through full solves."""
    small = allocator.load(write_csv_folder(tmp_path / "s", synthetic_tables(
        52, seed=2, family="binding")))
    base = allocator.solve(small, fairness_price=False, marginal=False)
    warm = S.weight_sensitivity(base)
    monkeypatch.setattr(Pipeline, "takes", staticmethod(lambda *_: False))
    cold = S.weight_sensitivity(base)
    assert warm is not None and cold is not None
    assert (warm.weight, warm.region, warm.direction) == (cold.weight, cold.region,
                                                          cold.direction)
    assert warm.largest_eur == pytest.approx(cold.largest_eur, abs=0.01)


def test_a_tie_break_cut_short_goes_back_to_full_solves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the QP stage skipped the reported allocation depends on the path the solver
    takes, which only the engine's own path reproduces: the runs are full solves."""
    monkeypatch.setattr(stages, "QP_MAX_FREEDOM", 0)
    inst = allocator.load(npvr_weighted())
    base = allocator.solve(inst, fairness_price=False, marginal=False)
    assert [k for k, _ in base.notes] == ["note_skipped"]
    assert not Pipeline.takes(inst, base)
    built = []
    monkeypatch.setattr(Pipeline, "__init__", lambda *a: built.append(a))
    runs = S._runs(inst, S.assumptions(inst, ("weights",))[:2], 0.1, "lexicographic",
                   base=base)
    assert not built and len(runs) == 4
    assert all(r.optimal for _, _, r in runs)


def test_other_budgets_and_rules_are_the_engine_s_full_solves() -> None:
    """A budget or a rule's value changes numbers only (bounds): answered warm. A rule
    switched on adds rows: another model, answered by the engine's full solve. Both equal
    the full solve cell by cell."""
    inst = allocator.load(npvr_weighted())
    pipeline = Pipeline(inst)
    questions = [inst.with_policy(budget_eur=b) for b in (1.5e8, 2.5e8, 4e8)]
    questions += [inst.with_policy(coverage_floor=0.15), inst.with_policy(max_coverage_gap=0.5)]
    for question in questions:
        warm = pipeline.result(question)
        full = allocator.solve(question, fairness_price=False, marginal=False)
        assert warm.optimal and warm.certificate.passed
        check_rules(warm)
        assert np.abs(amounts(warm) - amounts(full)).max() < 0.01
    assert pipeline.runs == 4  # the gap's rows are another model


def test_the_solver_s_model_is_what_highs_holds() -> None:
    """The tie-break's QP reads the model from this side (rows and columns added through the
    Solver kept there); it equals HiGHS's own copy, also after a row added past the class."""
    import scipy.sparse as sp

    from allocator.solving.highs import Solver
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    inst = allocator.load(npvr_weighted())
    lp = build_lp(to_model_data(inst, money_scale(inst)))
    solver = Solver(lp)
    solver.run()

    def highs_copy() -> sp.csr_matrix:
        a = solver.h.getLp().a_matrix_
        return sp.csc_matrix((np.asarray(a.value_), np.asarray(a.index_),
                              np.asarray(a.start_)),
                             shape=(solver.h.getNumRow(), solver.h.getNumCol())).tocsr()

    level = solver.add_col(0.0, 0.0, 1.0)
    solver.add_rows(np.array([0.0, -1.0]), np.array([1.0, 1.0]), np.array([0, 2]),
                    np.array([0, level, 1]), np.array([1.0, -2.0, 3.0]))
    matrix, lower, upper, row_lower, row_upper = solver.model()
    assert matrix.shape == (lp.n_rows + 2, lp.n_cols + 1)
    assert abs(matrix - highs_copy()).max() == 0
    assert row_lower[-2:].tolist() == [0.0, -1.0] and upper[level] == 1.0
    solver.h.addRow(0.0, 1.0, 1, np.array([2], dtype=np.int32), np.array([5.0]))
    assert abs(solver.model()[0] - highs_copy()).max() == 0


def test_the_edits_kept_on_this_side_are_the_model_highs_holds_after_them() -> None:
    """The warm answers' tie-break changes the LP on this side (stages.Edits), not on a
    copy of the solver: after the same changes (columns fixed, rows held, a column and rows
    added) both give the same model, bound for bound; and a coefficient HiGHS refuses is
    refused there too, with nothing added."""
    from allocator.solving.highs import Refused, Solver
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    inst = allocator.load(npvr_weighted())
    lp = build_lp(to_model_data(inst, money_scale(inst)))
    solver, edits = Solver(lp), stages.Edits(lp)
    before = (lp.col_lower.copy(), lp.col_upper.copy(), lp.row_lower.copy(),
              lp.row_upper.copy())
    first = solver.run()
    for held in (solver, edits):
        held.fix_cols(np.array([0, 4]), first.x[[0, 4]])
        held.set_row_bounds(np.array([1, 2]), np.array([-1.0, 0.5]), np.array([2.0, 0.5]))
        level = held.add_col(0.0, 0.0, 1.0)
        held.add_rows(np.array([0.0, -1.0]), np.array([1.0, np.inf]), np.array([0, 2]),
                      np.array([0, level, 3]), np.array([1.0, -2.0, 3.0]))
        with pytest.raises(Refused):
            held.add_rows(np.array([0.0]), np.array([1.0]), np.array([0]), np.array([1]),
                          np.array([2e15]))
    ours, theirs = edits.model(), solver.model()
    assert ours[0].shape == theirs[0].shape == (lp.n_rows + 2, lp.n_cols + 1)
    assert abs(ours[0] - theirs[0]).max() == 0
    for mine, highs_own in zip(ours[1:], theirs[1:], strict=True):
        assert np.array_equal(mine, highs_own)
    # the LP the pipeline answers the next question from is left as it was
    assert all(np.array_equal(a, b) for a, b in zip(
        before, (lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper), strict=True))


def test_warm_runs_shared_over_threads_are_the_runs_one_after_another(
        binding: allocator.Instance, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sensitivity's warm runs cut over three threads, each with a twin of the pipeline,
    give every run's answer as one pipeline gives it, run after run, in the plan's order."""
    from allocator.solving import highs

    names = [n.partition(":")[2] for n in S.assumptions(binding, ("weights",))[:9]]
    monkeypatch.setattr(S, "THREADED_CELLS", 10**9)
    alone = S.sensitivity(binding, vary=tuple(names))
    monkeypatch.setattr(S, "THREADED_CELLS", 0)
    monkeypatch.setattr(highs, "cores", lambda: 3)
    shared = S.sensitivity(binding, vary=tuple(names))
    assert [(n, f) for n, f, _ in shared.runs] == [(n, f) for n, f, _ in alone.runs]
    for (name, factor, a), (_, _, b) in zip(alone.runs, shared.runs, strict=True):
        assert b.optimal and b.certificate.passed
        check_rules(b)
        assert np.abs(amounts(a) - amounts(b)).max() < 0.01, (name, factor)
        assert b.weighted_unmet_eur == pytest.approx(a.weighted_unmet_eur, rel=1e-9)


@pytest.mark.parametrize("which", ["npvr", "binding", "max-min"])
def test_new_weights_re_price_the_built_lp(which: str, binding: allocator.Instance) -> None:
    """A weight's question re-prices the pipeline's LP instead of building it: the costs and
    offset are build_lp's, and so is every other number; another budget builds afresh. On
    the default instance (diminishing returns: tier columns priced by the region weights),
    the binding family (every rule) and under max-min (the levels as region minimums)."""
    from allocator.solving.modeldata import to_model_data
    from models.matrix import build_lp, prices

    inst = (allocator.load(ROOT / "instances" / "npvr-2026") if which == "npvr" else
            binding.with_policy(fairness="max-min") if which == "max-min" else binding)
    pipeline = Pipeline(inst)
    for name in S.assumptions(inst, ("weights",))[:6]:
        moved = S.moved(inst, name, 1.1)
        d = pipeline.data_of(moved)
        built = build_lp(d)
        cost, offset = prices(d)
        assert np.array_equal(cost, built.cost) and offset == built.offset
        priced = pipeline._lp_of(d)
        assert priced.same_numbers(built) and priced.matrix is pipeline.lp.matrix
    other = to_model_data(inst.with_policy(budget_eur=inst.policy.budget_eur * 0.9),
                          pipeline.scale)
    assert pipeline._lp_of(other).matrix is not pipeline.lp.matrix
