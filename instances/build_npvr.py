"""Build the NPVR instances (xlsx and CSV folder each) from the figures below.

``npvr-2026`` is the default: its need is built from verdeelmaatstaven (``tables``).
``npvr-2026-ingevuld`` is the same with the need typed in per cell, as a user with an own
estimate gives it (``typed_tables``; the default until 2026-12-06). ``npvr-agenda-2026-2029``
is the default over four years.

Both files are written from these tables by this one script, so they agree by construction
(``tests/test_npvr_instance.py`` checks that they read the same). Every figure carries its
source and its status (SRC, PROXY, DERIVED, ASSUMED); the assumptions are explained in
``instances/README.md``. Run: ``make instances``.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from allocator.inputs.npvr import BREDE_WELVAART, GOALS, REGIONS, RIJKSOVERHEID
from allocator.reports.workbook import save_reproducibly
from allocator.solving.rounding import largest_remainder

HERE = Path(__file__).resolve().parent
NAME = "npvr-2026"
TYPED_NAME = "npvr-2026-ingevuld"

ESTIMATE = ("Kamerstuk 29 697 nr. 179 (30 januari 2026), bijlage 'Top-down analyse financiële "
            "opgave NPVR': ca. € 1 mld per jaar")
REGIO_DEALS = "Regio Deals, tranches 4-6 (2023-2025): rijksbijdrage per regio"
JTF = "Just Transition Fund 2021-2027"
NIJ_BEGUN = ("Nij Begun: vanaf 2026 € 100 mln per jaar voor elk van een sociale en een "
             "economische agenda")
NPG = "Nationaal Programma Groningen: € 1,15 mld tot 2030"

TOTAL_NEED_EUR = 1_000_000_000
BUDGET_EUR = 250_000_000
#: The typed-in instance's diminishing returns: beyond each further 10 % of a region's need
#: left unmet, a euro of shortfall weighs 1.5 times more (1.5^k, two decimals).
SHORTFALL_TIERS = "; ".join(f"{10 * k}%: {1.5 ** k:.2f}" for k in range(1, 10))
#: The default's: the same 1.5 per 10 %, with a kink every 2 % (1.5^(k/5), four decimals:
#: three would read as a thousands group), a fine piecewise-linear approximation of the
#: smooth penalty 1.5^(unmet / 10 %), so that no region rests on a threshold of the grid
#: itself (instances/README.md compares them).
TIER_STEP = 0.02
FINE_TIERS = tuple((round(TIER_STEP * k, 2), round(1.5 ** (TIER_STEP * k / 0.1), 4))
                   for k in range(1, round(1 / TIER_STEP)))
DEFAULT_TIERS = "; ".join(f"{round(100 * t)}%: {m:.4f}" for t, m in FINE_TIERS)
COVERAGE_FLOOR = 0.20
JTF_GRONINGEN_EMMEN_EUR = 330e6
JTF_ZEEUWS_VLAANDEREN_EUR = 58.5e6
JTF_ZUID_LIMBURG_EUR = 58.5e6
JTF_YEARS = 7  # 2021-2027
#: The JTF Groningen-Emmen area by its name: the province of Groningen and the municipality
#: of Emmen. Their populations are not in the sources: rounded, ASSUMED.
GRONINGEN_PROVINCE = 596_000
EMMEN = 108_000
NIJ_BEGUN_EUR_PER_YEAR = 200e6
NIJ_BEGUN_NPVR_SHARE = 0.10  # ASSUMED: the part that serves NPVR goals in the region
#: Regio Deals shared with areas outside the NPVR region: the partners a deal names, among
#: whom it is split evenly (ASSUMED; the alternative counts it in full).
SHARED_DEALS = {"kop-van-noord-holland": (3, "gedeeld met Alkmaar en West-Friesland"),
                "zeeuws-vlaanderen": (2, "gedeeld met de North Sea Port District")}
#: The goal the JTF pays for (economic transition), in the one-year instance as in the agenda.
JTF_GOAL = "gezonde-toekomst"

# Rijk contribution to Regio Deals in tranches 4-6, EUR m (SRC), spread over four years.
REGIO_DEALS_EUR_M = {
    "kop-van-noord-holland": 32.5, "noord-en-oost-groningen": 63.1, "zuidoost-friesland": 0.0,
    "noard-fryslan": 38.0, "zuid-en-oost-drenthe": 30.0, "twente": 25.0, "achterhoek": 25.0,
    "noord-limburg": 10.0, "midden-limburg": 20.0, "zuid-limburg": 70.0,
    "zeeuws-vlaanderen": 43.0,
}


def _nl(value: float) -> str:
    """A number the Dutch way, with a decimal comma: 1,2; 32,5."""
    return f"{value:g}".replace(".", ",")


def _m(eur: float) -> str:
    """An amount in millions the Dutch way: € 12,3 mln."""
    return f"€ {eur / 1e6:.1f} mln".replace(".", ",")


def jtf_totals(alternative: bool = False) -> dict[str, float]:
    """The JTF (whole period) attributed to the NPVR regions. Groningen-Emmen by the
    population share of the fund's area (the province of Groningen and Emmen); the
    alternative splits it over the two NPVR regions by their population, as if Coevorden
    and Borger-Odoorn shared in it."""
    pop = {r.id: r.population for r in REGIONS}
    gron, dren = pop["noord-en-oost-groningen"], pop["zuid-en-oost-drenthe"]
    area = GRONINGEN_PROVINCE + EMMEN
    shares = ((gron / (gron + dren), dren / (gron + dren)) if alternative
              else (gron / area, EMMEN / area))
    return {"noord-en-oost-groningen": JTF_GRONINGEN_EMMEN_EUR * shares[0],
            "zuid-en-oost-drenthe": JTF_GRONINGEN_EMMEN_EUR * shares[1],
            "zeeuws-vlaanderen": JTF_ZEEUWS_VLAANDEREN_EUR,
            "zuid-limburg": JTF_ZUID_LIMBURG_EUR}


JTF_NOTE = {
    "noord-en-oost-groningen": "JTF Groningen-Emmen naar het aandeel van de regio in de "
                               "inwoners van het fondsgebied (provincie Groningen ca. 596.000 "
                               "+ Emmen ca. 108.000, ASSUMED)",
    "zuid-en-oost-drenthe": "JTF Groningen-Emmen: alleen het deel van Emmen (ca. 108.000 van "
                            "ca. 704.000 inwoners, ASSUMED); Coevorden en Borger-Odoorn vallen "
                            "buiten het fonds",
    "zeeuws-vlaanderen": "JTF Zeeuws-Vlaanderen € 58,5 mln (SRC)",
    "zuid-limburg": "JTF Zuid-Limburg € 58,5 mln (SRC)",
}


def deal_per_year(region: str, alternative: bool = False) -> float:
    """A region's Regio Deal money a year: tranches 4-6 over four years, a shared deal split
    evenly among its partners (the alternative: in full)."""
    partners = 1 if alternative else SHARED_DEALS.get(region, (1, ""))[0]
    return REGIO_DEALS_EUR_M[region] * 1e6 / 4 / partners


def existing_cells(alternative: bool = False) -> tuple[list[int], dict[str, str]]:
    """Existing funding a year per (region, goal) cell, in whole euros, and how it was
    derived per region. Regio Deals and Nij Begun are split over the goals like the need;
    the JTF goes to its goal (economic transition)."""
    goal_share = np.array([g[2] for g in GOALS])
    jtf = jtf_totals(alternative)
    cells: list[int] = []
    notes = {}
    for r in REGIONS:
        spread = deal_per_year(r.id, alternative)
        deal = REGIO_DEALS_EUR_M[r.id]
        parts = [f"Regio Deals € {_nl(deal)} mln / 4 jaar"]
        if r.id in SHARED_DEALS:
            n, who = SHARED_DEALS[r.id]
            parts[0] += f", {who}: 1/{n} deel (ASSUMED; alternatief: volledig)"
        if r.id == "noord-en-oost-groningen":
            spread += NIJ_BEGUN_EUR_PER_YEAR * NIJ_BEGUN_NPVR_SHARE
            parts.append(f"Nij Begun {NIJ_BEGUN_NPVR_SHARE:.0%} van € 200 mln (ASSUMED); "
                         "Nationaal Programma Groningen niet meegeteld (zie bronnen)")
        amounts = goal_share * spread
        if r.id in jtf:
            amounts[[g[0] for g in GOALS].index(JTF_GOAL)] += jtf[r.id] / JTF_YEARS
            parts.append(f"{JTF_NOTE[r.id]}: {_m(jtf[r.id] / JTF_YEARS)} per jaar, naar het "
                         "doel gezonde toekomst")
        cells.extend(int(v) for v in largest_remainder(amounts))
        notes[r.id] = "; ".join(parts) + "; Regio Deals en Nij Begun over de doelen verdeeld " \
                                         "zoals de behoefte (ASSUMED)"
    return cells, notes


def need_cells(multiplier: bool = True) -> list[int]:
    """The € 1 bn over (region, goal) cells, in whole euros: region share by population x
    welfare multiplier (the alternative: population alone), goal share 40/35/25 %."""
    weights = np.array([r.population * (r.multiplier if multiplier else 1.0)
                        for r in REGIONS], dtype=float)
    goal_share = np.array([g[2] for g in GOALS])
    cell_share = np.outer(weights / weights.sum(), goal_share).ravel()
    return [int(v) for v in largest_remainder(cell_share * TOTAL_NEED_EUR, TOTAL_NEED_EUR)]


#: The legend of the four statuses (the facts' own wording, in Dutch).
LEGEND = [
    ["SRC", "gelezen in de genoemde bron"],
    ["PROXY", "uit een bron, maar voor een CBS COROP-gebied dat niet precies de NPVR-regio is"],
    ["DERIVED", "berekend uit SRC-cijfers (de methode staat bij de bron)"],
    ["ASSUMED", "een modelaanname zonder bron: vervang haar zodra er beter is; het "
                "alternatief staat erbij"],
]


def typed_tables() -> dict[str, list[list[object]]]:
    """The instance with the need typed in per cell (the default until 2026-12-06): the
    € 1 bn split by population x welfare factor and 40/35/25 % per goal, computed once here;
    the welfare factor also as each region's weight (so it counts twice)."""
    need = need_cells()
    need_alt = need_cells(multiplier=False)
    exist, exist_notes = existing_cells()
    exist_alt, _ = existing_cells(alternative=True)

    # A reference allocation for a change cap (the gemeentefonds preset): the default
    # envelope split in proportion to each region's net need, so no region's reference lies
    # above what it can absorb (DERIVED from the needs; its use as a reference ASSUMED).
    net = np.maximum(np.asarray(need, dtype=float) - np.asarray(exist, dtype=float), 0)
    net_region = net.reshape(len(REGIONS), len(GOALS)).sum(axis=1)
    reference = largest_remainder(BUDGET_EUR * net_region / net_region.sum(), BUDGET_EUR)
    regions = [["region", "name",
                "population", "population_status", "population_source",
                "population_alternative",
                "weight", "weight_status", "weight_source", "weight_alternative",
                "reference_eur", "reference_eur_status", "reference_eur_source"]]
    for r, ref in zip(REGIONS, reference, strict=True):
        why = {1.2: "door de Monitor Brede Welvaart genoemd als laag", 1.1: "overig Limburg",
               1.0: "overige regio's"}[r.multiplier]
        regions.append([
            r.id, r.name,
            r.population, r.status, r.source + (f"; alternatief: {r.why}" if r.why else ""),
            r.alternative,
            r.multiplier, "ASSUMED",
            f"welvaartsfactor {_nl(r.multiplier)} ({why}, naar {BREDE_WELVAART}); de factor "
            "telt ook al mee in de verdeling van de behoefte, dus twee keer; alternatief 1: "
            "alleen in de behoefte",
            1.0,
            int(ref), "DERIVED",
            f"het standaardbudget van € {BUDGET_EUR / 1e6:g} mln naar rato van de netto "
            "behoefte; als referentie voor een veranderingsplafond ASSUMED"])
    goals = [["goal", "name", "weight", "weight_status", "weight_source", "weight_alternative",
              "min_share", "max_share"]]
    mean = sum(g[2] for g in GOALS) / len(GOALS)
    for gid, name, share in GOALS:
        goals.append([gid, name, 1, "ASSUMED",
                      "NPVR-doel (SRC, Kamerstuk 29 697 nr. 158); gelijke gewichten "
                      f"(ASSUMED); alternatief: naar het aandeel van het doel in de behoefte "
                      f"({share:.0%} / {_nl(round(mean * 100, 1))}%)",
                      round(share / mean, 2), None, None])
    needs = [["region", "goal",
              "need_eur", "need_eur_status", "need_eur_source", "need_eur_alternative",
              "existing_eur", "existing_eur_status", "existing_eur_source",
              "existing_eur_alternative", "cap_eur"]]
    k = 0
    for r in REGIONS:
        for _gid, _gname, share in GOALS:
            needs.append([
                r.id, _gid,
                need[k], "ASSUMED",
                f"{ESTIMATE} (SRC, geen verdeling openbaar); verdeeld naar inwoners x "
                f"welvaartsfactor {_nl(r.multiplier)} en doelaandeel {share:.0%} (ASSUMED); "
                "alternatief: naar inwoners alleen",
                need_alt[k],
                exist[k], "ASSUMED", exist_notes[r.id], exist_alt[k], None,
            ])
            k += 1
    policy = [
        ["key", "value", "status", "source", "alternative"],
        ["budget_eur", BUDGET_EUR, "ASSUMED",
         "er is geen openbaar NPVR-jaarbudget; budgetten om te toetsen: 100, 250, 500 en "
         "1.000 mln", 500_000_000],
        ["coverage_floor", COVERAGE_FLOOR, "ASSUMED",
         "elke regio ten minste 20% van haar behoefte gedekt (een standaard om te bespreken)",
         0.1],
        ["spend_all", False, "ASSUMED", "geld dat niet kan worden besteed blijft over", True],
        ["shortfall_tiers", SHORTFALL_TIERS, "ASSUMED",
         "afnemende meeropbrengst: elke volgende 10% onvervulde behoefte van een regio weegt "
         "1,5 keer de 10% ervoor, zodat de aangenomen gewichten geen strikte rangorde meer "
         "zijn; de alternatieven staan naast elkaar in instances/README.md",
         "geen"],
    ]
    sources = [
        ["marker", "meaning"], *LEGEND,
        ["", ""],
        ["figure", "source"],
        ["totale behoefte", ESTIMATE],
        ["regio's", RIJKSOVERHEID],
        ["Regio Deals", REGIO_DEALS],
        ["Just Transition Fund", JTF],
        ["Nij Begun", NIJ_BEGUN],
        ["welvaart", BREDE_WELVAART],
        ["Nationaal Programma Groningen",
         f"{NPG}: niet meegeteld (ASSUMED). Het programma dient de toekomst van het "
         "aardbevingsgebied en overlapt met Nij Begun; het zou de behoefte van Noord- en "
         "Oost-Groningen vrijwel geheel dekken. Alternatief: € 1,15 mld over 2023-2030 is ca. "
         "€ 144 mln per jaar, voor een deel in deze regio."],
        ["publiek aandeel",
         "De € 1 mld omvat ook privaat geld (SRC); het publieke deel is niet bekend. Dit model "
         "laat het Rijk tot de hele behoefte dekken (ASSUMED); alternatief: het Rijk betaalt "
         "ten hoogste de helft, zoals bij Regio Deals en in de vierjarige agenda."],
        ["peildata",
         "De inwonertallen hebben de peildata 1-1-2022 (Achterhoek), 1-1-2023 (Twente) en "
         "1-1-2024 (de rest): de bronnen geven niet voor elke regio 1-1-2024."],
    ]
    return {"regions": regions, "goals": goals, "needs": needs, "policy": policy,
            "sources": sources}


