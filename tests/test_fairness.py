"""The price of fairness, checked against solves without the rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

import allocator
from allocator.cli import main
from allocator.studies.generate import synthetic_tables, write_csv_folder
from tests.conftest import instance_tables, npvr_weighted, write_csv_instance

ROOT = Path(__file__).resolve().parents[1]
NPVR = npvr_weighted()  # the plain weighted objective: see tests/conftest.py


def test_price_equals_the_solve_without_the_rules() -> None:
    r = allocator.solve(NPVR)
    free = allocator.solve(NPVR, floor=0.0, tie_break="none")
    p = r.price_of_fairness
    assert p is not None
    assert p.unconstrained_unmet_eur == pytest.approx(free.weighted_unmet_eur, rel=1e-9)
    assert p.total_eur == pytest.approx(r.weighted_unmet_eur - free.weighted_unmet_eur,
                                        rel=1e-9)
    assert p.total_eur > 0
    assert p.per_rule_eur == {"coverage_floor": pytest.approx(p.total_eur, rel=1e-9)}


def test_each_rule_s_price_is_the_instance_solved_without_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a generated instance where the gap, the goal shares and the per-capita cap bind,
    each rule's price (answered from the engine's basis with the rule's rows relaxed) is
    the weighted unmet need minus that of the instance solved afresh with the rule switched
    off in its policy; all rules together likewise. The warm path is the one taken."""
    import dataclasses

    from allocator.solving import fairness
    from models.rules import PARAM

    taken = []
    rows_without = fairness.Warm.rows_without
    monkeypatch.setattr(fairness.Warm, "rows_without", lambda self, d: taken.append(
        rows_without(self, d)) or taken[-1])
    inst = allocator.load(write_csv_folder(tmp_path / "b", synthetic_tables(
        300, 3, seed=2, rules=("floor", "gap", "shares"), family="binding")))
    r = allocator.solve(inst)
    p = r.price_of_fairness
    assert p is not None and taken and all(rows is not None for rows in taken)
    bound = [k for k, v in p.per_rule_eur.items() if v > 1.0]
    assert {"max_coverage_gap", "min_share", "per_capita_cap"} <= set(bound)

    def without(i: allocator.Instance, rule: str) -> allocator.Instance:
        if rule in ("min_share", "max_share"):  # a column of the goals table
            return dataclasses.replace(i, goals=i.goals.assign(**{rule: float("nan")}))
        return dataclasses.replace(i, policy=i.policy.model_copy(update={
            rule: PARAM[rule].off}))

    every = inst
    for rule, cost in p.per_rule_eur.items():
        every = without(every, rule)
        alone = allocator.solve(without(inst, rule), tie_break="none", fairness_price=False,
                                marginal=False)
        assert cost == pytest.approx(r.weighted_unmet_eur - alone.weighted_unmet_eur,
                                     rel=1e-7, abs=1e-3)
    free = allocator.solve(every, tie_break="none", fairness_price=False, marginal=False)
    assert p.unconstrained_unmet_eur == pytest.approx(free.weighted_unmet_eur, rel=1e-9)


def test_a_rule_that_does_not_bind_costs_nothing(tmp_path: Path) -> None:
    tables = instance_tables(  # existing funding covers 20 % and 50 %: a 10 % floor is slack
        [("A", 100, 1.0), ("B", 100, 2.0)], [("g", 1.0)],
        [("A", "g", 100, 20, None), ("B", "g", 100, 50, None)],
        {"budget_eur": 30, "coverage_floor": 0.1})
    r = allocator.solve(write_csv_instance(tmp_path / "i", tables))
    assert r.price_of_fairness is not None
    assert r.price_of_fairness.total_eur == pytest.approx(0, abs=1e-3)
    assert r.price_of_fairness.per_rule_eur["coverage_floor"] == pytest.approx(0, abs=1e-3)


@pytest.mark.parametrize("seed", range(3))
def test_never_negative_and_each_rule_at_most_all(tmp_path: Path, seed: int) -> None:
    tables = synthetic_tables(30, seed=seed, rules=("floor", "gap", "shares", "per-capita"))
    r = allocator.solve(write_csv_folder(tmp_path / "i", tables), tie_break="none")
    p = r.price_of_fairness
    assert p is not None and set(p.per_rule_eur) == {
        "coverage_floor", "max_coverage_gap", "min_share", "max_share", "per_capita_cap"}
    assert p.total_eur >= 0 and all(v >= 0 for v in p.per_rule_eur.values())
    assert all(v <= p.total_eur + 1e-6 for v in p.per_rule_eur.values())


