"""The Excel report: what a budget officer reads and forwards.

Rendered from a :class:`~allocator.result.Result` alone; amounts are whole euros from
largest-remainder rounding, so every total shown is the sum of the figures above it.
Text from the input is always written as text, never as a formula.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from allocator.labels import label
from allocator.output import atomic_write
from allocator.result import Result
from allocator.rounding import largest_remainder

EURO = '"€" #,##0'
PERCENT = "0.0%"
BOLD = Font(bold=True)


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None,
         bold: bool = False) -> Cell:
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = BOLD
    return cell


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for j, text in enumerate(labels, start=1):
        _put(ws, row, j, text, bold=True)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _widths(ws: Worksheet, first: int = 34, rest: int = 18) -> None:
    for j in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(j)].width = first if j == 1 else rest
    _print_setup(ws)


def write_report(result: Result, path: str | Path, *, lang: str = "nl",
                 command: str = "") -> Path:
    """Write the report workbook for ``result`` to ``path`` (atomically)."""
    wb = Workbook()
    _summary(wb.active, result, lang)
    if result.optimal:
        _allocation(wb.create_sheet(label("sheet_allocation", lang)), result, lang)
        _coverage(wb.create_sheet(label("sheet_coverage", lang)), result, lang)
        _constraints(wb.create_sheet(label("sheet_constraints", lang)), result, lang)
    _about(wb.create_sheet(label("sheet_about", lang)), result, lang, command)
    return atomic_write(path, lambda tmp: save_reproducibly(wb, tmp, report_time()))


def report_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set: the reproducible-builds convention, so that
    two runs on the same instance can be compared byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def save_reproducibly(wb: Workbook, path: Path, when: datetime) -> None:
    """Save with every timestamp set to ``when``: document properties and zip entries.

    openpyxl stamps each zip member with the wall clock, so two saves of one workbook differ
    in their bytes; rewriting the archive with one date makes the bytes a function of the
    content and ``when`` alone.
    """
    wb.properties.created = wb.properties.modified = when.replace(tzinfo=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            dst.writestr(info, src.read(item.filename))


def _summary(ws: Worksheet, r: Result, lang: str) -> None:
    ws.title = label("sheet_summary", lang)
    _put(ws, 1, 1, label("title", lang), bold=True)
    rows: list[tuple[str, Any, str | None]] = [
        (label("instance", lang), r.instance.name, None),
        (label("status", lang), label(r.status.value, lang), None),
        (label("budget", lang), round(r.budget_eur), EURO),
    ]
    if r.optimal:
        allocated = int(r.rounded_allocation()["amount_eur"].sum())
        cov = r.coverage["coverage"].dropna()
        value = (r.marginal_value or 0.0) * 1e6
        rows += [
            (label("allocated", lang), allocated, EURO),
            (label("unallocated", lang), round(r.budget_eur) - allocated, EURO),
            (label("unmet_before", lang), round(r.weighted_unmet_before_eur), EURO),
            (label("unmet_after", lang), round(r.weighted_unmet_eur), EURO),
            (label("coverage_min", lang), float(cov.min()) if len(cov) else None, PERCENT),
            (label("coverage_max", lang), float(cov.max()) if len(cov) else None, PERCENT),
            (label("marginal", lang),
             label("marginal_text", lang).format(value=f"€{value:,.0f}"), None),
        ]
        if r.certificate:
            c = r.certificate
            rows.append((label("certificate", lang), label("certificate_text", lang).format(
                violation=f"€{c.max_violation_eur:,.2f}", gap=f"{c.duality_gap:.1e}"), None))
    else:
        rows.append(("", r.message, None))
    rules = r.instance.policy.rules_in_force()
    text = "; ".join(f"{label(k, lang)} = {v}" for k, v in rules.items())
    rows.append((label("rules", lang), text or label("no_rules", lang), None))
    for i, (name, value, fmt) in enumerate(rows, start=3):
        _put(ws, i, 1, name, bold=True)
        _put(ws, i, 2, value, fmt)
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 70
    _print_setup(ws)


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, fit to the page width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _allocation(ws: Worksheet, r: Result, lang: str) -> None:
    m = r.matrix()
    goals = r.instance.goals
    regions = r.instance.regions
    _header(ws, 1, [label("region", lang), *[str(goals.loc[g, "name"]) for g in m.columns],
                    label("total", lang), label("per_inhabitant", lang)])
    for i, (region, row) in enumerate(m.iterrows(), start=2):
        _put(ws, i, 1, str(regions.loc[region, "name"]))
        for j, amount in enumerate(row, start=2):
            _put(ws, i, j, int(amount), EURO)
        total = int(row.sum())
        _put(ws, i, len(m.columns) + 2, total, EURO)
        _put(ws, i, len(m.columns) + 3, total / float(regions.loc[region, "population"]),
             '"€" #,##0.00')
    last = len(m) + 2
    _put(ws, last, 1, label("total", lang), bold=True)
    for j, amount in enumerate(m.sum(axis=0), start=2):
        _put(ws, last, j, int(amount), EURO, bold=True)
    _put(ws, last, len(m.columns) + 2, int(m.to_numpy().sum()), EURO, bold=True)
    _widths(ws)


def _coverage(ws: Worksheet, r: Result, lang: str) -> None:
    c = r.coverage
    regions = r.instance.regions
    _header(ws, 1, [label("region", lang), label("population", lang), label("need", lang),
                    label("existing", lang), label("allocated", lang),
                    label("coverage_before", lang), label("coverage_after", lang),
                    label("floor", lang)])
    need = largest_remainder(c["need_eur"])
    existing = largest_remainder(c["existing_eur"])
    allocated = r.matrix().sum(axis=1).reindex(c.index).to_numpy()
    for i, region in enumerate(c.index):
        row = i + 2
        _put(ws, row, 1, str(regions.loc[region, "name"]))
        _put(ws, row, 2, int(regions.loc[region, "population"]), "#,##0")
        _put(ws, row, 3, int(need[i]), EURO)
        _put(ws, row, 4, int(existing[i]), EURO)
        _put(ws, row, 5, int(allocated[i]), EURO)
        for j, key in ((6, "coverage_before"), (7, "coverage")):
            value = c[key].iat[i]
            _put(ws, row, j, None if value != value else float(value), PERCENT)
        _put(ws, row, 8, r.instance.policy.coverage_floor, PERCENT)
    _widths(ws)


def _constraints(ws: Worksheet, r: Result, lang: str) -> None:
    _header(ws, 1, [label("rule", lang), label("for", lang), label("binding", lang),
                    label("shadow", lang)])
    names = {**r.instance.regions["name"].to_dict(), **r.instance.goals["name"].to_dict()}
    for i, row in enumerate(r.constraints.itertuples(index=False), start=2):
        rule = "budget_rule" if row.rule == "budget" else row.rule
        _put(ws, i, 1, label(rule, lang))
        _put(ws, i, 2, str(names.get(row.id, row.id)))
        _put(ws, i, 3, label("yes" if row.binding else "no", lang))
        _put(ws, i, 4, float(row.dual), "0.0000")
    _widths(ws)


def _about(ws: Worksheet, r: Result, lang: str, command: str) -> None:
    from importlib.metadata import version  # not "import pyomo": it pulls in scipy.stats

    from allocator import __version__

    source = Path(r.instance.source)
    digest = ""
    if source.is_file():
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
    rows = [
        (label("file", lang), source.name),
        (label("sha256", lang), digest),
        (label("versions", lang),
         f"allocator {__version__}; Pyomo {version('pyomo')}; "
         f"HiGHS {r.solver.version}; Python {platform.python_version()}"),
        (label("solve_seconds", lang), round(r.solver.seconds, 3)),
        (label("created", lang), report_time().strftime("%Y-%m-%d %H:%M UTC")),
        (label("command", lang), command or " ".join(sys.argv)),
    ]
    for i, (name, value) in enumerate(rows, start=1):
        _put(ws, i, 1, name, bold=True)
        _put(ws, i, 2, value)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
