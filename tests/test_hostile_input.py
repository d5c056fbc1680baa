"""Hostile or broken files: exit 2, one clear message, no traceback, nothing written.

Large files are generated here rather than stored; each case must end within seconds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from allocator.cli import main
from allocator.inputs import read
from tests.conftest import SMALL, write_csv_instance, write_xlsx_instance

#: These tests pin the English messages word for word (Dutch: tests/test_messages.py).
pytestmark = pytest.mark.usefixtures("english")


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], path: Path) -> list[str]:
    out = tmp_path / "out.xlsx"
    assert main(["solve", str(path), "--out", str(out), "--json", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not out.exists() and not (tmp_path / "o.json").exists()
    return [line.removeprefix("error: ") for line in err.strip().splitlines()[:-1]]


def rezip(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    """Copy a workbook, replacing some of its parts."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, change.get(item.filename, src.read(item.filename)))
    return target


def test_truncated_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_xlsx_instance(tmp_path / "good.xlsx", SMALL).read_bytes()
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(good[: len(good) // 2])
    assert refused(tmp_path, capsys, bad) == [
        "cut.xlsx: not an Excel workbook (.xlsx), or it is damaged: it is no readable zip "
        "archive, as every .xlsx file is"]


def test_entity_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_xlsx_instance(tmp_path / "good.xlsx", SMALL)
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "lol">{lol}]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
            '</sheetData></worksheet>').encode()
    bad = rezip(good, tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": bomb})
    assert refused(tmp_path, capsys, bad) == [
        "bomb.xlsx: refused: the workbook declares XML entities, which no Excel file needs "
        "(an entity bomb?) (EntitiesForbidden)"]


def test_zip_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_xlsx_instance(tmp_path / "good.xlsx", SMALL)
    zeros = bytes(20 << 20)  # 20 MB that compress about a thousand to one
    bad = rezip(good, tmp_path / "zip.xlsx", {"xl/worksheets/sheet3.xml": zeros})
    [message] = refused(tmp_path, capsys, bad)
    assert message.startswith("zip.xlsx: part xl/worksheets/sheet3.xml is compressed ")
    assert message.endswith(" to 1, above the limit of 100 to 1 (a zip bomb?)")


def test_unpacked_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_UNPACKED_BYTES", 1 << 10)
    good = write_xlsx_instance(tmp_path / "big.xlsx", SMALL)
    [message] = refused(tmp_path, capsys, good)
    assert message.startswith("big.xlsx: unpacks to ")
    assert message.endswith(" MB, above the limit of 0 MB; give large instances as CSV")


def test_declared_million_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_xlsx_instance(tmp_path / "good.xlsx", SMALL)
    with zipfile.ZipFile(good) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    start = sheet.index("<dimension")
    end = sheet.index("/>", start) + 2
    sheet = sheet[:start] + '<dimension ref="A1:D1048576"/>' + sheet[end:]
    bad = rezip(good, tmp_path / "rows.xlsx", {"xl/worksheets/sheet1.xml": sheet.encode()})
    assert refused(tmp_path, capsys, bad) == [
        "rows.xlsx: sheet regions has 1,048,576 rows, above the limit of 300,000; "
        "give large instances as CSV"]


def test_declared_columns_beyond_the_limit(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    good = write_xlsx_instance(tmp_path / "good.xlsx", SMALL)
    with zipfile.ZipFile(good) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    start = sheet.index("<dimension")
    sheet = sheet[:start] + '<dimension ref="A1:XFD3"/>' + sheet[sheet.index("/>", start) + 2:]
    bad = rezip(good, tmp_path / "wide.xlsx", {"xl/worksheets/sheet2.xml": sheet.encode()})
    assert refused(tmp_path, capsys, bad) == [
        "wide.xlsx: sheet goals has 16,384 columns, above the limit of 100"]


def test_rows_beyond_the_limit_are_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_SHEET_ROWS", 3)  # the sheet's own dimension is not trusted
    tables = dict(SMALL, needs=SMALL["needs"] + [["A", "g3", 1, 0, None]] * 5)
    path = write_xlsx_instance(tmp_path / "long.xlsx", tables)
    with zipfile.ZipFile(path) as z:  # drop the dimension so that only counting can tell
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet3.xml"].decode()
    start = sheet.index("<dimension")
    parts["xl/worksheets/sheet3.xml"] = (sheet[:start] + sheet[sheet.index("/>", start) + 2:]
                                         ).encode()
    bad = rezip(path, tmp_path / "long2.xlsx", parts)
    assert refused(tmp_path, capsys, bad)[-1] == (
        "long2.xlsx: sheet needs has more than 2 rows, the limit; give large instances as CSV")


def test_binary_garbage_as_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import random

    folder = write_csv_instance(tmp_path / "g", SMALL)
    rng = random.Random(1)
    (folder / "needs.csv").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    assert refused(tmp_path, capsys, folder) == ["g/needs.csv: a binary file, not CSV text"]


def test_not_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_csv_instance(tmp_path / "g", SMALL)
    (folder / "goals.csv").write_bytes(b"goal,weight\n\x81\x8d\x8f,1\n")  # none of the three
    assert refused(tmp_path, capsys, folder) == [
        "g/goals.csv: not a text file in UTF-8 or Windows-1252; save it as CSV (UTF-8)"]


def test_ragged_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_csv_instance(tmp_path / "g", SMALL)
    (folder / "goals.csv").write_text("goal,weight\ng1,1\ng2,1,7\n\ng3\n")
    assert refused(tmp_path, capsys, folder) == [
        "g/goals.csv, row 3: 3 fields where the header has 2",
        "g/goals.csv, row 5: 1 fields where the header has 2"]


def test_too_many_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_csv_instance(tmp_path / "g", SMALL)
    (folder / "goals.csv").write_text(",".join(f"c{i}" for i in range(150)) + "\n")
    assert refused(tmp_path, capsys, folder) == [
        "g/goals.csv: 150 columns, above the limit of 100"]


def test_runaway_and_control_character_ids(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    tables["regions"][1][0] = "x" * 10_000
    tables["goals"][1][0] = "g\x07"  # Excel cannot hold it; an export to CSV can
    path = write_csv_instance(tmp_path / "ids", tables)
    got = refused(tmp_path, capsys, path)
    assert got[0] == ("ids/regions.csv, row 2, region: id longer than 200 characters: "
                      f"'{'x' * 37}...'")
    assert got[1] == ("ids/goals.csv, row 2, goal: holds the control character U+0007 (BEL), "
                      "which a workbook cannot hold and a terminal may act on; delete it (text "
                      "pasted from a PDF often carries one)")
    tables["goals"][1][0] = "g\tx"  # a tab: fine in a note, not in an id
    path = write_csv_instance(tmp_path / "tab", tables)
    assert refused(tmp_path, capsys, path)[1] == (
        "tab/goals.csv, row 2, goal: id holds a control character (tab, line break or similar)")


def test_nothing_left_behind_when_writing_fails(tmp_path: Path) -> None:
    from allocator.output import atomic_write

    target = tmp_path / "r.xlsx"
    target.write_bytes(b"earlier report")

    def fail(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(target, fail)
    assert target.read_bytes() == b"earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_folder_without_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert refused(tmp_path, capsys, tmp_path / "empty") == [
        f"empty/{t}.csv: missing file (or {nl}.csv)" for t, nl in (
            ("regions", "regios"), ("goals", "doelen"), ("needs", "behoeften"),
            ("policy", "beleid"))]


def test_io_error_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_csv_instance(tmp_path / "g", SMALL)
    (folder / "needs.csv").unlink()
    (folder / "needs.csv").mkdir()  # a folder where a file should be
    assert refused(tmp_path, capsys, folder) == ["g/needs.csv: missing file (or behoeften.csv)"]
