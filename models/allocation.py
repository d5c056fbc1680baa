r"""The allocation model in Pyomo: the reference formulation, written to be read.

Sets
    R regions, G goals, C ⊆ R×G the cells with a need.
Parameters
    m[r,g] net need, u[r,g] absorption bound (min of net need and cap), w[r,g] weight,
    N[r] gross need and E[r] need already covered by existing streams (regions with N[r] > 0
    form R⁺), pop[r] population, B budget; optional rules φ, δ, α[g], β[g], κ.
Variables
    x[r,g] ∈ [0, u[r,g]] allocation; ℓ, h ∈ [0, 1] lowest and highest coverage (gap rule only).
Objective
    minimise U = Σ_C w·(m − x)                                    weighted unmet need
Constraints
    Σ_C x ≤ B   (= B when spend_all)                              budget
    Σ_g x[r,g] ≥ φ·N[r] − E[r]            r ∈ R⁺                  coverage floor
    ℓ·N[r] ≤ E[r] + Σ_g x[r,g] ≤ h·N[r],  h − ℓ ≤ δ   r ∈ R⁺     coverage gap
    α[g]·B ≤ Σ_r x[r,g] ≤ β[g]·B                                  goal shares
    Σ_g x[r,g] ≤ κ·pop[r]/Σpop·B                                  per-capita cap
    lo[r] ≤ Σ_g x[r,g] ≤ hi[r]                                    per-region bounds (euros)
    ρ·Σ_g x[r,g] ≤ K[r]                                           co-financing capacity
    |Σ_g x[r,g] − ref[r]| ≤ c·pop[r]                              change cap
    z[j,r] ≥ (1 − t_j)·N[r] − E[r] − Σ_g x[r,g]      r ∈ R⁺       shortfall tiers

:mod:`models.matrix` builds the identical LP as arrays for speed; ``tests/test_parity.py``
holds the two together. Each rule's Pyomo form lives beside its rows, in :mod:`models.rules`.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.data import AllocationData
from models.rules import LP_RULES, PyomoContext


def build_model(d: AllocationData) -> pyo.ConcreteModel:
    """Return the stage-1 model of ``d`` (minimise weighted unmet need)."""
    cells = [(d.regions[r], d.goals[g]) for r, g in zip(d.cell_region, d.cell_goal, strict=True)]
    covered = [d.regions[r] for r in d.covered_regions]
    pop_total = float(d.population.sum())

    m = pyo.ConcreteModel(name="allocation")
    m.R = pyo.Set(initialize=d.regions, ordered=True)
    m.G = pyo.Set(initialize=d.goals, ordered=True)
    m.C = pyo.Set(within=m.R * m.G, initialize=cells, ordered=True)
    m.Rplus = pyo.Set(within=m.R, initialize=covered, ordered=True)

    m.net_need = pyo.Param(m.C, initialize=dict(zip(cells, d.net_need.tolist(), strict=True)))
    m.upper = pyo.Param(m.C, initialize=dict(zip(cells, d.upper.tolist(), strict=True)))
    m.w = pyo.Param(m.C, initialize=dict(zip(cells, d.weight.tolist(), strict=True)))
    m.N = pyo.Param(m.R, initialize=dict(zip(d.regions, d.region_need.tolist(), strict=True)))
    m.E = pyo.Param(m.R, initialize=dict(zip(d.regions, d.region_covered.tolist(), strict=True)))
    m.pop = pyo.Param(m.R, initialize=dict(zip(d.regions, d.population.tolist(), strict=True)))
    m.B = pyo.Param(initialize=d.budget, mutable=True)

    m.x = pyo.Var(m.C, bounds=lambda m, r, g: (0.0, m.upper[r, g]))

    def in_region(m: pyo.ConcreteModel, r: str) -> pyo.Expression:
        return sum(m.x[r, g] for g in m.G if (r, g) in m.C)

    def in_goal(m: pyo.ConcreteModel, g: str) -> pyo.Expression:
        return sum(m.x[r, g] for r in m.R if (r, g) in m.C)

    m.unmet = pyo.Objective(expr=sum(m.w[c] * (m.net_need[c] - m.x[c]) for c in m.C),
                            sense=pyo.minimize)
    # Each rule adds its own Pyomo form (models/rules/): the same rules as the LP arrays.
    context = PyomoContext(in_region, in_goal, pop_total)
    for rule in LP_RULES:
        if rule.active(d):
            rule.pyomo(m, d, context)
    return m