AGENDA_NAME = "npvr-agenda-2026-2029"
YEARS = (2026, 2027, 2028, 2029)
JTF_LAST_YEAR = 2027
REGIO_DEALS_LAST_YEAR = 2028  # ASSUMED: tranche 6 (2025) runs four years
FUNDERS = [  # id, name, national, goals, max package share, carry-over, status, source
    ("rijk", "Rijk", True, "", 0.5, 25_000_000, "ASSUMED",
     "Regio Deal-praktijk: het Rijk betaalt ten hoogste de helft van een regionaal pakket "
     "(SRC), hier toegepast op al het NPVR-geld (ASSUMED); doorschuiven tot 10% van het "
     "budget (ASSUMED)"),
    ("gemeenten", "Gemeenten", False, "veilig-en-leefbaar; voorzieningen", None, 0,
     "ASSUMED", "gemeenten betalen mee aan leefbaarheid en voorzieningen, niet aan "
                "economisch perspectief"),
    ("eu", "Europese Unie", False, JTF_GOAL, None, 0, "ASSUMED",
     "Just Transition Fund: economische transitie (SRC); geen nieuw EU-geld aangenomen"),
    ("privaat", "Private partijen", False, JTF_GOAL, None, 0, "ASSUMED",
     "de € 1 mld omvat privaat geld (SRC); privaat geld gaat naar perspectief (ASSUMED)"),
]
ENVELOPES_EUR = {"rijk": BUDGET_EUR, "gemeenten": 40_000_000, "eu": 0, "privaat": 60_000_000}
# The provinces the 11 regions lie in (SRC: the regions' names and municipalities). A
# province pays only in its own regions. Their joint envelope (€75 m a year) and carry-over
# (€10 m) are ASSUMED, split over the provinces by the population of their NPVR regions
# (ASSUMED).
PROVINCES = {
    "noord-holland": ("Provincie Noord-Holland", ["kop-van-noord-holland"]),
    "groningen": ("Provincie Groningen", ["noord-en-oost-groningen"]),
    "fryslan": ("Provinsje Fryslân", ["zuidoost-friesland", "noard-fryslan"]),
    "drenthe": ("Provincie Drenthe", ["zuid-en-oost-drenthe"]),
    "overijssel": ("Provincie Overijssel", ["twente"]),
    "gelderland": ("Provincie Gelderland", ["achterhoek"]),
    "limburg": ("Provincie Limburg", ["noord-limburg", "midden-limburg", "zuid-limburg"]),
    "zeeland": ("Provincie Zeeland", ["zeeuws-vlaanderen"]),
}
PROVINCES_EUR = 75_000_000
PROVINCES_CARRY_EUR = 10_000_000


