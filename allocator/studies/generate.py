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
    "per-capita": "per_capita_cap 5",
}


#: The families ``--family`` makes. "easy": few weight classes, loose rules (the older
#: benchmark instances, where almost nothing binds). "binding": region weights spread
#: 0.5-2.0, goal weights 0.9/1.0/1.2, floor 0.3 and gap 0.5 (loosened where a region could
#: not reach them), each goal at least 90 % of its share of the net need, a per-capita cap
#: of 2, budget half the net need. The gap, shares, per-capita cap and cell caps bind at the
#: optimum; the floor sits under the gap's common level (generate checks and says which).
FAMILIES = ("easy", "binding")


def synthetic_tables(regions: int, goals: int = 3, seed: int = 0, *,
                     rules: tuple[str, ...] = ("floor",),
                     budget_share: float = 0.3, family: str = "easy") -> dict[str, pd.DataFrame]:
    """Tables of a random instance; the budget is ``budget_share`` of the total net need.

    ``rules`` picks equity rules from :data:`RULES`. Their values are chosen to bind yet stay
    feasible: the budget covers more than the floor needs, the gap is 1 - floor, and a
    goal's minimum share is at most half of what its cells can absorb (tested over seeds).
    ``family="binding"`` switches every rule on with the values of :data:`FAMILIES`.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    if family == "binding":
        return _binding(regions, goals, seed)
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
        policy["per_capita_cap"] = 5
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


def _binding(regions: int, goals: int, seed: int) -> dict[str, pd.DataFrame]:
    """The hard family: every rule on, with values at which they bind (see FAMILIES)."""
    t = synthetic_tables(regions, goals, seed, rules=tuple(RULES), budget_share=0.5)
    rng = np.random.default_rng(seed + 1_000_003)
    t["regions"]["weight"] = rng.uniform(0.5, 2.0, regions).round(3)
    t["goals"]["weight"] = np.resize([0.9, 1.0, 1.2], goals)
    budget = float(t["policy"].set_index("key").loc["budget_eur", "value"])
    needs = t["needs"]
    net = np.maximum(needs["need_eur"] - needs["existing_eur"], 0).to_numpy()
    cap = needs["cap_eur"].to_numpy()
    absorb = pd.Series(np.where(np.isnan(cap), net, np.minimum(net, cap))).groupby(
        needs["goal"].to_numpy()).sum().reindex(t["goals"]["goal"]).to_numpy()
    # Each goal at least 90 % of its share of the net need: the goal with the lowest weight
    # would get less, so its share binds (and never more than it can absorb).
    net_goal = pd.Series(net).groupby(needs["goal"].to_numpy()).sum().reindex(
        t["goals"]["goal"]).to_numpy()
    t["goals"]["min_share"] = np.floor(np.minimum(0.9 * net_goal / net_goal.sum(),
                                                  0.9 * absorb / budget) * 1000) / 1000
    t["goals"]["max_share"] = 1.0
    # Feasible by construction: the floor at most 95 % of what every region can reach (by
    # its absorption, and by the per-capita cap), the gap at least what the regions'
    # existing coverage forces.
    kappa = 2.0
    region = needs["region"].to_numpy()
    gross = pd.Series(needs["need_eur"].to_numpy()).groupby(region).sum()
    have = pd.Series(np.minimum(needs["existing_eur"], needs["need_eur"]).to_numpy()
                     ).groupby(region).sum()
    room = pd.Series(np.where(np.isnan(cap), net, np.minimum(net, cap))).groupby(region).sum()
    population = t["regions"].set_index("region")["population"].reindex(gross.index)
    capped = np.minimum(room, kappa * population / population.sum() * budget)
    reach = ((have + capped) / gross).to_numpy()
    before = (have / gross).to_numpy()
    floor = float(np.floor(min(0.3, 0.95 * reach.min()) * 1000) / 1000)
    gap = float(np.ceil(max(0.5, before.max() - floor + 0.05) * 1000) / 1000)
    values = {"budget_eur": budget, "coverage_floor": floor, "max_coverage_gap": gap,
              "per_capita_cap": kappa}
    t["policy"] = pd.DataFrame({"key": list(values), "value": list(values.values())})
    return t


def binding_rules(folder: str | Path) -> dict[str, tuple[int, int]]:
    """Which rules bind at the optimum of the instance in ``folder``: rule -> (rows with a
    nonzero dual, rows), from one stage-1 solve."""
    from allocator.solving.engine import solve

    r = solve(folder, tie_break="none", fairness_price=False, marginal=False)
    if not r.optimal:
        return {}
    c = r.constraints
    return {str(rule): (int((rows["dual"].abs() > 1e-9).sum()), len(rows))
            for rule, rows in c.groupby("rule", sort=False)}


def write_binding(folder: str | Path, found: dict[str, tuple[int, int]]) -> Path:
    """binding.csv beside the tables: each rule's rows with a nonzero dual at the optimum
    (the reader of instances ignores the file; it is for whoever benchmarks)."""
    frame = pd.DataFrame([{"rule": rule, "binding_rows": k, "rows": n}
                          for rule, (k, n) in found.items()])
    return atomic_write(Path(folder) / "binding.csv",
                        lambda tmp: frame.to_csv(tmp, index=False))


def write_csv_folder(folder: str | Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the tables as a CSV instance folder, each file atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        def write(tmp: Path, f: pd.DataFrame = frame) -> None:
            f.to_csv(tmp, index=False, float_format="%.15g")

        atomic_write(folder / f"{name}.csv", write)
    return folder
