"""Scenarios side by side: each column is the solve of that variant, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

import allocator
from allocator.cli import main
from allocator.studies.compare import compare
from tests.conftest import npvr_weighted

ROOT = Path(__file__).resolve().parents[1]
NPVR = npvr_weighted()  # the plain weighted objective: see tests/conftest.py
SCENARIOS = ("name;budget_eur;coverage_floor;fairness\n"
             "€250 m;250.000.000;;\n"
             "€500 m, vloer 30%;€ 500.000.000;30%;\n"
             "€1 mld, max-min;1.000.000.000;;max-min\n"
             "€100 m;100.000.000;;\n")


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "scenarios.csv"
    path.write_text(SCENARIOS, encoding="cp1252")  # as Dutch Excel saves it
    return path


def test_each_scenario_is_its_own_solve(table: Path) -> None:
    c = compare(NPVR, table)
    assert list(c.results) == ["€250 m", "€500 m, vloer 30%", "€1 mld, max-min", "€100 m"]
    expected = {
        "€250 m": allocator.solve(NPVR, budget=250e6),
        "€500 m, vloer 30%": allocator.solve(NPVR, budget=500e6, floor=0.3),
        "€1 mld, max-min": allocator.solve(NPVR, budget=1e9, fairness="max-min"),
    }
    summary = c.summary()
    for name, r in expected.items():
        assert summary.loc[name, "weighted_unmet_eur"] == pytest.approx(r.weighted_unmet_eur)
        assert c.by_region("allocated_eur")[name].to_dict() == r.matrix().sum(axis=1).to_dict()
    assert summary.loc["€100 m", "status"] == "infeasible"  # the floor needs €104 m


def test_cli_workbook_and_json(table: Path, tmp_path: Path) -> None:
    out, js = tmp_path / "c.xlsx", tmp_path / "c.json"
    assert main(["compare", str(NPVR), str(table), "--out", str(out), "--json", str(js),
                 "-q"]) == 0
    data = json.loads(js.read_text())
    assert [s["scenario"] for s in data["scenarios"]][:2] == ["€250 m", "€500 m, vloer 30%"]
    assert sum(data["scenarios"][1]["allocation_by_region_eur"].values()) == 500_000_000
    assert data["scenarios"][3]["allocation_by_region_eur"] is None
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Overzicht", "Verdeling", "Dekking", "Vergelijking"]
    rows = list(wb["Verdeling"].iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "Totaal"
    assert [sum(r[j] for r in rows[:-1]) for j in (1, 2, 3)] == list(rows[-1][1:4])
    assert len(wb["Overzicht"]._charts) == len(wb["Verdeling"]._charts) == 1
    # each variant's gain against its own budget pro rata to population, from the tables
    base = list(wb["Vergelijking"].iter_rows(min_row=2, max_row=13, values_only=True))
    assert base[0][:4] == ("Regio", "€250 m", "€500 m, vloer 30%", "€1 mld, max-min")
    r = allocator.solve(NPVR, budget=500e6, floor=0.3)
    pop = r.instance.regions["population"].astype(float)
    given = r.matrix().sum(axis=1)
    twente = next(row for row in base if row[0] == "Twente")
    assert abs(twente[2] - (given["twente"] - 500e6 * pop["twente"] / pop.sum())) <= 1


def test_bad_scenarios_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.csv"
    path.write_text("name,budget_eur,coverage_flor\na,1e8,0.2\na,-5,\n")
    assert main(["compare", str(NPVR), str(path), "-q"]) == 2
    assert capsys.readouterr().err.splitlines()[:-1] == [
        "fout: s.csv: onbekende beleidssleutel 'coverage_flor' als kolom "
        "(bedoelt u 'coverage_floor'?)",
        "fout: s.csv, rij 3, name: code 'a' komt dubbel voor, eerst op rij 2",
        "fout: s.csv, rij 3, budget_eur: moet > 0 zijn, gevonden: -5",
    ]


def test_the_terminal_table_formats_money_and_names_the_infeasible(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    npvr = npvr_weighted()
    table = tmp_path / "v.csv"
    table.write_text("name,budget_eur,coverage_floor\nlaag,100000000,\nmidden,250000000,\n"
                     "hoog,500000000,0.3\n")
    assert main(["compare", str(npvr), str(table), "--out", str(tmp_path / "c.xlsx"),
                 "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:8] == ["variant", "status", "budget", "allocated", "weighted",
                                    "unmet", "vs", "midden"]
    assert lines[2].split() == ["midden", "optimal", "€250,000,000", "€250,000,000",
                                "€668,968,325", "+€0", "20.0%", "82.9%", "€13,856,585"]
    hoog = allocator.solve(npvr, budget=5e8, floor=0.3)
    change = hoog.weighted_unmet_eur - 668_968_325
    assert lines[3].split()[5] == ("+" if change >= 0 else "-") + f"€{abs(change):,.0f}"
    assert lines[4] == ("laag: The rules cannot all hold with a budget of €100,000,000. The "
                        "smallest budget at which they hold is €109,405,523.")
    assert not any("e+" in line for line in lines)
    # Dutch by default: Dutch words and number style throughout
    assert main(["compare", str(npvr), str(table), "--out", str(tmp_path / "d.xlsx")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:7] == ["variant", "status", "budget", "toegekend", "gewogen",
                                    "onvervuld", "t.o.v."]
    assert lines[2].split() == ["midden", "optimaal", "€250.000.000", "€250.000.000",
                                "€668.968.325", "+€0", "20,0%", "82,9%", "€13.856.585"]
    assert lines[4].startswith("laag: De regels kunnen niet allemaal gelden bij een budget "
                               "van €100.000.000.")
