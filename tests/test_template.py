"""The input template: written, filled in as a person would, and solved without changes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import allocator
from allocator.cli import main


def test_npvr_template_filled_in_solves(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    assert main(["template", str(path), "--regions", "npvr"]) == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Instructies", "regios", "doelen", "behoeften", "beleid",
                             "indicatoren", "behoeftemodel", "bestaande_stromen"]
    assert [c.value for c in wb["behoeften"][1]] == [
        "regio", "doel", "behoefte_eur", "bestaand_eur", "plafond_eur", "status", "bron"]
    assert wb["regios"].max_row == 12 and wb["doelen"].max_row == 4
    needs = wb["behoeften"]
    assert needs.max_row == 1 + 33
    for i, row in enumerate(needs.iter_rows(min_row=2), start=1):
        row[2].value = 1_000_000 * (1 + i % 5)  # need_eur
    wb["beleid"]["B2"] = 50_000_000  # budget_eur
    assert wb["beleid"]["B3"].value == "onwaar"  # spend_all, as the drop-down offers it
    wb.save(path)
    r = allocator.solve(path)
    assert r.optimal and r.certificate.passed
    assert int(r.rounded_allocation()["amount_eur"].sum()) == 50_000_000
    assert len(r.instance.regions) == 11
    assert not r.instance.policy.spend_all


def test_template_guards_cells_with_data_validation(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    assert main(["template", str(path), "--lang", "en"]) == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Instructions"
    rules = {(ws.title, str(dv.sqref)): (dv.type, dv.formula1)
             for ws in wb.worksheets for dv in ws.data_validations.dataValidation}
    assert rules[("needs", "A2:A2001")] == ("list", "regions!$A$2:$A$2001")
    assert rules[("needs", "B2:B2001")] == ("list", "goals!$A$2:$A$2001")
    assert rules[("needs", "C2:E2001")] == ("decimal", "0")
    assert rules[("goals", "D2:E2001")] == ("decimal", "0")
    assert rules[("policy", "B3")] == ("list", '"true,false"')
    assert rules[("policy", "B12")] == ("list", '"weighted,max-min"')
    # every key of every rule's declarations (models.rules.params), in their order
    assert [c.value for c in wb["policy"]["A"]] == [
        "key", "budget_eur", "spend_all", "coverage_floor", "max_coverage_gap",
        "per_capita_cap", "region_min_eur", "region_max_eur", "cofinancing_ratio",
        "change_cap", "shortfall_tiers", "fairness", "max_efficiency_loss", "ramp_factor",
        "ramp_amount_eur", "equity_over"]
    dutch = tmp_path / "nl.xlsx"
    assert main(["template", str(dutch)]) == 0
    rules = {(ws.title, str(dv.sqref)): (dv.type, dv.formula1)
             for ws in openpyxl.load_workbook(dutch).worksheets
             for dv in ws.data_validations.dataValidation}
    assert rules[("behoeften", "A2:A2001")] == ("list", "regios!$A$2:$A$2001")
    assert rules[("beleid", "B3")] == ("list", '"waar,onwaar"')


def test_a_problem_names_the_column_as_the_file_writes_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.xlsx"
    assert main(["template", str(path), "--regions", "npvr"]) == 0
    wb = openpyxl.load_workbook(path)
    wb["behoeften"]["C2"] = -5
    wb["beleid"]["B2"] = 1e8
    wb.save(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert ("fout: in.xlsx, blad behoeften, rij 2, behoefte_eur: moet >= 0 zijn, "
            "gevonden: -5") in err
    assert "fout: in.xlsx, blad behoeften, rij 3, behoefte_eur: waarde ontbreekt" in err


def test_dutch_and_english_names_for_one_table_are_refused(tmp_path: Path) -> None:
    from tests.conftest import SMALL, write_csv_instance

    folder = write_csv_instance(tmp_path / "i", SMALL)
    (folder / "regios.csv").write_text((folder / "regions.csv").read_text())
    with pytest.raises(allocator.InputError) as err:
        allocator.load(folder)
    assert [str(p) for p in err.value.problems] == [
        "i: the files 'regions.csv' and 'regios.csv' are both the table regions; keep one"]


def test_an_empty_template_says_what_is_missing(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.xlsx"
    assert main(["template", str(path)]) == 0
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[-2] == (
        "fout: in.xlsx, blad beleid, sleutel: 'budget_eur' is verplicht (een rij met sleutel "
        "budget_eur)")


def test_the_template_filled_with_a_need_model_solves(tmp_path: Path) -> None:
    """The sheets indicatoren and behoeftemodel, filled in as a person would (the need left
    empty in behoeften): the need is each goal's national need shared by the measures,
    and the instance solves, certified."""
    path = tmp_path / "in.xlsx"
    assert main(["template", str(path), "--regions", "npvr"]) == 0
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["indicatoren"][1]] == [
        "regio", "indicator", "waarde", "eenheid", "van", "status", "bron", "alternatief"]
    assert [c.value for c in wb["behoeftemodel"][1]] == [
        "doel", "indicator", "gewicht", "status", "bron"]
    goals = wb["doelen"]
    national = {}
    for i, row in enumerate(goals.iter_rows(min_row=2), start=1):
        row[7].value = national[row[0].value] = 100_000_000 * i  # behoefte_eur
    regions = [r[0].value for r in wb["regios"].iter_rows(min_row=2)]
    for k, region in enumerate(regions):
        wb["indicatoren"].append([region, "lage_welvaart", k % 2, "signaal", "inwoners",
                                  "SRC", "Monitor Brede Welvaart"])
    for goal in national:
        wb["behoeftemodel"].append([goal, "inwoners", 1, "ASSUMED", "keuze"])
        wb["behoeftemodel"].append([goal, "lage_welvaart", 1, "ASSUMED", "keuze"])
    wb["beleid"]["B2"] = 50_000_000
    wb.save(path)
    r = allocator.solve(path)
    assert r.optimal and r.certificate.passed
    by_goal = r.instance.needs.groupby("goal", observed=True)["need_eur"].sum()
    assert by_goal.to_dict() == pytest.approx(national)


def test_the_template_filled_with_existing_streams_names_them(tmp_path: Path) -> None:
    """The sheet bestaande_stromen, filled in as a person would (bestaand_eur left empty):
    the existing money of each cell is the sum of its streams, a stream without a goal
    split over the region's goals by need, and the region's sentence names each stream."""
    path = tmp_path / "in.xlsx"
    assert main(["template", str(path), "--regions", "npvr"]) == 0
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["bestaande_stromen"][1]] == [
        "stroom", "regio", "doel", "bedrag_eur", "status", "bron", "alternatief"]
    needs = wb["behoeften"]
    for i, row in enumerate(needs.iter_rows(min_row=2), start=1):
        row[2].value = 1_000_000 * (1 + i % 3)  # behoefte_eur
    wb["bestaande_stromen"].append(["Regio Deal", "twente", None, 600_000, "SRC", "deal"])
    wb["bestaande_stromen"].append(["JTF", "twente", "gezonde-toekomst", 250_000, "SRC",
                                    "fonds"])
    wb["beleid"]["B2"] = 5_000_000
    wb.save(path)
    r = allocator.solve(path)
    assert r.optimal and r.certificate.passed
    twente = r.instance.needs[r.instance.needs["region"].astype(str) == "twente"]
    need = dict(zip(twente["goal"].astype(str), twente["need_eur"], strict=True))
    got = dict(zip(twente["goal"].astype(str), twente["existing_eur"], strict=True))
    share = {g: 600_000 * n / sum(need.values()) for g, n in need.items()}
    for goal, eur in got.items():
        want = share[goal] + (250_000 if goal == "gezonde-toekomst" else 0)
        assert abs(eur - want) <= 1, goal
    assert sum(got.values()) == 850_000
    from allocator.studies.why import reasons

    (w,) = [w for w in reasons(r) if w.region == "twente"]
    total = sum(need.values())
    assert (f"Regio Deal €600.000 ({round(60_000_000 / total)}%) en JTF €250.000 "
            f"({round(25_000_000 / total)}%)") in w.sentence("nl")
