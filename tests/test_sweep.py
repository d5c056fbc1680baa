"""The exact response curve, checked against independent solves."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import allocator
from allocator.cli import main
from allocator.errors import Status
from allocator.studies.generate import synthetic_tables, write_csv_folder
from allocator.studies.sweep import CHECKED_SEGMENTS, sweep
from tests.conftest import npvr_weighted

ROOT = Path(__file__).resolve().parents[1]
NPVR = npvr_weighted()  # the plain weighted objective: see tests/conftest.py


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Goal shares and per-capita caps: the budget enters rows, not only the budget row."""
    return write_csv_folder(tmp_path_factory.mktemp("rich") / "i", synthetic_tables(
        40, seed=2, rules=("floor", "shares", "per-capita")))


@pytest.mark.parametrize("which", ["npvr", "rich"])
def test_interpolation_equals_a_fresh_solve(which: str, rich: Path) -> None:
    path = NPVR if which == "npvr" else rich
    curve = sweep(path)
    lo, hi = curve.breakpoints[0].budget_eur, curve.breakpoints[-1].budget_eur
    for budget in np.random.default_rng(7).uniform(lo, hi, 8):
        r = allocator.solve(path, budget=float(budget), tie_break="none")
        assert r.optimal
        assert curve.value_at(float(budget)) == pytest.approx(r.weighted_unmet_eur,
                                                             rel=1e-7, abs=0.05)


@pytest.mark.parametrize("which", ["npvr", "rich"])
def test_convex_with_breakpoints_where_the_slope_changes(which: str, rich: Path) -> None:
    curve = sweep(NPVR if which == "npvr" else rich)
    points = curve.breakpoints
    assert len(points) >= 3
    values = [p.marginal_value for p in points]
    # strictly: a vertex (the last point closes the range, whatever the slope before it)
    assert all(a > b for a, b in zip(values[:-1], values[1:-1], strict=False))
    assert values[-1] <= values[-2]
    for p, q in zip(points, points[1:], strict=False):  # the slope of each segment
        assert (p.weighted_unmet_eur - q.weighted_unmet_eur) / (q.budget_eur - p.budget_eur) \
            == pytest.approx(p.marginal_value, rel=1e-6)
    assert curve.lp_solves <= 2 * len(points) + 6


def test_min_feasible_budget_is_feasible_and_a_euro_less_is_not() -> None:
    curve = sweep(NPVR)
    low = curve.min_feasible_budget_eur
    assert low == pytest.approx(109_405_523, abs=1)
    assert allocator.solve(NPVR, budget=low + 0.01).status == Status.OPTIMAL
    assert allocator.solve(NPVR, budget=low - 1).status == Status.INFEASIBLE
    # all need met at the saturation budget: the whole net need of the instance
    inst = allocator.load(NPVR)
    net = (inst.needs["need_eur"] - inst.needs["existing_eur"]).clip(lower=0).sum()
    assert curve.saturation_budget_eur == pytest.approx(net, abs=1)
    assert curve.breakpoints[-1].weighted_unmet_eur == pytest.approx(0, abs=0.01)


def test_a_range_gives_the_same_curve_inside_it() -> None:
    whole = sweep(NPVR)
    part = sweep(NPVR, start=200e6, stop=600e6)
    assert part.breakpoints[0].budget_eur == 200e6 and part.breakpoints[-1].budget_eur == 600e6
    for budget in (250e6, 450e6, 599e6):
        assert part.value_at(budget) == pytest.approx(whole.value_at(budget), rel=1e-9)


