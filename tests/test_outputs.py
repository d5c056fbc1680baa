"""Never lose a user's file: outputs that cannot touch inputs, modes that stay, text that
stays text, and no silent guess. The fault-injection tests (full disk, read-only folder,
signals, two runs at once) are in tests/test_faults.py."""

from __future__ import annotations

import copy
import csv
import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook

from allocator.cli import main
from tests.conftest import SMALL, write_csv_instance, write_xlsx_instance

#: These tests pin the English messages word for word (Dutch: tests/test_messages.py).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).parent.parent
NPVR = ROOT / "instances" / "npvr-2026.xlsx"
AGENDA = ROOT / "instances" / "npvr-agenda-2026-2029.xlsx"


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: its content hash and mode."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                         stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.rglob("*")) if p.is_file()}


def err_of(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err.strip()


# --- inputs are sacred ---------------------------------------------------------------------


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(NPVR, tmp_path / "in.xlsx")
    write_csv_instance(tmp_path / "folder", SMALL)
    with open(tmp_path / "variants.csv", "w") as fh:
        fh.write("name,budget_eur\nlaag,100000000\n")
    shutil.copy(AGENDA, tmp_path / "agenda.xlsx")
    (tmp_path / "in.xlsx").chmod(0o644)
    return tmp_path


@pytest.mark.parametrize(("argv", "message"), [
    (["solve", "in.xlsx", "--out", "in.xlsx"],
     "allocator: --out in.xlsx is an input of this run (in.xlsx); it would be overwritten. "
     "Choose another output file"),
    (["solve", "in.xlsx", "--json", "in.xlsx", "--no-report"],
     "allocator: --json in.xlsx is an input of this run (in.xlsx); it would be overwritten. "
     "Choose another output file"),
    (["solve", "folder", "--out", "folder/needs.csv"],
     "allocator: --out folder/needs.csv is an input of this run (folder/needs.csv); it would "
     "be overwritten. Choose another output file"),
    (["solve", "folder", "--out", "folder/new.xlsx"],
     "allocator: --out folder/new.xlsx lies in the instance folder folder; an output there "
     "would change the instance. Choose a file outside it"),
    (["compare", "in.xlsx", "variants.csv", "--out", "variants.csv"],
     "allocator: --out variants.csv is an input of this run (variants.csv); it would be "
     "overwritten. Choose another output file"),
    (["agenda", "agenda.xlsx", "--out", "agenda.xlsx"],
     "allocator: --out agenda.xlsx is an input of this run (agenda.xlsx); it would be "
     "overwritten. Choose another output file"),
    (["solve", "in.xlsx", "--policy", "in.xlsx.toml", "--out", "r.xlsx", "--json", "r.xlsx"],
     "allocator: --json r.xlsx and --out r.xlsx are the same file; give each output its own "
     "file"),
    (["solve", "in.xlsx", "--out", "."],
     "allocator: --out . is a folder; give a file name"),
    (["solve", "in.xlsx", "--out", "in.xlsx/r.xlsx"],
     "allocator: --out in.xlsx/r.xlsx cannot be created: {tmp}/in.xlsx is a file, not a "
     "folder"),
    (["grid", "in.xlsx", "--budgets", "1e8,2e8", "--csv", "r.xlsx", "--out", "r.xlsx"],
     "allocator: --csv r.xlsx and --out r.xlsx are the same file; give each output its own "
     "file"),
])
def test_an_output_on_an_input_is_refused_before_any_work(
        work: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(work)
    (work / "in.xlsx.toml").write_text("[policy]\ncoverage_floor = 0.25\n")
    before = fingerprint(work)
    assert main(argv) == 2
    assert err_of(capsys) == message.format(tmp=work)
    assert fingerprint(work) == before  # nothing changed, nothing added
    assert not (work / "reports").exists()


def test_links_to_an_input_are_the_input(work: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(work)
    os.link("in.xlsx", "hard.xlsx")
    os.symlink("in.xlsx", "soft.xlsx")
    before = fingerprint(work)
    assert main(["solve", "in.xlsx", "--out", "hard.xlsx"]) == 2
    assert "--out hard.xlsx is an input of this run (in.xlsx)" in err_of(capsys)
    assert main(["solve", "hard.xlsx", "--json", "soft.xlsx", "--no-report"]) == 2
    assert "--json soft.xlsx is an input of this run (hard.xlsx)" in err_of(capsys)
    assert fingerprint(work) == before


def test_template_and_generate_keep_existing_files(work: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(work)
    assert main(["template", str(work / "in.xlsx")]) == 2
    assert err_of(capsys) == (f"allocator: {work / 'in.xlsx'} exists (a filled-in instance?); "
                              "give another name, or --force to replace it")
    assert main(["generate", str(work / "folder"), "--regions", "3"]) == 2
    assert err_of(capsys) == (f"allocator: {work / 'folder'} is not empty; give a new folder, "
                              "or --force to replace its tables")
    assert fingerprint(work) == before
    assert main(["template", str(work / "in.xlsx"), "--force"]) == 0
    assert fingerprint(work)["in.xlsx"] != before["in.xlsx"]


# --- file modes ----------------------------------------------------------------------------


def test_new_files_take_the_umask_and_replaced_files_keep_their_mode(
        tmp_path: Path) -> None:
    instance = write_csv_instance(tmp_path / "i", SMALL)
    out, js = tmp_path / "r.xlsx", tmp_path / "r.json"
    old = os.umask(0o022)
    try:
        assert main(["solve", str(instance), "--out", str(out), "--json", str(js), "-q"]) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        assert stat.S_IMODE(js.stat().st_mode) == 0o644
        out.chmod(0o640)
        js.chmod(0o664)
        assert main(["solve", str(instance), "--budget", "90", "--out", str(out), "--json",
                     str(js), "-q"]) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
        assert stat.S_IMODE(js.stat().st_mode) == 0o664
        assert '"budget_eur": 90.0' in js.read_text()
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i", "r.json", "r.xlsx"]


# --- text is text --------------------------------------------------------------------------


def test_grid_csv_escapes_formula_like_names(tmp_path: Path) -> None:
    variants = tmp_path / "variants.csv"
    with open(variants, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "coverage_floor"])
        w.writerow(['=HYPERLINK("http://example.com","klik")', "0.1"])
        w.writerow(["\t=1+2", "0.15"])
        w.writerow(["+31 bel", "0.2"])
        w.writerow(["@SUM(A1)", "0.2"])
        w.writerow(["-laag", "0.05"])
        w.writerow(["gewoon", "0.1"])
    out = tmp_path / "grid.csv"
    assert main(["grid", str(NPVR), "--budgets", "2e8", "--policies", str(variants),
                 "--csv", str(out), "--no-report", "-q"]) == 0
    with open(out, newline="") as fh:
        policies = [row["policy"] for row in csv.DictReader(fh)]
    assert policies == ["'=HYPERLINK(\"http://example.com\",\"klik\")", "'=1+2", "'+31 bel",
                        "'@SUM(A1)", "'-laag", "gewoon"]
    assert all(not p.startswith(("=", "+", "-", "@", "\t", "\r")) for p in policies)


@pytest.mark.parametrize(("table", "row", "column", "text", "where", "char"), [
    ("regions", 1, 1, "Alpha\x07", "regions.csv, row 2, name", "U+0007 (BEL)"),
    ("goals", 2, 1, "\x0bpasted", "goals.csv, row 3, weight", "U+000B (vertical tab)"),
    ("needs", 3, 2, "\x1b[31m12", "needs.csv, row 4, need_eur", "U+001B (ESC)"),
    ("policy", 1, 1, "100\x85", "policy.csv, row 2, value", "U+0085"),
])
def test_control_characters_are_refused_with_the_cell_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, row: int,
        column: int, text: str, where: str, char: str) -> None:
    t = copy.deepcopy(SMALL)
    t["goals"] = [["goal", "weight", "name"], ["g1", 1, "Een"], ["g2", 1, "Twee"]]
    t[table][row][column] = text
    folder = write_csv_instance(tmp_path / "bad", t)
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(folder), "--out", str(out), "--json", str(tmp_path / "r.json")]
                ) == 2
    err = err_of(capsys)
    assert f"error: bad/{where}: holds the control character {char}, which a workbook cannot " \
           "hold and a terminal may act on; delete it (text pasted from a PDF often carries " \
           "one)" in err
    assert "\x1b" not in err and "\x07" not in err
    assert not out.exists() and not (tmp_path / "r.json").exists()