def provincial_funders() -> list[tuple[str, str, list[str], int, int]]:
    """(id, name, regions, envelope, carry-over) of each province, the joint amounts split
    by the population of its NPVR regions (whole euros, adding up)."""
    pop = {r.id: r.population for r in REGIONS}
    shares = [sum(pop[r] for r in regions) for _, regions in PROVINCES.values()]
    total = sum(shares)
    envelope = largest_remainder([PROVINCES_EUR * p / total for p in shares], PROVINCES_EUR)
    carry = largest_remainder([PROVINCES_CARRY_EUR * p / total for p in shares],
                              PROVINCES_CARRY_EUR)
    return [(f"provincie-{key}", name, regions, int(e), int(c))
            for (key, (name, regions)), e, c in zip(PROVINCES.items(), envelope, carry,
                                                    strict=True)]


def agenda_tables() -> dict[str, list[list[object]]]:
    """The four-year agenda: the one-year tables with the years, funders, their envelopes
    and the existing streams by funder and year (which replace existing_eur)."""
    data = {k: v for k, v in tables().items() if k != "existing_streams"}  # streams by year
    head = data["needs"][0]
    keep = [head.index(c) for c in ("region", "goal")]
    needs = [[head[i] for i in keep] + ["existing_eur", "existing_eur_status",
                                        "existing_eur_source"]]
    needs += [[row[i] for i in keep] + [0, "DERIVED", "zie het blad streams"]
              for row in data["needs"][1:]]
    # the agenda has the one-year instance's diminishing returns (shortfall tiers) in every year
    policy = [row for row in data["policy"] if row[0] != "spend_all"] + [
        ["ramp_factor", 1.5, "ASSUMED", "opnamecapaciteit: het geld van een regio groeit ten "
                                        "hoogste 50% per jaar ...", 2.0],
        ["ramp_amount_eur", 5_000_000, "ASSUMED", "... plus € 5 mln", 10_000_000],
        ["equity_over", "year", "ASSUMED", "de minimumdekking geldt in elk jaar", "period"],
    ]
    years = [["year", "need_factor", "status", "source"]] + [
        [y, 1, "ASSUMED", "behoefte reëel gelijk over de agenda"] for y in YEARS]
    provinces = provincial_funders()
    funders = [["funder", "name", "national", "goals", "max_package_share", "carry_over_eur",
                "status", "source", "regions"]] + [[f, n, str(nat).lower(), g, sh, c, st, src, ""]
                                                   for f, n, nat, g, sh, c, st, src in FUNDERS]
    funders[2:2] = [[fid, name, "false", "", None, carry, "ASSUMED",
                     "provinciale cofinanciering van de regionale pakketten in de eigen "
                     f"regio's; € {PROVINCES_EUR / 1e6:g} mln per jaar en "
                     f"€ {PROVINCES_CARRY_EUR / 1e6:g} mln doorschuiven voor alle provincies "
                     "samen, verdeeld naar de inwoners van hun NPVR-regio's (ASSUMED)",
                     "; ".join(regions)]
                    for fid, name, regions, _, carry in provinces]
    envelopes = [["funder", "year", "budget_eur", "status", "source"]]
    amounts = dict(ENVELOPES_EUR)
    amounts.update({fid: e for fid, _, _, e, _ in provinces})
    order = ["rijk", *[p[0] for p in provinces], "gemeenten", "eu", "privaat"]
    for fid in order:
        for y in YEARS:
            envelopes.append([fid, y, amounts[fid], "ASSUMED",
                              "landelijk: het standaardbudget van één jaar" if fid == "rijk"
                              else "geen nieuw EU-geld naast de JTF-stroom" if fid == "eu"
                              else f"een deel van € {PROVINCES_EUR / 1e6:g} mln voor alle "
                              "provincies, naar inwoners (ASSUMED)" if fid.startswith("provincie")
                              else "ruimte voor cofinanciering (ASSUMED)"])
    streams = [["funder", "region", "goal", "year", "amount_eur", "status", "source"]]
    jtf = jtf_totals()
    for y in YEARS:
        for region, deal in REGIO_DEALS_EUR_M.items():
            if deal and y <= REGIO_DEALS_LAST_YEAR:
                shared = SHARED_DEALS.get(region)
                streams.append([
                    "rijk", region, "", y, round(deal_per_year(region)),
                    "ASSUMED" if shared else "DERIVED",
                    f"{REGIO_DEALS}: € {_nl(deal)} mln / 4 jaar"
                    + (f", {shared[1]}: 1/{shared[0]} deel (ASSUMED)" if shared else "")
                    + f"; loopt tot {REGIO_DEALS_LAST_YEAR} (ASSUMED)"])
        if y <= JTF_LAST_YEAR:
            for region, total in jtf.items():
                assumed = region in ("noord-en-oost-groningen", "zuid-en-oost-drenthe")
                streams.append(["eu", region, JTF_GOAL, y, round(total / JTF_YEARS),
                                "ASSUMED" if assumed else "DERIVED",
                                f"{JTF}: {JTF_NOTE[region]}; {_m(total)} / 7 jaar"])
        streams.append(["rijk", "noord-en-oost-groningen", "", y,
                        round(NIJ_BEGUN_EUR_PER_YEAR * NIJ_BEGUN_NPVR_SHARE), "ASSUMED",
                        f"{NIJ_BEGUN}; {NIJ_BEGUN_NPVR_SHARE:.0%} dient de NPVR-doelen "
                        "(ASSUMED)"])
    return {**data, "needs": needs, "policy": policy, "years": years, "funders": funders,
            "envelopes": envelopes, "streams": streams}


