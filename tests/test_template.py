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
    assert wb.sheetnames == ["Instructies", "regions", "goals", "needs", "policy"]
    assert wb["regions"].max_row == 12 and wb["goals"].max_row == 4
    needs = wb["needs"]
    assert needs.max_row == 1 + 33
    for i, row in enumerate(needs.iter_rows(min_row=2), start=1):
        row[2].value = 1_000_000 * (1 + i % 5)  # need_eur
    wb["policy"]["B2"] = 50_000_000  # budget_eur
    wb.save(path)
    r = allocator.solve(path)
    assert r.optimal and r.certificate.passed
    assert int(r.rounded_allocation()["amount_eur"].sum()) == 50_000_000
    assert len(r.instance.regions) == 11


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
    assert rules[("policy", "B6")] == ("list", '"true,false"')
    assert [c.value for c in wb["policy"]["A"]] == [
        "key", "budget_eur", "coverage_floor", "max_coverage_gap", "per_capita_cap",
        "spend_all"]


def test_an_empty_template_says_what_is_missing(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.xlsx"
    assert main(["template", str(path)]) == 0
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[-2] == (
        "fout: in.xlsx, blad policy, key: 'budget_eur' is verplicht (een rij met sleutel "
        "budget_eur)")
