"""Four candidates for the default objective, measured side by side on the NPVR instance.

Each is solved at the default budget with the engine's full answer (weight sensitivity
included), and measured by what a public-finance reader asks of a default: how far one
assumed weight moved by 10 % moves the money (the weight sensitivity, as a share of the
budget), how widely € per inhabitant spreads over the regions, how many regions stand
exactly on a threshold of the objective's own grid, and how the regions the Monitor Brede
Welvaart names as low on well-being fare against the others. The table goes into
instances/README.md (``python instances/compare_defaults.py --write``);
``tests/test_npvr_instance.py`` checks that the README holds what this script computes.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = "<!-- the candidates for the default: written by compare_defaults.py -->"
END = "<!-- end of the candidates -->"
#: The regions the Monitor Brede Welvaart 2023 names as low on well-being (npvr-facts).
LOW_WELFARE = ("kop-van-noord-holland", "noord-en-oost-groningen", "zuid-en-oost-drenthe",
               "noord-limburg", "midden-limburg", "zuid-limburg", "zeeuws-vlaanderen")
#: The default's penalty, 1.5 per further 10 % unmet, sampled every 2 % instead of 10 %.
FINER_TIERS = tuple((round(0.02 * k, 2), round(1.5 ** (0.2 * k), 4)) for k in range(1, 50))


def candidates() -> list[tuple[str, object]]:
    """(description, instance) per candidate."""
    from allocator.inputs.validate import load

    default = load(HERE / "npvr-2026.xlsx")
    maatstaven = load(HERE / "npvr-2026-maatstaven.xlsx")
    no_tiers = dataclasses.replace(maatstaven, policy=maatstaven.policy.model_copy(
        update={"shortfall_tiers": None}))
    return [
        ("today's default: tiers every 10 % (1.5 per step), welfare factor in need and "
         "weight", default),
        ("a finer penalty: the same 1.5 per 10 %, with kinks every 2 %",
         default.with_policy(shortfall_tiers=FINER_TIERS)),
        ("need from verdeelmaatstaven, equal weights, no tiers: the tie-break's split "
         "nearest to pro rata decides", no_tiers),
        ("the default's floor of 20 % plus max-min", default.with_policy(fairness="max-min")),
    ]


def measure(inst: object) -> dict[str, object]:
    """The four measures of one candidate."""
    from allocator.commands import SolveOptions, solve_command
    from allocator.studies.why import reasons

    r = solve_command(inst, SolveOptions())  # type: ignore[arg-type]
    assert r.optimal and r.figures is not None
    regions = r.figures.regions
    per_head = regions["per_inhabitant_eur"].astype(float)
    low = per_head[per_head.index.isin(LOW_WELFARE)]
    rest = per_head[~per_head.index.isin(LOW_WELFARE)]
    ws = r.weight_sensitivity
    return {
        "sensitivity": None if ws is None else float(ws.largest_share),
        "lowest": float(per_head.min()), "highest": float(per_head.max()),
        "variation": float(per_head.std(ddof=0) / per_head.mean()),
        "on_threshold": sum(w.held_by == "tier_threshold" for w in reasons(r)),
        "low_welfare": float(low.mean()), "others": float(rest.mean()),
        "zero": int((regions["amount_eur"] <= 0.5).sum()),
    }


def table() -> str:
    lines = ["| candidate | weight sensitivity | € per inhabitant, lowest – highest | "
             "spread (std / mean) | regions on a threshold | regions with €0 | "
             "low-welfare regions, mean € per inhabitant (others) |",
             "|---|---|---|---|---|---|---|"]
    for name, inst in candidates():
        m = measure(inst)
        sens = "-" if m["sensitivity"] is None else f"{100 * m['sensitivity']:.1f} %"
        lines.append(
            f"| {name} | {sens} | {m['lowest']:.2f} – {m['highest']:.2f} | "
            f"{m['variation']:.2f} | {m['on_threshold']} | {m['zero']} | "
            f"{m['low_welfare']:.2f} ({m['others']:.2f}) |")
    return "\n".join(lines) + "\n"


def write(readme: Path = HERE / "README.md") -> None:
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END)
    readme.write_text(text[:start] + START + "\n" + table() + text[end:], encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    if "--write" in sys.argv:
        write()
    else:
        print(table(), end="")