#: Address density 2021 (addresses per km², CBS, by COROP area: PROXY for the regions; NL
#: 2,024). Noord- en Oost-Groningen: Oost-Groningen 743 and Delfzijl e.o. 692, weighted by
#: their populations (DERIVED).
NL_DENSITY = 2024
DENSITY = {
    "kop-van-noord-holland": (1016, "PROXY", "COROP Kop van Noord-Holland"),
    "noord-en-oost-groningen": (round((743 * 138_008 + 692 * 45_098) / 183_106), "DERIVED",
                                "COROP Oost-Groningen 743 en Delfzijl e.o. 692, gewogen naar "
                                "inwoners"),
    "zuidoost-friesland": (928, "SRC", "COROP Zuidoost-Friesland"),
    "noard-fryslan": (1164, "PROXY", "COROP Noord-Friesland (met Leeuwarden)"),
    "zuid-en-oost-drenthe": (692, "PROXY", "COROP Zuidoost-Drenthe"),
    "twente": (1439, "SRC", "COROP Twente"),
    "achterhoek": (894, "SRC", "COROP Achterhoek"),
    "noord-limburg": (1053, "PROXY", "COROP Noord-Limburg"),
    "midden-limburg": (939, "PROXY", "COROP Midden-Limburg"),
    "zuid-limburg": (1543, "PROXY", "COROP Zuid-Limburg"),
    "zeeuws-vlaanderen": (654, "SRC", "COROP Zeeuws-Vlaanderen"),
}
#: The share aged 65+ where the facts give it (SRC); elsewhere the national 18 % (ASSUMED,
#: alternative 20 %).
AGED = {"zeeuws-vlaanderen": (0.24, "SRC", "CBS: meer dan 24% 65-plus in 2016 (NL 18%)"),
        "midden-limburg": (0.22, "SRC", "CBS: 22% 65-plus"),
        "achterhoek": (0.217, "SRC", "CBS: 21,7% 65-plus")}
