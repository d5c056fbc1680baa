"""The command line end to end: exit codes, JSON, report, and a quick --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from allocator.cli import main
from tests.conftest import SMALL, write_csv_instance


def test_solve_writes_json_and_report(small: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    js, out = tmp_path / "r.json", tmp_path / "r.xlsx"
    assert main(["solve", str(small), "--json", str(js), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "small: optimaal — budget €100" in printed  # Dutch by default
    data = json.loads(js.read_text())
    assert data["status"] == "optimal"
    assert data["budget_eur"] == 100
    assert data["allocated_eur"] == sum(r["amount_eur"] for r in data["allocations"]) == 100
    assert data["allocations"][0] == {"region": "A", "goal": "g1", "amount_eur": data["allocations"][0]["amount_eur"]}
    assert data["schema_version"] == "2.4" and data["command"] == "solve"
    assert data["weighted_unmet_eur"] == pytest.approx(175)
    assert data["coverage"] == {"A": pytest.approx(0.3), "B": pytest.approx(0.75)}
    assert data["solver"]["name"] == "HiGHS" and data["solver"]["lp_solves"] == 3
    assert data["certificate"]["passed"] is True
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Samenvatting", "Waarom", "Verdeling", "Dekking", "Vergelijking", "Tekort", "Beperkingen",
                             "Invoer", "Herkomst", "Over"]
    ws = wb["Verdeling"]
    # A's cells are €22.50 and €12.50: a tie, the earlier goal's half goes up (23 + 35)
    assert [c.value for c in ws[4]][:4] == ["Totaal", 58, 42, 100]


def test_infeasible_exit_3_with_json(small: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    js = tmp_path / "r.json"
    assert main(["solve", str(small), "--budget", "10", "--floor", "0.5", "--json", str(js),
                 "--no-report", "--lang", "en"]) == 3
    err = capsys.readouterr().err
    assert "allocator: infeasible: " in err
    assert "The smallest budget at which they hold is €95." in err
    assert main(["solve", str(small), "--budget", "10", "--floor", "0.5", "--no-report"]) == 3
    err = capsys.readouterr().err  # Dutch by default
    assert err.startswith("allocator: onhaalbaar: De regels kunnen niet allemaal gelden bij "
                          "een budget van €10.")
    data = json.loads(js.read_text())
    assert data["status"] == "infeasible"
    assert data["infeasibility"]["min_budget_eur"] == pytest.approx(95)
    assert data["allocations"] == []


def test_text_from_input_is_never_a_formula(tmp_path: Path) -> None:
    t = {k: [row[:] for row in v] for k, v in SMALL.items()}
    t["regions"][1][1] = '=HYPERLINK("http://x","y")'
    t["regions"][2][1] = "+1"
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(write_csv_instance(tmp_path / "i", t)), "--out", str(out),
                 "-q"]) == 0
    ws = openpyxl.load_workbook(out)["Verdeling"]
    cells = {ws.cell(row=i, column=1).value: ws.cell(row=i, column=1).data_type
             for i in (2, 3)}
    assert cells == {'=HYPERLINK("http://x","y")': "s", "+1": "s"}


def test_validate(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(small)]) == 0
    assert "geldig — 2 regio's, 2 doelen, 4 cellen, totale behoefte €290" in \
        capsys.readouterr().out


def test_help_does_not_import_the_solver_stack() -> None:
    code = ("import sys, runpy; sys.argv=['allocator','--help']\n"
            "try:\n    runpy.run_module('allocator', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "heavy = [m for m in ('pyomo', 'highspy', 'pandas', 'openpyxl') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in out.stdout
    assert "solve" in out.stdout


def test_console_script_runs(small: Path) -> None:
    exe = Path(sys.executable).with_name("allocator")
    out = subprocess.run([str(exe), "solve", str(small), "--no-report"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert "controle: grootste overschrijding €0,00" in out.stdout


def test_generate_then_solve(tmp_path: Path) -> None:
    assert main(["generate", str(tmp_path / "g"), "--regions", "11", "--seed", "3"]) == 0
    assert main(["solve", str(tmp_path / "g"), "--no-report", "-q"]) == 0


def test_generate_refuses_an_unknown_rule(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", str(tmp_path / "g"), "--regions", "5", "--rules", "floor,fair"]) == 2
    assert capsys.readouterr().err == ("allocator: onbekende regel 'fair' in --rules; bekend: "
                                       "floor, gap, shares, per-capita\n")
    assert not (tmp_path / "g").exists()


def test_time_limit_ends_in_an_honest_status(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from allocator.studies.generate import synthetic_tables, write_csv_folder

    folder = write_csv_folder(tmp_path / "big", synthetic_tables(
        20_000, rules=("floor", "gap", "shares")))
    js = tmp_path / "r.json"
    code = main(["solve", str(folder), "--time-limit", "0.001", "--json", str(js),
                 "--no-report", "-q"])
    data = json.loads(js.read_text())
    assert code == 1
    assert data["status"] == "time_limit"
    assert data["allocations"] == []
    assert data["certificate"] is None
    assert capsys.readouterr().err == (
        "allocator: tijdslimiet: De solver stopte zonder optimaal antwoord (time_limit); er "
        "wordt geen verdeling gegeven.\n")
    assert data["message"] == ("The solver stopped without an optimal answer (time_limit); "
                               "no allocation is reported.")


def test_the_terminal_summary_in_dutch_and_in_english(small: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(small), "--no-report"]) == 0
    dutch = capsys.readouterr().out
    assert "verdeeld €100 van €100" in dutch
    assert "gewogen onvervulde behoefte" in dutch and "weighted" not in dutch
    assert main(["solve", str(small), "--no-report", "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert "allocated €100 of €100" in english and "verdeeld" not in english


def test_validate_warns_about_figures_without_a_source(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import SMALL, write_csv_instance

    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    tables["regions"] = [tables["regions"][0] + ["status", "source"],
                         tables["regions"][1] + ["SRC", "CBS"],
                         tables["regions"][2] + ["ASSUMED", ""]]
    folder = write_csv_instance(tmp_path / "s", tables)
    assert main(["validate", str(folder)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "waarschuwing: regions 'B' population: geen bron" in err
    assert "waarschuwing: regions 'B' weight: geen bron" in err
    assert "waarschuwing: regions 'A' population: geen bron" not in err
    assert "waarschuwing: needs 'A/g1' need_eur: geen status" in err  # no status column
    assert main(["validate", str(folder), "--lang", "en"]) == 0
    assert "warning: regions 'B' population: no source" in capsys.readouterr().err.splitlines()
    assert main(["validate", str(Path(__file__).parent.parent / "instances" / "npvr-2026")]) == 0
    assert capsys.readouterr().err == ""  # every figure of the default has both


def test_the_terminal_lists_the_regions_at_both_ends_above_sixty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Above 60 regions the terminal shows the 10 lowest and 10 highest covered regions
    (every region is in the report), in that order, with one line saying so."""
    import allocator
    from allocator.studies.generate import synthetic_tables, write_csv_folder

    folder = write_csv_folder(tmp_path / "g", synthetic_tables(100, seed=4, family="binding"))
    assert main(["solve", str(folder), "--no-report", "--no-sensitivity"]) == 0
    lines = capsys.readouterr().out.splitlines()
    more = ("... 80 regio's meer (hierboven de 10 met de laagste en de 10 met de hoogste "
            "dekking; alle regio's staan in het rapport)")
    at = lines.index(more)
    shown = [line.split()[0] for line in lines[at - 10:at] + lines[at + 1:at + 11]]
    # the coverage the terminal shows: the figures table's
    coverage = allocator.solve(folder).figures.regions["coverage_after"]
    ranked = list(coverage.sort_values(kind="stable").index)
    assert shown == ranked[:10] + ranked[-10:]
    assert lines[at + 11].startswith("---")
