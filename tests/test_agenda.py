"""The four-year agenda: the one-year case equals v1, and carry-over, ramp-up, co-financing
shares and funders' goals hold on the returned allocation, checked from the tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import allocator
from allocator.cli import main
from allocator.errors import InputError
from allocator.studies.agenda import load_agenda, solve_agenda
from tests.conftest import write_csv_instance
from tests.test_engine import rich_tables

ROOT = Path(__file__).parent.parent
AGENDA = ROOT / "instances" / "npvr-agenda-2026-2029.xlsx"
NPVR = ROOT / "instances" / "npvr-2026.xlsx"


def floor_only(seed: int, budget: float) -> dict:
    t = rich_tables(seed, budget=budget)
    t["policy"] = [["key", "value"], ["budget_eur", budget], ["coverage_floor", 0.15]]
    t["goals"] = [row[:2] for row in t["goals"]]
    t["regions"] = [row[:3] for row in t["regions"]]
    return t


def test_one_year_one_funder_is_the_v1_answer(tmp_path: Path) -> None:
    paths = [NPVR] + [write_csv_instance(tmp_path / f"r{s}", floor_only(s, b))
                      for s, b in ((2, 2e7), (3, 8e6), (4, 1e6))]
    for path in paths:
        v1 = allocator.solve(path, tie_break="none", fairness_price=False)
        agenda = solve_agenda(path)
        if not v1.optimal:
            assert not agenda.optimal
            continue
        [(year, unmet)] = agenda.weighted_unmet_eur.items()
        # equal up to the tie-break's slack on the objective (1e-9 of it, as in v1)
        assert unmet == pytest.approx(v1.weighted_unmet_eur, rel=2e-9)
        assert agenda.by_funder().to_numpy().sum() <= round(v1.budget_eur)


def test_unique_optimum_gives_the_same_allocation(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    t = rich_tables(1)
    t["regions"] = [t["regions"][0][:3]] + [[r[0], r[1], float(rng.uniform(1, 3))]
                                        for r in t["regions"][1:]]
    t["goals"] = [["goal", "weight"], ["a", 1.0], ["b", 1.37], ["c", 2.11]]
    t["policy"] = [["key", "value"], ["budget_eur", 1.1e7]]
    path = write_csv_instance(tmp_path / "u", t)
    v1 = allocator.solve(path)
    agenda = solve_agenda(path)
    np.testing.assert_allclose(agenda.allocation["amount_eur"].to_numpy(),
                               v1.allocation["amount_eur"].to_numpy(), atol=1e-2)


def small_agenda(tmp_path: Path, years: list[list[object]], funders: list[list[object]],
                 envelopes: list[list[object]], policy: list[list[object]] | None = None,
                 goals: int = 1) -> Path:
    goal_ids = ["g", "h"][:goals]
    t = {
        "regions": [["region", "population"], ["r", 1000]],
        "goals": [["goal"], *[[g] for g in goal_ids]],
        "needs": [["region", "goal", "need_eur"], *[["r", g, 100] for g in goal_ids]],
        "policy": [["key", "value"], ["budget_eur", 1], *(policy or [])],
        "years": [["year", "budget_eur"], *years],
        "funders": [["funder", "national", "goals", "max_package_share", "carry_over_eur",
                     "borrow_eur"], *funders],
        "envelopes": [["funder", "year", "budget_eur"], *envelopes],
    }
    return write_csv_instance(tmp_path / "a", t)


@pytest.mark.parametrize(("carry", "borrow", "envelopes", "expected"), [
    (30, 0, [150, 0], [100, 30]),  # 50 unspendable in year 1, 30 may move on
    (0, 0, [150, 0], [100, 0]),
    (0, 20, [0, 150], [20, 100]),  # year 1 borrows 20 of year 2's money
])
def test_carry_over_and_borrowing_limits(tmp_path: Path, carry: float, borrow: float,
                                         envelopes: list[float], expected: list[float]) -> None:
    path = small_agenda(tmp_path, [[2026, None], [2027, None]],
                        [["rijk", "true", "", None, carry, borrow]],
                        [["rijk", 2026, envelopes[0]], ["rijk", 2027, envelopes[1]]])
    r = solve_agenda(path)
    got = r.allocation.groupby("year")["amount_eur"].sum().to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert sum(r.weighted_unmet_eur.values()) == pytest.approx(200 - sum(expected), abs=1e-6)


def test_ramp_up_limits_growth(tmp_path: Path) -> None:
    path = small_agenda(tmp_path, [[2026, None], [2027, None], [2028, None]],
                        [["rijk", "true", "", None, 0, 0]],
                        [["rijk", 2026, 10], ["rijk", 2027, 100], ["rijk", 2028, 100]],
                        policy=[["ramp_factor", 1.5], ["ramp_amount_eur", 10]])
    r = solve_agenda(path)
    got = r.allocation.groupby("year")["amount_eur"].sum().to_numpy()
    np.testing.assert_allclose(got, [10, 25, 47.5], atol=1e-6)  # X_t <= 1.5 X_{t-1} + 10


def test_package_share_and_goals_of_each_funder(tmp_path: Path) -> None:
    path = small_agenda(tmp_path, [[2026, None]],
                        [["rijk", "true", "", 0.5, 0, 0], ["regio", "false", "h", None, 0, 0]],
                        [["rijk", 2026, 150], ["regio", 2026, 30]], goals=2)
    r = solve_agenda(path)
    by = r.allocation.groupby("funder")["amount_eur"].sum()
    assert by["regio"] == pytest.approx(30, abs=1e-6)
    assert by["rijk"] == pytest.approx(30, abs=1e-6)  # at most half of the package
    regio = r.allocation[r.allocation["funder"] == "regio"]
    assert set(regio["goal"]) == {"h"}  # and only its own goal


def test_default_agenda_holds_every_rule_from_the_tables() -> None:
    r = solve_agenda(AGENDA)
    assert r.optimal and r.duality_gap <= 1e-6
    a = r.allocation
    ag = r.agenda
    years = list(ag.years)
    # funders pay only for their goals
    for f in ag.funders:
        if f.goals is not None:
            assert set(a[(a["funder"] == f.id) & (a["amount_eur"] > 0.01)]["goal"]) <= set(f.goals)
    # envelopes with carry-over: spent <= envelope + carried in - carried out
    spent = a.pivot_table(index="funder", columns="year", values="amount_eur", aggfunc="sum")
    for f in ag.funders:
        carried_in = 0.0
        for y in years:
            out = float(r.carry.loc[f.id, y]) if y in r.carry else 0.0
            assert spent.loc[f.id, y] + out <= ag.envelopes.loc[f.id, y] + carried_in + 1e-2
            assert out <= f.carry_over_eur + 1e-2
            carried_in = out
    # the Rijk pays at most half of each region's package, every year, to the cent
    region_year = a.groupby(["year", "region"])["amount_eur"].sum()
    rijk = a[a["funder"] == "rijk"].groupby(["year", "region"])["amount_eur"].sum()
    assert (rijk <= 0.5 * region_year.reindex(rijk.index) + 1e-2).all()
    # ramp-up: X_t <= 1.5 X_{t-1} + 5 m
    x = region_year.unstack("year")
    for y0, y1 in zip(years, years[1:], strict=False):
        assert (x[y1] <= 1.5 * x[y0] + 5e6 + 1e-2).all()
    # floor every year, with that year's streams: coverage from the tables
    floor = ag.policy.coverage_floor
    assert (r.coverage[years] >= floor - 1e-9).all().all()
    # the JTF stream ends in 2027: existing funding falls in 2028
    streams = ag.streams.groupby("year")["amount_eur"].sum()
    assert streams[2028] < streams[2027]


def test_json_records_carry_year_and_funder(tmp_path: Path) -> None:
    out, js = tmp_path / "a.xlsx", tmp_path / "a.json"
    assert main(["agenda", str(AGENDA), "--out", str(out), "--json", str(js), "-q"]) == 0
    data = json.loads(js.read_text())
    records = data["allocations"]
    assert {r["year"] for r in records} == {"2026", "2027", "2028", "2029"}
    assert all(set(r) == {"year", "funder", "region", "goal", "amount_eur"} for r in records)
    total = sum(r["amount_eur"] for r in records)
    assert total == sum(sum(v.values()) for v in data["by_funder_eur"].values())
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames[:5] == ["Samenvatting", "2026", "2027", "2028", "2029"]
    assert "Rijk" in wb.sheetnames and "Bestaande stromen" in wb.sheetnames
    details = list(wb["Wie betaalt wat"].iter_rows(min_row=2, values_only=True))
    assert details[-1][0] == "Totaal" and details[-1][4] == total
    assert sum(r[4] for r in details[:-1]) == total  # year, funder, region, goal, amount
    sheet = wb["2026"]
    rows = list(sheet.iter_rows(min_row=2, max_row=12, values_only=True))
    total_row = [c.value for c in sheet[13]]
    assert total_row[0] == "Totaal"
    assert total_row[-1] == sum(r[-1] for r in rows)  # totals are sums of what is shown
    assert data["unlocked_per_national_euro"] == pytest.approx(
        total / sum(data["by_funder_eur"]["rijk"].values()))


def test_one_year_rules_hold_in_every_agenda_year(tmp_path: Path) -> None:
    """Gap, goal shares, per-capita cap and per-region bounds (rich_tables) hold in each year
    of a two-year agenda, checked from the tables on the returned allocation."""
    t = rich_tables(2, budget=2e7)
    t["years"] = [["year", "budget_eur"], [2026, 2e7], [2027, 1.5e7]]
    r = solve_agenda(write_csv_instance(tmp_path / "r", t))
    assert r.optimal
    pop = {row[0]: row[1] for row in t["regions"][1:]}
    total_pop = sum(pop.values())
    need = pd.DataFrame(t["needs"][1:], columns=t["needs"][0])
    gross = need.groupby("region")["need_eur"].sum()
    have = need.assign(c=need[["need_eur", "existing_eur"]].min(axis=1)).groupby("region")["c"].sum()
    for year, budget in ((2026, 2e7), (2027, 1.5e7)):
        a = r.allocation[r.allocation["year"] == year]
        by_region = a.groupby("region")["amount_eur"].sum().reindex(list(pop), fill_value=0)
        by_goal = a.groupby("goal")["amount_eur"].sum()
        coverage = (have + by_region) / gross
        assert coverage.max() - coverage.min() <= 0.6 + 1e-7
        assert coverage.min() >= 0.15 - 1e-7
        for region, x in by_region.items():
            assert x <= 2.5 * pop[region] / total_pop * budget + 1e-3
        assert by_goal["a"] >= 0.2 * budget - 1e-3
        assert by_goal["b"] <= 0.5 * budget + 1e-3
        assert by_region["r0"] >= 1e5 - 1e-3
        assert by_region["r1"] <= 8e6 + 1e-3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_year_with_every_one_year_rule_is_the_v1_answer(tmp_path: Path, seed: int) -> None:
    path = write_csv_instance(tmp_path / f"r{seed}", rich_tables(seed, budget=2e7))
    v1 = allocator.solve(path, tie_break="none", fairness_price=False)
    agenda = solve_agenda(path)
    assert agenda.optimal == v1.optimal
    if v1.optimal:
        [(_, unmet)] = agenda.weighted_unmet_eur.items()
        assert unmet == pytest.approx(v1.weighted_unmet_eur, rel=2e-9)


def test_tiers_in_the_agenda_are_the_v1_objective(tmp_path: Path) -> None:
    t = floor_only(2, 2e7)
    t["policy"].append(["shortfall_tiers", "25%: 1.5; 50%: 3"])
    path = write_csv_instance(tmp_path / "t", t)
    v1 = allocator.solve(path, tie_break="none", fairness_price=False, marginal=False)
    agenda = solve_agenda(path)
    [(year, unmet)] = agenda.weighted_unmet_eur.items()
    assert unmet + agenda.tier_penalty_eur[year] == pytest.approx(
        v1.weighted_unmet_eur + v1.tier_penalty_eur, rel=2e-9)


def test_national_money_rules_and_spend_all_hold_every_year(tmp_path: Path) -> None:
    """Co-financing and the change cap read the national funder's money; with spend_all
    every envelope is spent or carried on. Checked from the tables."""
    t = floor_only(3, 2e7)
    t["regions"] = [t["regions"][0] + ["cofinancing_eur", "reference_eur"],
                    *[row + [3e6, 2e6] for row in t["regions"][1:]]]
    t["policy"] += [["cofinancing_ratio", 1.5], ["change_cap", 40],
                    ["spend_all", "true"]]
    t["years"] = [["year"], [2026], [2027]]
    t["funders"] = [["funder", "national", "carry_over_eur"], ["rijk", "true", 1e6],
                    ["regio", "false", 0]]
    t["envelopes"] = [["funder", "year", "budget_eur"], ["rijk", 2026, 6e6],
                      ["rijk", 2027, 5e6], ["regio", 2026, 2e6], ["regio", 2027, 2e6]]
    r = solve_agenda(write_csv_instance(tmp_path / "n", t))
    assert r.optimal
    pop = {row[0]: row[1] for row in t["regions"][1:]}
    a = r.allocation
    for year in (2026, 2027):
        rijk = a[(a["year"] == year) & (a["funder"] == "rijk")].groupby("region")[
            "amount_eur"].sum().reindex(list(pop), fill_value=0)
        for region, x in rijk.items():
            assert 1.5 * x <= 3e6 + 1e-3  # co-financing capacity
            assert abs(x - 2e6) <= 40 * pop[region] + 1e-3  # change cap
    spent = a.groupby(["funder", "year"])["amount_eur"].sum()
    carried = r.carry.loc["rijk", 2026]
    assert spent[("rijk", 2026)] + carried == pytest.approx(6e6, abs=1e-3)
    assert spent[("rijk", 2027)] == pytest.approx(5e6 + carried, abs=1e-3)
    assert spent[("regio", 2026)] == pytest.approx(2e6, abs=1e-3)


def coverage_by_year(r: object, t: dict) -> pd.DataFrame:
    """Region x year coverage of an agenda's allocation, recomputed from the tables."""
    need = pd.DataFrame(t["needs"][1:], columns=t["needs"][0])
    gross = need.groupby("region")["need_eur"].sum()
    have = need.assign(c=need[["need_eur", "existing_eur"]].min(axis=1)).groupby(
        "region")["c"].sum()
    a = r.allocation  # type: ignore[attr-defined]
    by = a.groupby(["year", "region"])["amount_eur"].sum().unstack(0).reindex(
        gross.index).fillna(0.0)
    return by.add(have, axis=0).div(gross, axis=0)


