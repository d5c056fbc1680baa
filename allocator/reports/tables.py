"""Terminal tables read from the figures table (allocator.solving.figures): nothing here
computes or rounds a figure; it only lays them out in the language's number style."""

from __future__ import annotations

import pandas as pd

from allocator.labels import label, money, percent

#: Envelopes side by side on the terminal up to this many; beyond, the workbook has them.
MAX_TERMINAL_ENVELOPES = 6


def envelope_table(table: pd.DataFrame, lang: str) -> str:
    """Per region (rows) and budget or scenario (columns): the amount, per inhabitant and
    the coverage after, then the change from the column before. ``table`` has
    ``budget_eur`` or ``scenario``, ``name``, ``amount_eur``, ``per_inhabitant_eur``,
    ``coverage_after`` and ``change_eur``."""
    key = "budget_eur" if "budget_eur" in table else "scenario"
    columns = list(dict.fromkeys(table[key]))[:MAX_TERMINAL_ENVELOPES]
    names = list(dict.fromkeys(table["name"].astype(str)))
    width = max(len(label("region", lang)), *(len(n) for n in names))
    heads = [money(c, lang) if key == "budget_eur" else str(c) for c in columns]
    col = max(16, *(len(h) + 2 for h in heads))
    lines = [label("envelopes_title" if key == "budget_eur" else "scenarios_title", lang)
             + ":"]
    head = f"{label('region', lang):<{width}}"
    for k, h in enumerate(heads):
        head += f"{h:>{col}}{label('per_head_short', lang):>11}{label('coverage', lang):>9}"
        if k:
            head += f"{label('envelope_diff', lang):>{col}}"
    lines += [head, "-" * len(head)]
    parts = {c: table[table[key] == c].set_index("name") for c in columns}
    for name in names:
        line = f"{name:<{width}}"
        for k, c in enumerate(columns):
            rec = parts[c].loc[name]
            line += f"{money(int(rec['amount_eur']), lang):>{col}}"
            line += f"{money(float(rec['per_inhabitant_eur']), lang, 2):>11}"
            line += f"{percent(float(rec['coverage_after']), lang, 1):>9}"
            if k:
                change = int(rec["change_eur"])
                line += f"{('+' if change >= 0 else '−') + money(abs(change), lang):>{col}}"
        lines.append(line)
    return "\n".join(lines)
