"""Shortfall tiers, co-financing, the change cap and uniform region bounds: each rule checked
on the returned allocation, against the Pyomo reference, and in its messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import allocator
from allocator.errors import InputError, Status
from allocator.reports.documents import document
from tests.conftest import write_csv_instance
from tests.test_engine import check_rules, rich_tables
from tests.test_parity import pyomo_solve


def plain_tables(seed: int, budget: float = 8e6) -> dict:
    """rich_tables without its equity rules: only the budget binds."""
    t = rich_tables(seed, budget=budget)
    t["policy"] = [["key", "value"], ["budget_eur", budget]]
    t["regions"] = [row[:3] for row in t["regions"]]
    return t


def with_policy(t: dict, **values: object) -> dict:
    t = {k: [list(r) for r in v] for k, v in t.items()}
    t["policy"] += [[k, v] for k, v in values.items()]
    return t


def with_region_column(t: dict, column: str, values: list[float | None]) -> dict:
    t = {k: [list(r) for r in v] for k, v in t.items()}
    t["regions"][0].append(column)
    for row, v in zip(t["regions"][1:], values, strict=True):
        row.append(v)
    return t


def solve(tmp_path: Path, t: dict, name: str = "i", **kw: object) -> allocator.Result:
    return allocator.solve(write_csv_instance(tmp_path / name, t), **kw)  # type: ignore[arg-type]


def region_totals(r: allocator.Result) -> np.ndarray:
    return r.coverage["allocated_eur"].to_numpy()


def deep_shortfall(r: allocator.Result, threshold: float) -> float:
    """Sum over regions of the part of the need left unmet beyond ``threshold``, in euros,
    weighted by the region's need-weighted mean weight: derived from the tables alone."""
    inst = r.instance
    alloc = r.allocation.merge(inst.needs, on=["region", "goal"])
    net = (alloc["need_eur"] - alloc["existing_eur"]).clip(lower=0)
    weight = (inst.regions["weight"].reindex(alloc["region"]).to_numpy()
              * inst.goals["weight"].reindex(alloc["goal"]).to_numpy())
    alloc["wm"] = weight * net
    alloc["net"] = net
    per = alloc.groupby("region", observed=True)[["wm", "net"]].sum()
    wbar = (per["wm"] / per["net"]).reindex(r.coverage.index).to_numpy()
    cov = r.coverage
    beyond = np.maximum((1 - threshold) * cov["need_eur"] - cov["existing_eur"]
                        - cov["allocated_eur"], 0.0).to_numpy()
    return float(wbar @ beyond)


def test_flat_tiers_change_nothing(tmp_path: Path) -> None:
    base = solve(tmp_path, plain_tables(1), "a")
    flat = solve(tmp_path, with_policy(plain_tables(1), shortfall_tiers="25%: 1; 50%: 1"), "b")
    assert flat.weighted_unmet_eur == pytest.approx(base.weighted_unmet_eur, rel=1e-9)
    assert flat.tier_penalty_eur == pytest.approx(0.0, abs=1e-6)
    assert flat.price_of_fairness.per_rule_eur["shortfall_tiers"] == pytest.approx(0, abs=1e-3)


@pytest.mark.parametrize("seed", range(3))
def test_steeper_tiers_trade_efficiency_for_depth_monotonically(tmp_path: Path, seed: int
                                                                ) -> None:
    # f + k g minimised over the same set: as k rises, g (the deep shortfall) cannot rise
    # and f (the weighted unmet need) cannot fall.
    unmet, deep = [], []
    for i, k in enumerate([1.0, 1.5, 2.0, 4.0, 10.0]):
        r = solve(tmp_path, with_policy(plain_tables(seed), shortfall_tiers=f"50%: {k}"), f"k{i}")
        assert r.optimal and r.certificate.passed
        unmet.append(r.weighted_unmet_eur)
        deep.append(deep_shortfall(r, 0.5))
        # the reported penalty is the tier's definition, computed from the tables
        assert r.tier_penalty_eur == pytest.approx((k - 1) * deep[-1], rel=1e-6, abs=1e-2)
    # (up to the tie-break's tolerance of 1e-9 of the objective: below a euro here)
    assert all(b >= a - 1.0 for a, b in zip(unmet, unmet[1:], strict=False))
    assert all(b <= a + 1.0 for a, b in zip(deep, deep[1:], strict=False))
    assert deep[-1] < deep[0]  # the tiers bind on these instances


