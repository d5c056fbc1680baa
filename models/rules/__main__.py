"""``python -m models.rules [FILE.md]``: print the support table, or write it into FILE.md
between the lines ``<!-- support table -->`` and ``<!-- end support table -->``."""

from __future__ import annotations

import sys
from pathlib import Path

from models.rules import support_table

START, END = "<!-- support table -->", "<!-- end support table -->"

if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(support_table())
        sys.exit(0)
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{support_table()}\n{END}{tail}", encoding="utf-8")
    print(f"written: {path}")
