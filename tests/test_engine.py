"""The engine on small instances whose answers are known or derived independently."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import allocator
from allocator.errors import Status
from allocator.reports.documents import document
from tests.conftest import SMALL, instance_tables, write_csv_instance, write_xlsx_instance


def amounts(result: allocator.Result) -> dict[tuple[str, str], float]:
    return {(r, g): a for r, g, a in result.allocation.itertuples(index=False)}


def test_hand_solved_small_instance(small: Path) -> None:
    # Floor 30%: A needs 0.3*150 - 10 = 35; the rest (65) goes to B (weight 2), which can
    # absorb 40 + min(60, cap 30) = 70. Within A, the tie-break splits 35 pro rata to net
    # need (90 : 50). U = 1*(140 - 35) + 2*(70 - 65) + 2*(60 - 30) = 175.
    r = allocator.solve(small)
    a = amounts(r)
    assert r.status == Status.OPTIMAL
    assert a[("A", "g1")] == pytest.approx(22.5, abs=1e-3)
    assert a[("A", "g2")] == pytest.approx(12.5, abs=1e-3)
    assert a[("B", "g1")] + a[("B", "g2")] == pytest.approx(65, abs=1e-6)
    assert a[("B", "g2")] == pytest.approx(30, abs=1e-6)
    assert r.weighted_unmet_eur == pytest.approx(175, rel=1e-8)
    assert r.marginal_value == pytest.approx(2.0)
    assert r.certificate is not None and r.certificate.passed


def greedy_fill(needs: list[tuple[str, str, float, float, float | None]],
                wr: dict[str, float], wg: dict[str, float], budget: float) -> dict:
    """The fractional knapsack: fill cells in order of weight until the budget runs out."""
    cells = []
    for r, g, n, e, cap in needs:
        m = max(0.0, n - e)
        cells.append((-(wr[r] * wg[g]), r, g, m if cap is None else min(m, cap)))
    left = budget
    out = {}
    for _, r, g, upper in sorted(cells):
        out[(r, g)] = min(upper, left)
        left -= out[(r, g)]
    return out


@pytest.mark.parametrize("seed", range(5))
def test_no_equity_rule_equals_greedy_fill(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    regions = [(f"r{i}", int(rng.integers(1000, 100000)), float(rng.uniform(0.5, 3)))
               for i in range(6)]
    goals = [(f"g{j}", float(rng.uniform(0.5, 2))) for j in range(3)]
    needs = [(r, g, float(rng.integers(0, 10**7)), float(rng.integers(0, 3 * 10**6)),
              None if rng.random() < 0.5 else float(rng.integers(0, 5 * 10**6)))
             for r, *_ in regions for g, _ in goals if rng.random() < 0.9]
    budget = float(rng.integers(10**6, 3 * 10**7))
    folder = write_csv_instance(tmp_path / "i", instance_tables(
        regions, goals, needs, {"budget_eur": budget}))
    r = allocator.solve(folder)
    expected = greedy_fill(needs, {a: w for a, _, w in regions}, dict(goals), budget)
    got = amounts(r)
    for cell, value in expected.items():
        assert got[cell] == pytest.approx(value, abs=1e-3), cell


def check_rules(r: allocator.Result, tol: float = 1e-3) -> None:
    """Every rule, checked on the returned allocation from the instance tables alone."""
    inst = r.instance
    p = inst.policy
    alloc = r.allocation.merge(inst.needs, on=["region", "goal"])
    x = alloc["amount_eur"]
    net = (alloc["need_eur"] - alloc["existing_eur"]).clip(lower=0)
    upper = np.fmin(net, alloc["cap_eur"].fillna(np.inf))
    assert (x >= -tol).all() and (x <= upper + tol).all()
    total = x.sum()
    assert total <= p.budget_eur + tol
    if p.spend_all:
        assert total >= p.budget_eur - tol
    alloc["covered"] = np.minimum(alloc["existing_eur"], alloc["need_eur"]) + x
    per_region = alloc.groupby("region")[["covered", "need_eur", "amount_eur"]].sum()
    has_need = per_region[per_region["need_eur"] > 0]
    coverage = has_need["covered"] / has_need["need_eur"]
    assert (has_need["covered"] >= p.coverage_floor * has_need["need_eur"] - tol).all()
    if p.max_coverage_gap is not None and len(coverage):
        assert coverage.max() - coverage.min() <= p.max_coverage_gap + 1e-7
    per_goal = alloc.groupby("goal")["amount_eur"].sum().reindex(inst.goals.index, fill_value=0)
    for g, row in inst.goals.iterrows():
        if not math.isnan(row["min_share"]):
            assert per_goal[g] >= row["min_share"] * p.budget_eur - tol
        if not math.isnan(row["max_share"]):
            assert per_goal[g] <= row["max_share"] * p.budget_eur + tol
    got = per_region["amount_eur"].reindex(inst.regions.index, fill_value=0)
    for column, uniform, sign in (("min_eur", p.region_min_eur, 1),
                                  ("max_eur", p.region_max_eur, -1)):
        bound = inst.regions[column] if column in inst.regions else got * np.nan
        if uniform is not None:
            bound = bound.fillna(uniform)
        ok = bound.isna() | (sign * (got - bound) >= -tol)
        assert ok.all(), column
    if p.cofinancing_ratio is not None:
        capacity = inst.regions["cofinancing_eur"]
        assert (capacity.isna() | (p.cofinancing_ratio * got <= capacity + tol)).all()
    if p.change_cap is not None:
        room = p.change_cap * inst.regions["population"]
        assert ((got - inst.regions["reference_eur"]).abs() <= room + tol).all()
    if p.per_capita_cap is not None:
        pop = inst.regions["population"]
        cap = p.per_capita_cap * pop / pop.sum() * p.budget_eur
        got = per_region["amount_eur"].reindex(pop.index, fill_value=0)
        assert (got <= cap + tol).all()


def rich_tables(seed: int, budget: float | None = None) -> dict:
    rng = np.random.default_rng(seed)
    regions = [(f"r{i}", int(rng.integers(1000, 100000)), float(rng.choice([1, 1.5, 2])))
               for i in range(5)]
    goals = [("a", 1.0), ("b", 1.0), ("c", 2.0)]
    needs = [(r, g, float(rng.integers(10**5, 10**7)), float(rng.integers(0, 2 * 10**6)), None)
             for r, *_ in regions for g, _ in goals]
    t = instance_tables(regions, goals, needs, {
        "budget_eur": budget or float(rng.integers(5 * 10**6, 2 * 10**7)),
        "coverage_floor": 0.15, "max_coverage_gap": 0.6, "per_capita_cap": 2.5,
    })
    t["goals"] = [["goal", "weight", "min_share", "max_share"],
                  ["a", 1, 0.2, None], ["b", 1, None, 0.5], ["c", 2, None, None]]
    # per-region bounds in euros: a minimum for r0, a maximum for r1
    t["regions"][0] += ["min_eur", "max_eur"]
    for row, bounds in zip(t["regions"][1:], [[1e5, None], [None, 8e6]] + [[None, None]] * 3,
                           strict=True):
        row += bounds
    return t


@pytest.mark.parametrize("seed", range(6))
def test_every_rule_holds_on_the_returned_allocation(tmp_path: Path, seed: int) -> None:
    r = allocator.solve(write_csv_instance(tmp_path / "i", rich_tables(seed)))
    if r.status == Status.INFEASIBLE:
        low = r.infeasibility.min_budget_eur
        assert low is not None
        r = allocator.solve(r.instance, budget=math.ceil(low))
    assert r.status == Status.OPTIMAL
    check_rules(r)
    assert r.certificate.passed


def test_more_budget_never_raises_unmet_need(small: Path) -> None:
    values = [allocator.solve(small, budget=b).weighted_unmet_eur for b in range(95, 240, 12)]
    assert all(b <= a + 1e-6 for a, b in zip(values, values[1:], strict=False))
    assert values[-1] < values[0]


def test_multiplying_all_money_by_ten_multiplies_the_allocation(tmp_path: Path) -> None:
    t = rich_tables(3, budget=1.2e7)
    base = allocator.solve(write_csv_instance(tmp_path / "a", t))
    t10 = {k: [row[:] for row in v] for k, v in t.items()}
    for row in t10["needs"][1:]:
        row[2], row[3] = row[2] * 10, row[3] * 10
    for row in t10["regions"][1:]:  # the per-region bounds are money too
        row[3:5] = [None if v is None else v * 10 for v in row[3:5]]
    t10["policy"] = [["key", "value"]] + [
        [k, v * 10 if k == "budget_eur" else v] for k, v in t["policy"][1:]]
    big = allocator.solve(write_csv_instance(tmp_path / "b", t10))
    assert base.status == big.status == Status.OPTIMAL
    np.testing.assert_allclose(big.allocation["amount_eur"], 10 * base.allocation["amount_eur"],
                               rtol=1e-6, atol=1e-2)


def test_shuffled_rows_and_csv_vs_xlsx_give_the_same_allocation(tmp_path: Path) -> None:
    t = rich_tables(4, budget=1.5e7)
    ref = allocator.solve(write_csv_instance(tmp_path / "ref", t)).rounded_allocation()
    rng = np.random.default_rng(0)
    shuffled = {k: [v[0]] + [v[1:][i] for i in rng.permutation(len(v) - 1)]
                for k, v in t.items()}
    for path in (write_csv_instance(tmp_path / "shuffled", shuffled),
                 write_xlsx_instance(tmp_path / "i.xlsx", t),
                 write_xlsx_instance(tmp_path / "s.xlsx", shuffled)):
        got = allocator.solve(path).rounded_allocation()
        pd.testing.assert_frame_equal(got.reset_index(drop=True), ref.reset_index(drop=True))


def test_equal_weights_tie_break_is_max_min_then_pro_rata(tmp_path: Path) -> None:
    # Equal weights: every full spend is stage-1 optimal. Max-min first lifts both regions to
    # the same coverage (40 of 200 in each: 20%); within a region the split is pro rata.
    t = instance_tables([("A", 10, 1), ("B", 10, 1)], [("g", 1), ("h", 1)],
                        [("A", "g", 150, 0, None), ("A", "h", 50, 0, None),
                         ("B", "g", 100, 0, None), ("B", "h", 100, 0, None)],
                        {"budget_eur": 80})
    a = amounts(allocator.solve(write_csv_instance(tmp_path / "i", t)))
    assert a[("A", "g")] == pytest.approx(30, abs=1e-3)
    assert a[("A", "h")] == pytest.approx(10, abs=1e-3)
    assert a[("B", "g")] == pytest.approx(20, abs=1e-3)
    assert a[("B", "h")] == pytest.approx(20, abs=1e-3)


def test_tie_break_none_is_a_stage_one_optimum(small: Path) -> None:
    r = allocator.solve(small, tie_break="none")
    assert r.solver.lp_solves == 1
    assert r.weighted_unmet_eur == pytest.approx(175, rel=1e-9)


def test_spend_all_and_goal_shares(tmp_path: Path) -> None:
    # Goal g must get at least 60% of 100 although h carries the higher weight.
    t = instance_tables([("A", 10, 1)], [("g", 1), ("h", 5)],
                        [("A", "g", 100, 0, None), ("A", "h", 100, 0, None)],
                        {"budget_eur": 100, "spend_all": "true"})
    t["goals"] = [["goal", "weight", "min_share"], ["g", 1, 0.6], ["h", 5, None]]
    r = allocator.solve(write_csv_instance(tmp_path / "i", t))
    a = amounts(r)
    assert a[("A", "g")] == pytest.approx(60, abs=1e-6)
    assert a[("A", "h")] == pytest.approx(40, abs=1e-6)


def test_per_capita_cap(tmp_path: Path) -> None:
    # kappa 1: each region at most its population share of B (A 25, B 75).
    t = instance_tables([("A", 100, 5), ("B", 300, 1)], [("g", 1)],
                        [("A", "g", 100, 0, None), ("B", "g", 100, 0, None)],
                        {"budget_eur": 100, "per_capita_cap": 1})
    a = amounts(allocator.solve(write_csv_instance(tmp_path / "i", t)))
    assert a[("A", "g")] == pytest.approx(25, abs=1e-6)
    assert a[("B", "g")] == pytest.approx(75, abs=1e-6)


def test_infeasible_floor_reports_the_exact_minimum_budget(small: Path) -> None:
    # Floor 50%: A needs 75 - 10 = 65 and B 70 - 40 = 30, so the minimum budget is 95.
    r = allocator.solve(small, budget=10, floor=0.5)
    assert r.status == Status.INFEASIBLE
    assert r.infeasibility.min_budget_eur == pytest.approx(95, abs=1e-6)
    assert r.infeasibility.droppable == ["coverage_floor"]
    assert r.message == ("The rules cannot all hold with a budget of €10. The smallest budget "
                         "at which they hold is €95. These cannot hold together (an irreducible "
                         "set: drop any one and the rest can): budget; coverage_floor in B. "
                         "Dropping any one of these rules would "
                         "restore feasibility: coverage_floor. Single changes that would restore "
                         "feasibility: set the budget to €95; lower the coverage floor to "
                         "13.33%.")
    assert allocator.solve(small, budget=95, floor=0.5).status == Status.OPTIMAL
    assert allocator.solve(small, budget=94.99, floor=0.5).status == Status.INFEASIBLE


def test_floor_out_of_reach_names_the_regions(small: Path) -> None:
    # B can reach at most (40 + 40 + 30) / 140 = 78.6% because of its cap.
    r = allocator.solve(small, budget=1000, floor=0.9)
    assert r.status == Status.INFEASIBLE
    assert r.infeasibility.min_budget_eur is None
    assert r.infeasibility.unreachable_regions == {"B": pytest.approx(110 / 140)}
    assert "No budget makes them hold together." in r.message
    assert "B (at most 78.6%)" in r.message


def test_small_instance_as_xlsx_equals_csv(tmp_path: Path) -> None:
    a = allocator.solve(write_xlsx_instance(tmp_path / "s.xlsx", SMALL))
    b = allocator.solve(write_csv_instance(tmp_path / "s", SMALL))
    assert document(a)["allocations"] == document(b)["allocations"]


def test_skipped_stage_three_is_said_and_max_min_still_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.solving.stages as stages

    monkeypatch.setattr(stages, "QP_MAX_FREEDOM", 0)
    t = instance_tables([("A", 10, 1), ("B", 10, 1)], [("g", 1), ("h", 1)],
                        [("A", "g", 150, 0, None), ("A", "h", 50, 0, None),
                         ("B", "g", 100, 0, None), ("B", "h", 100, 0, None)],
                        {"budget_eur": 80})
    r = allocator.solve(write_csv_instance(tmp_path / "i", t))
    assert r.optimal
    assert r.message.endswith("the tied cells leave 4 degrees of freedom, above the limit "
                              "of 0; the allocation is the max-min optimum.")
    assert r.coverage["coverage"].tolist() == [pytest.approx(0.2), pytest.approx(0.2)]


def test_generator_is_reproducible_and_solvable(tmp_path: Path) -> None:
    from allocator.studies.generate import synthetic_tables, write_csv_folder

    a, b = synthetic_tables(50, seed=7), synthetic_tables(50, seed=7)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not synthetic_tables(50, seed=8)["needs"].equals(a["needs"])
    r = allocator.solve(write_csv_folder(tmp_path / "g", a))
    assert r.optimal and r.certificate.passed
    check_rules(r)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("regions", [11, 40])
def test_generated_rules_bind_and_hold(tmp_path: Path, regions: int, seed: int) -> None:
    from allocator.studies.generate import RULES, synthetic_tables, write_csv_folder

    tables = synthetic_tables(regions, seed=seed, rules=tuple(RULES))
    r = allocator.solve(write_csv_folder(tmp_path / "g", tables))
    assert r.optimal and r.certificate.passed
    check_rules(r)
    p = r.instance.policy
    assert (p.coverage_floor, p.max_coverage_gap, p.per_capita_cap) == (0.1, 0.9, 5)
    assert r.instance.goals["min_share"].notna().all()


def test_amounts_from_one_euro_to_a_trillion_stay_exact(tmp_path: Path) -> None:
    """Needs from €1 to €10^12 in one instance: money scaling keeps HiGHS's tolerances away
    from the small cells. The answer must equal the greedy fill to the cent."""
    needs = [(f"r{k:02d}", "g", float(10**k), 0.0, None) for k in range(13)]
    regions = [(f"r{k:02d}", 1000, 1.0 + k / 100) for k in range(13)]  # distinct weights
    rng = np.random.default_rng(5)
    for budget in [1.0, 123.45, 10**6 + 0.5, 5 * 10**11, float(rng.uniform(1, 10**12))]:
        tables = instance_tables(regions, [("g", 1.0)], needs, {"budget_eur": budget})
        r = allocator.solve(write_csv_instance(tmp_path / f"b{budget}", tables))
        assert r.optimal and r.certificate.passed
        want = greedy_fill(needs, {r: w for r, _, w in regions}, {"g": 1.0}, budget)
        for (region, goal), amount in amounts(r).items():
            assert amount == pytest.approx(want[(region, goal)], abs=0.01), (budget, region)
        # at a budget of €1 the €10^12 need is 10^15 model units: HiGHS refuses the
        # tie-break's coverage row with that coefficient, and the result says the tie-break
        # did not finish (the distinct weights leave one optimum, the greedy fill's)
        assert [k for k, _ in r.notes] == (["note_unfinished"] if budget == 1.0 else [])


def test_a_cycling_pro_rata_stage_falls_back_to_max_min(tmp_path: Path) -> None:
    """Found by the fuzz tests: HiGHS's QP solver cycled for ever on this instance. The
    iteration bound ends it; the answer is still a certified stage-1 optimum."""
    tables = instance_tables(
        [("r0", 505, 1), ("r1", 11070, 1), ("r2", 617, 1), ("r3", 29105, 0.5)],
        [("g0", 1.5), ("g1", 1.5), ("g2", 1.5)],
        [("r0", "g0", 3, 0, None), ("r1", "g1", 145181, 4490, None),
         ("r1", "g2", 171707, 500, 500), ("r3", "g0", 595, 100, None),
         ("r3", "g1", 1985, 119, None)],
        {"budget_eur": 1})
    r = allocator.solve(write_csv_instance(tmp_path / "cycle", tables))
    assert r.optimal and r.certificate.passed
    check_rules(r)
    assert r.allocated_eur == pytest.approx(1.0)


def test_gap_rule_with_needs_far_above_the_budget(tmp_path: Path) -> None:
    """After one found by the fuzz tests: a €1 budget, needs of €84 and a gap rule. HiGHS holds the gap
    row to 1e-7 of coverage, which the certificate must accept, and the rule still holds."""
    tables = instance_tables(
        [("r0", 1, 0.5), ("r1", 1, 0.5), ("r2", 1, 0.5)], [("g0", 1), ("g1", 1)],
        [("r0", "g0", 84, 15, None), ("r2", "g1", 7, 3, None)],
        {"budget_eur": 1, "max_coverage_gap": 0.24})  # binds: r0 needs €0.84 of the €1
    r = allocator.solve(write_csv_instance(tmp_path / "i", tables))
    assert r.optimal and r.certificate.passed
    check_rules(r)


@pytest.mark.parametrize("seed", range(4))
def test_the_binding_family_is_feasible_and_its_rules_bind(tmp_path: Path, seed: int) -> None:
    from allocator.studies.generate import binding_rules, synthetic_tables, write_csv_folder

    folder = write_csv_folder(tmp_path / "b", synthetic_tables(300, seed=seed,
                                                               family="binding"))
    r = allocator.solve(folder)
    assert r.optimal and r.certificate.passed
    check_rules(r)
    weights = r.instance.regions["weight"]
    assert weights.max() / weights.min() > 3  # spread weights, not a few classes
    bound = {rule: k for rule, (k, _) in binding_rules(folder).items()}
    assert bound["coverage_high"] > 0 and bound["coverage_gap"] == 1  # the gap binds
    assert bound["min_share"] > 0 and bound["per_capita_cap"] > 0 and bound["budget"] == 1


@pytest.mark.parametrize(("seed", "policy"), [
    (3, {"coverage_floor": 0.6}), (11, {"coverage_floor": 0.8}),
    (29, {"coverage_floor": 0.5, "max_coverage_gap": 0.02})])
def test_the_rules_that_restore_feasibility_are_every_rule_that_does(
        tmp_path: Path, seed: int, policy: dict[str, float]) -> None:
    """The explanation solves without a rule only the rules the conflict holds (a set of
    rows that cannot hold together still cannot once a rule outside it is dropped); the
    rules it names are exactly those that, each dropped alone, make the instance
    feasible, found here by trying every rule in force."""
    import dataclasses

    from allocator.cli import main
    from allocator.solving.explain import RULES, active_rules
    from allocator.solving.highs import Solver
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    folder = tmp_path / "b"
    assert main(["generate", str(folder), "--regions", "40", "--seed", str(seed),
                 "--family", "binding"]) == 0
    inst = allocator.load(folder)
    inst = inst.with_policy(**policy, budget_eur=inst.policy.budget_eur / 2)
    r = allocator.solve(inst, fairness_price=False, marginal=False)
    assert r.status == Status.INFEASIBLE
    d = to_model_data(inst, money_scale(inst))
    every = [rule for rule in active_rules(d)
             if Solver(build_lp(dataclasses.replace(d, **RULES[rule]))).run().status
             == Status.OPTIMAL]
    assert r.infeasibility.droppable == every
