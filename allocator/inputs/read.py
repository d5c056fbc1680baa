"""Readers: turn an instance file (xlsx workbook or CSV folder) into raw tables.

Readers know no solver and no rule: they return every cell as text or number, with the row
number a person would see in Excel or a text editor, so validation can point at it.

They also stand between the project and hostile files. Every limit below is checked before
the work it bounds is done, so a zip bomb, an entity bomb (defusedxml) or a sheet of a
million rows is refused within seconds and in bounded memory.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.inputs.names import TABLES_NL, column_name, table_name
from allocator.messages import Message

#: Largest CSV file read (bytes). A million-cell instance is about 30 MB.
MAX_CSV_BYTES = 1 << 30
#: Largest total an .xlsx may unpack to, and the largest compression ratio of a big member.
MAX_UNPACKED_BYTES = 256 << 20
MAX_RATIO = 100
#: Largest sheet read from a workbook (rows, counting the header); larger instances: CSV.
MAX_SHEET_ROWS = 300_001
#: Columns read per sheet or file; an instance table needs fewer than ten.
MAX_COLUMNS = 100

TABLES = ("regions", "goals", "needs", "policy")
OPTIONAL_TABLES = ("sources", "years", "funders", "envelopes", "streams", "indicators",
                   "need_model", "existing_streams")
ROW = "_row"  # column holding the row number as the user sees it


@dataclass(frozen=True)
class RawTable:
    """One sheet or CSV file: lower-cased column names, a ``_row`` column, blank rows gone.

    ``decimal`` is the decimal separator the file type settles ("." for comma-separated
    CSV), or None when the cells must settle it (see :mod:`allocator.inputs.cells`).
    """

    frame: pd.DataFrame
    file: str  # file name as shown in messages
    sheet: str | None  # sheet name for workbooks, None for CSV
    decimal: str | None = None

    def problem(self, message: Message | str, row: int | None = None,
                column: str | None = None) -> Problem:
        """A problem at ``row`` and ``column`` (the format's name of the column; the message
        shows it as the file writes it, a Dutch header as Dutch)."""
        written = self.frame.attrs.get("written", {})
        shown = written.get(column, column) if column is not None else None
        return Problem(self.file, message, self.sheet, row, shown)


def read_instance(path: str | Path) -> dict[str, RawTable]:
    """Read the tables of an instance; raise :class:`InputError` if the file cannot be read."""
    path = Path(path)
    if not path.exists():
        raise InputError([Problem(str(path), Message("no such file or folder"))])
    if path.is_dir():
        return _read_folder(path)
    if path.suffix.lower() == ".csv":
        raise InputError(
            [Problem(path.name, Message("a CSV instance is a folder holding regions.csv, "
                                        "goals.csv, needs.csv and policy.csv; give the folder"))]
        )
    return _read_workbook(path)


def read_table(path: str | Path) -> RawTable:
    """Read one table: a CSV file, or the first sheet of a workbook (a scenario list)."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), Message("no such file"))])
    sheet: str | None = None
    try:
        if path.suffix.lower() == ".csv":
            frame, sep = _csv_frame(path)
            return RawTable(frame, path.name, None, "." if sep == "," else None)
        wb = _open_workbook(path)
        try:
            sheet = wb.sheetnames[0]
            header, rows = _sheet_rows(wb[sheet], sheet)
        except _Refused:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _damaged(exc) from None
        finally:
            wb.close()
        return RawTable(_frame(header, rows), path.name, sheet)
    except _Refused as exc:
        raise InputError([Problem(path.name, exc.message)]) from None
    except _BadRows as exc:
        raise InputError([Problem(path.name, m, None, r) for r, m in exc.rows]) from None
    except _Duplicates as exc:
        raise InputError(exc.problems(path.name, sheet)) from None