def test_max_min_in_one_year_is_the_v1_answer(tmp_path: Path) -> None:
    t = floor_only(2, 2e7)
    t["policy"].append(["fairness", "max-min"])
    path = write_csv_instance(tmp_path / "m", t)
    v1 = allocator.solve(path, fairness_price=False, marginal=False)
    agenda = solve_agenda(path)
    assert agenda.optimal and "Max-min fairness" in agenda.message
    [(_, unmet)] = agenda.weighted_unmet_eur.items()
    assert unmet == pytest.approx(v1.weighted_unmet_eur, rel=1e-7)
    coverage = coverage_by_year(agenda, t).iloc[:, 0]
    assert coverage.min() == pytest.approx(v1.coverage["coverage"].min(), abs=1e-8)


def test_max_min_over_years_and_over_the_period(tmp_path: Path) -> None:
    """Two years with no money moving between them: the agenda's max-min is each year's
    one-year max-min (the lowest coverage of each year equals v1's at that year's budget).
    Over the period, the lowest period coverage is at least that of the weighted agenda."""
    t = floor_only(3, 2e7)
    t["policy"].append(["fairness", "max-min"])
    t["years"] = [["year", "budget_eur"], [2026, 2e7], [2027, 1.2e7]]
    r = solve_agenda(write_csv_instance(tmp_path / "y", t))
    assert r.optimal
    coverage = coverage_by_year(r, t)
    one = floor_only(3, 2e7)
    one["policy"].append(["fairness", "max-min"])
    v1_path = write_csv_instance(tmp_path / "one", one)
    for year, budget in ((2026, 2e7), (2027, 1.2e7)):
        v1 = allocator.solve(v1_path, budget=budget, fairness_price=False, marginal=False)
        assert coverage[year].min() == pytest.approx(v1.coverage["coverage"].min(), abs=1e-8)
    t["policy"].append(["equity_over", "period"])
    period = solve_agenda(write_csv_instance(tmp_path / "p", t))
    weighted = dict(t, policy=[row for row in t["policy"] if row[0] != "fairness"])
    plain = solve_agenda(write_csv_instance(tmp_path / "w", weighted))
    assert period.optimal and plain.optimal and "over the period" in period.message

    def lowest_over_period(res: object) -> float:
        need = pd.DataFrame(t["needs"][1:], columns=t["needs"][0])
        gross = need.groupby("region")["need_eur"].sum() * 2
        have = need.assign(c=need[["need_eur", "existing_eur"]].min(axis=1)).groupby(
            "region")["c"].sum() * 2
        got = res.allocation.groupby("region")["amount_eur"].sum()  # type: ignore[attr-defined]
        return float(((have + got.reindex(gross.index, fill_value=0)) / gross).min())

    assert lowest_over_period(period) > lowest_over_period(plain) + 1e-3


