"""The report workbook, opened with openpyxl: sheets, exact totals, charts, labels, safety."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import allocator
from allocator.cli import main
from allocator.reports.documents import document
from allocator.reports.workbook import write_report
from tests.conftest import SMALL, write_csv_instance

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026-ingevuld.xlsx"  # the typed-in need: its numbers


@pytest.fixture(scope="module")
def npvr_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "npvr.xlsx"
    assert main(["solve", str(NPVR), "--out", str(out), "-q"]) == 0
    return out


def test_sheets_in_dutch_and_english(npvr_report: Path, tmp_path: Path) -> None:
    assert openpyxl.load_workbook(npvr_report).sheetnames == [
        "Samenvatting", "Waarom", "Verdeling", "Dekking", "Vergelijking", "Tekort", "Beperkingen", "Invoer",
        "Herkomst", "Over"]
    out = tmp_path / "en.xlsx"
    assert main(["solve", str(NPVR), "--out", str(out), "--lang", "en", "-q"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Why", "Allocation", "Coverage", "Baselines", "Unmet need",
                             "Constraints", "Inputs", "Provenance", "About"]
    assert wb["Summary"]["A1"].value == "Allocation of the budget"
    assert wb["Allocation"]["A1"].value == "Region"
    # ids and names stay as given
    assert wb["Allocation"]["A2"].value == "Achterhoek"


def test_allocation_totals_are_sums_of_the_rounded_cells(npvr_report: Path) -> None:
    ws = openpyxl.load_workbook(npvr_report)["Verdeling"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    body, total = rows[:-1], rows[-1]
    goals = 3
    assert total[0] == "Totaal"
    for row in body:
        assert all(isinstance(v, int) for v in row[1:goals + 2])
        assert sum(row[1:goals + 1]) == row[goals + 1]
    for j in range(1, goals + 2):
        assert sum(r[j] for r in body) == total[j]
    assert total[goals + 1] == 250_000_000  # the whole budget, to the euro
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(npvr_report)["Samenvatting"]
               .iter_rows(values_only=True) if r[0]}
    assert summary["Toegekend"] == total[goals + 1]
    assert summary["Toegekend"] + summary["Niet toegekend"] == summary["Budget"]


def test_unmet_need_adds_up(npvr_report: Path) -> None:
    ws = openpyxl.load_workbook(npvr_report)["Tekort"]
    cells = [r for r in ws.iter_rows(min_row=3, max_col=5, values_only=True) if r[0]]
    body, total = cells[:-1], cells[-1]
    assert total[0] == "Totaal"
    for net, given, short in ((r[2], r[3], r[4]) for r in body):
        assert abs(net - given - short) <= 1  # per cell to the euro; totals exactly
    assert [sum(r[j] for r in body) for j in (2, 3, 4)] == list(total[2:5])
    assert total[2] - total[3] == total[4]
    regions = [r for r in ws.iter_rows(min_row=3, min_col=8, max_col=11, values_only=True)
               if r[0]]
    assert [sum(r[j] for r in regions) for j in (1, 2, 3)] == list(total[2:5])


def test_charts_point_at_their_tables(npvr_report: Path) -> None:
    wb = openpyxl.load_workbook(npvr_report)
    [bars] = wb["Verdeling"]._charts
    refs = [s.val.numRef.f for s in bars.series]
    assert refs == ["'Verdeling'!$B$2:$B$12", "'Verdeling'!$C$2:$C$12", "'Verdeling'!$D$2:$D$12"]
    assert bars.series[0].cat.numRef.f == "'Verdeling'!$A$2:$A$12" or \
        bars.series[0].cat.strRef.f == "'Verdeling'!$A$2:$A$12"
    assert bars.grouping == "stacked"
    [coverage] = wb["Dekking"]._charts
    assert [s.val.numRef.f for s in coverage.series] == ["'Dekking'!$G$2:$G$12"]
    assert [s.val.numRef.f for s in coverage._charts[1].series] == ["'Dekking'!$H$2:$H$12"]


def test_weakest_regions_stand_out(npvr_report: Path) -> None:
    ws = openpyxl.load_workbook(npvr_report)["Dekking"]
    rules = {str(r.sqref): [x.type for x in r.rules] for r in ws.conditional_formatting}
    assert rules == {"G2:G12": ["colorScale"]}


def test_constraints_in_plain_words(npvr_report: Path) -> None:
    ws = openpyxl.load_workbook(npvr_report)["Beperkingen"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    budget = rows[0]
    assert budget[0] == "budget"
    # the default has shortfall tiers: both parts of what €1 m more does are named (each
    # against a re-solve in tests/test_marginal.py)
    assert budget[6] == ("€1 mln meer budget verlaagt de gewogen onvervulde behoefte met "
                         "€1.000.000 en het extra gewicht van diepe tekorten met €10.390.000")
    tiers = [r for r in rows if str(r[0]).startswith("tekorttrede") and r[4] == "ja"]
    assert tiers and all(r[6].endswith("×") or "×" in r[6] for r in tiers)
    floors = [r for r in rows if r[0] == "minimumdekking" and r[4] == "ja"]
    assert all(r[6].startswith("de minimumdekking 1 procentpunt hoger kost €") for r in floors)
    loose = [r for r in rows if r[4] == "nee"]
    assert all(r[6] == "niet bindend: een kleine wijziging verandert de uitkomst niet"
               for r in loose)


def test_floor_price_matches_a_re_solve() -> None:
    """The words say what a re-solve shows: one point more floor costs that much."""
    base = allocator.solve(NPVR)
    higher = allocator.solve(NPVR, floor=0.21)
    floors = base.constraints[base.constraints["rule"] == "coverage_floor"]
    need = base.coverage["need_eur"]
    predicted = sum(abs(r.dual) * 0.01 * need[r.id] for r in floors.itertuples())
    actual = higher.weighted_unmet_eur - base.weighted_unmet_eur
    assert actual == pytest.approx(predicted, rel=1e-6)


def test_inputs_carry_status_and_source(npvr_report: Path) -> None:
    ws = openpyxl.load_workbook(npvr_report)["Invoer"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Regio's"
    assert rows[1][:4] == ("Code", "Naam", "Inwoners", "Gewicht")
    assert rows[1][6:8] == ("Status", "Bron")
    by_region = {r[0]: r for r in rows[2:13]}
    # each figure its own status: Twente's population is read, its weight assumed
    assert by_region["twente"][6] == "inwoners: SRC; gewicht: ASSUMED"
    assert by_region["noord-limburg"][6] == "ASSUMED"  # both assumed: said once
    legend = next(i for i, r in enumerate(rows) if r[0] == "Legenda status")
    assert [r[0] for r in rows[legend + 2:legend + 6]] == ["SRC", "PROXY", "DERIVED", "ASSUMED"]
    sheet = list(openpyxl.load_workbook(npvr_report)["Herkomst"].iter_rows(values_only=True))
    figures = allocator.load(NPVR).figures()
    assert len(sheet) == 2 + len(figures)
    twente = {r[2]: r for r in sheet[2:] if r[1] == "twente"}
    assert twente["gewicht"][4:] == ("ASSUMED", figures.set_index(["id", "column"]).loc[
        ("twente", "weight"), "source"], 1)


def test_about_names_the_input_and_versions(npvr_report: Path) -> None:
    import hashlib

    about = {r[0]: r[1] for r in openpyxl.load_workbook(npvr_report)["Over"]
             .iter_rows(values_only=True)}
    assert about["Bestand"] == "npvr-2026-ingevuld.xlsx"
    assert about["SHA-256"] == hashlib.sha256(NPVR.read_bytes()).hexdigest()
    assert about["Versies"].startswith("allocator ")
    assert "Pyomo " in about["Versies"] and "HiGHS " in about["Versies"]
    assert about["Opdracht"].startswith("allocator solve ")


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3"])
def test_input_text_is_never_a_formula_anywhere(tmp_path: Path, text: str) -> None:
    t = {k: [row[:] for row in v] for k, v in SMALL.items()}
    t["regions"][1][1] = text
    t["goals"][1].append(text)  # a goal name too
    t["goals"][0].append("name")
    t["goals"][2].append("g2")
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(write_csv_instance(tmp_path / "i", t)), "--out", str(out),
                 "-q"]) == 0
    wb = openpyxl.load_workbook(out)
    found = [(ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row
             if c.value == text]
    assert found
    assert all(wb[s][c].data_type == "s" for s, c in found)


def test_an_interrupted_write_keeps_the_earlier_report(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.reports.workbook as report

    out = tmp_path / "r.xlsx"
    result = allocator.solve(write_csv_instance(tmp_path / "i", SMALL))
    write_report(result, out)
    before = out.read_bytes()

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "save_reproducibly", crash)
    with pytest.raises(KeyboardInterrupt):
        write_report(result, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_infeasible_report_explains_in_dutch_with_region_names(tmp_path: Path) -> None:
    npvr = NPVR
    r = allocator.solve(npvr, floor=0.6)
    assert r.status.value == "infeasible"
    assert summary_of(write_report(r, tmp_path / "r.xlsx"))["Toelichting"] == (
        "De regels kunnen niet allemaal gelden bij een budget van €250.000.000. Het kleinste "
        "budget waarbij ze gelden is €474.961.191. Deze kunnen niet samen gelden (een kleinste "
        "tegenstrijdige combinatie: laat er één weg en de rest kan): budget; minimumdekking in "
        "Twente, Zuid- en Oost-Drenthe, Zuid-Limburg, Zuidoost Friesland. Elk van deze regels "
        "schrappen maakt het haalbaar: minimumdekking. Losse wijzigingen die het haalbaar "
        "maken: zet het budget op €474.961.191; verlaag de minimumdekking tot 35,94%.")
    # the English message (stderr, JSON) is the same facts in English
    assert r.message.startswith("The rules cannot all hold with a budget of €250,000,000.")


def test_engine_notes_are_dutch_in_the_dutch_report(tmp_path: Path) -> None:
    from allocator.studies.generate import synthetic_tables, write_csv_folder

    t = synthetic_tables(400, rules=())
    t["regions"]["weight"] = 1.0  # every cell tied: stage 3 is skipped
    t["goals"]["weight"] = 1.0
    r = allocator.solve(write_csv_folder(tmp_path / "g", t))
    assert r.message == (
        "Optimal allocation found and certified. Tie-break stage 3 (nearest to pro rata) was "
        "skipped: the tied cells leave 1,200 degrees of freedom, above the limit of 500; the "
        "allocation is the max-min optimum.")
    assert summary_of(write_report(r, tmp_path / "r.xlsx"))["Toelichting"] == (
        "Stap 3 van de keuze tussen even goede verdelingen (zo dicht mogelijk bij naar rato) is "
        "overgeslagen: de gelijke cellen laten 1.200 vrijheidsgraden, boven de grens van 500; "
        "dit is het max-min-optimum.")


def summary_of(path: Path) -> dict[object, object]:
    """The Samenvatting sheet as label -> value."""
    return {row[0]: row[1] for row in openpyxl.load_workbook(path)["Samenvatting"]
            .iter_rows(values_only=True) if row[0]}


def test_invoer_shows_the_policy_as_applied(tmp_path: Path) -> None:
    """What was run: a flag and a preset change the policy, and the Invoer sheet says so."""
    npvr = NPVR
    out = tmp_path / "r.xlsx"
    from allocator.cli import main

    assert main(["solve", str(npvr), "--budget", "5e8", "--policy", "deep-shortfall",
                 "--out", str(out), "-q"]) == 0
    ws = openpyxl.load_workbook(out)["Invoer"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Beleid (zoals toegepast)")
    policy = {r[0]: r for r in rows[start + 2:] if r[0]}
    assert policy["budget_eur"][1] == 500_000_000
    assert policy["budget_eur"][6] == "voor deze run"
    assert policy["shortfall_tiers"][1] == "25%: 1.5; 50%: 2; 75%: 3"
    assert policy["shortfall_tiers"][6] == "voor deze run"
    assert policy["coverage_floor"][1] == 0.2  # as the sheet says, with the sheet's status
    assert policy["coverage_floor"][6] == "ASSUMED"


def test_headline_figures_from_the_tables(tmp_path: Path) -> None:
    """Plain unmet need, coverage of all need and euros per inhabitant: first on Samenvatting,
    each checked against the CSV tables and the allocation."""
    import pandas as pd

    folder = Path(__file__).parent.parent / "instances" / "npvr-2026-ingevuld"
    r = allocator.solve(folder)
    needs = pd.read_csv(folder / "needs.csv")
    regions = pd.read_csv(folder / "regions.csv").set_index("region")
    net = (needs["need_eur"] - needs["existing_eur"].fillna(0)).clip(lower=0)
    x = r.allocation.groupby(r.allocation["region"].astype(str), observed=True)[
        "amount_eur"].sum()
    per_head = x / regions["population"]
    h = r.headline()
    assert h["unmet_before_eur"] == pytest.approx(net.sum(), abs=0.5)
    assert h["unmet_after_eur"] == pytest.approx(net.sum() - x.sum(), abs=0.5)
    covered = needs[["need_eur", "existing_eur"]].fillna(0).min(axis=1).sum()
    assert h["coverage_after"] == pytest.approx((covered + x.sum()) / needs["need_eur"].sum())
    assert h["per_inhabitant_lowest_eur"] == pytest.approx(per_head.min())
    assert h["per_inhabitant_highest_region"] == regions.loc[per_head.idxmax(), "name"]
    s = summary_of(write_report(r, tmp_path / "r.xlsx"))
    assert s["Onvervulde behoefte vóór verdeling (euro's)"] == round(net.sum())
    assert s["Laagste bedrag per inwoner"] == "€0,00 (Noord- en Oost-Groningen)"
    assert s["Hoogste bedrag per inwoner"] == "€125,74 (Kop van Noord-Holland)"


def test_baselines_from_the_tables(npvr_report: Path) -> None:
    """Gains and losses against pro rata to population and to net need, recomputed from the
    tables, on the Vergelijking sheet and in the JSON."""
    r = allocator.solve(NPVR)
    needs = r.instance.needs
    regions = r.instance.regions
    net = (needs["need_eur"] - needs["existing_eur"]).clip(lower=0).groupby(
        needs["region"].astype(str)).sum()
    pop = regions["population"].astype(float)
    table = r.baselines()
    given = r.matrix().sum(axis=1)
    for region in regions.index:
        by_pop = 250e6 * pop[region] / pop.sum()
        by_need = 250e6 * net[str(region)] / net.sum()
        assert abs(table.loc[region, "pro_rata_population_eur"] - by_pop) <= 1
        assert abs(table.loc[region, "pro_rata_need_eur"] - by_need) <= 1
        assert table.loc[region, "pro_rata_population_gain_eur"] == (
            given[region] - table.loc[region, "pro_rata_population_eur"])
    assert table["pro_rata_population_eur"].sum() == table["pro_rata_need_eur"].sum() == 250e6
    ws = openpyxl.load_workbook(npvr_report)["Vergelijking"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}
    twente = rows["Twente"]
    assert twente[1:4] == (int(given["twente"]), int(table.loc["twente", "pro_rata_population_eur"]),
                           int(table.loc["twente", "pro_rata_population_gain_eur"]))
    assert len(ws._charts) == 1
    data = document(r)["baselines"]
    assert data["twente"]["pro_rata_need_gain_eur"] == int(
        table.loc["twente", "pro_rata_need_gain_eur"])


def test_samenvatting_is_one_page_with_its_chart(npvr_report: Path) -> None:
    ws = openpyxl.load_workbook(npvr_report)["Samenvatting"]
    assert ws.page_setup.fitToHeight == 1 and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    [chart] = ws._charts
    assert chart.series[0].val.numRef.f == "'Verdeling'!$F$2:$F$12"
    assert openpyxl.load_workbook(npvr_report)["Verdeling"]["F1"].value == "Per inwoner"


def test_beperkingen_in_the_user_s_units(npvr_report: Path) -> None:
    """No solver residues: the budget as allocated against the budget, a floor as coverage
    against the floor, a tier as unmet share against its threshold."""
    r = allocator.solve(NPVR)
    rows = list(openpyxl.load_workbook(npvr_report)["Beperkingen"].iter_rows(
        min_row=2, values_only=True))
    budget = rows[0]
    assert budget[0] == "budget" and budget[2] == budget[3] == 250_000_000
    names = r.instance.regions["name"].astype(str)
    cov = {names[k]: v for k, v in r.coverage["coverage"].items()}
    floors = [row for row in rows if row[0] == "minimumdekking"]
    assert floors and all(row[3] == pytest.approx(0.2) for row in floors)
    assert all(row[2] == pytest.approx(cov[row[1]], abs=1e-9) for row in floors)
    tiers = [row for row in rows if row[0] == "tekorttrede 3"]
    assert tiers and all(row[3] == pytest.approx(0.3) for row in tiers)
    assert all(row[2] == pytest.approx(1 - cov[row[1]], abs=1e-9) for row in tiers)


def test_a_large_report_keeps_its_tables_beside_it(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Above LARGE_REPORT_CELLS cells the workbook holds the summary and the regions at both
    ends of the coverage ranking; every region and every cell go to CSV files beside it."""
    import pandas as pd

    import allocator.reports.workbook as workbook

    monkeypatch.setattr(workbook, "LARGE_REPORT_CELLS", 10)  # the NPVR instance: 33 cells
    monkeypatch.setattr(workbook, "LARGE_REPORT_REGIONS", 3)
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(NPVR), "--out", str(out), "-q"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Samenvatting", "Regio's", "Over"]
    r = allocator.solve(NPVR)
    regions = pd.read_csv(tmp_path / "r-regions.csv")
    cells = pd.read_csv(tmp_path / "r-cells.csv")
    rounded = r.rounded_allocation()
    assert cells["allocated_eur"].tolist() == rounded["amount_eur"].astype(int).tolist()
    assert int(cells["allocated_eur"].sum()) == 250_000_000
    assert regions["allocated_eur"].sum() == pytest.approx(250_000_000, abs=1)
    rows = list(wb["Regio's"].iter_rows(values_only=True))
    assert rows[0][0].startswith("33 cellen: te veel om cel voor cel")
    lowest = [row[0] for row in rows[4:7]]
    names = r.instance.regions["name"]
    coverage = r.coverage["coverage"].sort_values(kind="stable")
    assert lowest == [names[i] for i in
                      regions.sort_values(["coverage_after", "region"])["region"].head(3)]
    assert float(rows[4][7]) == pytest.approx(coverage.iloc[0])
