"""Stage 1 through the reduced LP (allocator.solving.aggregate) against HiGHS on the whole LP.

The reduced LP folds every region whose class the prices decide into a few coefficients;
the answer is the whole LP's optimum or the method declines. Checked here: the same optimum
as HiGHS on the whole LP (random instances with every rule, the binding family), the same
tie-broken allocation where both reach the pro-rata stage, the certificate and every rule
on the returned allocation, row-order invariance, and a refusal it says in words.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import allocator
import allocator.labels
from allocator.errors import Status
from allocator.solving import aggregate
from allocator.solving.certify import certify
from allocator.solving.modeldata import money_scale, to_model_data
from allocator.studies.generate import synthetic_tables, write_csv_folder
from models.matrix import build_lp
from tests.conftest import instance_tables, write_csv_instance
from tests.test_engine import amounts, check_rules, rich_tables
from tests.test_fuzz import instances


@pytest.fixture
def small_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A first guess from a few regions only, so that the classes are wrong at first and the
    rounds have work to do (on small instances the default sample is every region)."""
    monkeypatch.setattr(aggregate, "SAMPLE_MIN", 2)
    monkeypatch.setattr(aggregate, "SAMPLE_SHARE", 0.2)


def both(folder: Path | allocator.Instance, tie_break: str = "none"
         ) -> tuple[allocator.Result, allocator.Result]:
    whole = allocator.solve(folder, tie_break=tie_break, algorithm="simplex")
    reduced = allocator.solve(folder, tie_break=tie_break, algorithm="aggregate")
    return whole, reduced


def same_optimum(whole: allocator.Result, reduced: allocator.Result) -> None:
    assert reduced.status == whole.status
    if whole.status != Status.OPTIMAL:
        return
    assert reduced.solver.algorithm == "aggregate", reduced.notes
    assert reduced.certificate.passed
    check_rules(reduced)
    assert reduced.weighted_unmet_eur == pytest.approx(whole.weighted_unmet_eur, rel=1e-9,
                                                       abs=1e-3)


AGGREGATE_FUZZ = settings(max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])


@AGGREGATE_FUZZ
@given(tables=instances())
def test_random_instances_reach_the_whole_lps_optimum(
        tmp_path_factory: pytest.TempPathFactory, small_sample: None, tables: dict) -> None:
    folder = write_csv_instance(tmp_path_factory.mktemp("agg") / "i", tables)
    whole, reduced = both(folder)
    if whole.status == Status.OPTIMAL and reduced.solver.algorithm != "aggregate":
        # it may decline (then the whole LP is solved, and said); never a wrong answer
        assert [k for k, _ in reduced.notes if k.startswith("note_declined")]
        assert reduced.certificate.passed
        return
    same_optimum(whole, reduced)


@pytest.mark.parametrize("seed", range(6))
def test_every_rule_with_region_bounds_and_shares(tmp_path: Path, small_sample: None,
                                                  seed: int) -> None:
    folder = write_csv_instance(tmp_path / "i", rich_tables(seed))
    whole, reduced = both(folder)
    if whole.status == Status.INFEASIBLE:
        low = whole.infeasibility.min_budget_eur
        whole, reduced = both(whole.instance.with_policy(budget_eur=float(np.ceil(low))))
    same_optimum(whole, reduced)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("extra", [{}, {"spend_all": True},
                                   {"change_cap": 50.0}, {"cofinancing_ratio": 0.5}])
def test_binding_family_same_optimum(tmp_path: Path, small_sample: None, seed: int,
                                     extra: dict) -> None:
    tables = synthetic_tables(400, seed=seed, family="binding")
    if "change_cap" in extra:
        tables["regions"]["reference_eur"] = (tables["regions"]["population"] * 1500.0)
    if "cofinancing_ratio" in extra:
        tables["regions"]["cofinancing_eur"] = tables["regions"]["population"] * 2000.0
    policy = tables["policy"]
    for key, value in extra.items():
        policy.loc[len(policy)] = [key, value]
    folder = write_csv_folder(tmp_path / "b", tables)
    whole, reduced = both(folder)
    same_optimum(whole, reduced)


@pytest.mark.parametrize("seed", range(3))
def test_the_tie_break_on_the_reduced_lp_is_the_whole_lps(tmp_path: Path, small_sample: None,
                                                          seed: int) -> None:
    """Where HiGHS's path reaches stage 3 too, both tie-breaks give the one allocation the
    stages define (the QP is strictly convex): equal to the euro."""
    rng = np.random.default_rng(seed)
    n = 40
    regions = [(f"r{i:02d}", int(rng.integers(1000, 50000)), 1.0) for i in range(n)]
    goals = [("a", 1.0), ("b", 1.0)]
    needs = [(r, g, float(rng.integers(10**5, 10**6)), float(rng.integers(0, 10**5)), None)
             for r, *_ in regions for g, _ in goals]
    folder = write_csv_instance(tmp_path / "t", instance_tables(
        regions, goals, needs, {"budget_eur": 4e6, "coverage_floor": 0.1,
                                "max_coverage_gap": 0.6}))
    whole, reduced = both(folder, tie_break="lexicographic")
    assert not whole.notes and not [k for k, _ in reduced.notes if k != "note_no_price"]
    assert reduced.certificate.passed
    a, b = amounts(whole), amounts(reduced)
    assert max(abs(a[k] - b[k]) for k in a) < 1.0


