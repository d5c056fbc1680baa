"""Cell text to numbers and ids, the way Dutch and English spreadsheets write them.

Budget files come from Excel on Dutch machines (``1.234.567,89``; ``0,3``; ``30%``;
``€ 1.000``) and from other systems (``1,234,567.89``; ``0.3``). One table uses one
convention, so the decimal separator is settled per table: from the file type where that
decides it (a comma-separated CSV cannot use a decimal comma), otherwise from the cells that
only one convention can explain (``0,3``, ``1.234.567``, ``12.5``). A cell that both
conventions explain differently (``1.234``: 1234 or 1.234?) is refused unless the table
settles it: a guessed factor of a thousand is worse than a question.

Large CSV columns arrive as Arrow-backed strings and take a vectorised path; the
per-cell parser below only sees cells that are not plain numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Longest id accepted; longer ones are almost certainly a pasted paragraph or garbage.
MAX_ID_LENGTH = 200

_PLAIN = re.compile(r"[+-]?\d+")
_BODY = re.compile(r"[\d.,]+")
_GROUPED = {
    ".": re.compile(r"\d{1,3}(\.\d{3})+"),
    ",": re.compile(r"\d{1,3}(,\d{3})+"),
}
_CURRENCY = ("€", "eur", "euro")
_SPACES = str.maketrans("", "", " \u00a0\u202f\t'")


@dataclass
class Numbers:
    """A parsed column: ``value`` is NaN wherever the cell is blank or refused."""

    value: np.ndarray
    blank: np.ndarray  # bool: empty cell
    bad: np.ndarray  # bool: not a number
    ambiguous: np.ndarray  # bool: a number only the table's convention could settle
    percent: np.ndarray  # bool: written with a % sign (value already divided by 100)


@dataclass(frozen=True)
class _Cell:
    """One non-plain cell, read up to the question of its decimal separator."""

    sign: float
    digits: str  # the number with separators, e.g. "1.234,5"
    percent: bool
    decimal: str | None  # the separator this cell proves to be decimal, if any
    thousands_only: str | None  # the separator, when the cell is d{1,3}(sep ddd)+ exactly


def _split(text: str) -> _Cell | float | None:
    """A plain float, a :class:`_Cell` still to settle, or None (not a number)."""
    t = text.strip().lower().translate(_SPACES)
    for symbol in _CURRENCY:
        if t.startswith(symbol):
            t = t[len(symbol):]
        elif t.endswith(symbol):
            t = t[: -len(symbol)]
    if t.endswith((",-", ".-")):  # € 1.234,- : whole euros, and the comma is the decimal
        t = t[:-1] + "0"
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    sign = 1.0
    if t[:1] in "+-" and t:
        sign, t = (-1.0 if t[0] == "-" else 1.0), t[1:]
    if not t:
        return None
    if not _BODY.fullmatch(t) or not any(ch.isdigit() for ch in t):
        if percent or "e" not in t:
            return None
        try:  # scientific notation, always with a decimal point
            value = float(t)
        except ValueError:
            return None
        return sign * value if math.isfinite(value) else None
    dots, commas = t.count("."), t.count(",")
    if not dots and not commas:
        return _Cell(sign, t, percent, ".", None)
    decimal: str | None = None
    thousands_only: str | None = None
    if dots and commas:
        decimal = "." if t.rfind(".") > t.rfind(",") else ","
    elif dots or commas:
        sep = "." if dots else ","
        if (dots or commas) > 1:
            decimal = "," if sep == "." else "."  # repeated: must be thousands
        elif _GROUPED[sep].fullmatch(t) and not t.startswith("0"):
            thousands_only = sep  # 1.234: either reading fits
        else:
            decimal = sep
    return _Cell(sign, t, percent, decimal, thousands_only)


def _settle(cell: _Cell, decimal: str) -> float | None:
    """The value of a cell once its decimal separator is known; None if malformed."""
    thousands = "," if decimal == "." else "."
    whole, _, fraction = cell.digits.partition(decimal)
    if decimal in fraction:
        return None
    if thousands in whole and not _GROUPED[thousands].fullmatch(whole):
        return None  # 12.34.5 is no number in either convention
    if thousands in fraction:
        return None
    text = whole.replace(thousands, "") + ("." + fraction if fraction else "")
    if not text or text == ".":
        return None
    value = cell.sign * float(text)
    return value / 100.0 if cell.percent else value


def table_decimal(texts: Sequence[str]) -> str | None:
    """The decimal separator the cells of one table agree on, or None if they do not say."""
    seen = set()
    for text in texts:
        cell = _split(text)
        if isinstance(cell, _Cell) and cell.decimal:
            seen.add(cell.decimal)
    return seen.pop() if len(seen) == 1 else None


def parse_numbers(column: pd.Series, decimal: str | None) -> Numbers:
    """Parse one column of cells (numbers, text or blanks) under the table's convention.

    ``decimal`` is "." or "," when the table has settled it, None when it has not: then a
    cell such as ``1.234`` is reported as ambiguous instead of read one way or the other.
    """
    n = len(column)
    value = np.full(n, np.nan)
    blank = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    percent = np.zeros(n, dtype=bool)
    if pd.api.types.is_float_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        value = column.to_numpy(dtype=float, na_value=np.nan)
        return Numbers(value, np.isnan(value), bad, ambiguous, percent)
    if isinstance(column.dtype, pd.StringDtype):
        value, blank, rest = _plain_numbers(column, decimal)
    else:
        rest = np.arange(n)
    cells = column.iloc[rest].to_numpy(dtype=object)  # only the cells left to parse
    for i, cell in zip(rest, cells, strict=True):
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            blank[i] = True
            continue
        if isinstance(cell, bool):
            bad[i] = True
            continue
        if isinstance(cell, int | float):
            value[i] = float(cell)
            bad[i] = not math.isfinite(value[i])
            continue
        text_cell = str(cell)
        if not text_cell.strip():
            blank[i] = True
            continue
        parsed = _split(text_cell)
        if parsed is None:
            bad[i] = True
        elif isinstance(parsed, float):
            value[i] = parsed
        else:
            percent[i] = parsed.percent
            use = parsed.decimal or decimal
            if use is None:
                ambiguous[i] = True
                continue
            settled = _settle(parsed, use)
            if settled is None:
                bad[i] = True
            else:
                value[i] = settled
    return Numbers(value, blank, bad, ambiguous, percent)


def _plain_numbers(column: pd.Series, decimal: str | None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, blanks and the cells left for the per-cell parser, at Arrow speed.

    Plain numbers (no thousands separator, a decimal point only where the table's convention
    is the point) are cast in one call; anything else (0,3 · 1.234 · € 5 · 30%) is left over.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(pa.array(column, type=pa.large_string()))
    blank = pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
    candidate = ~blank
    if decimal != ".":
        candidate &= ~pc.match_substring(text, ".").to_numpy(zero_copy_only=False)
        candidate &= ~pc.match_substring(text, ",").to_numpy(zero_copy_only=False)
    try:
        value = pc.cast(pc.if_else(pa.array(candidate), text, None), pa.float64())
    except pa.ArrowInvalid:  # some cell is not plain: find the plain ones first
        plain = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
        candidate &= pc.fill_null(plain, False).to_numpy(zero_copy_only=False)
        value = pc.cast(pc.if_else(pa.array(candidate), text, None), pa.float64())
    numbers = value.to_numpy(zero_copy_only=False).astype(float)
    done = candidate & np.isfinite(numbers)  # "nan" and "inf" go to the per-cell parser
    numbers[~done] = np.nan
    return numbers, blank, np.flatnonzero(~done & ~blank)


def codes_in(ids: pd.Series, values: pd.Index) -> np.ndarray:
    """Position of each id in ``values`` (-1 where absent), hashed at Arrow speed."""
    if isinstance(ids.dtype, pd.StringDtype) and len(ids) > 10_000:
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.index_in(pa.array(ids, type=pa.large_string()),
                            value_set=pa.array(values, type=pa.large_string()))
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)
    return np.asarray(values.get_indexer(ids.astype(object)), np.int64)


def number_texts(column: pd.Series) -> list[str]:
    """The cells of a column that are text and not plain integers (the ones that can hint)."""
    if pd.api.types.is_float_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        return []
    if isinstance(column.dtype, pd.StringDtype):
        text = column.str.strip().fillna("")
        hint = text.str.contains(r"[.,]", regex=True).to_numpy(dtype=bool, na_value=False)
        return list(text[hint])
    return [c for c in column if isinstance(c, str) and ("." in c or "," in c)]


def clean_ids(column: pd.Series) -> pd.Series:
    """Ids as stripped text; numbers from Excel become their shortest text (7, not 7.0)."""
    if isinstance(column.dtype, pd.StringDtype):
        return column.str.strip().fillna("")

    def text(v: object) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return pd.Series([text(v) for v in column], index=column.index, dtype="str")


def id_problems(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Masks of ids that are too long and ids holding control characters."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(ids, type=pa.large_string())
    long = pc.fill_null(pc.greater(pc.utf8_length(text), MAX_ID_LENGTH), False)
    control = pc.invert(pc.fill_null(pc.utf8_is_printable(text), True))
    return (long.to_numpy(zero_copy_only=False), control.to_numpy(zero_copy_only=False))


def sorted_ids(ids: pd.Series) -> pd.Index:
    """The distinct ids in code-point order (the order every table is sorted in)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    distinct = pc.unique(pa.array(ids, type=pa.large_string()))
    return pd.Index(pc.take(distinct, pc.sort_indices(distinct)).to_pandas())