#: The regions the Monitor Brede Welvaart 2023 names as low on well-being "here and now".
LOW_WELFARE = ("kop-van-noord-holland", "noord-en-oost-groningen", "zuid-en-oost-drenthe",
               "noord-limburg", "midden-limburg", "zuid-limburg", "zeeuws-vlaanderen")
#: The weight of each measure in each goal's split (ASSUMED; instances/README.md says why).
NEED_MODEL = {
    "veilig-en-leefbaar": {"inhabitants": 1.0, "lage_welvaart": 0.5},
    "voorzieningen": {"inhabitants": 1.0, "spreiding": 1.0, "aandeel_65plus": 0.5},
    "gezonde-toekomst": {"inhabitants": 1.0, "lage_welvaart": 1.0},
}


def tables() -> dict[str, list[list[object]]]:
    """The default instance, its need built from verdeelmaatstaven: each goal's national
    need (40/35/25 % of € 1 bn) shared over the regions by inhabitants, spreading (the
    inverse address density, a service-cost measure), the share aged 65+ and the Monitor
    Brede Welvaart signal. The welfare factor is counted once, in the need: every region
    weighs 1 (alternative: the factor 1.2/1.1 as the weight too; the preset
    ``welvaart-als-gewicht`` counts it as the weight instead, from the indicator
    ``welvaartsfactor``). The shortfall tiers have a kink every 2 %."""
    base = typed_tables()
    regions = [base["regions"][0]]
    head = base["regions"][0]
    for row in base["regions"][1:]:
        row = list(row)
        factor = row[head.index("weight")]
        row[head.index("weight")] = 1.0
        row[head.index("weight_source")] = (
            "gewicht 1: de welvaartsfactor telt één keer, in de behoefte (de maatstaf lage "
            f"welvaart); alternatief: de welvaartsfactor {_nl(factor)} ook als gewicht")
        row[head.index("weight_alternative")] = factor
        regions.append(row)
    goals = [[*base["goals"][0], "need_eur", "need_eur_status", "need_eur_source",
              "need_eur_alternative"]]
    for row, (_gid, _name, share) in zip(base["goals"][1:], GOALS, strict=True):
        goals.append([*row, int(round(share * TOTAL_NEED_EUR)), "ASSUMED",
                      f"{ESTIMATE} (SRC); doelaandeel {share:.0%} (ASSUMED); alternatief: "
                      "een derde per doel", int(round(TOTAL_NEED_EUR / 3))])
    indicators = [["region", "indicator", "value", "unit", "of", "status", "source",
                   "alternative"]]
    for r in REGIONS:
        density, status, where = DENSITY[r.id]
        indicators.append([r.id, "spreiding", round(NL_DENSITY / density, 4),
                           "landelijke adresdichtheid / die van de regio", "inhabitants",
                           "DERIVED", f"CBS adresdichtheid 2021, {where}: {density} adressen "
                           f"per km² ({status}); NL {NL_DENSITY}", None])
    for r in REGIONS:
        share, status, source = AGED.get(r.id, (0.18, "ASSUMED", "geen cijfer voor de regio: "
                                                "het landelijke 18% (2016)"))
        indicators.append([r.id, "aandeel_65plus", share, "aandeel", "inhabitants", status,
                           source, 0.20 if status == "ASSUMED" else None])
    for r in REGIONS:
        indicators.append([r.id, "lage_welvaart", 1 if r.id in LOW_WELFARE else 0,
                           "signaal 0/1", "inhabitants", "SRC",
                           f"{BREDE_WELVAART}: welzijn 'hier en nu' relatief laag in Oost-"
                           "Groningen en Drenthe, Limburg, Zeeland en de Kop van Noord-Holland",
                           None])
    for r in REGIONS:
        why = {1.2: "door de Monitor Brede Welvaart genoemd als laag", 1.1: "overig Limburg",
               1.0: "overige regio's"}[r.multiplier]
        indicators.append([r.id, "welvaartsfactor", r.multiplier, "factor", None, "ASSUMED",
                           f"welvaartsfactor {_nl(r.multiplier)} ({why}, naar "
                           f"{BREDE_WELVAART}); niet in de behoefte (die telt de maatstaf "
                           "lage welvaart): het gewicht onder de voorinstelling "
                           "welvaart-als-gewicht; alternatief 1", 1])
    model = [["goal", "indicator", "weight", "status", "source"]]
    for goal, weights in NEED_MODEL.items():
        for indicator, weight in weights.items():
            model.append([goal, indicator, weight, "ASSUMED",
                          "keuze van het model (zie instances/README.md)"])
    head = base["needs"][0]
    keep = [head.index(c) for c in ("region", "goal", "cap_eur")]
    needs = [[row[i] for i in keep] for row in base["needs"]]
    policy = [list(row) for row in base["policy"]]
    tiers = next(row for row in policy if row[0] == "shortfall_tiers")
    tiers[1] = DEFAULT_TIERS
    tiers[3] = ("afnemende meeropbrengst: elke volgende 2% onvervulde behoefte van een regio "
                f"weegt {_nl(FINE_TIERS[0][1])} keer de 2% ervoor (1,5 per 10%), een fijne "
                "benadering van een gladde straf, zodat geen regio op een drempel van het "
                "eigen raster blijft staan en de gewichten geen strikte rangorde zijn; de "
                "alternatieven staan naast elkaar in instances/README.md")
    data = {"regions": regions, "goals": goals, "needs": needs, "policy": policy,
            "indicators": indicators, "need_model": model,
            "existing_streams": existing_streams(), "sources": base["sources"]}
    _set_reference(data)
    return data


