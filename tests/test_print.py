"""Every report prints legibly on A4: rendered by LibreOffice (as a reader's print would
be), every word of every text cell is on the page whole — no header cut to
``voorzieningennivea``, no sentence running off into the next column — and every page is
A4. `make test` installs LibreOffice (Debian's libreoffice-calc-nogui) and poppler-utils."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from allocator.cli import main

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026.xlsx"
AGENDA = ROOT / "instances" / "npvr-agenda-2026-2029.xlsx"
A4 = (841.89, 595.3)  # points, landscape


HYPHENS = re.compile(r"[\-–]")


class Printed:
    """The words of a printed text. A line may break at a hyphen, and the text extraction
    then either joins the two parts (dropping the hyphen) or, with another column's text
    between them, keeps them apart: a word is printed whole if it is there without its
    hyphens, or each of its parts is."""

    def __init__(self, text: str) -> None:
        self.joined = {HYPHENS.sub("", w) for w in text.split()}
        self.parts = {p for w in text.split() for p in HYPHENS.split(w) if p}

    def __contains__(self, word: str) -> bool:
        return HYPHENS.sub("", word) in self.joined or all(
            p in self.parts for p in HYPHENS.split(word) if p)


def words(text: str) -> list[str]:
    return text.split()


def rendered(workbook: Path) -> tuple[Printed, list[tuple[float, float]]]:
    """The words LibreOffice prints of ``workbook``, and the size of each page."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (make test installs libreoffice-calc-nogui)"
    profile = workbook.parent / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(workbook.parent), str(workbook)],
                   check=True, capture_output=True, timeout=300)
    pdf = workbook.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "1000", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = [(float(w), float(h)) for w, h in
             re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]
    return Printed(text), sizes


REPORTS = {
    "solve": ["solve", str(NPVR), "--no-sensitivity"],
    "solve-deal": ["solve", str(NPVR), "--policy", "regio-deal", "--no-sensitivity"],
    "sweep": ["sweep", str(NPVR), "--budgets", "250e6,500e6,1e9"],
    "agenda": ["agenda", str(AGENDA)],
}


@pytest.mark.parametrize("name", REPORTS)
def test_every_text_prints_whole_on_a4(tmp_path: Path, name: str) -> None:
    out = tmp_path / f"{name}.xlsx"
    assert main([*REPORTS[name], "--out", str(out), "-q"]) == 0
    printed, sizes = rendered(out)
    assert sizes and all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in sizes)
    wb = openpyxl.load_workbook(out)
    cut = {}
    for ws in wb.worksheets:
        missing = [w for row in ws.iter_rows(values_only=True) for v in row
                   if isinstance(v, str) for w in words(v) if w not in printed]
        if missing:
            cut[ws.title] = missing[:10]
    assert not cut, f"not printed whole: {cut}"


def test_the_compare_report_prints_whole(tmp_path: Path) -> None:
    table = tmp_path / "s.csv"
    table.write_text("name,policy,budget_eur\nbasis,,250000000\nregiodeal,regio-deal,\n")
    out = tmp_path / "c.xlsx"
    assert main(["compare", str(NPVR), str(table), "--out", str(out), "-q"]) == 0
    printed, _ = rendered(out)
    wb = openpyxl.load_workbook(out)
    missing = [w for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
               for v in row if isinstance(v, str) for w in words(v) if w not in printed]
    assert not missing


@pytest.mark.parametrize("name", ["solve", "sweep"])
def test_each_sheet_is_laid_out_to_print_whole(tmp_path: Path, name: str) -> None:
    """Sheet by sheet (the rendering above reads the whole workbook at once): every text
    wraps inside its column, every column is as wide as its longest word, and every row is
    as tall as its longest text — Verdeling's header read `voorzieningennivea` with a
    column narrower than the word."""
    import textwrap

    from allocator.reports.workbook import DEFAULT_WIDTH, LINE_POINTS

    out = tmp_path / f"{name}.xlsx"
    assert main([*REPORTS[name], "--out", str(out), "-q"]) == 0
    for ws in openpyxl.load_workbook(out).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not cell.value:
                    continue
                where = f"{ws.title}!{cell.coordinate}"
                assert cell.alignment.wrap_text, where
                width = ws.column_dimensions[cell.column_letter].width or DEFAULT_WIDTH
                assert max(len(w) for w in cell.value.split()) <= width, where
                lines = len(textwrap.wrap(cell.value, max(int(width * 0.95) - 1, 4)))
                if lines > 1:
                    assert (ws.row_dimensions[cell.row].height or 0) >= lines * LINE_POINTS, \
                        where