@pytest.mark.parametrize(("change", "expected"), [
    (("years", [["year", "budget_eur"], [2026, 1], [2028, 1]]),
     ["years.csv, year: years must follow each other without gaps (carry-over and ramp-up "
      "run from one year to the next)"]),
    (("envelopes", [["funder", "year", "budget_eur"], ["nobody", 2026, 5]]),
     ["envelopes.csv, row 2, funder: unknown funder 'nobody' (not in funders)"]),
    (("funders", [["funder", "national", "goals"], ["rijk", "false", ""]]),
     ["funders.csv, national: mark one funder national (true): the one whose euro the report "
      "counts as unlocking the rest"]),
])
def test_bad_agenda_tables_are_named(tmp_path: Path, change: tuple, expected: list[str]) -> None:
    path = small_agenda(tmp_path, [[2026, None], [2027, None]],
                        [["rijk", "true", "", None, 0, 0]], [["rijk", 2026, 5]])
    name, rows = change
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(path / f"{name}.csv", index=False)
    with pytest.raises(InputError) as err:
        load_agenda(path)
    assert [str(p).removeprefix("a/") for p in err.value.problems] == expected


def test_floor_per_year_or_over_the_period(tmp_path: Path) -> None:
    # Need 100 a year; all money comes in year 1 and cannot move on. A 40 % floor every year
    # cannot hold in year 2; over the period (200 need, 80 required) it can.
    def run(over: str) -> object:
        path = small_agenda(tmp_path / over, [[2026, None], [2027, None]],
                            [["rijk", "true", "", None, 0, 0]],
                            [["rijk", 2026, 100], ["rijk", 2027, 0]],
                            policy=[["coverage_floor", 0.4], ["equity_over", over]])
        return solve_agenda(path)

    assert not run("year").optimal
    period = run("period")
    assert period.optimal
    assert period.coverage.loc["r", "period"] == pytest.approx(0.5)