def existing_streams() -> list[list[object]]:
    """The existing money a year by stream, so that a region's sentence can name what
    covers its need: the Regio Deals (tranches 4-6 over four years, a shared deal split
    among its partners), the Just Transition Fund (2021-2027, on its goal) and Nij Begun
    (the part counted for the NPVR goals). A stream without a goal is split over the
    region's goals in proportion to their need (allocator does this on reading)."""
    rows: list[list[object]] = [["stream", "region", "goal", "amount_eur", "status", "source",
                                 "alternative"]]
    jtf, jtf_alt = jtf_totals(), jtf_totals(alternative=True)
    for r in REGIONS:
        deal = REGIO_DEALS_EUR_M[r.id]
        if deal:
            shared = SHARED_DEALS.get(r.id)
            rows.append(["Regio Deals", r.id, "", round(deal_per_year(r.id)),
                         "ASSUMED" if shared else "DERIVED",
                         f"{REGIO_DEALS}: € {_nl(deal)} mln / 4 jaar"
                         + (f", {shared[1]}: 1/{shared[0]} deel (ASSUMED; alternatief: "
                            "volledig)" if shared else "")
                         + "; over de doelen naar de behoefte",
                         round(deal_per_year(r.id, alternative=True)) if shared else None])
        if r.id in jtf:
            assumed = r.id in ("noord-en-oost-groningen", "zuid-en-oost-drenthe")
            rows.append(["Just Transition Fund", r.id, JTF_GOAL, round(jtf[r.id] / JTF_YEARS),
                         "ASSUMED" if assumed else "DERIVED",
                         f"{JTF}: {JTF_NOTE[r.id]}; {_m(jtf[r.id])} / {JTF_YEARS} jaar, naar "
                         "het doel gezonde toekomst"
                         + ("; alternatief: het hele fonds over de twee NPVR-regio's naar "
                            "inwoners" if assumed else ""),
                         round(jtf_alt[r.id] / JTF_YEARS) if assumed else None])
        if r.id == "noord-en-oost-groningen":
            rows.append(["Nij Begun", r.id, "", round(NIJ_BEGUN_EUR_PER_YEAR
                                                      * NIJ_BEGUN_NPVR_SHARE),
                         "ASSUMED", f"{NIJ_BEGUN}; {NIJ_BEGUN_NPVR_SHARE:.0%} dient de "
                         "NPVR-doelen (ASSUMED); over de doelen naar de behoefte; alternatief: "
                         "niet meegeteld", 0])
    return rows


