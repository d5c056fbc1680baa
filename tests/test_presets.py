"""Policy presets: readable files whose rules hold on the returned allocation, layered under
the command line's flags; bad preset files are named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import allocator
from allocator.cli import main
from allocator.errors import InputError, Status
from allocator.inputs.presets import available, load_preset
from tests.test_engine import check_rules

NPVR = Path(__file__).parent.parent / "instances" / "npvr-2026.xlsx"
TYPED = Path(__file__).parent.parent / "instances" / "npvr-2026-ingevuld.xlsx"


def test_every_shipped_preset_is_documented_and_loads() -> None:
    assert set(available()) >= {"regio-deal", "max-min", "pro-rata", "efficient",
                                "deep-shortfall", "gemeentefonds"}
    for name in available():
        preset = load_preset(name)
        assert preset.description
        assert preset.values or preset.off or preset.region_weights or preset.need_weights


def test_efficient_preset_is_the_price_of_fairness_baseline() -> None:
    inst = allocator.load(NPVR)
    base = allocator.solve(inst)
    free = allocator.solve(load_preset("efficient").apply(inst))
    assert free.instance.policy.rules_in_force() == {}
    assert free.weighted_unmet_eur == pytest.approx(
        base.price_of_fairness.unconstrained_unmet_eur, rel=1e-9)


def test_max_min_preset_equals_the_flag() -> None:
    inst = allocator.load(NPVR)
    a = allocator.solve(load_preset("max-min").apply(inst))
    b = allocator.solve(inst, fairness="max-min")
    assert a.allocation["amount_eur"].tolist() == pytest.approx(
        b.allocation["amount_eur"].tolist(), abs=1e-3)


def test_pro_rata_preset_caps_each_region_at_its_population_share() -> None:
    r = allocator.solve(load_preset("pro-rata").apply(allocator.load(NPVR)))
    assert r.optimal
    check_rules(r)
    pop = r.instance.regions["population"]
    share = pop / pop.sum() * r.budget_eur
    assert (r.coverage["allocated_eur"] <= share.reindex(r.coverage.index) + 1e-3).all()


def test_regio_deal_preset_conflicts_with_the_npvr_floor_and_says_why() -> None:
    # Regio Deals have no floor: the preset switches it off. Put back, it conflicts.
    r = allocator.solve(load_preset("regio-deal").apply(allocator.load(TYPED)), floor=0.2)
    assert r.status == Status.INFEASIBLE
    conflict = {(m.rule, m.id) for m in r.infeasibility.conflict}
    assert ("coverage_floor", "zuidoost-friesland") in conflict
    assert ("region_max", "zuidoost-friesland") in conflict
    # as the preset stands (no floor), every region gets between €1.25 m and €10 m
    ok = allocator.solve(load_preset("regio-deal").apply(allocator.load(TYPED)))
    assert ok.optimal
    assert ok.instance.policy.coverage_floor == 0.0
    check_rules(ok)
    totals = ok.coverage["allocated_eur"]
    assert totals.min() >= 1.25e6 - 1e-3 and totals.max() <= 1e7 + 1e-3


def test_flags_override_the_preset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert main(["solve", str(NPVR), "--policy", "regio-deal", "--floor", "0",
                 "--region-max", "3e7", "--no-report", "--json", str(out), "-q"]) == 0
    result = json.loads(out.read_text())
    assert result["policy"]["region_max_eur"] == 3e7
    assert result["policy"]["cofinancing_ratio"] == 1.0
    co = result["cofinancing"]
    assert co["total_investment_eur"] == 2 * result["allocated_eur"]


def test_tier_flag(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["solve", str(NPVR), "--tiers", "25%: 1.5; 50%: 2", "--no-report",
                 "--json", str(out), "-q"]) == 0
    result = json.loads(out.read_text())
    assert result["policy"]["shortfall_tiers"] == [[0.25, 1.5], [0.5, 2.0]]
    assert result["tier_penalty_eur"] > 0


def test_bad_preset_files_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('off = ["budget_eur"]\n[policy]\ncoverage_flor = 0.2\n')
    with pytest.raises(InputError) as err:
        load_preset(str(path))
    assert [str(p) for p in err.value.problems] == [
        f"{path}: unknown policy key 'coverage_flor' (known: budget_eur, spend_all, "
        "coverage_floor, max_coverage_gap, per_capita_cap, region_min_eur, region_max_eur, "
        "cofinancing_ratio, change_cap, shortfall_tiers, fairness, max_efficiency_loss, "
        "ramp_factor, ramp_amount_eur, equity_over)",
        f"{path}: budget_eur cannot be switched off"]
    path.write_text("[policy\n")
    assert main(["solve", str(NPVR), "--policy", str(path), "-q"]) == 2
    err_text = capsys.readouterr().err
    assert err_text.startswith(f"fout: {path}: geen leesbaar TOML-bestand: ")
    assert "Traceback" not in err_text


def test_a_preset_needing_a_column_says_so(tmp_path: Path) -> None:
    from tests.conftest import SMALL, write_csv_instance

    with pytest.raises(InputError) as err:
        load_preset("gemeentefonds").apply(allocator.load(write_csv_instance(tmp_path / "s",
                                                                             SMALL)))
    assert [p.message for p in err.value.problems] == [
        "change_cap needs a reference_eur for every region (regions sheet)"]


@pytest.mark.parametrize("preset", available())
def test_every_preset_runs_on_the_shipped_instance(preset: str) -> None:
    r = allocator.solve(load_preset(preset).apply(allocator.load(NPVR)))
    assert r.optimal and r.certificate.passed
    check_rules(r)


def test_the_welfare_factor_counts_once_in_the_need_or_as_the_weight() -> None:
    """``welvaart-in-behoefte`` keeps the need model and weighs every region 1;
    ``welvaart-als-gewicht`` splits the need without the low-welfare measure (so the
    safe-and-liveable goal, split by inhabitants alone, goes by population share) and weighs
    each region its welfare factor, the indicator welvaartsfactor."""
    inst = allocator.load(NPVR)
    need = load_preset("welvaart-in-behoefte").apply(inst)
    assert set(need.regions["weight"]) == {1.0}
    pd.testing.assert_frame_equal(need.needs, inst.needs)
    weight = load_preset("welvaart-als-gewicht").apply(inst)
    factor = inst.indicators[inst.indicators["indicator"] == "welvaartsfactor"].set_index(
        "region")["value"].astype(float)
    assert weight.regions["weight"].to_dict() == factor.reindex(
        weight.regions.index).to_dict()
    assert weight.regions.loc["zuid-limburg", "weight"] == 1.2
    safe = weight.needs[weight.needs["goal"] == "veilig-en-leefbaar"].set_index(
        weight.needs.loc[weight.needs["goal"] == "veilig-en-leefbaar", "region"].astype(str))
    population = inst.regions["population"].astype(float)
    expected = 400e6 * population / population.sum()
    # in whole euros (largest remainder), so within a euro of the formula
    assert np.allclose(safe["need_eur"].reindex(expected.index), expected, rtol=0, atol=1.0)
    # the national needs are shared out in full either way
    assert weight.needs["need_eur"].sum() == pytest.approx(1e9)
    r = allocator.solve(weight)
    assert r.optimal and r.certificate.passed
    check_rules(r)


def test_a_need_model_preset_on_a_typed_in_need_says_what_it_needs(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(TYPED), "--policy", "welvaart-als-gewicht", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert ("welvaart-als-gewicht.toml: deze voorinstelling zet gewichten in het "
            "behoeftemodel, maar npvr-2026-ingevuld vult de behoefte zelf in") in err, err