def test_in_json_and_report(tmp_path: Path) -> None:
    import json

    js, out = tmp_path / "r.json", tmp_path / "r.xlsx"
    assert main(["solve", str(NPVR), "--json", str(js), "--out", str(out), "-q"]) == 0
    price = json.loads(js.read_text())["price_of_fairness"]
    assert set(price) == {"unmet_eur", "unconstrained_unmet_eur", "total_eur", "total_share",
                          "per_rule_eur", "per_rule_step"}
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Samenvatting"]
               .iter_rows(values_only=True) if r[0]}
    text = summary["Prijs van de eerlijkheidsregels"]
    assert text == ("de regels samen kosten €13.856.585 gewogen onvervulde behoefte (2,1% meer "
                    "dan zonder regels)")
    assert price["total_share"] == pytest.approx(13_856_585 / 655_111_740, abs=1e-6)
    assert summary["  minimumdekking"] == (
        "alleen deze regel schrappen scheelt €13.856.585; één stap strenger (+1 procentpunt) "
        "kost ten minste €950.329")
    assert main(["solve", str(NPVR), "--json", str(js), "--no-report", "-q",
                 "--no-fairness-price"]) == 0
    assert json.loads(js.read_text())["price_of_fairness"] is None


def repaired(path: Path, **rules: float) -> dict[str, float]:
    r = allocator.solve(path, **rules)
    assert r.status.value == "infeasible" and r.infeasibility is not None
    return {f.rule: f.value for f in r.infeasibility.repairs}


def test_floor_repair_is_the_highest_feasible_floor(tmp_path: Path) -> None:
    from tests.conftest import SMALL

    path = write_csv_instance(tmp_path / "s", SMALL)
    fixes = repaired(path, floor=0.9)
    floor = fixes["coverage_floor"]
    assert allocator.solve(path, floor=floor).optimal
    assert allocator.solve(path, floor=floor + 0.001).status.value == "infeasible"
    fixes = repaired(path, budget=20)  # the floor of 30 % needs €37
    assert fixes["budget_eur"] == 37
    assert allocator.solve(path, budget=37).optimal
    assert allocator.solve(path, budget=36).status.value == "infeasible"
    assert allocator.solve(path, budget=20, floor=fixes["coverage_floor"]).optimal


def lp_highest_floor(d: Any) -> float:
    """The highest floor by the LP with the floor as a variable (max phi, every covered
    region's coverage at least phi, every other rule), solved by scipy's HiGHS."""
    import dataclasses

    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import linprog

    from models.matrix import build_lp, region_rows

    lp = build_lp(dataclasses.replace(d, coverage_floor=0.0))
    covered = d.covered_regions
    rows = region_rows(d, covered, -d.region_need[covered], lp.n_cols + 1)
    a = sp.vstack([sp.hstack([lp.matrix, sp.csr_matrix((lp.n_rows, 1))]), rows]).tocsr()
    lower = np.concatenate([lp.row_lower, -d.region_covered[covered]])
    upper = np.concatenate([lp.row_upper, np.full(covered.size, np.inf)])
    hi, lo = np.isfinite(upper), np.isfinite(lower)
    cost = np.zeros(lp.n_cols + 1)
    cost[-1] = -1.0
    res = linprog(cost, A_ub=sp.vstack([a[hi], -a[lo]]), b_ub=np.concatenate(
        [upper[hi], -lower[lo]]), bounds=[*zip(lp.col_lower, lp.col_upper, strict=True),
                                          (0.0, 1.0)], method="highs")
    assert res.status == 0
    return float(res.x[-1])