def _set_reference(data: dict[str, list[list[object]]]) -> None:
    """reference_eur: the default envelope split in proportion to each region's net need
    (the need the model derives, less existing money), so no region's reference lies above
    what it can absorb. Read back through allocator itself, so the need is the one the model
    builds (DERIVED; its use as a reference ASSUMED)."""
    import tempfile

    from allocator.inputs.validate import load

    with tempfile.TemporaryDirectory() as tmp:
        _write_csv(Path(tmp), "x", data)
        needs = load(Path(tmp) / "x").needs
    net = (needs["need_eur"] - needs["existing_eur"]).clip(lower=0)
    by_region = net.groupby(needs["region"].astype(str), observed=True).sum()
    head = data["regions"][0]
    ids = [row[0] for row in data["regions"][1:]]
    share = by_region.reindex(ids).to_numpy(float)
    reference = largest_remainder(BUDGET_EUR * share / share.sum(), BUDGET_EUR)
    for row, ref in zip(data["regions"][1:], reference, strict=True):
        row[head.index("reference_eur")] = int(ref)


def write(folder: Path = HERE) -> None:
    _write(folder, NAME, tables())
    _write(folder, TYPED_NAME, typed_tables())
    _write(folder, AGENDA_NAME, agenda_tables())
    readme = folder / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        start, end = text.index(ASSUMED_START), text.index(ASSUMED_END)
        readme.write_text(text[:start] + ASSUMED_START + "\n" + assumed_table(folder / NAME)
                          + text[end:], encoding="utf-8")


