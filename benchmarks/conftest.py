"""Shared set-up of the benchmark suite: cached synthetic instances and the ratio table.

``BENCH_SIZES`` (default ``1e3,1e4,1e5,1e6``) picks the instance sizes in variables. The
instances are generated once into ``benchmarks/.cache`` (not committed) with the seed and rules
below, so repeated runs compare the same LPs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
GOALS = 3
RULES = ("floor", "gap", "shares")
SEED = 0
#: Up to this many variables the binding family's cached instance records which rules bind
#: (one extra solve when the cache is made).
BINDING_CHECK_MAX = 100_000

#: (section, row, column) -> value, filled by the tests, printed at the end.
RESULTS: dict[tuple[str, str, str], Any] = {}


def sizes() -> list[int]:
    text = os.environ.get("BENCH_SIZES", "1e3,1e4,1e5,1e6")
    return [int(float(s)) for s in text.split(",") if s.strip()]


def families() -> list[str]:
    """``BENCH_FAMILIES`` (default ``binding,easy``): the instance families to time. In the
    binding family the rules bind at the optimum (``allocator generate --family binding``);
    in the easy one almost nothing does."""
    text = os.environ.get("BENCH_FAMILIES", "binding,easy")
    return [s.strip() for s in text.split(",") if s.strip()]


def family_of(folder: Path) -> str:
    return folder.name.split("-")[0]


def instance_paths(variables: int, family: str = "easy") -> tuple[Path, Path]:
    """CSV folder and model-array file of the synthetic instance with about this many cells."""
    from allocator.inputs.validate import load
    from allocator.solving.modeldata import money_scale, to_model_data
    from allocator.studies.generate import synthetic_tables, write_csv_folder
    from benchmarks.cases import save_arrays

    regions = max(1, round(variables / GOALS))
    rules = RULES if family == "easy" else ("all",)
    folder = (CACHE / f"{family}-r{regions}-g{GOALS}-s{SEED}-{'-'.join(rules)}"
              f"-{_fingerprint()}")
    arrays = folder / "model.npz"
    if not arrays.exists():
        write_csv_folder(folder, synthetic_tables(regions, GOALS, SEED, rules=RULES,
                                                  family=family))
        instance = load(folder)
        save_arrays(to_model_data(instance, money_scale(instance)), arrays)
        if family == "binding" and variables <= BINDING_CHECK_MAX:
            from allocator.studies.generate import binding_rules, write_binding

            write_binding(folder, binding_rules(folder))
    return folder, arrays


def _fingerprint() -> str:
    """Of the code a cached instance depends on (the generator and the model data's fields):
    a cache made by other code is never read."""
    import dataclasses
    import hashlib

    from allocator.studies import generate
    from models.data import AllocationData

    text = Path(generate.__file__).read_text() + ",".join(
        f.name for f in dataclasses.fields(AllocationData))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}x" if value and base else "-"


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    w = terminalreporter.write_line
    for family in families():
        _family_table(w, family)
    _studies_table(w)
    _other_lines(w)


def _studies_table(w: Any) -> None:
    """Each study as a ratio to the weighted solve of the same instance (test_studies.py);
    the infeasible instance's explanation as a ratio to the infeasible solve alone."""
    from benchmarks.test_studies import STUDIES

    ns = sorted({int(k[1]) for k in RESULTS if k[0] == "study"})
    if not ns:
        return
    w("")
    w("Studies on the binding family, one run (seconds, ratio to the weighted solve of the "
      "same instance; target in brackets)")
    w(f"{'cells':>10} | {'solve s':>8} | " + " | ".join(f"{s:>22}" for s in STUDIES))
    for n in ns:
        def get(name: str, n: int = n) -> Any:
            return RESULTS.get(("study", str(n), name))

        base = get("solve")
        cells = []
        for study, target in STUDIES.items():
            value = get(study)
            under = get("infeasible-solve") if study == "infeasible" else base
            text = "-" if value is None else f"{value:.2f} ({_ratio(value, under)}; {target}x)"
            cells.append(f"{text:>22}")
        w(f"{n:>10,} | {'-' if base is None else f'{base:.3f}':>8} | " + " | ".join(cells))
        if get("sweep-breakpoints"):
            w(f"  {n:,}: the exact curve has {get('sweep-breakpoints'):,} breakpoints")
        if get("infeasible-solve"):
            w(f"  {n:,}: the infeasible stage 1 alone {get('infeasible-solve'):.3f} s")


def _family_table(w: Any, family: str) -> None:
    if not any(key[1].startswith(f"{family}|") for key in RESULTS):
        return
    w("")
    w(f"Family '{family}'" + (": floor, gap, goal shares, per-capita cap on, spread weights"
                             if family == "binding" else ": loose rules, almost nothing binds"))
    w("Side by side, one run, this machine (time: median seconds; memory: peak RSS of a "
      "fresh process)")
    w(f"{'variables':>10} | {'highspy s':>9} | {'allocator s':>15} | {'Pyomo s':>15} | "
      f"{'highspy MB':>10} | {'allocator MB':>15} | {'Pyomo MB':>15} | {'tie-break/stage 1':>17}")
    for n in sizes():
        row = f"{family}|{n}"
        if ("time", row, "highspy") not in RESULTS and ("time", row, "allocator") not in RESULTS:
            continue
        t = {c: RESULTS.get(("time", row, c)) for c in ("highspy", "allocator", "pyomo")}
        m = {c: RESULTS.get(("memory", row, c)) for c in ("highspy", "allocator", "pyomo")}
        tb = RESULTS.get(("tie-break", row, "ratio"))

        def cell(d: dict[str, Any], c: str, fmt: str) -> str:
            v = d[c]
            return "-" if v is None else f"{v:{fmt}} ({_ratio(v, d['highspy'])})"

        hs_t = "-" if t["highspy"] is None else f"{t['highspy']:.3f}"
        hs_m = "-" if m["highspy"] is None else f"{m['highspy']:.0f}"
        w(f"{n:>10,} | {hs_t:>9} | {cell(t, 'allocator', '.3f'):>15} | "
          f"{cell(t, 'pyomo', '.3f'):>15} | {hs_m:>10} | "
          f"{cell(m, 'allocator', '.0f'):>15} | {cell(m, 'pyomo', '.0f'):>15} | "
          f"{'-' if tb is None else f'{tb:.2f}x':>17}")
    _solver_table(w, family)
    for n in sizes():
        table = CACHE / f"{family}-r{max(1, round(n / GOALS))}-g{GOALS}-s{SEED}-all" / \
            "binding.csv"
        if family == "binding" and table.exists():
            import csv

            with open(table, newline="") as fh:
                rows = list(csv.DictReader(fh))
            w(f"  {n:,}: binding at the optimum: " + ", ".join(
                f"{r['rule']} {int(r['binding_rows']):,}/{int(r['rows']):,}" for r in rows
                if int(r["binding_rows"])) + "; not binding: " + (", ".join(
                    r["rule"] for r in rows if not int(r["binding_rows"])) or "none"))


def _solver_table(w: Any, family: str) -> None:
    """HiGHS's algorithms on the exported LP and the reduced LP (test_solvers.py), as
    ratios to the highspy case (the LP from arrays, simplex or IPM by size)."""
    names = ("simplex", "ipm", "ipm-no-crossover", "pdlp", "plain-ranged", "aggregate")
    rows = [n for n in sizes() if any(("solvers", f"{family}|{n}", a) in RESULTS
                                      for a in names)]
    if not rows:
        return
    w("  stage 1 alone, by algorithm (seconds, ratio to highspy; status if not optimal):")
    w(f"  {'variables':>10} | " + " | ".join(f"{a:>18}" for a in names))
    for n in rows:
        base = RESULTS.get(("time", f"{family}|{n}", "highspy"))
        cells = []
        for a in names:
            got = RESULTS.get(("solvers", f"{family}|{n}", a))
            if got is None:
                cells.append(f"{'-':>18}")
                continue
            seconds, status = got
            note = "" if status.lower() == "optimal" else f" {status[:10]}"
            cells.append(f"{seconds:.3f} ({_ratio(seconds, base)}){note}"[:18].rjust(18))
        w(f"  {n:>10,} | " + " | ".join(cells))


def _other_lines(w: Any) -> None:
    for name in ("NPVR", "1e4 variables"):
        exact, point = RESULTS.get(("sweep", name, "exact")), RESULTS.get(("sweep", name,
                                                                           "grid_point"))
        if exact and point:
            w(f"Budget curve, {name}: exact trace {exact:.3f} s "
              f"({RESULTS[('sweep', name, 'breakpoints')]} breakpoints, "
              f"{RESULTS[('sweep', name, 'solves')]} LP solves, no rebuild) against "
              f"{point:.3f} s per point for a Pyomo rebuild "
              f"({RESULTS[('sweep', name, 'grid_points')]} points timed: "
              f"{point * RESULTS[('sweep', name, 'grid_points')]:.1f} s): the exact curve "
              f"costs {exact / point:.1f} rebuilt points, a 1,000-point grid "
              f"{1000 * point / exact:,.0f}x the exact curve")
    serial, dask = RESULTS.get(("grid", "", "serial")), RESULTS.get(("grid", "", "dask"))
    if serial and dask:
        w(f"Grid of 2 policies x 100 budgets, 1e4 variables: serial {serial:.2f} s, Dask with "
          f"2 local processes {dask:.2f} s = {dask / serial:.2f}x serial")
    npvr, imports = RESULTS.get(("npvr", "", "solve")), RESULTS.get(("npvr", "", "imports"))
    if npvr and imports:
        w(f"NPVR instance, allocator solve with report, new process: {npvr:.2f} s = "
          f"{npvr / imports:.2f}x the bare import of pyomo, pandas, openpyxl, highspy "
          f"({imports:.2f} s)")


@pytest.fixture(scope="session", params=[(f, n) for f in families() for n in sizes()],
                ids=lambda p: f"{p[0]}-{p[1]:.0e}vars")
def instance(request: pytest.FixtureRequest) -> tuple[int, Path, Path]:
    family, n = request.param
    folder, arrays = instance_paths(n, family)
    return n, folder, arrays