def test_control_character_in_a_source_note_and_a_scenario_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = copy.deepcopy(SMALL)
    t["regions"] = [["region", "population", "source"], ["A", 100, "CBS \x1b]8;;x\x07"],
                    ["B", 200, "CBS"]]
    assert main(["validate", str(write_csv_instance(tmp_path / "i", t))]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: i/regions.csv, row 2, source: holds the control character U+001B (ESC), which "
        "a workbook cannot hold and a terminal may act on; delete it (text pasted from a PDF "
        "often carries one)")
    good = write_csv_instance(tmp_path / "good", SMALL)
    (tmp_path / "v.csv").write_text("name,budget_eur\nlaag\x0b,50\n")
    assert main(["compare", str(good), str(tmp_path / "v.csv"), "--out",
                 str(tmp_path / "c.xlsx")]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: v.csv, row 2, name: holds the control character U+000B (vertical tab), which "
        "a workbook cannot hold and a terminal may act on; delete it (text pasted from a PDF "
        "often carries one)")


def test_text_that_skipped_validation_is_made_safe_in_the_workbook(tmp_path: Path) -> None:
    import openpyxl

    from allocator.reports.workbook import put

    wb = Workbook()
    put(wb.active, 1, 1, "bel\x07 en esc\x1b")
    wb.save(tmp_path / "w.xlsx")
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").active["A1"].value == \
        "bel\ufffd en esc\ufffd"