@pytest.mark.parametrize("case", ["reach", "shares"])
def test_the_highest_floor_is_the_lp_s_whichever_way_it_is_found(
        tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The floor's repair first tries the lowest reach (and what the budget pays for every
    region) with one feasibility solve; where a goal's share holds a region lower, the LP
    with the floor as a variable decides. Both give the LP's highest floor."""
    from allocator.solving import explain
    from allocator.solving.modeldata import money_scale, to_model_data
    from allocator.studies.generate import synthetic_tables, write_csv_folder

    if case == "reach":  # the binding family: the weakest region's own reach
        inst = allocator.load(write_csv_folder(
            tmp_path / "b", synthetic_tables(300, seed=4, family="binding")))
        inst = inst.with_policy(coverage_floor=0.95, max_coverage_gap=None)
    else:  # A can reach all its need and the budget half of all; g2's share holds A to 20 %
        tables = instance_tables(
            [("A", 100, 1.0), ("B", 100, 1.0)], [("g1", 1.0), ("g2", 1.0)],
            [("A", "g1", 100, 0, None), ("B", "g2", 100, 0, None)],
            {"budget_eur": 100, "coverage_floor": 0.9})
        tables["goals"] = [["goal", "weight", "min_share"], ["g1", 1.0, 0.0],
                           ["g2", 1.0, 0.8]]
        inst = allocator.load(write_csv_instance(tmp_path / "s", tables))
    d = to_model_data(inst, money_scale(inst))
    lps: list[int] = []
    best = explain._best
    monkeypatch.setattr(explain, "_best", lambda *a: (lps.append(1), best(*a))[1])
    got = explain.highest_floor(d)
    assert got == pytest.approx(lp_highest_floor(d), abs=1e-7)
    assert len(lps) == (0 if case == "reach" else 1)
    if case == "shares":
        assert got == pytest.approx(0.2, abs=1e-9)


def test_gap_and_per_capita_repairs(tmp_path: Path) -> None:
    tables = instance_tables(  # B is fully covered already; A can reach at most 10 %
        [("A", 100, 1.0), ("B", 300, 1.0)], [("g", 1.0)],
        [("A", "g", 100, 0, None), ("B", "g", 100, 100, None)],
        {"budget_eur": 10, "max_coverage_gap": 0.5})
    path = write_csv_instance(tmp_path / "gap", tables)
    gap = repaired(path)["max_coverage_gap"]
    assert gap == pytest.approx(0.9)
    assert allocator.solve(path, max_gap=gap).optimal
    assert allocator.solve(path, max_gap=gap - 0.001).status.value == "infeasible"

    tables = instance_tables(  # A holds 10 % of the people, yet needs 40 % of the budget
        [("A", 100, 1.0), ("B", 900, 1.0)], [("g", 1.0)],
        [("A", "g", 100, 0, None), ("B", "g", 100, 0, None)],
        {"budget_eur": 100, "coverage_floor": 0.4, "per_capita_cap": 2})
    path = write_csv_instance(tmp_path / "pc", tables)
    ratio = repaired(path)["per_capita_cap"]
    assert ratio == pytest.approx(4.0)
    tables["policy"][-1][1] = ratio
    assert allocator.solve(write_csv_instance(tmp_path / "pc2", tables)).optimal
    tables["policy"][-1][1] = ratio - 0.01
    assert allocator.solve(write_csv_instance(tmp_path / "pc3", tables)).status.value == \
        "infeasible"


