"""The price of fairness, checked against solves without the rules."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import allocator
from allocator.cli import main
from allocator.generate import synthetic_tables, write_csv_folder
from tests.conftest import instance_tables, write_csv_instance

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026.xlsx"


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
        "coverage_floor", "max_coverage_gap", "min_share", "max_share", "per_capita_cap_ratio"}
    assert p.total_eur >= 0 and all(v >= 0 for v in p.per_rule_eur.values())
    assert all(v <= p.total_eur + 1e-6 for v in p.per_rule_eur.values())


def test_in_json_and_report(tmp_path: Path) -> None:
    import json

    js, out = tmp_path / "r.json", tmp_path / "r.xlsx"
    assert main(["solve", str(NPVR), "--json", str(js), "--out", str(out), "-q"]) == 0
    price = json.loads(js.read_text())["price_of_fairness"]
    assert set(price) == {"unmet_eur", "unconstrained_unmet_eur", "total_eur", "total_share",
                          "per_rule_eur"}
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Samenvatting"]
               .iter_rows(values_only=True) if r[0]}
    text = summary["Prijs van de eerlijkheidsregels"]
    assert text.startswith("de regels samen kosten €13.860.")
    assert text.endswith(" gewogen onvervulde behoefte (2.3% meer dan zonder regels)")
    assert main(["solve", str(NPVR), "--json", str(js), "--no-report", "-q",
                 "--no-fairness-price"]) == 0
    assert json.loads(js.read_text())["price_of_fairness"] is None
