"""``python -m models.rules [FILE.md]``: print the support table and the parameter table,
or write them into FILE.md between ``<!-- support table -->`` and
``<!-- end support table -->``, and ``<!-- parameter table -->`` and
``<!-- end parameter table -->``."""

from __future__ import annotations

import sys
from pathlib import Path

from models.rules import param_table, support_table

BLOCKS = {"support table": support_table, "parameter table": param_table}


def _write(text: str, name: str, table: str) -> str:
    start, end = f"<!-- {name} -->", f"<!-- end {name} -->"
    head, found, rest = text.partition(start)
    if not found:
        return text
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{table}\n{end}{tail}"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(support_table())
        print()
        print(param_table())
        sys.exit(0)
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    for name, make in BLOCKS.items():
        text = _write(text, name, make())
    path.write_text(text, encoding="utf-8")
    print(f"written: {path}")