def test_cli_writes_json_and_workbook(tmp_path: Path) -> None:
    js, out = tmp_path / "s.json", tmp_path / "s.xlsx"
    assert main(["sweep", str(NPVR), "--json", str(js), "--out", str(out), "-q"]) == 0
    data = json.loads(js.read_text())
    assert set(data) == {"schema_version", "command", "instance", "status", "message",
                         "allocations", "seconds", "min_feasible_budget_eur",
                         "saturation_budget_eur", "lp_solves", "breakpoints", "regions"}
    # one record per cell and breakpoint, each breakpoint's records adding up to its budget
    by_budget: dict[float, int] = {}
    for rec in data["allocations"]:
        by_budget[rec["budget_eur"]] = by_budget.get(rec["budget_eur"], 0) + rec["amount_eur"]
    assert sorted(by_budget) == [p["budget_eur"] for p in data["breakpoints"]]
    for budget, total in by_budget.items():
        assert abs(total - budget) <= 1 or total < budget
    budgets = [p["budget_eur"] for p in data["breakpoints"]]
    assert budgets == sorted(budgets)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Curve", "Regio's per budget"]
    chart, bars = wb["Curve"]._charts
    assert chart.series[0].yVal.numRef.f == f"'Curve'!$B$2:$B${len(budgets) + 1}"
    assert bars.series[0].val.numRef.f == f"'Curve'!$C$2:$C${len(budgets)}"
    table = list(wb["Regio's per budget"].iter_rows(min_row=2, max_row=12, values_only=True))
    assert len(table) == 11
    [lines] = wb["Regio's per budget"]._charts
    assert len(lines.series) == 11  # one line per region against the budget row
    for j, budget in enumerate(budgets, start=1):  # each column adds up to its budget,
        # never above it: at €109.405.522,60 the whole euros spent are €109.405.522
        assert sum(row[j] for row in table) == math.floor(budget + 0.05)


def test_grid_lies_on_the_exact_curve(rich: Path) -> None:
    exact = sweep(rich)
    grid = sweep(rich, steps=25)
    assert len(grid.breakpoints) == 25 and grid.lp_solves == 2 + 25
    for p in grid.breakpoints:
        assert p.weighted_unmet_eur == pytest.approx(exact.value_at(p.budget_eur), rel=1e-7,
                                                     abs=0.05)


def test_an_instance_whose_rules_need_no_money_starts_at_zero(tmp_path: Path) -> None:
    from allocator.inputs.presets import with_policy
    from allocator.inputs.validate import load

    instance = with_policy(load(NPVR), None, {"coverage_floor": 0.0})
    curve = sweep(instance)
    first = curve.breakpoints[0]
    assert first.budget_eur == 0.0
    assert curve.min_feasible_budget_eur == 0.0
    # nothing allocated: weighted unmet need is all of it, as the instance says
    before = allocator.solve(instance).weighted_unmet_before_eur
    assert first.weighted_unmet_eur == pytest.approx(before, abs=0.01)
    assert curve.allocations.iloc[:, 2].abs().sum() == 0
    for budget in np.random.default_rng(3).uniform(0, curve.breakpoints[-1].budget_eur, 5):
        r = allocator.solve(instance, budget=float(budget), tie_break="none")
        assert curve.value_at(float(budget)) == pytest.approx(r.weighted_unmet_eur, rel=1e-7,
                                                             abs=0.05)


def test_with_tiers_the_curve_is_the_objective_and_both_parts_are_named() -> None:
    from allocator.inputs.presets import with_policy
    from allocator.inputs.validate import load

    instance = with_policy(load(NPVR), "deep-shortfall")
    curve = sweep(instance)
    assert len(curve.breakpoints) > 4
    for p in curve.breakpoints[:-1]:
        r = allocator.solve(instance, budget=p.budget_eur, fairness_price=False)
        assert p.tier_penalty_eur == pytest.approx(r.tier_penalty_eur, abs=1.0)
        assert p.weighted_unmet_eur == pytest.approx(r.weighted_unmet_eur, abs=1.0)
        assert p.objective_eur == pytest.approx(p.weighted_unmet_eur + p.tier_penalty_eur,
                                                rel=1e-8)
    lo, hi = curve.breakpoints[0].budget_eur, curve.breakpoints[-1].budget_eur
    for budget in np.random.default_rng(11).uniform(lo, hi, 5):
        r = allocator.solve(instance, budget=float(budget), tie_break="none")
        assert curve.value_at(float(budget)) == pytest.approx(
            r.weighted_unmet_eur + r.tier_penalty_eur, rel=1e-7, abs=0.05)