def test_the_tie_break_makes_the_split_independent_of_row_order(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "shuffled"
    shutil.copytree(ROOT / "instances" / "npvr-agenda-2026-2029", folder)
    for name in ("needs", "streams", "funders", "envelopes", "regions"):
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.sample(frac=1.0, random_state=3).to_csv(folder / f"{name}.csv", index=False)
    a, b = solve_agenda(AGENDA), solve_agenda(folder)
    key = ["year", "funder", "region", "goal"]
    x = a.rounded().sort_values(key).reset_index(drop=True)
    y = b.rounded().sort_values(key).reset_index(drop=True)
    assert (x["amount_eur"] == y["amount_eur"]).all()  # whole euros, every one
    np.testing.assert_allclose(a.allocation.sort_values(key)["amount_eur"].to_numpy(),
                               b.allocation.sort_values(key)["amount_eur"].to_numpy(),
                               rtol=0, atol=1e-3)  # measured: 4e-8 euro apart


def test_validate_checks_the_agenda_sheets(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    assert main(["validate", str(AGENDA)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "agenda: 4 jaren (2026–2029), 12 financiers, 42 bestaande stromen")
    path = small_agenda(tmp_path, [[2026, None]], [["rijk", "true", "", None, 0, 0]],
                        [["rijk", 2030, 5]])
    assert main(["validate", str(path)]) == 2
    assert "envelopes.csv, rij 2, year: jaar 2030 staat niet op het tabblad years" in \
        capsys.readouterr().err


def scoped_agenda(tmp_path: Path, scope: str) -> Path:
    """Two regions, the national Rijk with €30 and a province with €100 whose scope is
    ``scope``; B's need weighs twice A's, so without a scope the province would pay in B."""
    t = {
        "regions": [["region", "population", "weight"], ["a", 1000, 1], ["b", 1000, 2]],
        "goals": [["goal"], ["g"]],
        "needs": [["region", "goal", "need_eur"], ["a", "g", 100], ["b", "g", 100]],
        "policy": [["key", "value"], ["budget_eur", 1]],
        "years": [["year"], [2026]],
        "funders": [["funder", "national", "regions"], ["rijk", "true", ""],
                    ["provincie-a", "false", scope]],
        "envelopes": [["funder", "year", "budget_eur"], ["rijk", 2026, 30],
                      ["provincie-a", 2026, 100]],
    }
    return write_csv_instance(tmp_path / f"s{scope or 'all'}", t)


def test_a_funder_pays_only_in_its_own_regions(tmp_path: Path) -> None:
    free = solve_agenda(scoped_agenda(tmp_path, ""))
    paid = free.allocation.groupby("region")["amount_eur"].sum()
    assert paid["b"] == pytest.approx(100, abs=1e-6)  # unscoped: B's need first, in full
    assert free.weighted_unmet_eur[2026] == pytest.approx(70, abs=1e-6)
    r = solve_agenda(scoped_agenda(tmp_path, "a"))
    assert r.optimal
    rounded = r.rounded()
    by = rounded.groupby(["funder", "region"])["amount_eur"].sum()
    assert by.get(("provincie-a", "b"), 0) == 0  # not one euro across the border
    assert by[("provincie-a", "a")] == 100
    assert by[("rijk", "b")] == 30  # the national money goes where it weighs most
    # weighted unmet need from the tables: A 100 - 100, B 2 x (100 - 30)
    assert r.weighted_unmet_eur[2026] == pytest.approx(140, abs=1e-6)


def test_provinces_in_the_default_agenda_stay_in_their_regions() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(AGENDA, read_only=True)
    rows = list(wb["funders"].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    scope = {row[0]: {r.strip() for r in str(row[header.index("regions")] or "").split(";")
                      if r.strip()} for row in rows[1:]}
    provinces = {f: s for f, s in scope.items() if str(f).startswith("provincie-")}
    assert len(provinces) == 8  # the provinces the 11 regions lie in
    assert sorted(r for s in provinces.values() for r in s) == sorted(
        str(r[0]) for r in list(wb["regions"].iter_rows(values_only=True))[1:])
    r = solve_agenda(AGENDA)
    assert r.optimal
    a = r.rounded()
    for funder, regions in provinces.items():
        mine = a[a["funder"] == funder]
        assert int(mine.loc[~mine["region"].isin(regions), "amount_eur"].sum()) == 0
        assert int(mine["amount_eur"].sum()) > 0
    envelopes = r.agenda.envelopes
    spent = r.by_funder()
    for funder in provinces:  # a province spends at most its own money over the period
        assert spent.loc[funder].sum() <= envelopes.loc[funder].sum() + 1


@pytest.mark.parametrize(("funders", "streams", "expected"), [
    ([["funder", "national", "regions"], ["rijk", "true", ""], ["p", "false", "r; x"]], None,
     "funders.csv, regions: unknown region 'x' for funder 'p' (not in regions)"),
    ([["funder", "national", "regions"], ["rijk", "true", "r"]], None,
     "funders.csv, regions: the national funder 'rijk' pays in every region: leave its "
     "regions blank"),
    ([["funder", "national", "regions"], ["rijk", "true", ""], ["p", "false", "r"]],
     [["funder", "region", "year", "amount_eur"], ["p", "q", 2026, 5]],
     "streams.csv, row 2, region: 'q' lies outside the regions of this row's funder "
     "(funders sheet)"),
])
def test_bad_scopes_are_named(tmp_path: Path, funders: list[list[object]],
                              streams: list[list[object]] | None, expected: str) -> None:
    path = small_agenda(tmp_path, [[2026, None]], [["rijk", "true", "", None, 0, 0]],
                        [["rijk", 2026, 5]])
    pd.DataFrame([["r", 1000], ["q", 500]], columns=["region", "population"]).to_csv(
        path / "regions.csv", index=False)
    pd.DataFrame(funders[1:], columns=funders[0]).to_csv(path / "funders.csv", index=False)
    if streams:
        pd.DataFrame(streams[1:], columns=streams[0]).to_csv(path / "streams.csv", index=False)
    with pytest.raises(InputError) as err:
        load_agenda(path)
    assert [str(p).removeprefix("a/") for p in err.value.problems] == [expected]