ASSUMED_START = "<!-- every ASSUMED figure: written by build_npvr.py -->"
ASSUMED_END = "<!-- end of the ASSUMED figures -->"


def assumed_table(instance: Path) -> str:
    """Every figure the instance marks ASSUMED, with its value and its alternative, as a
    Markdown table: one row per region, goal or policy figure; the 33 need and existing cells
    one row per column, summed (their sources give the method). The sources table's stated
    exclusions follow it."""
    from allocator.inputs.validate import load

    inst = load(instance)
    f = inst.figures()
    f = f[f["status"] == "ASSUMED"]
    lines = ["| figure | value | alternative | why (from the instance's source column) |",
             "|---|---|---|---|"]

    def shown(v: object) -> str:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return f"{v:,}" if isinstance(v, int) else str(v)

    def why(text: str) -> str:
        return text.replace("|", "/").replace("\n", " ")

    for row in f[f["table"] != "needs"].itertuples(index=False):
        name = f"`{row.table}` {row.id} `{row.column}`"
        lines.append(f"| {name} | {shown(row.value)} | {shown(row.alternative)} | "
                     f"{why(row.source)} |")
    needs = f[f["table"] == "needs"]
    for column, part in needs.groupby("column", sort=False):
        total = float(part["value"].astype(float).sum())
        alternative = float(part["alternative"].astype(float).sum())
        lines.append(f"| `needs` {column}, {len(part)} cells (sum) | {shown(round(total))} | "
                     f"{shown(round(alternative))} | {why(str(part['source'].iloc[0]))} "
                     "(first cell; each cell states its own) |")
    return "\n".join(lines) + "\n"


def _write(folder: Path, name: str, data: dict[str, list[list[object]]]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in data.items():
        ws = wb.create_sheet(sheet)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for j, head in enumerate(rows[0], start=1):  # notes wide, figures narrow
            wide = str(head).endswith("source") or head in ("name", "meaning")
            ws.column_dimensions[get_column_letter(j)].width = 60 if wide else (
                26 if j == 1 else 14)
    # Fixed timestamps (the date of the need estimate): rebuilding gives identical bytes.
    save_reproducibly(wb, folder / f"{name}.xlsx", datetime(2026, 1, 30, tzinfo=UTC))
    _write_csv(folder, name, data)


def _write_csv(folder: Path, name: str, data: dict[str, list[list[object]]]) -> None:
    csv_dir = folder / name
    csv_dir.mkdir(exist_ok=True)
    for sheet, rows in data.items():
        with open(csv_dir / f"{sheet}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            for row in rows:
                w.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v
                            for v in row])


if __name__ == "__main__":
    write()
    print("written: " + ", ".join(f"{HERE / n}.xlsx, {HERE / n}/"
                                  for n in (NAME, TYPED_NAME, AGENDA_NAME)))