# --- no silent guess -----------------------------------------------------------------------


def test_duplicate_headers_are_refused(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    t = copy.deepcopy(SMALL)
    t["needs"] = [row + [row[2]] for row in t["needs"]]
    assert main(["validate", str(write_csv_instance(tmp_path / "c", t))]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: c/needs.csv, need_eur: the column 'need_eur' appears 2 times (columns C, F); "
        "keep one, so that no value is read from the wrong one")
    t = copy.deepcopy(SMALL)
    t["regions"] = [row + [row[2]] for row in t["regions"]]
    t["regions"][0][-1] = " Population"
    assert main(["validate", str(write_xlsx_instance(tmp_path / "x.xlsx", t))]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: x.xlsx, sheet regions, population: the column 'population' appears 2 times "
        "(columns C, E); keep one, so that no value is read from the wrong one")


@pytest.mark.parametrize("key", ["budget_eur", "coverage_floor"])
def test_excel_true_is_not_a_number(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    key: str) -> None:
    t = copy.deepcopy(SMALL)
    t["policy"] = [["key", "value"], ["budget_eur", 100], ["coverage_floor", 0.3]]
    t["policy"][1 if key == "budget_eur" else 2][1] = True  # a real Excel TRUE cell
    path = write_xlsx_instance(tmp_path / "b.xlsx", t)
    assert main(["validate", str(path)]) == 2
    assert err_of(capsys).splitlines()[0] == (
        f"error: b.xlsx, sheet policy, row {2 if key == 'budget_eur' else 3}, value: {key}: "
        "must be a number, not true or false, got True")


def test_true_in_a_policy_file_is_not_a_number(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    preset = tmp_path / "p.toml"
    preset.write_text("[policy]\nbudget_eur = true\n")
    folder = write_csv_instance(tmp_path / "i", SMALL)
    assert main(["solve", str(folder), "--policy", str(preset), "--no-report"]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: p.toml: budget_eur: must be a number, not true or false")


def test_two_national_funders_are_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "agenda"
    shutil.copytree(ROOT / "instances" / "npvr-agenda-2026-2029", folder)
    with open(folder / "funders.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("national")
    first = next(i for i, r in enumerate(rows) if r[col].lower() == "true")
    second = next(i for i, r in enumerate(rows) if i > first and r[col].lower() != "true")
    rows[second][col] = "true"
    with open(folder / "funders.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    assert main(["agenda", str(folder), "--no-report"]) == 2
    assert err_of(capsys).splitlines()[0] == (
        f"error: agenda/funders.csv, row {second + 1}, national: a second funder marked "
        f"national (the first is on row {first + 1}); exactly one funder is national")


# --- bounded and finite --------------------------------------------------------------------


def test_huge_amounts_are_refused_before_the_solver(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    t = copy.deepcopy(SMALL)
    t["needs"][1][2] = "1e308"
    assert main(["validate", str(write_csv_instance(tmp_path / "n", t))]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: n/needs.csv, row 2, need_eur: must be <= 10,000,000,000,000, got 1e308")
    good = write_csv_instance(tmp_path / "good", SMALL)
    assert main(["solve", str(good), "--tiers", "25%: 1e308", "--no-report"]) == 2
    assert "shortfall_tiers: a multiplier must be at most 10000" in err_of(capsys)
    (tmp_path / "needs.csv").write_text("scenario,factor\nhoog,1e308\n")
    assert main(["robust", str(good), str(tmp_path / "needs.csv"), "--no-report"]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: needs.csv, row 2, factor: must be <= 1,000, got 1e308")
    (tmp_path / "needs.csv").write_text("scenario,factor\nhoog,1000\nhoog,1000\n")
    big = copy.deepcopy(SMALL)
    big["needs"][1][2] = 1e11
    inst = write_csv_instance(tmp_path / "big", big)
    assert main(["robust", str(inst), str(tmp_path / "needs.csv"), "--no-report"]) == 2
    assert err_of(capsys).splitlines()[0] == (
        "error: needs.csv, row 2, factor: scenario 'hoog' makes a need of "
        "€100,000,000,000,000,000 (needs in all €100,000,000,190,000,000), above the limit of "
        "€10,000,000,000,000 per need and €1,000,000,000,000,000 in all")


@pytest.mark.parametrize(("argv", "message"), [
    (["sweep", "{npvr}", "--steps", "1000000000000"],
     "allocator: --steps 1000000000000: give 1 to 10,000 budgets"),
    (["sweep", "{npvr}", "--from", "120", "--to", "90"],
     "allocator: --from 120 lies above --to 90: give the lower budget first"),
    (["sweep", "{npvr}", "--from", "1e9", "--to", "2e9"],
     "allocator: the curve runs from €104,473,754 (the least budget at which the rules hold) "
     "to €867,096,898 (beyond which nothing more can be placed); €1,000,000,000 to "
     "€2,000,000,000 lies outside it"),
    (["grid", "{npvr}", "--budgets", "1e8:1e9:1e15"],
     "allocator: --budgets '1e8:1e9:1e15': N must be at most 10,000"),
    (["grid", "{npvr}", "--budgets", "1e8:1e9:x"],
     "allocator: --budgets '1e8:1e9:x': write FROM:TO:N with numbers, for example 1e8:1e9:10"),
    (["grid", "{npvr}", "--budgets", "1e8:1e9:3", "--scheduler", "tcp://127.0.0.1:1"],
     "allocator: no Dask scheduler answered at tcp://127.0.0.1:1 within 5 s (Timed out "
     "trying to connect to tcp://127.0.0.1:1 after 5 s)"),
])
def test_counts_and_ranges_end_in_one_line(argv: list[str], message: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.format(npvr=NPVR) for a in argv] + ["--no-report", "--json",
                                                   str(tmp_path / "r.json")]
    code = main(argv)
    assert err_of(capsys) == message
    assert code == (1 if "scheduler" in message else 2)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("table", ["regions", "goals", "needs"])
def test_a_table_with_a_header_and_no_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           table: str) -> None:
    t = copy.deepcopy(SMALL)
    t[table] = t[table][:1]
    assert main(["validate", str(write_xlsx_instance(tmp_path / "e.xlsx", t))]) == 2
    assert err_of(capsys).splitlines()[0] == (
        f"error: e.xlsx, sheet {table}: a header but no rows: give at least one row")


# --- the last line of defence ---------------------------------------------------------------


def test_an_unexpected_error_is_one_line_and_debug_shows_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.solving.engine

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nunforeseen")

    monkeypatch.setattr(allocator.solving.engine, "solve", broken)
    folder = write_csv_instance(tmp_path / "i", SMALL)
    assert main(["solve", str(folder), "--out", str(tmp_path / "r.xlsx")]) == 1
    assert err_of(capsys) == (
        "allocator: unexpected error (RuntimeError: something unforeseen); nothing was "
        "written; earlier files are unchanged. Run again with --debug to see where it "
        "happened, and report it.")
    with pytest.raises(RuntimeError, match="unforeseen"):
        main(["--debug", "solve", str(folder), "--no-report"])
    with pytest.raises(RuntimeError, match="unforeseen"):
        main(["solve", str(folder), "--no-report", "--debug"])


@pytest.mark.parametrize("name", ["Noord-Limburg", 'Kop van "Noord", Holland\nzuid'])
def test_csv_bytes_reads_back_as_the_table_it_wrote(name: str) -> None:
    """pyarrow writes the numbers; text is quoted only where it needs it (the second name
    takes the path where a cell holds a comma, a quote and a line break), formula-like text
    gets its leading quote, and pandas reads back every value."""
    import io

    import numpy as np
    import pandas as pd

    from allocator.output import csv_bytes

    frame = pd.DataFrame({"region": pd.Categorical([name, "B"]),
                          "amount_eur": [552281.0, 0.1 + 0.2], "count": [3, 4],
                          "cap": [np.nan, 1.5], "held": [True, False],
                          "note": ["=HYPERLINK(1)", None]})
    text = csv_bytes(frame).decode()
    assert text.splitlines()[0] == "region,amount_eur,count,cap,held,note"
    assert text.endswith("B,0.30000000000000004,4,1.5,False,\n")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert back["region"].tolist() == [name, "B"]
    assert back["amount_eur"].tolist() == [552281.0, 0.1 + 0.2]
    assert back["count"].tolist() == [3, 4] and back["held"].tolist() == [True, False]
    assert np.isnan(back["cap"][0]) and back["cap"][1] == 1.5
    assert back["note"][0] == "'=HYPERLINK(1)" and pd.isna(back["note"][1])
