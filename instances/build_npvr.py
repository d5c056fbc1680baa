"""Build the default NPVR instance (xlsx and CSV folder) from the figures below.

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

from allocator.inputs.npvr import BREDE_WELVAART, GOALS, REGIONS, RIJKSOVERHEID
from allocator.reports.workbook import save_reproducibly
from allocator.solving.rounding import largest_remainder

HERE = Path(__file__).resolve().parent
NAME = "npvr-2026"

ESTIMATE = ("Kamerstuk 29 697 nr. 179 (30 Jan 2026), attachment 'Top-down analyse financiele "
            "opgave NPVR': about EUR 1 bn a year")
REGIO_DEALS = "Regio Deals tranches 4-6 (2023-2025), Rijk contribution per region"
JTF = "Just Transition Fund 2021-2027"
NIJ_BEGUN = "Nij Begun: EUR 100 m a year each for a social and an economic agenda, from 2026"

TOTAL_NEED_EUR = 1_000_000_000
BUDGET_EUR = 250_000_000
#: The default instance's diminishing returns: beyond each further 10 % of a region's need
#: left unmet, a euro of shortfall weighs 1.5 times more (1.5^k, two decimals).
SHORTFALL_TIERS = "; ".join(f"{10 * k}%: {1.5 ** k:.2f}" for k in range(1, 10))
COVERAGE_FLOOR = 0.20
JTF_GRONINGEN_EMMEN_EUR = 330e6
JTF_ZEEUWS_VLAANDEREN_EUR = 58.5e6
JTF_ZUID_LIMBURG_EUR = 58.5e6
JTF_YEARS = 7  # 2021-2027
NIJ_BEGUN_EUR_PER_YEAR = 200e6
NIJ_BEGUN_NPVR_SHARE = 0.10  # ASSUMED: the part that serves NPVR goals in the region

# Rijk contribution to Regio Deals in tranches 4-6, EUR m (SRC), spread over four years.
REGIO_DEALS_EUR_M = {
    "kop-van-noord-holland": 32.5, "noord-en-oost-groningen": 63.1, "zuidoost-friesland": 0.0,
    "noard-fryslan": 38.0, "zuid-en-oost-drenthe": 30.0, "twente": 25.0, "achterhoek": 25.0,
    "noord-limburg": 10.0, "midden-limburg": 20.0, "zuid-limburg": 70.0,
    "zeeuws-vlaanderen": 43.0,
}


def existing_per_region() -> dict[str, tuple[float, str]]:
    """Annual existing funding per region, with how it was derived."""
    pop = {r[0]: r[2] for r in REGIONS}
    gron, dren = pop["noord-en-oost-groningen"], pop["zuid-en-oost-drenthe"]
    jtf = {
        "noord-en-oost-groningen": JTF_GRONINGEN_EMMEN_EUR * gron / (gron + dren) / JTF_YEARS,
        "zuid-en-oost-drenthe": JTF_GRONINGEN_EMMEN_EUR * dren / (gron + dren) / JTF_YEARS,
        "zeeuws-vlaanderen": JTF_ZEEUWS_VLAANDEREN_EUR / JTF_YEARS,
        "zuid-limburg": JTF_ZUID_LIMBURG_EUR / JTF_YEARS,
    }
    out = {}
    for region, deal in REGIO_DEALS_EUR_M.items():
        parts = [f"Regio Deals EUR {deal:g} m / 4 years"]
        total = deal * 1e6 / 4
        if region in jtf:
            total += jtf[region]
            parts.append(f"JTF EUR {jtf[region] / 1e6:.2f} m a year"
                         + (" (Groningen-Emmen share by population, ASSUMED)"
                            if region in ("noord-en-oost-groningen", "zuid-en-oost-drenthe")
                            else ""))
        if region == "noord-en-oost-groningen":
            total += NIJ_BEGUN_EUR_PER_YEAR * NIJ_BEGUN_NPVR_SHARE
            parts.append(f"Nij Begun {NIJ_BEGUN_NPVR_SHARE:.0%} of EUR 200 m (share ASSUMED)")
        out[region] = (total, "; ".join(parts))
    return out


def tables() -> dict[str, list[list[object]]]:
    weights = np.array([r[2] * r[5] for r in REGIONS], dtype=float)
    goal_share = np.array([g[2] for g in GOALS])
    cell_share = np.outer(weights / weights.sum(), goal_share).ravel()
    need = largest_remainder(cell_share * TOTAL_NEED_EUR, TOTAL_NEED_EUR)
    existing = existing_per_region()
    exist_cells = []
    for r in REGIONS:
        exist_cells.extend(largest_remainder(goal_share * existing[r[0]][0]))

    # A reference allocation for a change cap (the gemeentefonds preset): the default
    # envelope split in proportion to each region's net need, so no region's reference lies
    # above what it can absorb (DERIVED from the needs; its use as a reference ASSUMED).
    net = np.maximum(np.asarray(need, dtype=float) - np.asarray(exist_cells, dtype=float), 0)
    net_region = net.reshape(len(REGIONS), len(GOALS)).sum(axis=1)
    reference = largest_remainder(BUDGET_EUR * net_region / net_region.sum(), BUDGET_EUR)
    regions = [["region", "name", "population", "weight", "reference_eur", "status",
                "source"]]
    for (rid, name, popn, status, note, mult), ref in zip(REGIONS, reference, strict=True):
        regions.append([rid, name, popn, mult, int(ref), status,
                        f"population: {note}; weight: welfare multiplier (ASSUMED, after "
                        f"{BREDE_WELVAART}); reference_eur: the default envelope of EUR "
                        f"{BUDGET_EUR / 1e6:g} m pro rata to net need (DERIVED), the "
                        "reference of a change cap (ASSUMED)"])
    goals = [["goal", "name", "weight", "min_share", "max_share", "status", "source"]]
    for gid, name, _share in GOALS:
        goals.append([gid, name, 1, None, None, "ASSUMED",
                      "NPVR goal (SRC, Kamerstuk 29 697 nr. 158); equal weights ASSUMED"])
    needs = [["region", "goal", "need_eur", "existing_eur", "cap_eur", "status", "source"]]
    k = 0
    for rid, _name, _popn, _status, _note, mult in REGIONS:
        for gid, _gname, share in GOALS:
            needs.append([
                rid, gid, int(need[k]), int(exist_cells[k]), None, "DERIVED",
                f"need: {ESTIMATE}, split by population x welfare multiplier {mult:g} "
                f"(ASSUMED) and goal share {share:.0%} (ASSUMED); existing: "
                f"{existing[rid][1]}, split over goals like the need (ASSUMED)",
            ])
            k += 1
    policy = [
        ["key", "value", "status", "source"],
        ["budget_eur", BUDGET_EUR, "ASSUMED",
         "no annual NPVR budget is public; envelopes worth testing: 100, 250, 500, 1000 m"],
        ["coverage_floor", COVERAGE_FLOOR, "ASSUMED",
         "every region at least 20% of its need covered (a default to discuss)"],
        ["spend_all", False, "ASSUMED", "money that cannot be placed stays unspent"],
        ["shortfall_tiers", SHORTFALL_TIERS, "ASSUMED",
         "diminishing returns: each further 10% of a region's need left unmet weighs 1.5 "
         "times the 10% before it, so that the assumed weights stop acting as a strict "
         "priority order (one weight 10% up or down moves at most 3.9% of the budget, "
         "against 36.3% without tiers); the alternatives are compared in "
         "instances/README.md"],
    ]
    sources = [
        ["marker", "meaning"],
        ["SRC", "read in the cited source"],
        ["PROXY", "sourced, but for a CBS COROP area that is not exactly the NPVR region"],
        ["DERIVED", "computed from SRC figures (method given in the source column)"],
        ["ASSUMED", "a modelling assumption with no source: replace it when better is known"],
        ["", ""],
        ["figure", "source"],
        ["total need", ESTIMATE],
        ["regions", RIJKSOVERHEID],
        ["Regio Deals", REGIO_DEALS],
        ["Just Transition Fund", JTF],
        ["Nij Begun", NIJ_BEGUN],
        ["welfare", BREDE_WELVAART],
    ]
    return {"regions": regions, "goals": goals, "needs": needs, "policy": policy,
            "sources": sources}


AGENDA_NAME = "npvr-agenda-2026-2029"
YEARS = (2026, 2027, 2028, 2029)
JTF_LAST_YEAR = 2027
REGIO_DEALS_LAST_YEAR = 2028  # ASSUMED: tranche 6 (2025) runs four years
FUNDERS = [  # id, name, national, goals, max package share, carry-over, status, source
    ("rijk", "Rijk", True, "", 0.5, 25_000_000, "ASSUMED",
     "Regio Deal practice: the Rijk pays at most half of a regional package (SRC, NPVR fact "
     "sheet), applied here to all NPVR money (ASSUMED); carry-over up to 10 % of the "
     "envelope (ASSUMED)"),
    ("gemeenten", "Gemeenten", False, "veilig-en-leefbaar; voorzieningen", None, 0,
     "ASSUMED", "municipalities fund liveability and services, not economic prospects"),
    ("eu", "Europese Unie", False, "gezonde-toekomst", None, 0, "ASSUMED",
     "Just Transition Fund: economic transition (SRC); no new EU money assumed"),
    ("privaat", "Private partijen", False, "gezonde-toekomst", None, 0, "ASSUMED",
     "the EUR 1 bn includes private money (SRC); private money goes to prospects (ASSUMED)"),
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
    from allocator.solving.rounding import largest_remainder

    pop = {r[0]: r[2] for r in REGIONS}
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
    data = tables()
    needs = [data["needs"][0]] + [row[:3] + [0] + row[4:6] + [
        row[6].split("; existing:")[0] + "; existing: see the streams sheet"]
        for row in data["needs"][1:]]
    # the agenda has the one-year instance's diminishing returns (shortfall tiers) in every year
    policy = [row for row in data["policy"] if row[0] != "spend_all"] + [
        ["ramp_factor", 1.5, "ASSUMED", "absorption: a region's money grows at most 50 % a "
                                        "year ..."],
        ["ramp_amount_eur", 5_000_000, "ASSUMED", "... plus EUR 5 m"],
        ["equity_over", "year", "ASSUMED", "the coverage floor holds in every year"],
    ]
    years = [["year", "need_factor", "status", "source"]] + [
        [y, 1, "ASSUMED", "need flat in real terms over the agenda"] for y in YEARS]
    provinces = provincial_funders()
    funders = [["funder", "name", "national", "goals", "max_package_share", "carry_over_eur",
                "status", "source", "regions"]] + [[f, n, str(nat).lower(), g, sh, c, st, src, ""]
                                                   for f, n, nat, g, sh, c, st, src in FUNDERS]
    funders[2:2] = [[fid, name, "false", "", None, carry, "ASSUMED",
                     f"provincial co-financing of the regional packages in its own regions; "
                     f"EUR {PROVINCES_EUR / 1e6:g} m a year and "
                     f"EUR {PROVINCES_CARRY_EUR / 1e6:g} m "
                     "carry-over for all provinces together, split by the population of "
                     "their NPVR regions (ASSUMED)", "; ".join(regions)]
                    for fid, name, regions, _, carry in provinces]
    envelopes = [["funder", "year", "budget_eur", "status", "source"]]
    amounts = dict(ENVELOPES_EUR)
    amounts.update({fid: e for fid, _, _, e, _ in provinces})
    order = ["rijk", *[p[0] for p in provinces], "gemeenten", "eu", "privaat"]
    for fid in order:
        for y in YEARS:
            envelopes.append([fid, y, amounts[fid], "ASSUMED",
                              "national: the one-year default envelope" if fid == "rijk" else
                              "no new EU money assumed beyond the JTF stream" if fid == "eu"
                              else f"a share of EUR {PROVINCES_EUR / 1e6:g} m for all provinces, "
                              "by population (ASSUMED)" if fid.startswith("provincie")
                              else "co-financing capacity (ASSUMED)"])
    streams = [["funder", "region", "goal", "year", "amount_eur", "status", "source"]]
    pop = {r[0]: r[2] for r in REGIONS}
    gron, dren = pop["noord-en-oost-groningen"], pop["zuid-en-oost-drenthe"]
    jtf = {"noord-en-oost-groningen": JTF_GRONINGEN_EMMEN_EUR * gron / (gron + dren),
           "zuid-en-oost-drenthe": JTF_GRONINGEN_EMMEN_EUR * dren / (gron + dren),
           "zeeuws-vlaanderen": JTF_ZEEUWS_VLAANDEREN_EUR, "zuid-limburg": JTF_ZUID_LIMBURG_EUR}
    for y in YEARS:
        for region, deal in REGIO_DEALS_EUR_M.items():
            if deal and y <= REGIO_DEALS_LAST_YEAR:
                streams.append(["rijk", region, "", y, round(deal * 1e6 / 4), "DERIVED",
                                f"{REGIO_DEALS}: EUR {deal:g} m / 4 years; runs to "
                                f"{REGIO_DEALS_LAST_YEAR} (ASSUMED)"])
        if y <= JTF_LAST_YEAR:
            for region, total in jtf.items():
                streams.append(["eu", region, "gezonde-toekomst", y, round(total / JTF_YEARS),
                                "DERIVED", f"{JTF}: EUR {total / 1e6:.1f} m / 7 years"])
        streams.append(["rijk", "noord-en-oost-groningen", "", y,
                        round(NIJ_BEGUN_EUR_PER_YEAR * NIJ_BEGUN_NPVR_SHARE), "ASSUMED",
                        f"{NIJ_BEGUN}; {NIJ_BEGUN_NPVR_SHARE:.0%} serves NPVR goals (ASSUMED)"])
    return {**data, "needs": needs, "policy": policy, "years": years, "funders": funders,
            "envelopes": envelopes, "streams": streams}


def write(folder: Path = HERE) -> None:
    _write(folder, NAME, tables())
    _write(folder, AGENDA_NAME, agenda_tables())


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
        for col, width in zip("ABCDEFG", (26, 40, 14, 14, 12, 12, 60), strict=True):
            ws.column_dimensions[col].width = width
        if ws.max_column >= 8:  # the funders sheet: its source column is the eighth
            ws.column_dimensions["G"].width = 14
            ws.column_dimensions["H"].width = 60
    # Fixed timestamps (the date of the need estimate): rebuilding gives identical bytes.
    save_reproducibly(wb, folder / f"{name}.xlsx", datetime(2026, 1, 30, tzinfo=UTC))
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
    print(f"written: {HERE / NAME}.xlsx, {HERE / NAME}/ and {HERE / AGENDA_NAME}.xlsx, "
          f"{HERE / AGENDA_NAME}/")
