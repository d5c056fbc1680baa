""""€1 m more would lower weighted unmet need by €X" means what it says under every preset:
X equals weighted unmet need at the budget minus that of a separate solve at the budget +
€1 m, and with shortfall tiers the tier penalty's part is named beside it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import allocator
from allocator.inputs.presets import available, with_policy
from allocator.inputs.validate import load
from allocator.reports.summary import summary
from tests.conftest import npvr_weighted

ROOT = Path(__file__).parent.parent
NPVR = npvr_weighted()  # the plain weighted objective: see tests/conftest.py


#: The presets that set the need model's weights.
NEED_MODEL_PRESETS = ("welvaart-als-gewicht",)
#: Where a preset needs another envelope or data to hold on the shipped instance.
SETTINGS = {"regio-deal": {"budget_eur": 1e8, "coverage_floor": 0.0},
            "gemeentefonds": {"budget_eur": 2.5e8, "coverage_floor": 0.0}}


def npvr_with_reference() -> object:
    """The NPVR instance with a reference allocation (€250 m in proportion to net need),
    which the gemeentefonds preset measures its change cap from."""
    instance = load(NPVR)
    regions = instance.regions.copy()
    net = (instance.needs["need_eur"] - instance.needs["existing_eur"]).clip(lower=0)
    by_region = net.groupby(instance.needs["region"].astype(str)).sum()
    regions["reference_eur"] = 2.5e8 * by_region / by_region.sum()
    return dataclasses.replace(instance, regions=regions)


@pytest.mark.parametrize("preset", [None, *available()])
def test_the_next_million_equals_a_re_solve(preset: str | None) -> None:
    flags = SETTINGS.get(preset or "", {"budget_eur": 5e8, "coverage_floor": 0.1})
    # a preset that sets the need model's weights needs an instance with a need model
    base = (load(ROOT / "instances" / "npvr-2026.xlsx") if preset in NEED_MODEL_PRESETS
            else npvr_with_reference())
    instance = with_policy(base, preset, flags)
    r = allocator.solve(instance)
    assert r.optimal
    more = allocator.solve(instance, budget=flags["budget_eur"] + 1e6, fairness_price=False)
    n = r.next_million
    assert n is not None and n.method == "re-solve" and n.step_eur == 1e6
    assert n.unmet_change_eur == pytest.approx(r.weighted_unmet_eur - more.weighted_unmet_eur,
                                               abs=0.01)
    if r.tier_penalty_eur is None:
        assert n.tier_change_eur is None
        assert f"€1 m more would lower weighted unmet need by €{n.unmet_change_eur:,.0f}" \
            in summary(r)
    else:
        assert n.tier_change_eur == pytest.approx(
            r.tier_penalty_eur - more.tier_penalty_eur, abs=0.01)
        assert (f"€1 m more would lower weighted unmet need by €{n.unmet_change_eur:,.0f} and "
                f"the extra weight of deep shortfalls by €{n.tier_change_eur:,.0f}") \
            in summary(r)


def test_the_issue_s_two_cases() -> None:
    """deep-shortfall: the dual said €2,200,000 (all of it called unmet need); max-min: the
    dual said €1,200,000 where a re-solve gives €1,086,536."""
    deep = allocator.solve(with_policy(load(NPVR), "deep-shortfall"))
    assert round(deep.next_million.unmet_change_eur) == 1_100_000
    assert round(deep.next_million.tier_change_eur) == 1_100_000
    inst = with_policy(load(NPVR), "max-min")
    fair = allocator.solve(inst)
    more = allocator.solve(inst.with_policy(budget_eur=inst.policy.budget_eur + 1e6))
    assert fair.next_million.unmet_change_eur == pytest.approx(
        fair.weighted_unmet_eur - more.weighted_unmet_eur, abs=1.0)
    assert abs(fair.next_million.unmet_change_eur - 1_200_000) > 10_000  # not the dual's


def test_the_dual_is_used_above_the_limit_and_says_so() -> None:
    r = allocator.solve(NPVR, marginal=False)
    n = r.next_million
    assert n.method == "dual"
    assert n.unmet_change_eur == pytest.approx(1_200_000)  # the curve is linear there
    assert n.sentence("nl") == (
        "€1 mln meer zou de gewogen onvervulde behoefte met €1.200.000 verlagen (volgens de "
        "schaduwprijs van het budget, niet opnieuw opgelost; het extra gewicht van diepe "
        "tekorten telt mee)")