def test_under_max_min_each_point_is_a_full_solve() -> None:
    from allocator.inputs.presets import with_policy
    from allocator.inputs.validate import load

    instance = with_policy(load(NPVR), "max-min")
    curve = sweep(instance, steps=5)
    assert "sampled, not traced" in curve.message
    assert len(curve.breakpoints) == 5
    for p in curve.breakpoints:
        r = allocator.solve(instance, budget=p.budget_eur, fairness_price=False)
        assert r.optimal
        assert p.weighted_unmet_eur == pytest.approx(r.weighted_unmet_eur, abs=0.01)
        column = curve.allocations[f"{p.budget_eur:.2f}"].to_numpy()
        np.testing.assert_allclose(column, r.allocation["amount_eur"].to_numpy(), atol=0.01)


def test_the_asked_budgets_exactly_with_infeasible_ones_marked(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    asked = [100e6, 250e6, 500e6, 1e9]
    curve = sweep(NPVR, budgets=asked)
    assert [p.budget_eur for p in curve.breakpoints] == asked
    assert [p.status for p in curve.breakpoints] == ["infeasible", "optimal", "optimal",
                                                      "optimal"]
    assert "they need at least €109,405,523" in curve.message
    for p in curve.breakpoints[1:]:
        r = allocator.solve(NPVR, budget=p.budget_eur, tie_break="none", marginal=False)
        assert p.weighted_unmet_eur == pytest.approx(r.weighted_unmet_eur, abs=0.05)
    grid = sweep(NPVR, start=1e8, stop=1e9, steps=10)
    assert [p.budget_eur for p in grid.breakpoints] == [1e8 * k for k in range(1, 11)]
    assert grid.breakpoints[0].status == "infeasible"
    out = tmp_path / "s.json"
    assert main(["sweep", str(NPVR), "--budgets", "100e6,250e6", "--no-report", "--json",
                 str(out)]) == 0
    assert json.loads(out.read_text())["breakpoints"][0]["weighted_unmet_eur"] is None
    assert "      €100.000.000  onhaalbaar: de regels kunnen hier niet gelden" in \
        capsys.readouterr().out  # Dutch by default
    assert main(["sweep", str(NPVR), "--budgets", "100e6,250e6", "--no-report",
                 "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "      €100,000,000  infeasible: the rules cannot hold here" in printed
    assert printed.startswith("A grid of 2 budgets between €100,000,000 and €250,000,000, in "
                              "3 LP solves. At 1 of them the rules cannot hold: they need at "
                              "least €109,405,523.")


def test_every_point_of_the_curve_carries_its_certificate() -> None:
    s = sweep(NPVR)
    for p in s.breakpoints:
        assert p.max_violation_eur is not None and p.max_violation_eur <= 1e-3
        assert p.duality_gap is not None and p.duality_gap <= 1e-6
    grid = sweep(NPVR, budgets=[1e8, 2.5e8, 6e8])
    assert [p.duality_gap is None for p in grid.breakpoints] == [True, False, False]


def test_the_point_certificate_is_the_budget_s_own() -> None:
    """certify_at re-checks the rules and the bound at the budget it is given: the stage-1
    optimum at €250 m passes there, fails at €300 m (it leaves money unspent that lowers the
    bound) and fails when the allocation overspends."""
    from allocator.solving import highs
    from allocator.solving.certify import certify_at
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    inst = allocator.load(NPVR)
    scale = money_scale(inst)
    d = to_model_data(inst, scale)
    lp = build_lp(d)
    sol = highs.Solver(lp).run()
    x = sol.x[: lp.n_cells]
    assert certify_at(d, lp, d.budget, x, sol.row_dual, scale).passed
    assert not certify_at(d, lp, d.budget * 1.2, x, sol.row_dual, scale).passed
    over = certify_at(d, lp, d.budget, x * 1.01, sol.row_dual, scale)
    assert not over.passed and over.worst_rule == "budget"


def test_a_long_curve_keeps_the_curve_and_leaves_out_the_allocations(tmp_path: Path) -> None:
    """Breakpoints times cells above MAX_VALUES: the curve is kept whole, the allocations
    and region figures per breakpoint are left out, and the message says how to see them
    (a traced curve of 1,000 regions made a JSON of 1.35 GB and a peak of 6 GB). Asked
    budgets still carry theirs."""
    from allocator.studies import sweep as module

    folder = write_csv_folder(tmp_path / "b", synthetic_tables(300, seed=2, family="binding"))
    s = sweep(folder)
    cells = len(s.instance.needs)
    assert len(s.breakpoints) * cells > module.MAX_VALUES  # 900 cells, ~600 breakpoints
    assert s.allocations.empty and not s.figures and s.envelopes().empty
    assert ("sweep_no_allocations", {"limit": module.MAX_VALUES}) in s.notes
    assert s.text("nl").endswith("Verdelingen en regiocijfers per knikpunt zijn weggelaten "
                                 "(knikpunten maal cellen is meer dan 500.000); vraag de "
                                 "budgetten die u wilt zien met --budgets.")
    out = tmp_path / "s.json"
    assert main(["sweep", str(folder), "--json", str(out), "--no-report", "-q"]) == 0
    doc = json.loads(out.read_text())
    assert len(doc["breakpoints"]) == len(s.breakpoints)
    assert doc["allocations"] == [] and doc["regions"] == []
    # the curve is the same curve: each breakpoint's value is a fresh solve's
    middle = s.breakpoints[len(s.breakpoints) // 2]
    fresh = allocator.solve(folder, budget=middle.budget_eur, tie_break="none")
    assert fresh.weighted_unmet_eur == pytest.approx(middle.objective_eur, rel=1e-7)
    asked = sweep(folder, budgets=[middle.budget_eur])
    assert len(asked.allocations.columns) == 3 and len(asked.figures) == 1


@pytest.fixture(scope="module")
def binding(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every rule on, at values where they bind, with spread weights: a long curve."""
    return write_csv_folder(tmp_path_factory.mktemp("binding") / "i", synthetic_tables(
        60, seed=4, family="binding"))


@pytest.mark.parametrize("which", ["npvr", "rich", "binding", "pro-rata",
                                   "welvaart-als-gewicht"])
def test_pivots_trace_the_curve_the_sandwich_traces(which: str, rich: Path,
                                                    binding: Path) -> None:
    """Both ways, the same curve. Under the two presets the default instance's curve has
    more breakpoints than cells (304 under pro-rata, for 33 cells): the sandwich used to
    stop at four solves per cell and return the curve with intervals left open, 22 % off
    at €696,566,055 (found by comparing the two ways)."""
    from allocator.inputs.presets import with_policy

    path: Path | allocator.Instance = {"npvr": NPVR, "rich": rich, "binding": binding}.get(
        which) or with_policy(allocator.load(ROOT / "instances" / "npvr-2026.xlsx"), which)
    pivoted = sweep(path, tie_break=False, method="pivot")
    sandwich = sweep(path, tie_break=False, method="sandwich")
    assert pivoted.notes[0][0] == "sweep_pivoted" and sandwich.notes[0][0] == "sweep_traced"
    # two solves for the range, one at its start, one per checked segment
    assert pivoted.lp_solves <= 3 + CHECKED_SEGMENTS
    if which != "npvr" and which != "rich":  # long curves: solves per breakpoint, or none
        assert pivoted.lp_solves * 5 < sandwich.lp_solves
    budgets = [p.budget_eur for p in (*pivoted.breakpoints, *sandwich.breakpoints)]
    # both against fresh solves, where the two differed most before
    for budget in [*np.random.default_rng(5).uniform(min(budgets), max(budgets), 4),
                   *([696_566_055.0] if which == "pro-rata" else [])]:
        r = allocator.solve(path, budget=float(budget), tie_break="none", marginal=False,
                            fairness_price=False)
        objective = r.weighted_unmet_eur + (r.tier_penalty_eur or 0.0)
        assert pivoted.value_at(float(budget)) == pytest.approx(objective, rel=1e-8, abs=0.05)
        assert sandwich.value_at(float(budget)) == pytest.approx(objective, rel=1e-8,
                                                                 abs=0.05)
    for budget in budgets:
        assert pivoted.value_at(budget) == pytest.approx(sandwich.value_at(budget), rel=1e-8,
                                                         abs=0.05)
    # every breakpoint certified at its own budget
    for p in pivoted.breakpoints:
        assert p.max_violation_eur is not None and p.max_violation_eur <= 0.01
        assert p.duality_gap is not None and p.duality_gap <= 1e-6


def test_a_trace_that_cannot_go_on_falls_back_to_the_sandwich(
        binding: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from allocator.solving import parametric

    whole = sweep(binding, tie_break=False, method="pivot")
    assert whole.notes[0][0] == "sweep_pivoted"
    pivots = int(whole.notes[0][1]["pivots"])  # type: ignore[call-overload]
    assert pivots > 10
    # the same instance with the trace allowed 10 pivots: it stops, and the sandwich traces
    monkeypatch.setattr(parametric, "PIVOTS_PER_VARIABLE", 0)
    monkeypatch.setattr(parametric, "SPARE_PIVOTS", 10)
    fallen = sweep(binding, tie_break=False, method="pivot")
    assert fallen.notes[0][0] == "sweep_traced"
    assert [p.budget_eur for p in fallen.breakpoints] == pytest.approx(
        [p.budget_eur for p in whole.breakpoints], rel=1e-9)
    assert f"gevonden met {fallen.lp_solves} LP-oplossingen." in fallen.text("nl")
    assert (f"gevonden met {pivots} simplexstappen vanuit één LP-oplossing; "
            f"{whole.lp_solves} LP-oplossingen in totaal, met de controle van verspreide "
            "segmenten.") in whole.text("nl")


def test_auto_pivots_where_costs_are_many_and_solves_where_they_are_few(
        tmp_path: Path, binding: Path) -> None:
    """Few weight classes: few breakpoints for many pivots, where the sandwich's warm runs
    are faster; spread weights: a breakpoint every pivot or two. The choice is a count (one
    distinct cost per VARIABLES_PER_COST variables), so the same on every machine."""
    easy = write_csv_folder(tmp_path / "easy", synthetic_tables(300, seed=1))
    assert sweep(easy, tie_break=False).notes[0][0] == "sweep_traced"
    assert sweep(binding, tie_break=False).notes[0][0] == "sweep_pivoted"


def test_a_sandwich_that_cannot_finish_says_so_and_reports_no_curve(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The sandwich allowed 100 solves on a curve of 304 breakpoints: exit 1, the message
    word by word, and no file written (a curve with an interval left open is wrong there)."""
    import allocator.studies.sweep as module

    monkeypatch.setattr(module, "SOLVES_PER_VARIABLE", 0)
    out = tmp_path / "s.xlsx"
    code = main(["sweep", str(ROOT / "instances" / "npvr-2026.xlsx"), "--policy", "pro-rata",
                 "--out", str(out), "-q"])
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err
    # 104: the two solves of the range, the two ends, then the 100 allowed
    assert err == ("allocator: De curve is niet tot het einde gevonden in 104 LP-oplossingen "
                   "(vanaf €296.435.148,30 bleef ze open); ze wordt niet getoond. Vraag de "
                   "budgetten die u wilt zien met --budgets.\n")


def test_tie_broken_breakpoints_are_the_same_whichever_way_the_curve_was_traced(
        rich: Path) -> None:
    """Up to 50 breakpoints each allocation is the engine's full solve at that budget: the
    same cells, to the cent, from a curve traced by pivots or by the sandwich."""
    pivoted, sandwich = sweep(rich, method="pivot"), sweep(rich, method="sandwich")
    assert [n[0] for n in pivoted.notes] == ["sweep_pivoted", "sweep_tie_broken"]
    assert list(pivoted.allocations.columns) == list(sandwich.allocations.columns)
    assert np.abs(pivoted.allocations.iloc[:, 2:].to_numpy()
                  - sandwich.allocations.iloc[:, 2:].to_numpy()).max() < 0.01
