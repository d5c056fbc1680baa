"""Need uncertainty: the robust LP against an independent formulation, regret, and the
scenario table's messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import allocator
from allocator.cli import main
from allocator.errors import InputError
from allocator.studies.robust import robust
from tests.conftest import npvr_weighted, write_csv_instance

NPVR = npvr_weighted()  # the plain weighted objective: see tests/conftest.py


def tiny(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    regions = ["a", "b", "c"]
    needs = [[r, g, float(rng.integers(100, 1000)), float(rng.integers(0, 200)), None]
             for r in regions for g in ("x", "y")]
    return {
        "regions": [["region", "population", "weight"],
                    *[[r, 1000, float(rng.choice([1, 1.5, 2]))] for r in regions]],
        "goals": [["goal", "weight"], ["x", 1], ["y", 1.7]],
        "needs": [["region", "goal", "need_eur", "existing_eur", "cap_eur"], *needs],
        "policy": [["key", "value"], ["budget_eur", 1500], ["coverage_floor", 0.3]],
    }


def scenario_file(tmp_path: Path, rows: list[list[object]]) -> Path:
    path = tmp_path / "needs.csv"
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in row)
                              for row in [["scenario", "probability", "region", "goal",
                                           "factor"], *rows]) + "\n")
    return path


def independent(inst: allocator.Instance, factors: list[dict[str, float]],
                probs: list[float], worst: bool) -> float:
    """The same problem written out densely for scipy's HiGHS, variable by variable:
    x (cells), y (scenario x cells), t (worst case)."""
    needs = inst.needs
    n = len(needs)
    w = (inst.regions["weight"].reindex(needs["region"].astype(str)).to_numpy()
         * inst.goals["weight"].reindex(needs["goal"].astype(str)).to_numpy())
    scen_need = [needs["need_eur"].to_numpy() * needs["region"].astype(str).map(f).fillna(1.0)
                 .to_numpy() for f in factors]
    existing = needs["existing_eur"].to_numpy()
    k = len(factors)
    nv = n + k * n + (1 if worst else 0)
    c = np.zeros(nv)
    a_ub, b_ub = [], []
    row = np.zeros(nv)
    row[:n] = 1
    a_ub.append(row)
    b_ub.append(inst.policy.budget_eur)
    bounds = [(0, float(max(np.maximum(s - existing, 0)[i] for s in scen_need))) for i in range(n)]
    for s, need in enumerate(scen_need):
        m = np.maximum(need - existing, 0)
        for i in range(n):
            r = np.zeros(nv)  # -(x_i + y_si) <= -m_i
            r[i] = -1
            r[n + s * n + i] = -1
            a_ub.append(r)
            b_ub.append(-m[i])
            bounds.append((0, float(m[i])))
        for region in inst.regions.index:
            idx = np.flatnonzero(needs["region"].astype(str).to_numpy() == region)
            gross = need[idx].sum()
            covered = np.minimum(existing[idx], need[idx]).sum()
            r = np.zeros(nv)  # sum(m - y) >= 0.3 gross - covered
            r[n + s * n + idx] = 1
            a_ub.append(r)
            b_ub.append(m[idx].sum() - (0.3 * gross - covered))
        if worst:
            r = np.zeros(nv)
            r[n + s * n: n + (s + 1) * n] = w
            r[-1] = -1
            a_ub.append(r)
            b_ub.append(0.0)
        else:
            c[n + s * n: n + (s + 1) * n] = probs[s] * w
    if worst:
        c[-1] = 1
        bounds.append((0, None))
    res = linprog(c, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("objective", ["expected", "worst-case"])
def test_matches_an_independent_formulation(tmp_path: Path, seed: int, objective: str) -> None:
    inst = allocator.load(write_csv_instance(tmp_path / "i", tiny(seed)))
    factors = [{"a": 0.8}, {}, {"b": 1.4, "c": 1.2}]
    probs = [0.3, 0.5, 0.2]
    rows = [["low", 0.3, "a", None, 0.8], ["mid", 0.5, None, None, 1],
            ["high", 0.2, "b", None, 1.4], ["high", None, "c", None, 1.2]]
    r = robust(inst, scenario_file(tmp_path, rows), objective=objective)
    assert r.optimal
    assert r.objective_eur == pytest.approx(
        independent(inst, factors, probs, objective == "worst-case"), rel=1e-7, abs=1e-6)
    # the reported value is the objective of the returned allocation, recomputed here
    x = r.allocation["amount_eur"].to_numpy()
    assert x.sum() <= 1500 + 1e-6
    unmet = [o.robust_unmet_eur for o in r.outcomes]
    value = max(unmet) if objective == "worst-case" else float(np.dot(probs, unmet))
    assert value == pytest.approx(r.objective_eur, rel=1e-9)
    for o in r.outcomes:
        assert o.regret_eur >= -1e-6  # the robust plan meets every scenario's rules


def test_each_scenario_s_own_optimum_is_that_scenario_solved_alone(tmp_path: Path) -> None:
    """The regret's reference: each scenario's need table written out and solved alone (the
    scenario with every factor 1 is the instance itself, whose optimum the nominal solve
    has already found, and which the study takes from there)."""
    tables = tiny(3)
    inst = allocator.load(write_csv_instance(tmp_path / "i", tables))
    r = robust(inst, scenario_file(tmp_path, [["low", 0.3, None, None, 0.8],
                                              ["same", 0.4, None, None, 1],
                                              ["high", 0.3, "b", None, 1.3]]))
    assert r.optimal
    for outcome, factor in zip(r.outcomes, ({}, None, {"b": 1.3}), strict=True):
        edited = [list(row) for row in tables["needs"]]
        for row in edited[1:]:
            f = 0.8 if factor == {} else 1.0 if factor is None else factor.get(row[0], 1.0)
            row[2] = row[2] * f
        alone = allocator.solve(write_csv_instance(tmp_path / outcome.name, {
            **tables, "needs": edited}), tie_break="none", fairness_price=False)
        assert outcome.own_optimum_eur == pytest.approx(alone.weighted_unmet_eur, rel=1e-9)


def test_one_scenario_equal_to_the_instance_is_the_plain_optimum(tmp_path: Path) -> None:
    r = robust(NPVR, scenario_file(tmp_path, [["same", 1, None, None, 1]]))
    plain = allocator.solve(NPVR)
    assert r.objective_eur == pytest.approx(plain.weighted_unmet_eur, rel=1e-9)
    assert r.outcomes[0].regret_eur == pytest.approx(0, abs=1e-3)


def test_npvr_robust_plan_costs_less_in_expectation_than_committing_to_one(tmp_path: Path
                                                                          ) -> None:
    rows = [["low", 0.25, None, None, 0.7], ["mid", 0.5, None, None, 1],
            ["high", 0.25, None, None, 1.3]]
    r = robust(NPVR, scenario_file(tmp_path, rows))
    probs = np.array([o.probability for o in r.outcomes])
    expected = probs @ np.array([o.robust_unmet_eur for o in r.outcomes])
    assert expected == pytest.approx(r.objective_eur, rel=1e-9)
    # the plan for the middle scenario meets every floor here, so it is a candidate:
    # the robust plan can only do as well or better in expectation
    assert all(o.nominal_meets_floor for o in r.outcomes[:2])
    nominal = probs @ np.array([o.nominal_unmet_eur for o in r.outcomes])
    if all(o.nominal_meets_floor for o in r.outcomes):
        assert expected <= nominal + 1e-3
    totals = r.by_region().sum()
    assert totals["robust_eur"] <= r.instance.policy.budget_eur


@pytest.mark.parametrize(("rows", "expected"), [
    ([["a", 0.5, None, None, 1], ["b", 0.6, None, None, 1.2]],
     ["needs.csv, probability: the probabilities sum to 1.1, not 1"]),
    ([["a", 0.5, "nowhere", None, 1], ["b", 0.5, None, None, -1]],
     ["needs.csv, row 3, factor: must be >= 0, got -1",
      "needs.csv, row 2, region: unknown region 'nowhere' (not in the instance)"]),
    ([["a", 1, None, None, None]],
     ["needs.csv, row 2, factor: missing value (or a need_eur)"]),
    ([["a", 0.5, None, None, 1], ["a", 0.4, None, None, 1]],
     ["needs.csv, row 3, probability: probability 0.4 differs from 0.5 given for 'a' earlier"]),
])
def test_bad_scenario_tables_are_named(tmp_path: Path, rows: list, expected: list[str]) -> None:
    with pytest.raises(InputError) as err:
        robust(NPVR, scenario_file(tmp_path, rows))
    assert [str(p) for p in err.value.problems] == expected


def test_cli_writes_workbook_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from openpyxl import load_workbook

    needs = scenario_file(tmp_path, [["low", 0.5, None, None, 0.8],
                                     ["high", 0.5, None, None, 1.2]])
    out, js = tmp_path / "r.xlsx", tmp_path / "r.json"
    assert main(["robust", str(NPVR), str(needs), "--out", str(out), "--json", str(js)]) == 0
    data = json.loads(js.read_text())
    assert [s["name"] for s in data["scenarios"]] == ["low", "high"]
    assert sum(data["allocation_by_region_eur"].values()) <= 250_000_000
    wb = load_workbook(out)
    assert wb.sheetnames == ["Scenario's", "Verdeling"]
    rows = list(wb["Scenario's"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert [r[0] for r in rows] == ["low", "high"]
    assert [r[4] for r in rows] == [round(s["regret_eur"]) for s in data["scenarios"]]


def test_max_min_with_one_scenario_is_the_plain_max_min(tmp_path: Path) -> None:
    needs = scenario_file(tmp_path, [["a", 1, None, None, 1]])
    inst = allocator.load(NPVR).with_policy(fairness="max-min")
    r = robust(inst, needs)
    plain = allocator.solve(inst, fairness_price=False, marginal=False)
    assert r.objective_eur == pytest.approx(plain.weighted_unmet_eur, rel=1e-7)
    x = r.allocation["amount_eur"].to_numpy()
    lowest = scenario_coverages(inst, [{}], x).min()
    assert lowest == pytest.approx(plain.coverage["coverage"].min(), abs=1e-8)


@pytest.mark.parametrize("objective", ["expected", "worst-case"])
def test_tiers_in_robust_one_scenario_is_the_plain_objective(tmp_path: Path,
                                                             objective: str) -> None:
    from allocator.inputs.presets import with_policy

    inst = with_policy(allocator.load(NPVR), "deep-shortfall")
    r = robust(inst, scenario_file(tmp_path, [["same", 1, None, None, 1]]),
               objective=objective)
    plain = allocator.solve(inst, fairness_price=False, marginal=False)
    assert r.objective_eur == pytest.approx(
        plain.weighted_unmet_eur + plain.tier_penalty_eur, rel=1e-8)
    # the tie-break may spend up to 1e-9 of the objective, as the engine's stages do
    assert r.outcomes[0].regret_eur == pytest.approx(0, abs=2e-9 * r.objective_eur)


def test_tiers_change_the_robust_allocation(tmp_path: Path) -> None:
    from allocator.inputs.presets import with_policy

    needs = scenario_file(tmp_path, [["laag", 0.5, None, None, 0.8],
                                     ["hoog", 0.5, "twente", None, 1.6]])
    plain = robust(allocator.load(NPVR), needs)
    tiered = robust(with_policy(allocator.load(NPVR), "deep-shortfall"), needs)
    assert tiered.optimal
    # the deep shortfalls weigh more: the worst-covered region of the plain plan gets more
    by = tiered.allocation.groupby("region", observed=True)["amount_eur"].sum()
    plain_by = plain.allocation.groupby("region", observed=True)["amount_eur"].sum()
    assert not np.allclose(by.to_numpy(), plain_by.to_numpy(), atol=1.0)


def spreads(inst: allocator.Instance, x: np.ndarray) -> list[tuple[float, float]]:
    """(lowest coverage, highest minus lowest) in each scenario of the gap test, on the money
    that meets need there, from the tables."""
    cells = inst.needs
    region = cells["region"].astype(str).to_numpy()
    out = []
    for factor in ({}, {"twente": 1.8}):
        scale = 0.7 if not factor else np.array([factor.get(g, 1.0) for g in region])
        need = cells["need_eur"].to_numpy() * scale
        existing = cells["existing_eur"].to_numpy()
        useful = np.minimum(x, np.maximum(need - existing, 0))
        by = pd.DataFrame({"region": region, "need": need,
                           "have": np.minimum(existing, need) + useful}).groupby("region").sum()
        coverage = by["have"] / by["need"]
        out.append((float(coverage.min()), float(coverage.max() - coverage.min())))
    return out


@pytest.mark.parametrize("objective", ["expected", "worst-case"])
def test_the_coverage_gap_holds_in_every_scenario(tmp_path: Path, objective: str) -> None:
    needs = scenario_file(tmp_path, [["laag", 0.5, None, None, 0.7],
                                     ["hoog", 0.5, "twente", None, 1.8]])
    plain = allocator.load(NPVR).with_policy(coverage_floor=0.2, budget_eur=5e8)
    free = robust(plain, needs, objective=objective)
    assert max(gap for _, gap in spreads(plain, free.allocation["amount_eur"].to_numpy())) \
        > 0.45 + 1e-3  # without the rule the spread is wider: the rule binds
    inst = plain.with_policy(max_coverage_gap=0.45)
    r = robust(inst, needs, objective=objective)
    assert r.optimal
    for lowest, gap in spreads(inst, r.allocation["amount_eur"].to_numpy()):
        assert gap <= 0.45 + 1e-7
        assert lowest >= 0.2 - 1e-7




@pytest.mark.parametrize("objective", ["expected", "worst-case"])
def test_the_robust_allocation_does_not_depend_on_row_order(tmp_path: Path,
                                                            objective: str) -> None:
    """Equal weights make many robust optima; the tie-break picks one, whatever the order."""
    t = tiny(4)
    t["regions"] = [t["regions"][0], *[[r[0], r[1], 1] for r in t["regions"][1:]]]
    t["goals"] = [["goal", "weight"], ["x", 1], ["y", 1]]
    needs = scenario_file(tmp_path, [["laag", 0.5, None, None, 0.8],
                                     ["hoog", 0.5, "b", None, 1.4]])
    first = robust(write_csv_instance(tmp_path / "a", t), needs, objective=objective)
    # Rows are sorted by id on reading, so reorder the model itself: rename the regions so
    # that they sort the other way round (a -> r3, b -> r2, c -> r1).
    rename = {"a": "r3", "b": "r2", "c": "r1"}
    renamed = {k: [[rename.get(c, c) if isinstance(c, str) else c for c in row]
                   for row in v] for k, v in t.items()}
    (tmp_path / "n").mkdir()
    needs2 = scenario_file(tmp_path / "n", [["laag", 0.5, None, None, 0.8],
                                            ["hoog", 0.5, "r2", None, 1.4]])
    second = robust(write_csv_instance(tmp_path / "b", renamed), needs2, objective=objective)
    assert first.optimal and second.optimal
    one = first.allocation.assign(region=first.allocation["region"].astype(str).map(rename))
    two = second.allocation.assign(region=second.allocation["region"].astype(str))
    key = ["region", "goal"]
    one = one.astype({"goal": str}).sort_values(key)["amount_eur"].to_numpy()
    two = two.astype({"goal": str}).sort_values(key)["amount_eur"].to_numpy()
    np.testing.assert_allclose(one, two, atol=1e-4)
    # and it is the nearest to pro rata: not HiGHS's vertex, which would put a whole
    # cell's money in one place
    assert (first.allocation["amount_eur"] > 1e-6).sum() > 3


def test_robust_prints_its_allocation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    needs = scenario_file(tmp_path, [["laag", 0.5, None, None, 0.8],
                                     ["hoog", 0.5, "twente", None, 1.6]])
    json_path = tmp_path / "r.json"
    assert main(["robust", str(NPVR), str(needs), "--no-report", "--json", str(json_path)]) == 0
    out = capsys.readouterr().out
    import json

    data = json.loads(json_path.read_text())
    twente = data["allocation_by_region_eur"]["twente"]
    nominal = data["nominal_by_region_eur"]["twente"]
    line = next(row for row in out.splitlines() if row.startswith("Twente"))

    def nl(v: int) -> str:  # Dutch: €1.234.567
        return f"€{abs(v):,}".replace(",", ".")

    assert line.split() == ["Twente", nl(twente), nl(nominal),
                            ("+" if twente >= nominal else "-") + nl(twente - nominal)]
    assert out.splitlines()[-2].split()[:2] == ["Totaal", "€250.000.000"]
    assert out.startswith("Laagste verwachte gewogen onvervulde behoefte over 2 "
                          "behoeftescenario's, gecontroleerd")


def test_above_the_tie_break_limit_the_result_says_so(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.solving.stages as stages

    monkeypatch.setattr(stages, "QP_MAX_FREEDOM", 0)
    r = robust(NPVR, scenario_file(tmp_path, [["same", 1, None, None, 1]]))
    assert r.optimal
    assert r.message.endswith("The split among equally good robust allocations is HiGHS's: "
                              "the tie-break QP did not run to its end (it runs up to 0 "
                              "degrees of freedom).")


def scenario_coverages(inst: allocator.Instance, factors: list[dict[str, float]],
                       x: np.ndarray) -> np.ndarray:
    """Coverage of every region in every scenario on the money that meets need there,
    recomputed from the tables."""
    needs = inst.needs
    regions = needs["region"].astype(str).to_numpy()
    existing = needs["existing_eur"].to_numpy()
    out = []
    for f in factors:
        need = needs["need_eur"].to_numpy() * pd.Series(regions).map(f).fillna(1.0).to_numpy()
        useful = np.minimum(x, np.maximum(need - existing, 0))
        for region in inst.regions.index:
            idx = regions == region
            out.append((np.minimum(existing[idx], need[idx]).sum() + useful[idx].sum())
                       / need[idx].sum())
    return np.array(out)


def best_lowest_coverage(inst: allocator.Instance, factors: list[dict[str, float]]) -> float:
    """max t: every region in every scenario covered at least t (and the 30 % floor),
    x within the budget; written densely for scipy's HiGHS: x, u (useful money per scenario
    and cell), t."""
    needs = inst.needs
    n, k = len(needs), len(factors)
    regions = needs["region"].astype(str).to_numpy()
    existing = needs["existing_eur"].to_numpy()
    nv = n + k * n + 1
    a_ub, b_ub = [np.r_[np.ones(n), np.zeros(k * n + 1)]], [inst.policy.budget_eur]
    bounds = [(0, None)] * n
    for s, f in enumerate(factors):
        need = needs["need_eur"].to_numpy() * pd.Series(regions).map(f).fillna(1.0).to_numpy()
        m = np.maximum(need - existing, 0)
        for i in range(n):
            r = np.zeros(nv)  # u_si <= x_i
            r[n + s * n + i], r[i] = 1, -1
            a_ub.append(r)
            b_ub.append(0.0)
            bounds.append((0, float(m[i])))
        for region in inst.regions.index:
            idx = np.flatnonzero(regions == region)
            gross, covered = need[idx].sum(), np.minimum(existing[idx], need[idx]).sum()
            for level, t in ((0.3, 0.0), (0.0, gross)):  # floor; then t * gross
                r = np.zeros(nv)
                r[n + s * n + idx] = -1
                r[-1] = t
                a_ub.append(r)
                b_ub.append(covered - level * gross)
    bounds.append((0, 1))
    c = np.zeros(nv)
    c[-1] = -1
    res = linprog(c, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    assert res.status == 0
    return float(-res.fun)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("objective", ["expected", "worst-case"])
def test_max_min_raises_the_lowest_coverage_in_any_scenario(tmp_path: Path, seed: int,
                                                             objective: str) -> None:
    tables = tiny(seed)
    tables["policy"].append(["fairness", "max-min"])
    inst = allocator.load(write_csv_instance(tmp_path / "i", tables))
    plain = allocator.load(write_csv_instance(tmp_path / "p", tiny(seed)))
    factors = [{"a": 0.8}, {}, {"b": 1.4, "c": 1.2}]
    rows = [["low", 0.3, "a", None, 0.8], ["mid", 0.5, None, None, 1],
            ["high", 0.2, "b", None, 1.4], ["high", None, "c", None, 1.2]]
    fair = robust(inst, scenario_file(tmp_path, rows), objective=objective)
    weighted = robust(plain, scenario_file(tmp_path, rows), objective=objective)
    assert fair.optimal and weighted.optimal
    assert "Max-min fairness" in fair.message
    lowest = scenario_coverages(inst, factors, fair.allocation["amount_eur"].to_numpy()).min()
    assert lowest == pytest.approx(best_lowest_coverage(inst, factors), abs=1e-7)
    before = scenario_coverages(plain, factors, weighted.allocation["amount_eur"].to_numpy())
    assert lowest > before.min() + 0.05  # it does something here
    # max-min spends what is left efficiently: it costs weighted unmet need, never saves it
    assert fair.objective_eur >= weighted.objective_eur - 1e-6


@pytest.mark.parametrize("k", [5, 7])
@pytest.mark.parametrize("objective", ["expected", "worst-case"])
def test_many_scenarios_where_floor_gap_and_shares_bind(tmp_path: Path, k: int,
                                                        objective: str) -> None:
    """Five or more need scenarios (factors 0.7 to 1.3, equal probability) on a binding
    instance: weights 0.5-2, floor 0.3, gap 0.5, each goal at least 20 % of the budget,
    the budget half the net need. The gap's upper side read on the money given only where
    an answer broke it ended, after five rounds, short of a feasible answer (largest
    violation €57,269.73 with five scenarios here); every rule is checked below on the
    returned allocation, in every scenario, from the tables."""
    from allocator.studies.generate import synthetic_tables, write_csv_folder

    t = synthetic_tables(334, seed=1, family="binding")
    t["goals"]["min_share"] = 0.2
    t["policy"] = t["policy"][t["policy"]["key"] != "per_capita_cap"]
    inst = allocator.load(write_csv_folder(tmp_path / "b", t))
    policy = inst.policy
    assert (policy.coverage_floor, policy.max_coverage_gap) == (0.3, 0.5)
    factors = np.linspace(0.7, 1.3, k)
    rows = [[f"s{i}", 1 / k, None, None, f] for i, f in enumerate(factors)]
    r = robust(inst, scenario_file(tmp_path, rows), objective=objective)
    assert r.optimal and r.duality_gap <= 1e-7
    x = r.allocation["amount_eur"].to_numpy()
    budget = policy.budget_eur
    assert x.min() >= -1e-6 and x.sum() <= budget + 1e-3
    goals = r.allocation.assign(x=x).groupby("goal", observed=True)["x"].sum()
    assert (goals >= 0.2 * budget - 1e-3).all()
    cells = inst.needs
    region = cells["region"].astype(str).to_numpy()
    existing = cells["existing_eur"].to_numpy()
    widest = given = 0.0
    for f in factors:
        need = cells["need_eur"].to_numpy() * f
        useful = np.minimum(x, np.maximum(need - existing, 0))
        by = pd.DataFrame({"region": region, "need": need,
                           "have": np.minimum(existing, need) + useful}).groupby("region").sum()
        coverage = (by["have"] / by["need"])[by["need"] > 0]
        assert coverage.min() >= 0.3 - 1e-7
        widest = max(widest, float(coverage.max() - coverage.min()))
        # the gap's upper side on the money given (see docs/model.md): it binds
        money = pd.DataFrame({"region": region, "need": need, "have": np.minimum(
            existing, need) + x}).groupby("region").sum()
        on_money = (money["have"] / money["need"])[money["need"] > 0]
        given = max(given, float(on_money.max() - coverage.min()))
    assert widest <= 0.5 + 1e-7
    assert given == pytest.approx(0.5, abs=1e-6)


def test_each_scenario_holds_the_one_year_coverage_rows_on_the_need_money_meets() -> None:
    """The robust LP is one builder with a scenario axis: in scenario s, each coverage rule's
    rows are the one-year LP's rows on s's data, with a region's money read as the need it
    meets there, sum_g (m_s - y_s) (the gap's upper side: as the money given). Checked row
    by row on an allocation that overfunds some cells, by the slack of each row."""
    import dataclasses

    from allocator.inputs.validate import NeedScenario
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp
    from models.robust import build_robust_lp

    inst = allocator.load(NPVR).with_policy(coverage_floor=0.35, max_coverage_gap=0.4)
    scale = money_scale(inst)
    need = inst.needs["need_eur"].to_numpy(float)
    data = [to_model_data(NeedScenario(f"s{f}", None, need * f).apply(inst), scale)
            for f in (0.8, 1.0, 1.25)]
    base = dataclasses.replace(data[1], upper=np.max([d.upper for d in data], axis=0))
    lp = build_robust_lp(base, data, np.full(3, 1 / 3))
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 1.0, lp.n_cells) * base.upper
    n = lp.n_cells
    for s, d in enumerate(data):
        one = build_lp(d)
        low, high = rng.uniform(0.0, 1.0, 2)
        mine = np.zeros(one.n_cols)
        mine[:n], mine[one.columns["budget"]] = x, d.budget
        mine[one.columns["coverage_min"]], mine[one.columns["coverage_max"]] = low, high
        met = np.minimum(x, d.net_need)
        everything = np.zeros(lp.n_cols)
        everything[:n], everything[lp.columns["budget"]] = x, d.budget
        everything[lp.columns["unmet"] + s * n: lp.columns["unmet"] + (s + 1) * n] = (
            d.net_need - met)
        everything[lp.columns[f"coverage_min_scenario{s}"]] = low
        everything[lp.columns[f"coverage_max_scenario{s}"]] = high
        on_met = mine.copy()
        on_met[:n] = met
        for rule in ("coverage_floor", "coverage_low", "coverage_high", "coverage_gap"):
            ours = [b for b in lp.blocks if b.rule == rule and b.dims[:1] == ("scenario",)
                    and int(b.outer["scenario"][0]) == s]
            theirs = [b for b in one.blocks if b.rule == rule]
            assert len(ours) == len(theirs) == 1, rule
            a, b = ours[0], theirs[0]
            assert np.array_equal(a.index, b.index) and set(a.outer["scenario"]) == {s}
            point = mine if rule == "coverage_high" else on_met
            robust_slack = lp.matrix[a.rows] @ everything - lp.row_lower[a.rows]
            plain_slack = one.matrix[b.rows] @ point - one.row_lower[b.rows]
            if rule in ("coverage_high", "coverage_gap"):
                robust_slack = lp.row_upper[a.rows] - lp.matrix[a.rows] @ everything
                plain_slack = one.row_upper[b.rows] - one.matrix[b.rows] @ point
            np.testing.assert_allclose(robust_slack, plain_slack, rtol=1e-12, atol=1e-9)


def test_regret_solves_here_when_no_thread_can_be_had(tmp_path: Path) -> None:
    """Where no thread can be started (a server worker held to its memory), each solve of the
    regret table runs on the calling thread, with the same answer."""
    from allocator.solving.modeldata import money_scale, to_model_data
    from allocator.studies.robust import _Regret

    inst = allocator.load(write_csv_instance(tmp_path / "i", tiny(1)))
    scale = money_scale(inst)
    data = [to_model_data(inst, scale)]
    with _Regret(inst, data, scale) as threaded:
        expected = threaded.optima(threaded.nominal.result())
        threaded.background.pool.shutdown()
        job = threaded.background.start(lambda a, b=0: a + b, 40, b=2)
        assert job.done() and job.result() == 42
    assert expected[0] == pytest.approx(
        allocator.solve(inst).weighted_unmet_eur, rel=1e-12)
