"""The candidates for the default objective, measured side by side on the NPVR instances.

Each is solved at the default budget with the engine's full answer (weight sensitivity
included), and measured by what a public-finance reader asks of a default: how far one
assumed weight moved by 10 % moves the money (the weight sensitivity, as a share of the
budget), how widely € per inhabitant spreads over the regions, how many regions stand
exactly on one threshold of the objective's own grid (the most on any one), and how the
regions the Monitor Brede Welvaart names as low on well-being fare against the others.
The table goes into instances/README.md (``python instances/compare_defaults.py --write``);
``tests/test_npvr_instance.py`` checks that the README holds what this script computes.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = "<!-- the candidates for the default: written by compare_defaults.py -->"
END = "<!-- end of the candidates -->"


def candidates() -> list[tuple[str, object]]:
    """(description, instance) per candidate."""
    from build_npvr import FINE_TIERS, LOW_WELFARE  # noqa: F401 - the one definition

    from allocator.inputs.presets import with_policy
    from allocator.inputs.validate import load

    default = load(HERE / "npvr-2026.xlsx")
    typed = load(HERE / "npvr-2026-ingevuld.xlsx")
    no_tiers = dataclasses.replace(default, policy=default.policy.model_copy(
        update={"shortfall_tiers": None}))
    return [
        ("the default until 2026-12-06: need typed in, welfare factor in need and weight, "
         "tiers every 10 % (1.5 per step)", typed),
        ("the same typed-in need, with a finer penalty: 1.5 per 10 %, kinks every 2 %",
         typed.with_policy(shortfall_tiers=FINE_TIERS)),
        ("need from verdeelmaatstaven, equal weights, no tiers: the tie-break's split "
         "nearest to pro rata decides", no_tiers),
        ("need from verdeelmaatstaven, the floor of 20 % plus max-min",
         default.with_policy(fairness="max-min")),
        ("need from verdeelmaatstaven, welfare factor as the weight instead "
         "(`--policy welvaart-als-gewicht`), kinks every 2 %",
         with_policy(default, "welvaart-als-gewicht")),
        ("**the default**: need from verdeelmaatstaven, welfare factor in the need "
         "(`--policy welvaart-in-behoefte`), equal weights, kinks every 2 %", default),
    ]


def measure(inst: object) -> dict[str, object]:
    """The measures of one candidate."""
    from build_npvr import LOW_WELFARE

    from allocator.commands import SolveOptions, solve_command

    r = solve_command(inst, SolveOptions())  # type: ignore[arg-type]
    assert r.optimal and r.figures is not None
    regions = r.figures.regions
    per_head = regions["per_inhabitant_eur"].astype(float)
    low = per_head[per_head.index.isin(LOW_WELFARE)]
    rest = per_head[~per_head.index.isin(LOW_WELFARE)]
    ws = r.weight_sensitivity
    unmet = 1 - regions["coverage_after"].astype(float)
    tiers = r.instance.policy.shortfall_tiers or ()
    return {
        "sensitivity": None if ws is None else float(ws.largest_share),
        "lowest": float(per_head.min()), "highest": float(per_head.max()),
        "variation": float(per_head.std(ddof=0) / per_head.mean()),
        "on_threshold": max([int((unmet.sub(t).abs() < 1e-6).sum()) for t, _ in tiers],
                            default=0),
        "low_welfare": float(low.mean()), "others": float(rest.mean()),
        "zero": int((regions["amount_eur"] <= 0.5).sum()),
    }


def table() -> str:
    lines = ["| candidate | weight sensitivity | € per inhabitant, lowest – highest | "
             "spread (std / mean) | most regions on one threshold | regions with €0 | "
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


sys.path.insert(0, str(HERE))  # build_npvr, beside this script

if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    if "--write" in sys.argv:
        write()
    else:
        print(table(), end="")