class _Refused(Exception):
    """A file that cannot be read at all; carries the message for the user."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class _Duplicates(Exception):
    """Column names that appear more than once: (name, the messages' column letters)."""

    def __init__(self, found: list[tuple[str, list[str]]]) -> None:
        self.found = found

    def problems(self, file: str, sheet: str | None) -> list[Problem]:
        return [Problem(file, Message("the column '{name}' appears {times} times (columns "
                                      "{letters}); keep one, so that no value is read from "
                                      "the wrong one", name=name, times=len(where),
                                      letters=", ".join(where)), sheet, None, name)
                for name, where in self.found]


def _by_table(names: list[str], file: str, kind: str) -> tuple[dict[str, str], list[Problem]]:
    """The sheets (or CSV stems) by the table they hold, English or Dutch names alike; two
    for one table is a problem (which one was meant is a guess)."""
    found: dict[str, str] = {}
    problems = []
    for name in names:
        table = table_name(name)
        if table not in TABLES + OPTIONAL_TABLES:
            continue
        if table in found:
            problems.append(Problem(file, Message(
                "the sheets '{first}' and '{second}' are both the table {table}; keep one",
                first=found[table], second=name, table=table) if kind == "sheet" else Message(
                "the files '{first}.csv' and '{second}.csv' are both the table {table}; keep "
                "one", first=found[table], second=name, table=table)))
        else:
            found[table] = name
    return found, problems


def _check_duplicates(names: list[str]) -> None:
    """Refuse a header that names a column twice: which of the two was meant is a guess."""
    positions: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        if n:
            positions.setdefault(n, []).append(i)
    found = [(n, [_column_letter(i) for i in where]) for n, where in positions.items()
             if len(where) > 1]
    if found:
        raise _Duplicates(found)


def _headers(header: list[object]) -> tuple[list[str], dict[str, str]]:
    """The format's names of a header's columns (Dutch ones read as theirs, see
    :mod:`allocator.inputs.names`) and, by those names, the headers as written."""
    written = [str(h).strip() if h is not None else "" for h in header]
    names = [column_name(w.lower()) for w in written]
    return names, {n: w for n, w in zip(names, written, strict=True) if n and n != w}


def _frame(header: list[object], rows: list[tuple[int, list[object]]]) -> pd.DataFrame:
    names, written = _headers(header)
    _check_duplicates(names)
    keep = [i for i, n in enumerate(names) if n and n not in names[:i]]
    data = {names[i]: [r[i] if i < len(r) else None for _, r in rows] for i in keep}
    frame = pd.DataFrame(data, dtype=object)
    frame[ROW] = [n for n, _ in rows]
    frame.attrs["written"] = written
    return frame


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- workbooks ----------------------------------------------------------------------------


def _check_zip(path: Path) -> None:
    """Refuse what is not a zip, or unpacks to far more than a workbook of this kind needs."""
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except Exception as exc:  # noqa: BLE001 - an untrusted file may fail in any parser
        raise _damaged(exc) from None
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise _Refused(Message("unpacks to {size:,.0f} MB, above the limit of {limit:,.0f} "
                               "MB; give large instances as CSV", size=total / 2**20,
                               limit=MAX_UNPACKED_BYTES / 2**20))
    for m in members:
        if m.file_size > (1 << 20) and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            raise _Refused(Message("part {part} is compressed {ratio} to 1, above the limit "
                                   "of {limit} to 1 (a zip bomb?)", part=m.filename,
                                   ratio=ratio, limit=MAX_RATIO))


def _damaged(exc: BaseException, sheet: str | None = None) -> _Refused:
    """One line for a workbook that cannot be parsed; unsafe XML is named as such."""
    root: BaseException = exc
    while root.__cause__ is not None or root.__context__ is not None:
        root = root.__cause__ or root.__context__  # type: ignore[assignment]
    if type(root).__module__.startswith("defusedxml"):
        message = Message("refused: the workbook declares XML entities, which no Excel file "
                          "needs (an entity bomb?) ({reason})", reason=type(root).__name__)
    elif isinstance(exc, zipfile.BadZipFile):  # what every .xlsx is, and this is not
        message = Message("not an Excel workbook (.xlsx), or it is damaged: it is no "
                          "readable zip archive, as every .xlsx file is")
    else:
        message = Message("not an Excel workbook (.xlsx), or it is damaged ({reason})",
                          reason=" ".join(str(exc).split()) or type(exc).__name__)
    if sheet is not None:
        message = Message("sheet {sheet}: {message}", sheet=sheet, message=message)
    return _Refused(message)


def _sheet_rows(ws: object, sheet: str) -> tuple[list[object], list[tuple[int, list[object]]]]:
    """Header and non-blank rows of one sheet, with their Excel row numbers."""
    header: list[object] | None = None
    rows: list[tuple[int, list[object]]] = []
    declared = getattr(ws, "max_row", None)
    if isinstance(declared, int) and declared > MAX_SHEET_ROWS:
        raise _Refused(Message("sheet {sheet} has {rows} rows, above the limit of {limit}; "
                               "give large instances as CSV", sheet=sheet, rows=declared,
                               limit=MAX_SHEET_ROWS - 1))
    columns = getattr(ws, "max_column", None)
    if isinstance(columns, int) and columns > MAX_COLUMNS:
        raise _Refused(Message("sheet {sheet} has {columns} columns, above the limit of "
                               "{limit}", sheet=sheet, columns=columns, limit=MAX_COLUMNS))
    for number, values in enumerate(
        ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1  # type: ignore[attr-defined]
    ):
        if number > MAX_SHEET_ROWS:
            raise _Refused(Message("sheet {sheet} has more than {limit} rows, the limit; "
                                   "give large instances as CSV", sheet=sheet,
                                   limit=MAX_SHEET_ROWS - 1))
        cells = list(values)
        if all(_blank(v) for v in cells):
            continue
        if header is None:
            header = cells
        else:
            rows.append((number, cells))
    return header or [], rows


def _formula_cells(path: Path, sheet: str, wanted: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of the (row, column) cells hold a formula (their saved value was empty)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = set()
        last = max(r for r, _ in wanted)
        for number, values in enumerate(
            wb[sheet].iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
        ):
            if number > last:
                break
            for r, c in wanted:
                if r == number and c < len(values):
                    v = values[c]
                    if isinstance(v, str) and v.startswith("="):
                        found.add((r, c))
        return found
    finally:
        wb.close()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _open_workbook(path: Path) -> Any:
    """The workbook, read only with cached values, after the zip checks; refused if damaged."""
    import openpyxl  # parses XML through defusedxml, which is installed with the project

    _check_zip(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - an untrusted file may fail in any parser
        raise _damaged(exc) from None


def _read_workbook(path: Path) -> dict[str, RawTable]:
    try:
        wb = _open_workbook(path)
        try:
            by_name, problems = _by_table(wb.sheetnames, path.name, "sheet")
            tables: dict[str, RawTable] = {}
            for table in TABLES + OPTIONAL_TABLES:
                if table not in by_name:
                    if table in TABLES:
                        problems.append(Problem(path.name, Message(
                            "missing sheet '{sheet}' (or '{dutch}')", sheet=table,
                            dutch=TABLES_NL[table])))
                    continue
                sheet = by_name[table]
                try:
                    header, rows = _sheet_rows(wb[sheet], sheet)
                    problems += _unsaved_formulas(path, sheet, header, rows)
                except _Refused:
                    raise
                except Exception as exc:  # noqa: BLE001 - any parser error means damaged
                    raise _damaged(exc, sheet) from None
                try:
                    tables[table] = RawTable(_frame(header, rows), path.name, sheet)
                except _Duplicates as exc:
                    problems += exc.problems(path.name, sheet)
        finally:
            wb.close()
    except _Refused as exc:
        raise InputError([Problem(path.name, exc.message)]) from None
    if problems:
        raise InputError(problems)
    return tables


def _unsaved_formulas(path: Path, sheet: str, header: list[object],
                      rows: list[tuple[int, list[object]]]) -> list[Problem]:
    """Empty cells under a named column that are really formulas without a saved value.

    Files written by programs other than Excel often carry formulas but no computed
    values; reading them as blanks would silently drop a cap or a need.
    """
    named = [i for i, h in enumerate(header) if not _blank(h)]
    wanted = {(n, i) for n, cells in rows for i in named if i >= len(cells) or cells[i] is None}
    if not wanted:
        return []
    found = _formula_cells(path, sheet, wanted)
    return [Problem(path.name, Message("cell {cell} holds a formula without a saved value; "
                                       "open the file in Excel and save it, or type the value",
                                       cell=f"{_column_letter(c)}{r}"),
                    sheet, r, str(header[c]).strip().lower())
            for r, c in sorted(found)]


# --- CSV folders --------------------------------------------------------------------------


def _read_folder(path: Path) -> dict[str, RawTable]:
    csv_files = {p.stem: p for p in sorted(path.iterdir())
                 if p.is_file() and p.suffix.lower() == ".csv"}
    found, problems = _by_table(list(csv_files), path.name, "file")
    files = {table: csv_files[stem] for table, stem in found.items()}
    tables: dict[str, RawTable] = {}
    for table in TABLES + OPTIONAL_TABLES:
        file = files.get(table)
        if file is None:
            if table in TABLES:
                problems.append(Problem(f"{path.name}/{table}.csv", Message(
                    "missing file (or {dutch}.csv)", dutch=TABLES_NL[table])))
            continue
        shown = f"{path.name}/{file.name}"
        try:
            frame, sep = _csv_frame(file)
        except _Refused as exc:
            problems.append(Problem(shown, exc.message))
            continue
        except _BadRows as exc:
            problems += [Problem(shown, message, None, row) for row, message in exc.rows]
            continue
        except _Duplicates as exc:
            problems += exc.problems(shown, None)
            continue
        tables[table] = RawTable(frame, shown, None, "." if sep == "," else None)
    if problems:
        raise InputError(problems)
    return tables


class _BadRows(Exception):
    def __init__(self, rows: list[tuple[int, Message]]) -> None:
        self.rows = rows


def _text(data: bytes) -> bytes:
    """The file as UTF-8 bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise _Refused(Message("not a readable text file (broken UTF-16)")) from None
    if b"\x00" in data:
        raise _Refused(Message("a binary file, not CSV text"))
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise _Refused(Message("not a text file in UTF-8 or Windows-1252; save it as CSV "
                               "(UTF-8)")) from None
    return text.encode("utf-8")


def _csv_frame(file: Path) -> tuple[pd.DataFrame, str]:
    """Parse one CSV file with pyarrow, keeping the line number of each row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    size = file.stat().st_size
    if size > MAX_CSV_BYTES:
        raise _Refused(Message("{size:,.0f} MB, above the limit of {limit:,.0f} MB",
                               size=size / 2**20, limit=MAX_CSV_BYTES / 2**20))
    data = _text(file.read_bytes())
    if b"\r" in data and b"\n" not in data:  # classic Mac line ends
        data = data.replace(b"\r", b"\n")
    lead = 0  # blank lines before the header
    while True:
        end = data.find(b"\n")
        line = data if end < 0 else data[:end]
        if line.strip() or end < 0:
            break
        data = data[end + 1:]
        lead += 1
    first = line.decode("utf-8").rstrip("\r")
    if not first.strip():
        return _frame([], []), ","
    sep = max((";", ",", "\t"), key=first.count)
    try:
        names = next(csv.reader([first.replace("\r", " ")], delimiter=sep))
    except csv.Error as exc:
        raise _Refused(Message("the header line cannot be read ({reason})",
                                   reason=str(exc))) from None
    if len(names) > MAX_COLUMNS:
        raise _Refused(Message("{columns} columns, above the limit of {limit}",
                               columns=len(names), limit=MAX_COLUMNS))
    keys = [f"c{i}" for i in range(len(names))]  # positional: header names may repeat
    bad: list[tuple[int, Message]] = []
    skipped: list[int] = []  # lines of white space only

    def invalid(row: pacsv.InvalidRow) -> str:
        if row.text.strip():
            bad.append((row.number + lead, Message(
                "{fields} fields where the header has {expected}", fields=row.actual_columns,
                expected=row.expected_columns)))
        else:
            skipped.append(row.number + lead)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=keys, skip_rows=1, use_threads=False,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={k: pa.string() for k in keys},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise _Refused(Message("not a readable CSV table ({reason})",
                                   reason=str(exc))) from None
    if bad:
        raise _BadRows(bad[:10])
    frame = table.to_pandas()
    lower, written = _headers(list(names))
    _check_duplicates(lower)
    keep = [i for i, n in enumerate(lower) if n and n not in lower[:i]]
    frame = frame.iloc[:, keep]
    frame.columns = [lower[i] for i in keep]
    lines = np.arange(len(frame) + len(skipped)) + 2 + lead
    frame[ROW] = np.setdiff1d(lines, skipped) if skipped else lines
    if len(frame.columns) > 1:
        blank = np.ones(len(frame), dtype=bool)
        for column in frame.columns[:-1]:
            blank &= (frame[column].str.strip() == "").to_numpy(dtype=bool)
        frame = frame.loc[~blank].reset_index(drop=True)
    frame.attrs["written"] = written
    return frame, sep
