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
    per_capita_cap_ratio: float | None = None
    region_min: FloatArray | None = None  # per region, euros from this budget; NaN = none
    region_max: FloatArray | None = None

    @property
    def n_cells(self) -> int:
        return int(self.net_need.shape[0])

    @property
    def covered_regions(self) -> IntArray:
        """Regions with some need: coverage is defined only for them."""
        return np.flatnonzero(self.region_need > 0)