def test_binding_family_at_scale_is_certified_and_row_order_invariant(tmp_path: Path) -> None:
    """Above aggregate.MIN_CELLS the default path is the reduced LP, tie-break included;
    shuffled rows give the same allocation."""
    regions = aggregate.MIN_CELLS // 3 + 1000
    tables = synthetic_tables(regions, seed=3, family="binding")
    a = allocator.solve(write_csv_folder(tmp_path / "a", tables))
    assert a.solver.algorithm == "aggregate" and a.certificate.passed
    check_rules(a)
    assert not [k for k, _ in a.notes if k not in ("note_no_price",)]
    shuffled = {k: v.sample(frac=1.0, random_state=1) for k, v in tables.items()}
    b = allocator.solve(write_csv_folder(tmp_path / "b", shuffled))
    x, y = amounts(a), amounts(b)
    assert max(abs(x[k] - y[k]) for k in x) < 1e-6 * max(x.values())


def test_the_whole_lps_solution_it_returns_is_certified_by_its_own_duals(
        tmp_path: Path) -> None:
    """The reduced LP's answer comes back as every column and every row dual of the whole
    LP: the certificate's Lagrangian bound from those duals meets the objective."""
    folder = write_csv_folder(tmp_path / "b", synthetic_tables(3000, seed=5, family="binding"))
    inst = allocator.load(folder)
    scale = money_scale(inst)
    d = to_model_data(inst, scale)
    lp = build_lp(d)
    a = aggregate.solve(lp, d)
    assert a.solution.row_dual.shape == (lp.n_rows,) and a.solution.x.shape == (lp.n_cols,)
    cert = certify(d, lp, a.solution.x[:lp.n_cells], a.solution.row_dual, scale)
    assert cert.passed and cert.duality_gap < 1e-9
    assert a.working_regions < len(d.regions) / 10  # most regions folded


def test_tiers_are_declined_and_said() -> None:
    r = allocator.solve("instances/npvr-2026.xlsx", algorithm="aggregate")
    assert r.solver.algorithm != "aggregate" and r.certificate.passed
    assert ("note_declined_shape", {}) in r.notes
    assert "Stap 1 is op het hele model opgelost" in " ".join(
        allocator.labels.text(k, "nl", **v) for k, v in r.notes)


def test_an_infeasible_instance_falls_back_and_is_explained(small: Path) -> None:
    """The reduced LP cannot reach an optimum of an infeasible instance: the engine solves
    the whole LP, which says why, exactly as without the reduced LP."""
    whole, reduced = (allocator.solve(small, floor=0.9, budget=1000, algorithm=a)
                      for a in ("simplex", "aggregate"))
    assert whole.status == reduced.status == Status.INFEASIBLE
    assert reduced.infeasibility.min_budget_eur == whole.infeasibility.min_budget_eur


def test_price_of_fairness_through_the_reduced_lp_equals_the_whole_lps(
        tmp_path: Path, small_sample: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The price of each rule (an LP without it) is solved through the reduced LP above
    MIN_CELLS: equal to HiGHS on the whole LP without that rule, solved here directly."""
    from allocator.solving import highs
    from allocator.solving.explain import RULES

    monkeypatch.setattr(aggregate, "MIN_CELLS", 100)
    folder = write_csv_folder(tmp_path / "b", synthetic_tables(400, seed=2, family="binding"))
    r = allocator.solve(folder, tie_break="none", fairness_price=True)
    assert r.solver.algorithm == "aggregate" and r.price_of_fairness is not None
    inst = r.instance
    scale = money_scale(inst)
    d = to_model_data(inst, scale)
    best = highs.Solver(build_lp(d)).run().objective
    assert r.price_of_fairness.per_rule_eur
    for rule, price in r.price_of_fairness.per_rule_eur.items():
        without = highs.Solver(build_lp(dataclasses.replace(d, **RULES[rule]))).run()
        assert price == pytest.approx((best - without.objective) * scale, rel=1e-7, abs=1.0)


def test_the_next_million_through_the_reduced_lp_is_a_re_solve(
        tmp_path: Path, small_sample: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """"€1 m more lowers weighted unmet need by X": on the reduced-LP path X is its own solve
    at B + €1 m; checked against HiGHS on the whole LP at both budgets."""
    monkeypatch.setattr(aggregate, "MIN_CELLS", 100)
    folder = write_csv_folder(tmp_path / "b", synthetic_tables(400, seed=6, family="binding"))
    r = allocator.solve(folder, tie_break="none")
    assert r.solver.algorithm == "aggregate" and r.next_million is not None
    assert r.next_million.method == "re-solve"
    at, more = (allocator.solve(folder, tie_break="none", algorithm="simplex", budget=b)
                for b in (r.budget_eur, r.budget_eur + 1e6))
    assert r.next_million.unmet_change_eur == pytest.approx(
        at.weighted_unmet_eur - more.weighted_unmet_eur, rel=1e-7, abs=1.0)


@pytest.mark.parametrize("where", ["last", "first"])
def test_regions_without_rows_do_not_send_it_to_the_whole_lp(tmp_path: Path, where: str) -> None:
    """Regions without cells have no region rows. Wherever their ids sort, the reduced LP
    answers: it clipped their start onto the last row, so the region before them lost its
    last row (here its per-capita cap, binding at half its population) and the reduced LP
    fell back to the whole LP when their ids sorted last."""
    tables = synthetic_tables(400, seed=0, family="binding")
    regions = tables["regions"]
    regions.loc[len(regions) - 1, "population"] //= 2
    extra = regions.head(3).copy()
    extra["region"] = [("zz" if where == "last" else "0") + str(k) for k in range(3)]
    tables["regions"] = pd.concat([regions, extra], ignore_index=True)
    whole, reduced = both(write_csv_folder(tmp_path / "e", tables))
    assert not [k for k, _ in reduced.notes if k.startswith("note_declined")], reduced.notes
    same_optimum(whole, reduced)
