"""Words that say what the figure is, money not spent said with its reason, baselines of the
money spent, scenario tables that name presets and switch rules off, whole euros that
cross no bound: each defect once quoted, tested against the computation it claims."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allocator
from allocator.cli import main
from allocator.inputs.presets import with_policy
from allocator.solving.rounding import round_groups

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026-ingevuld.xlsx"  # the typed-in need: its numbers


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


# --- rounding ------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=30),
       st.integers(1, 4), st.data())
def test_grouped_rounding_adds_up_and_moves_each_value_by_less_than_a_euro(
        values: list[float], groups: int, data: st.DataObject) -> None:
    v = np.array(values)
    g = np.array(data.draw(st.lists(st.integers(0, groups - 1), min_size=len(v),
                                    max_size=len(v))))
    used = np.unique(g)
    g = np.searchsorted(used, g)
    out = round_groups(v, groups=g)
    assert (np.abs(out - v) < 1.0).all()
    sums = np.bincount(g, out)
    assert np.array_equal(sums, np.rint(np.bincount(g, v)))


def test_a_value_on_a_maximum_is_not_rounded_up_past_it() -> None:
    """Three cells of 3,333,333.34 each fill a region's €10 m maximum (the exact sum is
    10,000,000.02): rounded cell by cell to the largest remainders with the other regions,
    the region read €10.000.001; rounded to its region's total first, it cannot."""
    cells = np.array([3_333_333.34, 3_333_333.34, 3_333_333.34, 4_000_000.9, 5_999_999.6])
    region = np.array([0, 0, 0, 1, 1])
    totals = round_groups(np.bincount(region, cells), np.array([20_000_001]),
                          up=np.array([False, True]))
    assert totals.tolist() == [10_000_000, 10_000_001]
    out = round_groups(cells, totals, region)
    assert np.bincount(region, out).tolist() == [10_000_000, 10_000_001]


def test_a_value_on_a_minimum_is_not_rounded_down_below_it() -> None:
    """A coverage floor of 30 % of €88.585.327 less €6.250.000 existing is a minimum of
    €20.325.598,10: rounded down, the region would show a coverage below its floor; the
    euro comes from a value that is free, never from a zero."""
    out = round_groups(np.array([20_325_598.1, 0.0, 5_311_751.1, 300.1]),
                       np.array([25_637_649]), down=np.array([False, True, True, True]))
    assert out.tolist() == [20_325_599, 0, 5_311_750, 300]


def test_snapping_never_takes_a_euro_from_a_zero_or_a_minimum() -> None:
    values = np.array([0.0, *[0.96] * 30, 1_250_000.0])
    out = round_groups(values, down=np.array([True] * 31 + [False]))
    assert out.sum() == round(values.sum()) and out[0] == 0 and out[-1] == 1_250_000
    assert (np.abs(out - values) < 1).all()


# --- money not spent, and why -------------------------------------------------------------

def test_at_a_billion_the_terminal_says_why_129_million_stays_unspent() -> None:
    code, text = run(["solve", str(NPVR), "--budget", "1e9", "--no-report",
                      "--no-sensitivity"])
    assert code == 0
    assert ("€129.171.113 van het budget blijft onbesteed: alle behoefte na de bestaande "
            "middelen is gedekt, meer geld dekt niets") in text
    assert ("€1 mln meer verandert niets: het budget bindt niet (€129.171.113 blijft "
            "onbesteed); alle behoefte is gedekt") in text


def test_under_regio_deal_the_unspent_money_names_the_maximum_that_holds_it() -> None:
    r = allocator.solve(with_policy(allocator.load(NPVR), "regio-deal"))
    f = r.figures
    assert f.total["amount_eur"] == 110_000_000
    assert f.unspent.eur == 140_000_000 and f.unspent.reason == "rules"
    assert set(f.unspent.held["region_max"]) == set(r.instance.regions.index)
    # the claim "the maximum holds it" against the model without that maximum: more is spent
    wider = allocator.solve(with_policy(allocator.load(NPVR), "regio-deal",
                                        {"region_max_eur": 30_000_000}))
    assert wider.figures.total["amount_eur"] > f.total["amount_eur"]
    text = r.next_text("nl")
    assert text.startswith("€1 mln meer verandert niets: het budget bindt niet "
                           "(€140.000.000 blijft onbesteed); wat bindt: maximumbedrag regio (")
    # and a re-solve at +€1 m indeed changes nothing
    more = allocator.solve(with_policy(allocator.load(NPVR), "regio-deal",
                                       {"budget_eur": 251e6}))
    assert more.figures.total["weighted_unmet_eur"] == f.total["weighted_unmet_eur"]


