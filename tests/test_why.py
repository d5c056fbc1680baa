"""Why each region gets what it gets: every sentence checked against what it claims, on the
tables and by re-solves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import allocator
from allocator.inputs.presets import available
from allocator.reports.documents import document
from allocator.reports.summary import summary
from allocator.reports.workbook import write_report
from allocator.studies.why import reasons
from tests.conftest import npvr_weighted

NPVR = npvr_weighted()  # the plain weighted objective: see tests/conftest.py


@pytest.fixture(scope="module")
def result() -> allocator.Result:
    return allocator.solve(NPVR)


def region_amount(r: allocator.Result, region: str) -> float:
    a = r.allocation
    return float(a.loc[a["region"].astype(str) == region, "amount_eur"].sum())


def test_floor_regions_get_exactly_the_floor_and_more_only_from_their_next_budget(
        result: allocator.Result) -> None:
    inst = result.instance
    needs = inst.needs.assign(region=inst.needs["region"].astype(str))
    by = needs.groupby("region")[["need_eur", "existing_eur"]].sum()
    floor_regions = [w for w in reasons(result) if w.held_by == "coverage_floor"]
    assert {w.region for w in floor_regions} == {
        "achterhoek", "midden-limburg", "noard-fryslan", "noord-limburg", "twente",
        "zuidoost-friesland"}
    for w in floor_regions:
        want = 0.2 * by.loc[w.region, "need_eur"] - by.loc[w.region, "existing_eur"]
        assert w.amount_eur == pytest.approx(want, abs=1.0)
        assert w.weight < w.last_euro  # weighs less than the last euro, as the text says
        assert w.next_budget_eur is not None and w.next_budget_eur > result.budget_eur
        below = allocator.solve(NPVR, budget=w.next_budget_eur - 5e6, fairness_price=False,
                                marginal=False)
        above = allocator.solve(NPVR, budget=w.next_budget_eur + 5e6, fairness_price=False,
                                marginal=False)
        assert region_amount(below, w.region) == pytest.approx(w.amount_eur, abs=1.0)
        assert region_amount(above, w.region) > w.amount_eur + 1e3


def test_marginal_regions_share_the_rest_in_proportion_to_net_need(
        result: allocator.Result) -> None:
    inst = result.instance
    needs = inst.needs.assign(region=inst.needs["region"].astype(str))
    net = (needs["need_eur"] - needs["existing_eur"]).clip(lower=0).groupby(
        needs["region"]).sum()
    marginal = [w for w in reasons(result) if w.held_by == "marginal"]
    assert marginal
    ratios = [w.amount_eur / net[w.region] for w in marginal]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-6)
    for w in marginal:
        assert w.weight == pytest.approx(w.last_euro)  # its weight is the last euro's worth


def need_and_covered(inst: allocator.Instance, region: str) -> tuple[int, int]:
    """The region's need (whole euros) and the share existing money covers, in whole
    percent, from the tables."""
    needs = inst.needs[inst.needs["region"].astype(str) == region]
    need = float(needs["need_eur"].sum())
    covered = float(np.minimum(needs["existing_eur"], needs["need_eur"]).sum())
    return round(need), round(100 * covered / need)


def nl_euros(v: float) -> str:
    return f"€{round(v):,}".replace(",", ".")


def test_the_sentences_word_by_word(result: allocator.Result, tmp_path: Path) -> None:
    """In policy order: the need (from the tables), what existing money covers (from the
    tables), the weight (and its status), the rule that holds the amount in words, and
    what would change it (the next budget, checked in the test above; €1 m more, checked
    against a re-solve). The arithmetic is in the detail column."""
    by = {w.region: w for w in reasons(result)}
    inst = result.instance
    need, covered = need_and_covered(inst, "twente")
    assert by["twente"].sentence("nl", 0.2) == (
        f"Twente krijgt €31.472.133 (€49,25 per inwoner). Haar behoefte is {nl_euros(need)} "
        f"(ingevuld in de invoer). Bestaande middelen dekken daarvan al {covered}%. Haar "
        "gewicht is 1 (aangenomen) — bron: welvaartsfactor 1 (overige regio's, naar CBS "
        "Monitor Brede Welvaart 2023). Ze krijgt precies wat de minimumdekking van 20% vraagt: "
        "boven dat bedrag dekt een euro elders meer gewogen behoefte. Meer krijgt ze pas "
        "vanaf een budget van €557.969.489.")
    need, covered = need_and_covered(inst, "zuid-limburg")
    more = region_amount(allocator.solve(NPVR, budget=result.budget_eur + 1e6),
                         "zuid-limburg") - region_amount(result, "zuid-limburg")
    assert by["zuid-limburg"].more_per_million == pytest.approx(more, abs=1.0)
    assert by["zuid-limburg"].sentence("en", 0.2) == (
        f"Zuid-Limburg gets €94,389,397 (€153.44 per inhabitant). Its need is €{need:,} "
        f"(typed in). Existing funding covers {covered}% of it already. Its weight is 1.2 "
        "(assumed; alternative 1) — source: welvaartsfactor 1,2 (door de Monitor Brede "
        "Welvaart genoemd als laag, naar CBS Monitor Brede Welvaart 2023). A euro weighs as much here as elsewhere, so the region "
        "shares what is left after the minimums with the regions of the same weight, in "
        "proportion to their net need. With €1 m more budget it gets "
        f"€{round(by['zuid-limburg'].more_per_million):,} more.")
    assert by["twente"].detail("nl") == (
        "een euro meer weegt hier 1; de laatste euro van het budget 1,2")
    ws = openpyxl.load_workbook(write_report(result, tmp_path / "r.xlsx"))["Waarom"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["Twente"][3] == "minimumdekking"
    assert rows["Twente"][4] == by["twente"].sentence("nl", 0.2)
    assert rows["Twente"][5] == by["twente"].detail("nl")
    assert by["twente"].sentence("en", 0.2) in summary(result)
    assert document(result)["why"][0]["text_nl"] == reasons(result)[0].sentence("nl", 0.2)
    assert document(result)["why"][0]["detail_en"] == reasons(result)[0].detail("en")


STREAMS = pd.read_csv(Path(__file__).parent.parent / "instances" / "npvr-2026"
                      / "existing_streams.csv")


def test_the_default_s_sentences_name_the_measures_of_the_need_and_what_more_money_does(
        ) -> None:
    """On the default, each sentence names what its need is built from (the measures'
    euros add up to the need in the tables), the share existing money covers, the weight,
    and €1 m more as a re-solve at +€1 m gives it; no sentence shows solver arithmetic."""
    r = allocator.solve("instances/npvr-2026.xlsx")
    more = allocator.solve("instances/npvr-2026.xlsx", budget=r.budget_eur + 1e6)
    for w in reasons(r):
        need, covered = need_and_covered(r.instance, w.region)
        assert sum(v for _, v in w.built_from) == pytest.approx(need, abs=len(w.built_from))
        text = w.sentence("nl")
        assert f"Haar behoefte is {nl_euros(need)}, opgebouwd uit de maatstaven " in text
        assert f"inwoners {nl_euros(dict(w.built_from)['inhabitants'])}" in text
        assert (f"Bestaande middelen dekken daarvan al {covered}%" in text if covered else
                "Bestaande middelen dekken er nog niets van." in text)
        # each stream by name, its euros and its share of the need, from the streams' file
        mine = STREAMS[STREAMS["region"] == w.region].groupby("stream")["amount_eur"].sum()
        for name, eur in mine.items():
            assert f"{name} {nl_euros(eur)} ({round(100 * eur / need)}%)" in text, name
        assert "Haar gewicht is 1 (aangenomen" in text
        assert "zoals elke regio: het gewicht maakt geen onderscheid." in text
        assert "×" not in text and "laatste euro" not in text
        gain = region_amount(more, w.region) - region_amount(r, w.region)
        if w.amount_eur > 0:
            assert w.more_per_million == pytest.approx(gain, abs=2.0)
            assert text.endswith(f"Met €1 mln meer budget krijgt ze "
                                 f"{nl_euros(w.more_per_million)} meer.")


def test_a_cap_that_holds_a_region_is_named() -> None:
    r = allocator.solve(NPVR, rules={"per_capita_cap": 1.5})
    held = {w.region: w.held_by for w in reasons(r)}
    assert held["zuid-limburg"] == "per_capita_cap"
    pop = r.instance.regions["population"]
    want = 1.5 * pop["zuid-limburg"] / pop.sum() * r.budget_eur
    assert region_amount(r, "zuid-limburg") == pytest.approx(want, abs=1.0)


TIERS = ((0.1, 1.5), (0.2, 2.25), (0.3, 3.38), (0.4, 5.06), (0.5, 7.59), (0.6, 11.39),
         (0.7, 17.09), (0.8, 25.63), (0.9, 38.44))


@pytest.fixture(scope="module")
def tiered() -> allocator.Result:
    return allocator.solve(allocator.load(NPVR).with_policy(shortfall_tiers=TIERS))


def unmet_share_from_tables(r: allocator.Result, region: str) -> float:
    needs = r.instance.needs
    mine = needs[needs["region"].astype(str) == region]
    gross = float(mine["need_eur"].sum())
    covered = float(np.minimum(mine["need_eur"], mine["existing_eur"]).sum())
    return 1.0 - (covered + region_amount(r, region)) / gross


def test_under_tiers_a_marginal_euro_weighs_what_the_last_euro_of_the_budget_does(
        tiered: allocator.Result) -> None:
    why = reasons(tiered)
    marginal = [w for w in why if w.held_by == "marginal"]
    assert marginal
    for w in marginal:
        # the weight times the multiplier of the deepest tier its unmet need reaches
        share = unmet_share_from_tables(tiered, w.region)
        deepest = max((k for t, k in TIERS if share > t + 1e-6), default=1.0)
        assert w.multiplier == deepest
        assert w.effective_weight == pytest.approx(tiered.marginal_value, rel=1e-6)
    # and the budget's last euro is what a re-solve at +€1 m says, per euro
    step = tiered.next_million
    assert step is not None and step.tier_change_eur is not None
    assert (step.unmet_change_eur + step.tier_change_eur) / 1e6 == pytest.approx(
        tiered.marginal_value, rel=1e-6)


def test_under_tiers_a_region_on_a_threshold_stands_exactly_there(
        tiered: allocator.Result) -> None:
    on = [w for w in reasons(tiered) if w.held_by == "tier_threshold"]
    assert on
    for w in on:
        assert unmet_share_from_tables(tiered, w.region) == pytest.approx(w.threshold, abs=1e-6)
        below = dict(TIERS)[w.threshold]
        assert w.multiplier_above == below
        assert w.weight * w.multiplier < tiered.marginal_value < w.weight * w.multiplier_above
    first = on[0]
    nl = lambda v: f"{v:.2f}".rstrip("0").rstrip(".").replace(".", ",")  # noqa: E731
    assert (f"Haar tekort staat precies op {round(first.threshold * 100)}% van de behoefte, "
            "een grens waarboven een tekort zwaarder weegt: elders weegt een euro nu meer."
            ) in first.sentence("nl")
    assert first.detail("nl") == (
        f"een euro meer weegt hier {nl(first.weight)} × {nl(first.multiplier)} = "
        f"{nl(first.effective_weight)}; de laatste euro van het budget "
        f"{nl(first.last_euro)}; onvervuld {round(first.threshold * 100)},0%; een euro "
        f"minder zou {nl(first.weight * first.multiplier_above)} kosten")


def test_without_tiers_nothing_changes(result: allocator.Result) -> None:
    assert all(w.multiplier == 1.0 and w.threshold is None for w in reasons(result))


def test_max_min_levels_are_named_as_such() -> None:
    """Under max-min the per-region minimums are its levels: named so in the constraints,
    the price of fairness and the explanations, never as a minimum someone set."""
    r = allocator.solve(allocator.load(NPVR).with_policy(fairness="max-min"))
    rules = set(r.constraints["rule"])
    assert "max_min" in rules and "region_min" not in rules
    assert "max_min" in r.price_of_fairness.per_rule_eur
    assert "region_min" not in r.price_of_fairness.per_rule_eur
    held = [w for w in reasons(r) if w.held_by == "max_min"]
    assert held
    for w in held:
        # each sits at the common level: its coverage equals the lowest coverage
        assert r.coverage.loc[w.region, "coverage"] == pytest.approx(
            r.coverage["coverage"].min(), abs=1e-6)
        assert w.sentence("nl").endswith(
            "Ze krijgt precies het niveau dat max-min de regio geeft: de laagste dekking zo "
            "hoog als de regels en het budget toelaten.")


def covered_from_tables(inst: allocator.Instance, region: str) -> float:
    needs = inst.needs[inst.needs["region"].astype(str) == region]
    return float(np.minimum(needs["existing_eur"], needs["need_eur"]).sum()
                 / needs["need_eur"].sum())


def test_a_region_with_no_money_is_told_why_and_what_already_covers_it() -> None:
    """Under the default instance Noord- en Oost-Groningen gets nothing: its sentence names
    the share of its need that existing funding covers already (checked against the
    tables), says that a euro covers more weighted need elsewhere, and the budget from which
    it gets more (checked by re-solves on either side)."""
    r = allocator.solve("instances/npvr-2026.xlsx")
    (w,) = [w for w in reasons(r) if w.region == "noord-en-oost-groningen"]
    assert w.held_by == "nothing" and w.amount_eur == 0
    share = covered_from_tables(r.instance, w.region)
    assert w.covered_before == pytest.approx(share, rel=1e-12)
    text = w.sentence("nl")
    needs = r.instance.needs[r.instance.needs["region"].astype(str) == w.region]
    beyond = float(np.maximum(needs["existing_eur"] - needs["need_eur"], 0).sum())
    assert beyond > 1e6  # the JTF pays more into the healthy-future goal than its need
    assert (f"Bestaande middelen dekken daarvan al {round(share * 100)}%: Nij Begun "
            "€20.000.000 (27%), Regio Deals €15.775.000 (21%) en Just Transition Fund "
            f"€12.261.562 (16%). {nl_euros(beyond)} daarvan gaat boven de behoefte van een "
            "doel uit en dekt niets. Haar gewicht is 1 (aangenomen; alternatief 1,2), zoals "
            "elke regio: het gewicht maakt geen onderscheid. Elders dekt een euro meer "
            "gewogen behoefte, dus gaat het geld daarheen. Meer krijgt ze "
            f"pas vanaf een budget van {nl_euros(w.next_budget_eur)}.") in text
    assert f"Existing funding covers {round(share * 100)}% of it already: Nij Begun " \
        "€20,000,000 (27%)" in w.sentence("en")
    assert w.next_budget_eur is not None
    below = allocator.solve("instances/npvr-2026.xlsx", budget=w.next_budget_eur - 5e6,
                            fairness_price=False, marginal=False)
    above = allocator.solve("instances/npvr-2026.xlsx", budget=w.next_budget_eur + 5e6,
                            fairness_price=False, marginal=False)
    assert region_amount(below, w.region) <= 0.5 < region_amount(above, w.region)


def test_under_a_preset_without_rules_no_sentence_speaks_of_rules() -> None:
    """`efficient` sets no rule: no region is held by one, the regions without money are
    told why, and the regions that share what the others do not get say so (not "what is
    left after the minimums")."""
    from allocator.inputs.presets import with_policy
    from allocator.inputs.validate import load

    r = allocator.solve(with_policy(load("instances/npvr-2026-ingevuld.xlsx"), "efficient",
                                    {}))
    why = reasons(r)
    nothing = [w for w in why if w.held_by == "nothing"]
    assert len(nothing) >= 3
    for w in why:
        for lang, words in (("nl", ("regels", "minimums")), ("en", ("rules", "minimums"))):
            text = w.sentence(lang)
            assert not any(word in text for word in words), text
        if w.held_by == "nothing":
            assert region_amount(r, w.region) == 0
    shared = [w for w in why if w.held_by == "marginal"]
    assert shared and all("deelt de regio het geld dat de andere regio's niet krijgen met"
                          in w.sentence("nl") for w in shared)
    # and what they share is worth what the budget's last euro is: their weight is its
    assert all(w.weight == pytest.approx(r.marginal_value) for w in shared)


#: Where a preset needs another envelope to hold on the default instance (as test_marginal).
PRESET_FLAGS = {"regio-deal": {"budget_eur": 1e8, "coverage_floor": 0.0},
                "gemeentefonds": {"budget_eur": 2.5e8, "coverage_floor": 0.0}}


def deciding_phrase(w: object, inst: allocator.Instance, r: allocator.Result) -> str:
    """What the sentence must say decides the region's amount, with the figure it cites,
    each figure checked here against the tables and the policy."""
    amount, held = region_amount(r, w.region), w.held_by
    if held == "coverage_floor":
        needs = inst.needs[inst.needs["region"].astype(str) == w.region]
        floor = inst.policy.coverage_floor
        want = floor * needs["need_eur"].sum() - np.minimum(needs["existing_eur"],
                                                            needs["need_eur"]).sum()
        assert amount == pytest.approx(want, abs=1.0)
        return f"precies wat de minimumdekking van {round(floor * 100)}% vraagt"
    if held in ("region_min", "region_max"):
        bound = getattr(inst.policy, f"{held}_eur")
        assert amount == pytest.approx(bound, abs=1.0)
        word = "minimumbedrag" if held == "region_min" else "maximumbedrag"
        return f"het {word} per regio ({nl_euros(bound)})"
    if held == "per_capita_cap":
        population = inst.regions["population"]
        cap = inst.policy.per_capita_cap * r.budget_eur / population.sum()
        assert amount / population[w.region] == pytest.approx(cap, abs=0.01)
        return f"het plafond per inwoner (€{cap:,.2f} per inwoner)".replace(",", "X").replace(
            ".", ",").replace("X", ".")
    if held == "change_cap":
        reference = float(inst.regions.loc[w.region, "reference_eur"])
        per_head = abs(amount - reference) / inst.regions.loc[w.region, "population"]
        assert per_head == pytest.approx(inst.policy.change_cap, abs=0.01)
        return "de grens aan de verandering: ten hoogste €15,00 per inwoner van haar referentie"
    if held == "tier_threshold":
        assert unmet_share_from_tables(r, w.region) == pytest.approx(w.threshold, abs=1e-6)
        return f"Haar tekort staat precies op {round(w.threshold * 100)}% van de behoefte"
    return {"absorbed": "Ze krijgt alles wat ze kan opnemen",
            "marginal": "deelt de regio",
            "nothing": "Elders dekt een euro meer gewogen behoefte",
            "max_min": "het niveau dat max-min de regio geeft",
            "cofinancing": "wat de regionale cofinanciering toelaat",
            "priority": "niets boven wat de regels vragen"}[held]


@pytest.mark.parametrize("preset", [None, *available()])
def test_every_sentence_under_every_preset_names_what_decides_it(preset: str | None) -> None:
    """On the default instance and under every shipped preset, each region's sentence names
    its need (from the tables), its weight, and what decides its amount with the figure
    that sets it (checked against the tables and the policy); a rule that holds it at a
    maximum is said to be all that more money cannot move (a re-solve at +€1 m agrees);
    where no rule is in force, no sentence speaks of rules."""
    from allocator.inputs.presets import with_policy
    from allocator.inputs.validate import load

    inst = with_policy(load("instances/npvr-2026.xlsx"), preset, PRESET_FLAGS.get(preset or ""))
    r = allocator.solve(inst)
    assert r.optimal
    more = None
    rules = bool(inst.policy.rules_in_force())
    for w in reasons(r):
        text = w.sentence("nl", inst.policy.coverage_floor)
        need, _ = need_and_covered(inst, w.region)
        assert f"Haar behoefte is {nl_euros(need)}" in text, text
        assert "Haar gewicht is " in text, text
        assert deciding_phrase(w, inst, r) in text, text
        if not rules:
            assert "regels" not in text and "rules" not in w.sentence("en"), text
        if w.held_by in ("region_max", "change_cap", "cofinancing"):
            assert "Meer budget geeft haar niets meer; alleen een ruimere grens." in text
            more = more or allocator.solve(inst, budget=r.budget_eur + 1e6)
            assert region_amount(more, w.region) == pytest.approx(
                region_amount(r, w.region), abs=1.0)
