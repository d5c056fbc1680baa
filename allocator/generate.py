"""Reproducible synthetic instances in format v1, from 11 areas to 100,000.

Spreads are chosen to look like Dutch regional data: log-normal populations, need roughly
per inhabitant with noise, existing funding covering 0-60 % of a cell, a cap on a third of
the cells, and a few weight classes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from allocator.output import atomic_write

#: The equity rules ``--rules`` can switch on, and the values they get.
RULES = {
    "floor": "coverage_floor 0.1",
    "gap": "max_coverage_gap 0.9 (= 1 - floor: it binds, yet can always hold)",
    "shares": "each goal at least 0.5/G and at most 2/G of the budget",
    "per-capita": "per_capita_cap_ratio 5",
}


def synthetic_tables(regions: int, goals: int = 3, seed: int = 0, *,
                     rules: tuple[str, ...] = ("floor",),
                     budget_share: float = 0.3) -> dict[str, pd.DataFrame]:
    """Tables of a random instance; the budget is ``budget_share`` of the total net need.

    ``rules`` picks equity rules from :data:`RULES`. Their values are chosen to bind yet stay
    feasible: the budget covers more than the floor needs, the gap is 1 - floor, and a
    goal's minimum share is at most half of what its cells can absorb (tested over seeds).
    """
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rules {sorted(unknown)}; known: {', '.join(RULES)}")
    rng = np.random.default_rng(seed)
    width = len(str(regions - 1))
    rid = np.array([f"r{i:0{width}d}" for i in range(regions)])
    gid = np.array([f"g{j}" for j in range(goals)])
    population = np.maximum(100, rng.lognormal(9.0, 1.0, regions)).round().astype(np.int64)
    per_capita = rng.lognormal(np.log(300), 0.4, regions)
    goal_share = rng.dirichlet(np.full(goals, 4.0))
    need = np.outer(population * per_capita, goal_share) * rng.lognormal(0, 0.3, (regions, goals))
    need = need.round()
    existing = (need * rng.uniform(0, 0.6, need.shape)).round()
    cap = np.where(rng.random(need.shape) < 1 / 3,
                   ((need - existing) * rng.uniform(0.3, 1.0, need.shape)).round(), np.nan)
    net = float(np.maximum(need - existing, 0).sum())
    policy: dict[str, float] = {"budget_eur": round(budget_share * net)}
    if "floor" in rules:
        policy["coverage_floor"] = 0.1
    if "gap" in rules:
        policy["max_coverage_gap"] = 0.9
    if "per-capita" in rules:
        policy["per_capita_cap_ratio"] = 5
    goal_table = pd.DataFrame({"goal": gid, "weight": rng.choice([1.0, 1.5], goals)})
    if "shares" in rules:
        # At least half a fair share, but never more than half of what the goal can absorb.
        net_cells = np.maximum(need - existing, 0)
        absorb = np.where(np.isnan(cap), net_cells, np.minimum(net_cells, cap)).sum(axis=0)
        share = np.minimum(0.5 / goals, 0.5 * absorb / policy["budget_eur"])
        goal_table["min_share"] = np.floor(share * 1000) / 1000
        goal_table["max_share"] = min(1.0, 2.0 / goals)
    return {
        "regions": pd.DataFrame({"region": rid, "population": population,
                                 "weight": rng.choice([1.0, 1.1, 1.2], regions)}),
        "goals": goal_table,
        "needs": pd.DataFrame({"region": np.repeat(rid, goals), "goal": np.tile(gid, regions),
                               "need_eur": need.ravel(), "existing_eur": existing.ravel(),
                               "cap_eur": cap.ravel()}),
        "policy": pd.DataFrame({"key": list(policy), "value": list(policy.values())}),
    }


def write_csv_folder(folder: str | Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the tables as a CSV instance folder, each file atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        def write(tmp: Path, f: pd.DataFrame = frame) -> None:
            f.to_csv(tmp, index=False, float_format="%.15g")

        atomic_write(folder / f"{name}.csv", write)
    return folder
