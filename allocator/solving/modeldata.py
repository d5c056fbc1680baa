"""The one place where money is scaled on its way into the model (and the factor kept).

HiGHS works to absolute tolerances around 1e-7, so the model sees money in units of
``scale`` euros: a power of ten that brings the budget to the order 1e3..1e4. The budget,
not the largest need, sets the unit because every allocated amount is at most the budget:
with needs from €1 to €10^12 and a budget of €1, a unit of a milli-euro keeps every cent
of the allocation far above the tolerances (tests/test_engine.py checks it), while the huge
needs only become large bounds. Results are multiplied back once, in
:mod:`allocator.solving.engine`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from allocator.inputs.instance import Instance
from models.data import AllocationData


def money_scale(instance: Instance) -> float:
    """A power of ten that brings the budget to [1e3, 1e4)."""
    budget = float(instance.policy.budget_eur)
    if budget <= 0:
        return 1.0
    return float(10.0 ** (math.floor(math.log10(budget)) - 3))


def _codes(ids: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each cell's id in the sorted id index (validation stores them as codes)."""
    if isinstance(ids.dtype, pd.CategoricalDtype) and ids.cat.categories.equals(index):
        return np.asarray(ids.cat.codes, dtype=np.int64)
    return np.asarray(index.get_indexer(ids), dtype=np.int64)


def _optional(table: pd.DataFrame, column: str, scale: float,
              default: float | None = None) -> np.ndarray | None:
    """A per-row amount in model units (``default`` euros where a row gives none), or None
    when no row gives one and there is no default."""
    values = (table[column].to_numpy(float) if column in table
              else np.full(len(table), np.nan))
    if default is not None:
        values = np.where(np.isnan(values), default, values)
    if np.isnan(values).all():
        return None
    return values / scale


def to_model_data(instance: Instance, scale: float) -> AllocationData:
    """Translate a validated instance into the model's sets and parameters."""
    regions = tuple(instance.regions.index.tolist())
    goals = tuple(instance.goals.index.tolist())
    needs = instance.needs
    cell_region = _codes(needs["region"], instance.regions.index)
    cell_goal = _codes(needs["goal"], instance.goals.index)

    need = needs["need_eur"].to_numpy(float)
    existing = needs["existing_eur"].to_numpy(float)
    cap = needs["cap_eur"].to_numpy(float)
    net = np.maximum(need - existing, 0.0)
    upper = np.where(np.isnan(cap), net, np.minimum(net, cap))
    covered = np.minimum(existing, need)

    weight = (instance.regions["weight"].to_numpy(float)[cell_region]
              * instance.goals["weight"].to_numpy(float)[cell_goal])
    n_regions = len(regions)
    p = instance.policy
    min_share = instance.goals["min_share"].to_numpy(float)
    max_share = instance.goals["max_share"].to_numpy(float)
    return AllocationData(
        regions=regions,
        goals=goals,
        cell_region=cell_region,
        cell_goal=cell_goal,
        net_need=net / scale,
        upper=upper / scale,
        weight=weight,
        region_need=np.bincount(cell_region, need, minlength=n_regions) / scale,
        region_covered=np.bincount(cell_region, covered, minlength=n_regions) / scale,
        population=instance.regions["population"].to_numpy(float),
        budget=p.budget_eur / scale,
        spend_all=p.spend_all,
        coverage_floor=p.coverage_floor,
        max_coverage_gap=p.max_coverage_gap,
        min_share=None if np.isnan(min_share).all() else min_share,
        max_share=None if np.isnan(max_share).all() else max_share,
        per_capita_cap=p.per_capita_cap,
        region_min=_optional(instance.regions, "min_eur", scale, p.region_min_eur),
        region_max=_optional(instance.regions, "max_eur", scale, p.region_max_eur),
        shortfall_tiers=p.shortfall_tiers,
        cofinancing_ratio=p.cofinancing_ratio,
        cofinancing_capacity=(_optional(instance.regions, "cofinancing_eur", scale)
                              if p.cofinancing_ratio is not None else None),
        reference=(_optional(instance.regions, "reference_eur", scale)
                   if p.change_cap is not None else None),
        change_cap=None if p.change_cap is None else p.change_cap / scale,
    )