def test_tiers_fund_the_deepest_shortfall_first(tmp_path: Path) -> None:
    # Two regions, equal weights: without tiers any split is optimal; with a tier at 50 %
    # the region below half coverage is lifted to it before the other gets a euro.
    t = {
        "regions": [["region", "population"], ["deep", 1000], ["shallow", 1000]],
        "goals": [["goal"], ["g"]],
        "needs": [["region", "goal", "need_eur", "existing_eur"],
                  ["deep", "g", 1_000_000, 100_000], ["shallow", "g", 1_000_000, 600_000]],
        "policy": [["key", "value"], ["budget_eur", 300_000],
                   ["shortfall_tiers", "50%: 2"]],
    }
    r = solve(tmp_path, t)
    alloc = dict(zip(r.coverage.index, region_totals(r), strict=True))
    assert alloc["deep"] == pytest.approx(300_000, abs=1e-2)  # 10 % -> 40 %, still below 50 %
    assert r.tier_penalty_eur == pytest.approx(100_000, abs=1e-2)  # (50 % - 40 %) of 1 m


@pytest.mark.parametrize("seed", range(4))
def test_new_rules_agree_with_the_pyomo_reference(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = rich_tables(seed)
    t = with_policy(t, shortfall_tiers="25%: 1.5; 60%: 3", cofinancing_ratio=1.0,
                    change_cap=200)
    t = with_region_column(t, "cofinancing_eur", [float(rng.integers(10**6, 10**7)), None,
                                                  4e6, float(rng.integers(10**6, 10**7)), 9e6])
    t = with_region_column(t, "reference_eur", [float(v) for v in rng.integers(0, 4 * 10**6, 5)])
    ours = solve(tmp_path, t)
    if not ours.optimal:  # both must agree; then compare at a repaired instance
        fix = {f.rule: f.value for f in ours.infeasibility.repairs}
        assert fix, ours.message
        rule, value = next(iter(fix.items()))
        key = {"budget_eur": "budget_eur"}.get(rule, rule)
        if key.startswith("region_"):
            pytest.skip("repaired by region bounds; covered by its own test")
        ours = allocator.solve(ours.instance.with_policy(**{key: value}))
        assert ours.optimal, ours.message
    check_rules(ours)
    assert ours.certificate.passed
    value, _ = pyomo_solve(ours.instance)
    objective = ours.weighted_unmet_eur + (ours.tier_penalty_eur or 0.0)
    assert objective == pytest.approx(value, rel=1e-7)


def test_cofinancing_caps_national_money_and_reports_the_investment(tmp_path: Path) -> None:
    t = with_policy(plain_tables(2, budget=1.5e7), cofinancing_ratio=0.5)
    t = with_region_column(t, "cofinancing_eur", [5e5, 1e6, None, 2e5, 3e6])
    r = solve(tmp_path, t)
    assert r.optimal
    check_rules(r)
    got = dict(zip(r.coverage.index, region_totals(r), strict=True))
    assert got["r0"] == pytest.approx(1e6, abs=1e-2)  # capacity / ratio binds here
    rows = r.constraints[r.constraints["rule"] == "cofinancing"].set_index("id")
    assert set(rows.index) == {"r0", "r1", "r3", "r4"}  # r2 states no capacity
    assert rows.loc["r0", "upper"] == pytest.approx(1e6)
    assert rows.loc["r0", "slack"] == pytest.approx(0, abs=1e-2)
    out = document(r)["cofinancing"]
    assert out["national_eur"] == out_sum(r)
    assert out["regional_eur"] == sum(v["regional_eur"] for v in out["by_region"].values())
    assert out["total_investment_eur"] == out["national_eur"] + out["regional_eur"]
    assert abs(out["regional_eur"] - 0.5 * out["national_eur"]) <= 1


def out_sum(r: allocator.Result) -> int:
    return int(r.rounded_allocation()["amount_eur"].sum())


def test_change_cap_holds_and_its_repair_is_exact(tmp_path: Path) -> None:
    t = plain_tables(3, budget=1.2e7)
    reference = [3e6, 0.0, 6e6, 2e6, 3e6]  # 14 m against a budget of 12 m
    t = with_region_column(t, "reference_eur", reference)
    r = solve(tmp_path, with_policy(t, change_cap=50), "ok")
    assert r.optimal
    check_rules(r)

    tight = solve(tmp_path, with_policy(t, change_cap=0.5), "tight")
    assert tight.status == Status.INFEASIBLE
    fix = next(f for f in tight.infeasibility.repairs if f.rule == "change_cap")
    assert fix.text == f"allow a change of €{fix.value:,.2f} per inhabitant"
    repaired = tight.instance.with_policy(change_cap=fix.value)
    assert allocator.solve(repaired).optimal
    smaller = tight.instance.with_policy(change_cap=fix.value - 0.02)
    assert allocator.solve(smaller).status == Status.INFEASIBLE


def test_uniform_region_bounds_and_their_repairs(tmp_path: Path) -> None:
    t = with_policy(plain_tables(4, budget=1e7), region_min_eur=1e6, region_max_eur=4e6)
    r = solve(tmp_path, t, "ok")
    assert r.optimal
    check_rules(r)
    assert region_totals(r).min() >= 1e6 - 1e-3

    # A minimum that no budget of 1e7 can give every region, and one region whose need is
    # below it: the elastic LP lowers the fewest euros of minimums.
    bad = solve(tmp_path, with_policy(plain_tables(4, budget=1e7), region_min_eur=2.5e6), "bad")
    assert bad.status == Status.INFEASIBLE
    fixes = [f for f in bad.infeasibility.repairs if f.rule == "region_min"]
    assert fixes and all(f.text == f"lower the minimum of {f.region} to €{f.value:,.0f}"
                         for f in fixes)
    mins = bad.instance.regions["min_eur"].copy()
    for f in fixes:
        mins[f.region] = f.value
    regions = bad.instance.regions.assign(min_eur=mins.fillna(2.5e6))
    fixed = allocator.Instance(bad.instance.name, "", regions, bad.instance.goals,
                               bad.instance.needs,
                               bad.instance.policy.model_copy(update={"region_min_eur": None}))
    assert allocator.solve(fixed).optimal
    # one euro less relaxation on any of them is infeasible again
    for f in fixes:
        tighter = fixed.regions.copy()
        tighter.loc[f.region, "min_eur"] = f.value + 2
        again = allocator.Instance(fixed.name, "", tighter, fixed.goals, fixed.needs,
                                   fixed.policy)
        assert allocator.solve(again).status == Status.INFEASIBLE


def test_conflict_is_irreducible_and_named(tmp_path: Path) -> None:
    t = with_policy(plain_tables(5, budget=4e6), coverage_floor=0.4)
    r = solve(tmp_path, t)
    assert r.status == Status.INFEASIBLE
    inf = r.infeasibility
    assert inf.conflict_irreducible
    rules = {m.rule for m in inf.conflict}
    assert "budget" in rules and "coverage_floor" in rules
    floors = [m.id for m in inf.conflict if m.rule == "coverage_floor"]
    # Irreducible: drop any one region's floor and the rest can hold at this budget.
    assert floors
    for region in floors:
        keep = [m.id for m in inf.conflict if m.rule == "coverage_floor" and m.id != region]
        cov = r.instance.needs.groupby("region", observed=True)[["need_eur", "existing_eur"]].sum()
        required = sum(max(0.0, 0.4 * cov.loc[k, "need_eur"] - cov.loc[k, "existing_eur"])
                       for k in keep)
        assert required <= 4e6 + 1e-6
    assert "an irreducible set" in r.message
    assert document(r)["infeasibility"]["conflict"][0].keys() == {"rule", "id", "bound"}


@pytest.mark.parametrize(("value", "message"), [
    ("50%: 2; 25%: 3", "the unmet fractions must increase from tier to tier"),
    ("25%: 3; 50%: 2", "the multipliers must be at least 1 and must not decrease (deeper "
                       "shortfalls weigh more), or the penalty is not convex"),
    ("120%: 2", "each unmet fraction must lie strictly between 0% and 100%"),
])
def test_non_convex_tiers_are_refused_word_for_word(tmp_path: Path, value: str, message: str
                                                    ) -> None:
    path = write_csv_instance(tmp_path / "i", with_policy(plain_tables(0),
                                                          shortfall_tiers=value))
    with pytest.raises(InputError) as err:
        allocator.load(path)
    assert [str(p) for p in err.value.problems] == [
        f"i/policy.csv, row 3, value: shortfall_tiers: {message}, got {value}"]


def test_dutch_tiers_read_with_decimal_commas(tmp_path: Path) -> None:
    t = with_policy(plain_tables(0), shortfall_tiers="25%: 1,5; 50%: 2,25")
    t["policy"][1][1] = "8.000.000"  # settles the table as Dutch
    inst = allocator.load(write_csv_instance(tmp_path / "i", t))
    assert inst.policy.shortfall_tiers == ((0.25, 1.5), (0.5, 2.25))


def test_change_cap_needs_a_reference(tmp_path: Path) -> None:
    path = write_csv_instance(tmp_path / "i", with_policy(plain_tables(0),
                                                          change_cap=15))
    with pytest.raises(InputError) as err:
        allocator.load(path)
    assert [str(p) for p in err.value.problems] == [
        "i/regions.csv: missing column 'reference_eur' (change_cap is set)"]


def test_report_shows_the_new_rules_in_dutch(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from allocator.reports.workbook import write_report

    t = with_policy(plain_tables(2, budget=1.5e7), cofinancing_ratio=0.5,
                    shortfall_tiers="25%: 1.5; 50%: 2", change_cap=400)
    t = with_region_column(t, "cofinancing_eur", [5e5, 1e6, None, 2e5, 3e6])
    t = with_region_column(t, "reference_eur", [3e6, 1e6, 3e6, 1e6, 3e6])
    r = solve(tmp_path, t)
    assert r.optimal, r.message
    path = write_report(r, tmp_path / "r.xlsx")
    wb = load_workbook(path)
    summary = {row[0]: row[1] for row in wb["Samenvatting"].iter_rows(values_only=True)}
    co = r.cofinancing()
    assert summary["Vereiste cofinanciering regio's"] == int(co["regional_eur"].sum())
    assert summary["Totale investering (rijk + regio)"] == (
        summary["Toegekend"] + summary["Vereiste cofinanciering regio's"])
    assert summary["Extra gewicht diepe tekorten (treden; een weging, geen geld)"] == round(
        r.tier_penalty_eur)
    rules = [row[0] for row in wb["Beperkingen"].iter_rows(min_row=2, values_only=True)]
    assert {"cofinanciering", "maximale verandering per inwoner t.o.v. referentie", "tekorttrede 1",
            "tekorttrede 2"} <= set(rules)


@pytest.mark.parametrize(("rule", "change"), [
    ("coverage_floor", {"coverage_floor": 0.01}),
    ("max_coverage_gap", {"max_coverage_gap": -0.01}),
    ("per_capita_cap", {"per_capita_cap": -0.1}),
])
def test_one_step_tightening_is_a_lower_bound_and_exact_while_the_basis_holds(
        tmp_path: Path, rule: str, change: dict[str, float]) -> None:
    # The dual gives the first-order cost; the curve in each parameter is convex, so the
    # re-solve at one step tighter costs at least that much (equal when the basis holds).
    for seed in range(4):
        r = solve(tmp_path, rich_tables(seed, budget=2e7), f"s{seed}{rule}")
        if not r.optimal or rule not in r.price_of_fairness.per_rule_step:
            continue
        step, first_order = r.price_of_fairness.per_rule_step[rule]
        value = getattr(r.instance.policy, rule) + next(iter(change.values()))
        tighter = allocator.solve(r.instance.with_policy(**{rule: value}),
                                  fairness_price=False, tie_break="none")
        if not tighter.optimal:
            continue
        actual = tighter.weighted_unmet_eur - r.weighted_unmet_eur
        assert first_order >= 0
        assert first_order <= actual + 1e-6 * max(1.0, actual) + 1e-3


def test_npvr_floor_step_equals_the_re_solve() -> None:
    npvr = Path(__file__).parent.parent / "instances" / "npvr-2026.xlsx"
    r = allocator.solve(npvr, tie_break="none")
    step, cost = r.price_of_fairness.per_rule_step["coverage_floor"]
    assert step == "+1 percentage point"
    tighter = allocator.solve(npvr, floor=r.instance.policy.coverage_floor + 0.01,
                              tie_break="none", fairness_price=False)
    assert cost == pytest.approx(tighter.weighted_unmet_eur - r.weighted_unmet_eur, rel=1e-7)
    assert document(r)["price_of_fairness"]["per_rule_step"]["coverage_floor"] == {
        "step": "+1 percentage point", "cost_eur": cost}


def test_gap_rule_without_any_need_is_explained_not_a_crash(tmp_path: Path) -> None:
    """Found by the fuzz tests: a coverage gap on an instance whose only cell has no need
    adds no gap row; spend_all then cannot hold, and the explanation must not look for it."""
    from tests.conftest import instance_tables, write_csv_instance

    tables = instance_tables([("r0", 1, 0.5)], [("g0", 1)], [("r0", "g0", 0, 0, None)],
                             {"budget_eur": 1, "max_coverage_gap": 0.2, "spend_all": "true"})
    r = allocator.solve(write_csv_instance(tmp_path / "i", tables))
    assert r.status.value == "infeasible"
    assert r.message.startswith("The rules cannot all hold with a budget of €1.")


def test_a_floor_row_s_meaning_is_the_re_solve_with_that_region_one_point_higher(
        tmp_path: Path) -> None:
    """The report's meaning of a binding floor row ("1 percentage point higher costs €X",
    from the rule's own step) against a re-solve in which that region alone must reach one
    percentage point more: equal while the basis holds, a lower bound beyond."""
    import dataclasses

    from openpyxl import load_workbook

    from allocator.reports.workbook import eur_text, write_report
    from tests.conftest import npvr_weighted

    r = allocator.solve(npvr_weighted(), tie_break="none", fairness_price=False,
                        marginal=False)
    rows = r.constraints[(r.constraints["rule"] == "coverage_floor") & r.constraints["binding"]]
    assert len(rows)
    row = rows.iloc[0]
    cov = r.coverage.loc[row["id"]]
    regions = r.instance.regions.copy()
    regions["min_eur"] = float("nan")
    regions.loc[row["id"], "min_eur"] = cov["allocated_eur"] + 0.01 * cov["need_eur"]
    tighter = allocator.solve(dataclasses.replace(r.instance, regions=regions),
                              tie_break="none", fairness_price=False, marginal=False)
    actual = tighter.weighted_unmet_eur - r.weighted_unmet_eur
    assert row["step_eur"] == pytest.approx(actual, rel=1e-6)
    path = write_report(r, tmp_path / "r.xlsx")
    meanings = [c[6] for c in load_workbook(path)["Beperkingen"].iter_rows(min_row=2, values_only=True)
                if c[0] == "minimumdekking" and c[4] == "ja"]
    assert meanings[0] == ("de minimumdekking 1 procentpunt hoger kost "
                           f"{eur_text(row['step_eur'], 'nl')} gewogen onvervulde behoefte")
