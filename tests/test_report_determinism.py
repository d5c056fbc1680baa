"""The same instance gives the same report: byte for byte on a re-run (with the clock pinned
by SOURCE_DATE_EPOCH), and cell for cell across shuffled rows and CSV vs xlsx."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from allocator.cli import main
from tests.conftest import SMALL, write_csv_instance, write_xlsx_instance

#: Rows of the "Over" sheet that describe the run rather than the answer.
RUN_ROWS = ("Bestand", "SHA-256", "Rekentijd solver (s)", "Opdracht")


def solve(instance: Path, out: Path) -> Path:
    assert main(["solve", str(instance), "--out", str(out), "-q"]) == 0
    return out


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
        out[ws.title] = [r for r in rows if r[0] not in RUN_ROWS]
    return out


def test_rerun_gives_the_same_bytes(small: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    a = parts(solve(small, tmp_path / "a.xlsx"))
    b = parts(solve(small, tmp_path / "b.xlsx"))
    assert a.keys() == b.keys()
    differ = [name for name in a if a[name] != b[name]]
    # Only the sheet that states the run (solver seconds, command with its output path).
    assert differ in ([], ["xl/worksheets/sheet10.xml"]), differ  # About, the tenth
    assert cells(tmp_path / "a.xlsx")["Over"][-1] == ("Gemaakt op", "2026-01-01 00:00 UTC")


def test_shuffled_rows_and_formats_give_the_same_report(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    shuffled = {k: [v[0], *random.Random(3).sample(v[1:], len(v) - 1)] for k, v in SMALL.items()}
    reports = [
        solve(write_csv_instance(tmp_path / "plain", SMALL), tmp_path / "1.xlsx"),
        solve(write_csv_instance(tmp_path / "shuffled", shuffled), tmp_path / "2.xlsx"),
        solve(write_xlsx_instance(tmp_path / "book.xlsx", shuffled), tmp_path / "3.xlsx"),
    ]
    first = cells(reports[0])
    for other in reports[1:]:
        got = cells(other)
        for sheet in first:
            if sheet != "Samenvatting":  # it names the instance, which differs by file name
                assert got[sheet] == first[sheet], sheet
        assert got["Samenvatting"][3:] == first["Samenvatting"][3:]
