"""Messy but legitimate input is read correctly: Dutch CSV exports and hand-made workbooks.

Each file here is the SMALL instance written another way; it must give the same allocation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import allocator
from allocator.cli import main
from tests.conftest import SMALL, write_csv_instance, write_xlsx_instance

#: These tests pin the English messages word for word (Dutch: tests/test_messages.py).
pytestmark = pytest.mark.usefixtures("english")

#: SMALL times a thousand, so that amounts carry thousands separators.
K = 1000


@pytest.fixture
def expected(tmp_path: Path) -> dict[tuple[str, str], float]:
    """The allocation of SMALL x 1000, written plainly."""
    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    for row in tables["needs"][1:]:
        row[2:] = [None if v is None else v * K for v in row[2:]]
    tables["policy"][1][1] = 100 * K
    return amounts(write_csv_instance(tmp_path / "plain", tables))


def amounts(path: Path) -> dict[tuple[str, str], float]:
    r = allocator.solve(path)
    assert r.optimal and r.certificate.passed
    return {(a.region, a.goal): a.amount_eur for a in r.allocation.itertuples()}


DUTCH = {
    "regions.csv": "region;name;population;weight\nA;Alpha;100;1\nB;Beta;200;2\n",
    "goals.csv": "goal;weight\ng1;1\ng2;1,0\n",
    "needs.csv": ("region;goal;need_eur;existing_eur;cap_eur\n"
                  "A;g1;€ 100.000,00;10.000;\n"
                  "A;g2;€ 50.000;0;\n"
                  "B;g1;80.000;40.000;\n"
                  "B;g2;60.000;0;€ 30.000,-\n"),
    "policy.csv": "key;value\nbudget_eur;€ 100.000,00\ncoverage_floor;30%\nspend_all;nee\n",
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_dutch_csv_export(tmp_path: Path, encoding: str,
                          expected: dict[tuple[str, str], float]) -> None:
    folder = tmp_path / "nl"
    folder.mkdir()
    for name, text in DUTCH.items():
        (folder / name).write_bytes(text.replace("\n", "\r\n").encode(encoding))
    assert amounts(folder) == pytest.approx(expected)


def test_ambiguous_thousands_are_refused(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "nl"
    folder.mkdir()
    for name, text in DUTCH.items():
        (folder / name).write_text(text, encoding="utf-8")
    # Without "€ 100.000,00" and "€ 30.000,-" nothing in needs.csv says which separator is
    # the decimal one: 10.000 may be ten thousand or ten.
    (folder / "needs.csv").write_text(
        "region;goal;need_eur;existing_eur\nA;g1;100.000;10.000\nA;g2;50.000;0\n"
        "B;g1;80.000;40.000\nB;g2;60.000;0\n", encoding="utf-8")
    assert main(["solve", str(folder), "--no-report"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("error: nl/needs.csv, row 2, need_eur: '100.000' is ambiguous: a thousands "
                      "separator or a decimal separator? Write the number without thousands "
                      "separators")
    assert len(err) == 7  # 4 needs + 2 existing (0 is plain) + the summary line


def test_percent_is_refused_for_an_amount(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_csv_instance(tmp_path / "p", SMALL)
    text = (folder / "needs.csv").read_text().replace("A,g1,100,", "A,g1,100%,")
    (folder / "needs.csv").write_text(text)
    assert main(["validate", str(folder)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "error: p/needs.csv, row 2, need_eur: must be a number, not a percentage, got '100%'")


def test_workbook_from_a_person(tmp_path: Path, expected: dict[tuple[str, str], float]
                                ) -> None:
    """Numbers stored as text, the euro sign, ids with trailing spaces, hidden rows, extra
    sheets, a blank row: all read as the person meant them."""
    wb = Workbook()
    wb.active.title = "Toelichting"
    wb.active["A1"] = "Vul de bladen hieronder in."
    for name, rows in SMALL.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    needs = wb["needs"]
    for row in needs.iter_rows(min_row=2):
        for cell in row[2:]:
            if isinstance(cell.value, int | float):
                cell.value = f"€ {cell.value * K:,.2f}".replace(",", "X").replace(
                    ".", ",").replace("X", ".")  # Dutch text: € 100.000,00
    needs["A3"] = "A  "  # trailing spaces in an id
    needs.row_dimensions[4].hidden = True
    needs.insert_rows(3)  # a blank row in the middle
    wb["policy"]["B2"] = "100000"
    wb.create_sheet("Grafiek")
    path = tmp_path / "person.xlsx"
    wb.save(path)
    assert amounts(path) == pytest.approx(expected)


def test_formula_without_saved_value_is_named(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx_instance(tmp_path / "formula.xlsx", SMALL)
    wb = load_workbook(path)
    wb["needs"]["C3"] = "=40+10"  # openpyxl saves no computed value
    wb.save(path)
    assert main(["solve", str(path), "--no-report"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "error: formula.xlsx, sheet needs, row 3, need_eur: cell C3 holds a formula without a "
        "saved value; open the file in Excel and save it, or type the value")
