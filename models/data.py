"""Sets and parameters of one allocation problem.

The units of money are whatever the caller chose (the application scales euros once on the
way in); ratios and weights are unitless. A *cell* is a (region, goal) pair with a row in the
needs table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class AllocationData:
    """Everything the formulation needs, as arrays indexed by region, goal or cell.

    Optional rules are ``None`` (scalars) or ``NaN`` (per-goal shares) when not in force.
    """

    regions: tuple[str, ...]
    goals: tuple[str, ...]
    cell_region: IntArray  # region index of each cell
    cell_goal: IntArray  # goal index of each cell
    net_need: FloatArray  # m = max(0, need - existing)
    upper: FloatArray  # min(m, cap): the most a cell can absorb
    weight: FloatArray  # w_r * w_g
    region_need: FloatArray  # N_r = sum_g need (gross)
    region_covered: FloatArray  # E_r = sum_g min(existing, need)
    population: FloatArray
    budget: float
    spend_all: bool = False
    coverage_floor: float = 0.0
    max_coverage_gap: float | None = None
    min_share: FloatArray | None = None  # per goal, NaN where absent
    max_share: FloatArray | None = None
    per_capita_cap: float | None = None
    region_min: FloatArray | None = None  # per region, euros from this budget; NaN = none
    region_max: FloatArray | None = None
    # Tiered shortfall penalty: (t_j, k_j) pairs, t_j the unmet fraction of a region's need
    # beyond which each euro of its shortfall weighs k_j times (t increasing, k >= 1 rising).
    shortfall_tiers: tuple[tuple[float, float], ...] | None = None
    cofinancing_ratio: float | None = None  # rho: regional euros required per national euro
    cofinancing_capacity: FloatArray | None = None  # per region K_r; NaN = no stated limit
    reference: FloatArray | None = None  # per region, a reference allocation (e.g. last year)
    change_cap: float | None = None  # |x_r - reference_r| <= this x population_r

    @property
    def n_cells(self) -> int:
        return int(self.net_need.shape[0])

    @property
    def covered_regions(self) -> IntArray:
        """Regions with some need: coverage is defined only for them."""
        return np.flatnonzero(self.region_need > 0)

    def region_weight(self) -> FloatArray:
        """The need-weighted mean weight of each region's cells: what a euro of the region's
        shortfall weighs on average, the base the shortfall tiers multiply."""
        n_regions = len(self.regions)
        need = np.bincount(self.cell_region, self.net_need, minlength=n_regions)
        weighted = np.bincount(self.cell_region, self.weight * self.net_need, minlength=n_regions)
        plain = (np.bincount(self.cell_region, self.weight, minlength=n_regions)
                 / np.maximum(np.bincount(self.cell_region, minlength=n_regions), 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(need > 0, weighted / need, plain)

    def tier_targets(self) -> list[tuple[float, FloatArray, FloatArray]]:
        """For each tier: its extra weight per euro (k_j - k_{j-1}) x the region weight, and
        for each covered region the funding (1 - t_j) N_r - E_r below which the tier applies.

        The penalty of region r is then sum_j extra_j,r * max(0, target_j,r - X_r): convex
        and piecewise linear in X_r, so the problem stays an LP."""
        out: list[tuple[float, FloatArray, FloatArray]] = []
        if not self.shortfall_tiers:
            return out
        covered = self.covered_regions
        base = self.region_weight()[covered]
        previous = 1.0
        for threshold, multiplier in self.shortfall_tiers or ():
            target = (1.0 - threshold) * self.region_need[covered] - self.region_covered[covered]
            out.append((threshold, (multiplier - previous) * base, target))
            previous = multiplier
        return out