def test_baselines_share_the_money_spent() -> None:
    """At €1 bn €870,8 m is spent; a pro-rata split of the whole €1 bn showed every region
    a loss."""
    r = allocator.solve(NPVR, budget=1e9)
    b = r.baselines()
    spent = r.figures.total["amount_eur"]
    assert int(b["pro_rata_population_eur"].sum()) == spent
    assert int(b["pro_rata_need_eur"].sum()) == spent
    # all need is covered: the money spent pro rata to net need is exactly the allocation
    assert (b["pro_rata_need_gain_eur"] == 0).all()


# --- honest words --------------------------------------------------------------------------

def test_the_summary_sheet_shows_the_tier_weight_as_a_weight_not_as_euros(tmp_path: Path
                                                                           ) -> None:
    code, _ = run(["solve", str(NPVR), "--out", str(tmp_path / "r.xlsx"), "--no-sensitivity",
                   "-q"])
    assert code == 0
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Samenvatting"]
    rows = {row[0].value: row[1] for row in ws.iter_rows(min_row=2) if row[0].value}
    cell = rows["Extra gewicht diepe tekorten (treden; een weging, geen geld)"]
    assert "€" not in cell.number_format
    assert rows["Over het extra gewicht"].value.startswith("Onder de treden telt elke euro")
    objective = rows["Doelfunctie: gewogen onvervulde behoefte plus extra gewicht diepe "
                     "tekorten"]
    assert objective.value == (rows["Gewogen onvervulde behoefte na verdeling"].value
                               + cell.value)


def test_each_rule_alone_is_priced_in_weighted_unmet_need() -> None:
    """regio-deal's maximum 'alone' read €2.982.376.645, three times the total weighted
    need: it was the tiered objective. Now each price is weighted unmet need, checked
    against the model without that rule."""
    inst = with_policy(allocator.load(NPVR), "regio-deal")
    r = allocator.solve(inst)
    price = r.price_of_fairness.per_rule_eur["region_max"]
    assert 0 < price <= r.figures.total["weighted_unmet_before_eur"]
    from allocator.inputs.presets import OFF

    without = allocator.solve(with_policy(allocator.load(NPVR), "regio-deal",
                                          {"region_max_eur": OFF}), tie_break="none")
    assert price == pytest.approx(r.weighted_unmet_eur - without.weighted_unmet_eur, abs=1.0)


def test_robust_under_tiers_names_the_objective(tmp_path: Path) -> None:
    needs = tmp_path / "needs.csv"
    needs.write_text("scenario,probability,factor\nlaag,0.5,0.9\nhoog,0.5,1.1\n")
    code, text = run(["robust", str(NPVR), str(needs), "--no-report"])
    assert code == 0
    assert text.startswith("Laagste verwachte doelfunctie (gewogen onvervulde behoefte plus "
                           "het extra gewicht van diepe tekorten, een weging en geen geld) "
                           "over 2 behoeftescenario's")


def test_the_sweep_shows_the_tier_weight_without_a_euro_sign() -> None:
    code, text = run(["sweep", str(NPVR), "--budgets", "250e6", "--no-report"])
    assert code == 0
    line = next(s for s in text.splitlines() if s.strip().startswith("€250.000.000"))
    parts = line.split()
    assert parts[1] == "€680.388.506" and not parts[2].startswith("€")


# --- names, not ids; the envelopes side by side ------------------------------------------

def test_goals_appear_by_name_in_the_instance_s_order() -> None:
    code, text = run(["solve", str(NPVR), "--no-report", "--no-sensitivity"])
    assert code == 0
    head = text.splitlines()[2:5]
    assert "gezonde-toekomst" not in "".join(head)
    last = head[-1]
    assert last.index("regio's") < last.index("voorzieningenniveau") < last.index(
        "kansrijke toekomst")