def test_per_region_bounds_in_euros(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regio Deal practice: at least €1.25 m and at most €10 m a year per region."""
    tables = instance_tables(
        [("A", 100, 1.0), ("B", 100, 2.0), ("C", 100, 3.0)], [("g", 1.0)],
        [("A", "g", 20e6, 0, None), ("B", "g", 20e6, 0, None), ("C", "g", 20e6, 0, None)],
        {"budget_eur": 15e6})
    tables["regions"][0] += ["min_eur", "max_eur"]
    for row in tables["regions"][1:]:
        row += [1.25e6, 10e6]
    r = allocator.solve(write_csv_instance(tmp_path / "rd", tables))
    got = r.allocation.set_index("region")["amount_eur"]
    # C (heaviest) is capped at 10 m, A gets its minimum, B the rest
    assert got.to_dict() == pytest.approx({"A": 1.25e6, "B": 3.75e6, "C": 10e6})
    p = r.price_of_fairness
    assert p is not None and set(p.per_rule_eur) == {"region_min", "region_max"}
    # without the maximum C would take 12.5 m (weight 3), B keeping only its minimum (weight 2)
    assert p.per_rule_eur["region_max"] == pytest.approx(2.5e6 * (3 - 2))
    tables["regions"][1][3:5] = [5e6, 1e6]
    assert main(["validate", str(write_csv_instance(tmp_path / "bad", tables))]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "fout: bad/regions.csv, rij 2, min_eur: mag niet groter zijn dan max_eur op dezelfde "
        "rij, gevonden: 5000000.0")


def test_large_instances_price_fairness_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.solving.engine as engine

    monkeypatch.setattr(engine, "FAIRNESS_PRICE_MAX_CELLS", 10)  # NPVR has 33 cells
    r = allocator.solve(NPVR)
    assert r.price_of_fairness is None
    assert r.message.endswith(" The price of fairness was not computed above 10 cells (a full "
                              "LP per rule); --fairness-price forces it.")
    assert allocator.solve(NPVR, fairness_price=True).price_of_fairness is not None


def water_fill(need: dict[str, float], have: dict[str, float], room: dict[str, float],
               budget: float) -> dict[str, float]:
    """Leximin coverage derived independently: one common level L, each region at
    max(its own coverage, L) up to what it can absorb; L by bisection on the budget."""
    def spend(level: float) -> dict[str, float]:
        return {r: min(max(0.0, level * need[r] - have[r]), room[r]) for r in need}

    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if sum(spend(mid).values()) <= budget else (lo, mid)
    return spend(lo)


@pytest.mark.parametrize("seed", range(4))
def test_max_min_equals_water_filling(tmp_path: Path, seed: int) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    names = [f"r{i}" for i in range(6)]
    need = {r: float(rng.integers(100, 1000)) * 1000 for r in names}
    have = {r: float(rng.uniform(0, 0.5)) * need[r] for r in names}
    cap = {r: (float(rng.uniform(0.1, 0.4)) * need[r] if rng.random() < 0.4 else None)
           for r in names}
    room = {r: need[r] - have[r] if cap[r] is None else min(cap[r], need[r] - have[r])
            for r in names}
    budget = 0.3 * sum(need.values())
    tables = instance_tables(  # weights that max-min must ignore
        [(r, 1000, float(rng.choice([1, 2, 3]))) for r in names], [("g", 1.0)],
        [(r, "g", need[r], have[r], cap[r]) for r in names], {"budget_eur": budget})
    r = allocator.solve(write_csv_instance(tmp_path / "i", tables), fairness="max-min")
    assert r.optimal and r.certificate.passed
    got = r.allocation.set_index("region")["amount_eur"].to_dict()
    want = water_fill(need, have, room, budget)
    assert got == pytest.approx(want, abs=1.0)


def test_efficiency_loss_bound(tmp_path: Path) -> None:
    weighted = allocator.solve(NPVR)
    strict = allocator.solve(NPVR, fairness="max-min", max_efficiency_loss=0.0)
    assert strict.weighted_unmet_eur == pytest.approx(weighted.weighted_unmet_eur, rel=1e-7)
    loose = allocator.solve(NPVR, fairness="max-min", max_efficiency_loss=0.02)
    pure = allocator.solve(NPVR, fairness="max-min")
    assert weighted.weighted_unmet_eur <= loose.weighted_unmet_eur <= pure.weighted_unmet_eur
    assert loose.weighted_unmet_eur <= 1.02 * weighted.weighted_unmet_eur + 1
    lowest = [x.coverage["coverage"].min() for x in (weighted, loose, pure)]
    assert lowest[0] <= lowest[1] + 1e-9 <= lowest[2] + 2e-9


def textbook_leximin(lp: Any, cov: Any) -> Any:
    """Leximin levels the textbook way, through scipy's own HiGHS: each round maximises one
    common level t over the coverages still rising (the others at their level) and fixes
    those whose row has a positive dual, one LP per round, rebuilt each time."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import linprog

    a = lp.matrix.tocsr()
    finite_hi = np.isfinite(lp.row_upper)
    finite_lo = np.isfinite(lp.row_lower)
    rising = np.ones(cov.size, dtype=bool)
    level = np.zeros(cov.size)
    bounds = [*zip(lp.col_lower, lp.col_upper, strict=True), (0.0, 1.0)]
    while rising.any():
        t_col = sp.csr_matrix(np.where(rising, cov.need, 0.0)[:, None])
        # -(a.x) + N t <= have (rising), -(a.x) <= have - level N (fixed)
        mine = sp.hstack([-cov.rows, t_col])
        rhs_mine = np.where(rising, cov.have, cov.have - level * cov.need)
        a_ub = sp.vstack([sp.hstack([a[finite_hi], sp.csr_matrix((finite_hi.sum(), 1))]),
                          sp.hstack([-a[finite_lo], sp.csr_matrix((finite_lo.sum(), 1))]),
                          mine]).tocsr()
        b_ub = np.concatenate([lp.row_upper[finite_hi], -lp.row_lower[finite_lo], rhs_mine])
        cost = np.zeros(lp.n_cols + 1)
        cost[-1] = -1.0
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs-ds")
        assert res.status == 0
        t = float(res.x[-1])
        dual = -res.ineqlin.marginals[-cov.size:]
        held = rising & (dual > 1e-9)
        if not held.any() or t >= 1.0 - 1e-12:
            held = rising
        level[held] = t
        rising &= ~held
    return level


@pytest.mark.parametrize("seed", range(3))
def test_max_min_rounds_equal_the_textbook_in_far_fewer_solves(
        tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the binding family (per-capita caps and cell caps: most regions end at their own
    reach, each at its own level) the levels equal the textbook's one-region-per-round
    water-filling, while the rounds settle every region at its reach at once: the textbook
    takes one LP per distinct level (20 and more here), the rounds maximise the level a
    handful of times, the rest are re-solves that change bounds only."""
    import numpy as np

    from allocator.solving import maxmin
    from allocator.solving.modeldata import money_scale, to_model_data
    from allocator.studies.generate import synthetic_tables, write_csv_folder
    from models.matrix import build_lp

    inst = allocator.load(write_csv_folder(
        tmp_path / "b", synthetic_tables(300, seed=seed, family="binding")))
    d = to_model_data(inst, money_scale(inst))
    lp = build_lp(d)
    cov = maxmin.region_coverages(d, lp.n_cols)
    solves = []
    original = maxmin._Rounds.level

    def counted(self, *args):  # type: ignore[no-untyped-def]
        solves.append(1)
        return original(self, *args)

    monkeypatch.setattr(maxmin._Rounds, "level", counted)
    got = maxmin.leximin_levels(lp, cov)
    want = textbook_leximin(lp, cov)
    assert got == pytest.approx(want, abs=1e-7)
    distinct = len(np.unique(np.round(want, 7)))
    assert distinct >= 20  # many levels: the textbook needs a round for each
    assert len(solves) <= 4
    # and the engine's max-min answer holds every level it reports
    r = allocator.solve(inst, fairness="max-min")
    assert r.optimal and r.certificate.passed


@pytest.mark.parametrize("seed", range(3))
def test_where_money_holds_the_lowest_back_one_probe_settles_the_round(
        tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the money the coverages share (the engine's call), a round first probes the
    highest reach below what that money can pay. On the binding family every such reach
    lies below the round's level, so the round is that probe and one maximisation (two
    solves, where the bisection took ten), and the levels are still the textbook's."""
    from allocator.solving import maxmin
    from allocator.solving.modeldata import money_scale, to_model_data
    from allocator.studies.generate import synthetic_tables, write_csv_folder
    from models.matrix import build_lp

    inst = allocator.load(write_csv_folder(
        tmp_path / "b", synthetic_tables(300, seed=seed, family="binding")))
    d = to_model_data(inst, money_scale(inst))
    lp = build_lp(d)
    cov = maxmin.region_coverages(d, lp.n_cols)
    calls: list[str] = []
    level, holds = maxmin._Rounds.level, maxmin._Rounds.holds

    def counted_level(self, *args):  # type: ignore[no-untyped-def]
        calls.append("maximise")
        return level(self, *args)

    def counted_holds(self, *args):  # type: ignore[no-untyped-def]
        calls.append("probe")
        return holds(self, *args)

    monkeypatch.setattr(maxmin._Rounds, "level", counted_level)
    monkeypatch.setattr(maxmin._Rounds, "holds", counted_holds)
    got = maxmin.leximin_levels(lp, cov, money=d.budget)
    assert calls == ["probe", "maximise"]
    assert got == pytest.approx(textbook_leximin(lp, cov), abs=1e-7)


def test_row_sums_hold_for_empty_rows_in_the_middle_and_at_the_end() -> None:
    """Each row's sum of a CSR matrix whose rows include empty ones, the last ones too (a
    matrix whose fixed budget column is taken out ends so): found by the fuzz tests, where
    ``reduceat`` refused the trailing rows' start."""
    import numpy as np
    import scipy.sparse as sp

    from allocator.solving.maxmin import _row_sums

    dense = np.array([[0, 2, 0], [0, 0, 0], [1, 0, 3], [0, 0, 4], [0, 0, 0], [0, 0, 0]],
                     dtype=float)
    m = sp.csr_matrix(dense)
    assert _row_sums(m.data, m.indptr).tolist() == dense.sum(axis=1).tolist()
    empty = sp.csr_matrix((3, 2))
    assert _row_sums(empty.data, empty.indptr).tolist() == [0.0, 0.0, 0.0]


def test_the_floor_s_repair_where_one_cell_has_need(tmp_path: Path) -> None:
    """The fuzz tests' case: three regions, one cell with need (€6), a floor it cannot
    reach: the per-capita cap holds r0 to 1.5 times its third of the €1 budget, €0.50, so
    the highest floor is 0.5 / 6. The explanation names it, and it holds."""
    tables = instance_tables(
        [("r0", 1, 0.5), ("r1", 1, 0.5), ("r2", 1, 0.5)], [("g0", 1.0), ("g1", 1.0)],
        [("r0", "g0", 6, 0, None)],
        {"budget_eur": 1, "coverage_floor": 0.5, "per_capita_cap": 1.5})
    path = write_csv_instance(tmp_path / "one", tables)
    floor = repaired(path)["coverage_floor"]
    assert floor == pytest.approx(0.5 / 6, abs=1e-4) and floor <= 0.5 / 6
    assert allocator.solve(path, floor=floor).optimal
    assert allocator.solve(path, floor=floor + 0.001).status.value == "infeasible"


@pytest.mark.parametrize("case", ["binding-0", "binding-1", "binding-2", "shares"])
def test_where_money_alone_sets_the_levels_one_check_gives_the_textbook_s(
        tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where money is what holds the lowest coverages back and every other rule lets each
    coverage stand at min(T, its reach), T the level the budget pays for, max-min's
    minimums come from one check of that, with no round (the binding family); where a
    rule does not let it (a goal's share that holds A to 20 %), the rounds decide. Both
    give the textbook's levels."""
    import numpy as np

    from allocator.solving import maxmin
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    if case == "shares":
        tables = instance_tables(
            [("A", 100, 1.0), ("B", 100, 1.0)], [("g1", 1.0), ("g2", 1.0)],
            [("A", "g1", 100, 0, None), ("B", "g2", 100, 0, None)], {"budget_eur": 100})
        tables["goals"] = [["goal", "weight", "min_share"], ["g1", 1.0, 0.0],
                           ["g2", 1.0, 0.8]]
        inst = allocator.load(write_csv_instance(tmp_path / "s", tables))
    else:
        inst = allocator.load(write_csv_folder(tmp_path / "b", synthetic_tables(
            300, seed=int(case[-1]), family="binding")))
    d = to_model_data(inst, money_scale(inst))
    lp = build_lp(d)
    cov = maxmin.region_coverages(d, lp.n_cols)
    rounds: list[int] = []
    levels = maxmin.leximin_levels

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        rounds.append(1)
        return levels(*args, **kwargs)

    monkeypatch.setattr(maxmin, "leximin_levels", counted)
    got = maxmin.leximin_minimums(d)
    assert got is not None
    assert len(rounds) == (1 if case == "shares" else 0)
    want = textbook_leximin(lp, cov)
    expected = np.maximum(want * (1.0 - maxmin.MARGIN) * cov.need - cov.have, 0.0)
    assert got[cov.index] == pytest.approx(expected, abs=1e-7 * max(1.0, d.budget))
    if case == "shares":
        assert want == pytest.approx([0.2, 0.8])


def test_max_min_s_check_is_the_engine_s_stage_one(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Where money alone sets max-min's levels, checking that every rule lets them stand
    is the engine's own stage 1 on them, kept for the answer: the whole LP is given to
    HiGHS once (the check), not twice, and the answer is certified with its levels named."""
    from allocator.solving import highs

    inst = allocator.load(write_csv_folder(tmp_path / "b", synthetic_tables(
        300, seed=1, family="binding")))
    cells = len(inst.needs)
    whole: list[int] = []
    init = highs.Solver.__init__

    def counted(self, lp, **kwargs):  # type: ignore[no-untyped-def]
        if lp.n_cells == cells:
            whole.append(1)
        init(self, lp, **kwargs)

    monkeypatch.setattr(highs.Solver, "__init__", counted)
    r = allocator.solve(inst, fairness="max-min", fairness_price=False, marginal=False)
    assert r.optimal and r.certificate.passed
    assert len(whole) == 1
    assert ("note_leximin", {}) in r.notes
