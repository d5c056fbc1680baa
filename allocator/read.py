"""Readers: turn an instance file (xlsx workbook or CSV folder) into raw tables.

Readers know no solver and no rule: they return every cell as text or number, with the row
number a person would see in Excel or a text editor, so validation can point at it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from allocator.errors import InputError, Problem

TABLES = ("regions", "goals", "needs", "policy")
OPTIONAL_TABLES = ("sources",)
ROW = "_row"  # column holding the row number as the user sees it


@dataclass(frozen=True)
class RawTable:
    """One sheet or CSV file: lower-cased column names, a ``_row`` column, blank rows gone."""

    frame: pd.DataFrame
    file: str  # file name as shown in messages
    sheet: str | None  # sheet name for workbooks, None for CSV

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(self.file, message, self.sheet, row, column)


def read_instance(path: str | Path) -> dict[str, RawTable]:
    """Read the tables of an instance; raise :class:`InputError` if the file cannot be read."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), "no such file or folder")])
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() == ".csv":
        raise InputError(
            [Problem(path.name, "a CSV instance is a folder holding regions.csv, goals.csv, "
                     "needs.csv and policy.csv; give the folder")]
        )
    return _read_workbook(path)


def _frame(header: list[object], rows: list[tuple[int, list[object]]]) -> pd.DataFrame:
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    keep = [i for i, n in enumerate(names) if n and n not in names[:i]]
    data = {names[i]: [r[i] if i < len(r) else None for _, r in rows] for i in keep}
    frame = pd.DataFrame(data, dtype=object)
    frame[ROW] = [n for n, _ in rows]
    return frame


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_workbook(path: Path) -> dict[str, RawTable]:
    import openpyxl  # the workbook reader parses XML through defusedxml when it is installed

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            [Problem(path.name, f"not an Excel workbook (.xlsx) or it is damaged ({exc})")]
        ) from None
    try:
        by_name = {name.strip().lower(): name for name in wb.sheetnames}
        tables: dict[str, RawTable] = {}
        problems = []
        for table in TABLES + OPTIONAL_TABLES:
            if table not in by_name:
                if table in TABLES:
                    problems.append(Problem(path.name, f"missing sheet '{table}'"))
                continue
            ws = wb[by_name[table]]
            header: list[object] | None = None
            rows: list[tuple[int, list[object]]] = []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = list(values)
                if all(_blank(v) for v in cells):
                    continue
                if header is None:
                    header = cells
                else:
                    rows.append((number, cells))
            tables[table] = RawTable(_frame(header or [], rows), path.name, by_name[table])
    finally:
        wb.close()
    if problems:
        raise InputError(problems)
    return tables


def _read_folder(path: Path) -> dict[str, RawTable]:
    files = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    tables: dict[str, RawTable] = {}
    problems = []
    for table in TABLES + OPTIONAL_TABLES:
        file = files.get(f"{table}.csv")
        if file is None:
            if table in TABLES:
                problems.append(Problem(f"{path.name}/{table}.csv", "missing file"))
            continue
        shown = f"{path.name}/{file.name}"
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(shown, "not a UTF-8 text file"))
            continue
        try:
            tables[table] = RawTable(_csv_frame(text), shown, None)
        except pd.errors.ParserError as exc:
            problems.append(Problem(shown, f"not a readable CSV table ({exc})".strip()))
    if problems:
        raise InputError(problems)
    return tables


def _csv_frame(text: str) -> pd.DataFrame:
    """Parse CSV text with pandas, keeping the line number of each row."""
    lines = text.split("\n")
    lead = 0
    while lead < len(lines) - 1 and not lines[lead].strip():
        lead += 1
    body = "\n".join(lines[lead:])
    first = lines[lead]
    sep = ";" if first.count(";") > first.count(",") else ","
    if not body.strip():
        return _frame([], [])
    frame = pd.read_csv(
        io.StringIO(body), sep=sep, dtype=str, keep_default_na=False,
        skip_blank_lines=False, engine="c",
    )  # a malformed line raises pandas.errors.ParserError; the caller locates it
    names = [str(c).strip().lower() for c in frame.columns]
    keep = [i for i, n in enumerate(names) if n and not n.startswith("unnamed:")
            and n not in names[:i]]
    frame = frame.iloc[:, keep].astype(object)
    frame.columns = [names[i] for i in keep]
    frame[ROW] = frame.index.to_numpy() + 2 + lead
    blank = frame.drop(columns=ROW).apply(lambda col: col.str.strip().eq("")).all(axis=1)
    return frame.loc[~blank].reset_index(drop=True)