def test_sweep_budgets_gives_each_region_at_each_envelope(tmp_path: Path) -> None:
    code, text = run(["sweep", str(NPVR), "--budgets", "250e6,500e6", "--out",
                      str(tmp_path / "s.xlsx"), "--json", str(tmp_path / "s.json")])
    assert code == 0
    doc = json.loads((tmp_path / "s.json").read_text())
    at = {(rec["budget_eur"], rec["region"]): rec for rec in doc["regions"]}
    for budget in (250e6, 500e6):
        r = allocator.solve(NPVR, budget=budget)
        for region, rec in r.figures.regions.iterrows():
            assert at[(budget, region)]["amount_eur"] == rec["amount_eur"]
            assert at[(budget, region)]["coverage_after"] == pytest.approx(
                rec["coverage_after"], abs=1e-12)
    twente = at[(500e6, "twente")]
    assert twente["change_eur"] == twente["amount_eur"] - at[(250e6, "twente")]["amount_eur"]
    line = next(s for s in text.splitlines() if s.startswith("Twente"))
    assert "€50.900.084" in line and "€106.916.398" in line and "+€56.016.314" in line
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["Enveloppen"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Twente")
    assert row[1] == 50_900_084 and row[4] == 106_916_398 and row[7] == 56_016_314


# --- scenario tables -----------------------------------------------------------------------

def test_a_scenario_table_names_a_preset_and_switches_the_tiers_off(tmp_path: Path) -> None:
    table = tmp_path / "s.csv"
    table.write_text("name,policy,shortfall_tiers\nbasis,,\nregiodeal,regio-deal,\n"
                     "zonder treden,,geen\nnone,,none\n")
    code, text = run(["compare", str(NPVR), str(table), "--out", str(tmp_path / "c.xlsx"),
                      "--json", str(tmp_path / "c.json")])
    assert code == 0, text
    doc = json.loads((tmp_path / "c.json").read_text())
    got = {s["scenario"]: s for s in doc["scenarios"]}
    deal = allocator.solve(with_policy(allocator.load(NPVR), "regio-deal"))
    assert got["regiodeal"]["allocated_eur"] == deal.figures.total["amount_eur"]
    from allocator.inputs.presets import OFF

    plain = allocator.solve(with_policy(allocator.load(NPVR), None,
                                        {"shortfall_tiers": OFF}))
    assert got["zonder treden"]["weighted_unmet_eur"] == pytest.approx(
        plain.weighted_unmet_eur, abs=0.5)
    assert got["none"]["weighted_unmet_eur"] == got["zonder treden"]["weighted_unmet_eur"]
    # the regions side by side on the terminal, from each variant's figures
    line = next(s for s in text.splitlines() if s.startswith("Zuid- en Oost-Drenthe"))
    assert "€10.000.000" in line


def test_a_scenario_with_an_unknown_preset_names_row_and_column(tmp_path: Path) -> None:
    table = tmp_path / "s.csv"
    table.write_text("name,policy\nbasis,\nfout,geen-preset\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, _ = run(["compare", str(NPVR), str(table), "--out", str(tmp_path / "c.xlsx")])
    assert code == 2
    assert "s.csv, rij 3, policy: " in err.getvalue()
    assert "regio-deal" in err.getvalue()


def test_the_agenda_s_year_totals_are_their_exact_totals_rounded() -> None:
    """Each funder rounded alone made the years read 339.999.999 and 340.000.001."""
    from allocator.studies.agenda import load_agenda, solve_agenda

    r = solve_agenda(load_agenda(ROOT / "instances" / "npvr-agenda-2026-2029.xlsx"))
    rounded = r.rounded()
    exact = r.allocation.groupby("year")["amount_eur"].sum()
    shown = r.by_funder().sum(axis=0)
    for year, total in exact.items():
        assert shown[year] == round(total) == rounded.loc[rounded["year"] == year,
                                                          "amount_eur"].sum()
    assert (np.abs(rounded["amount_eur"] - r.allocation["amount_eur"]) < 2).all()
    assert int(shown[2026]) == 340_000_000
