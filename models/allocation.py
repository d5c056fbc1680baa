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
holds the two together.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models.data import AllocationData


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

    unmet = sum(m.w[c] * (m.net_need[c] - m.x[c]) for c in m.C)
    if d.shortfall_tiers:
        tiers = list(d.shortfall_tiers)
        m.J = pyo.RangeSet(len(tiers))
        wbar = dict(zip(d.regions, d.region_weight().tolist(), strict=True))
        m.z = pyo.Var(m.J, m.Rplus, within=pyo.NonNegativeReals)
        m.shortfall_tier = pyo.Constraint(m.J, m.Rplus, rule=lambda m, j, r: m.z[j, r] >= (
            (1 - tiers[j - 1][0]) * m.N[r] - m.E[r] - in_region(m, r)))
        steps = [k - (tiers[j - 1][1] if j else 1.0) for j, (_, k) in enumerate(tiers)]
        unmet = unmet + sum(steps[j - 1] * wbar[r] * m.z[j, r] for j in m.J for r in m.Rplus)
    m.unmet = pyo.Objective(expr=unmet, sense=pyo.minimize)

    def in_goal(m: pyo.ConcreteModel, g: str) -> pyo.Expression:
        return sum(m.x[r, g] for r in m.R if (r, g) in m.C)

    total = sum(m.x[c] for c in m.C)
    m.budget = pyo.Constraint(expr=(total == m.B) if d.spend_all else (total <= m.B))

    if d.coverage_floor > 0:
        phi = d.coverage_floor
        m.coverage_floor = pyo.Constraint(
            m.Rplus, rule=lambda m, r: in_region(m, r) >= phi * m.N[r] - m.E[r]
        )

    if d.max_coverage_gap is not None:
        m.coverage_min = pyo.Var(bounds=(0.0, 1.0))
        m.coverage_max = pyo.Var(bounds=(0.0, 1.0))
        m.coverage_low = pyo.Constraint(
            m.Rplus, rule=lambda m, r: m.E[r] + in_region(m, r) >= m.coverage_min * m.N[r]
        )
        m.coverage_high = pyo.Constraint(
            m.Rplus, rule=lambda m, r: m.E[r] + in_region(m, r) <= m.coverage_max * m.N[r]
        )
        m.coverage_gap = pyo.Constraint(expr=m.coverage_max - m.coverage_min <= d.max_coverage_gap)

    def share_rule(shares: object, sense: str) -> pyo.Constraint:
        def rule(m: pyo.ConcreteModel, g: str) -> object:
            a = float(shares[d.goals.index(g)])  # type: ignore[index]
            if math.isnan(a):
                return pyo.Constraint.Skip
            return in_goal(m, g) >= a * m.B if sense == "min" else in_goal(m, g) <= a * m.B

        return pyo.Constraint(m.G, rule=rule)

    if d.min_share is not None:
        m.min_share = share_rule(d.min_share, "min")
    if d.max_share is not None:
        m.max_share = share_rule(d.max_share, "max")

    if d.per_capita_cap_ratio is not None:
        kappa = d.per_capita_cap_ratio
        m.per_capita_cap = pyo.Constraint(
            m.R, rule=lambda m, r: in_region(m, r) <= kappa * m.pop[r] / pop_total * m.B
        )

    def region_rule(bound: object, sense: str) -> pyo.Constraint:
        def rule(m: pyo.ConcreteModel, r: str) -> object:
            b = float(bound[d.regions.index(r)])  # type: ignore[index]
            if math.isnan(b):
                return pyo.Constraint.Skip
            return in_region(m, r) >= b if sense == "min" else in_region(m, r) <= b

        return pyo.Constraint(m.R, rule=rule)

    if d.region_min is not None:
        m.region_min = region_rule(d.region_min, "min")
    if d.region_max is not None:
        m.region_max = region_rule(d.region_max, "max")

    if d.cofinancing_ratio is not None and d.cofinancing_capacity is not None:
        rho = d.cofinancing_ratio
        m.cofinancing = pyo.Constraint(m.R, rule=lambda m, r: pyo.Constraint.Skip if math.isnan(
            capacity := float(d.cofinancing_capacity[d.regions.index(r)])
        ) else rho * in_region(m, r) <= capacity)

    if d.max_change_per_capita is not None and d.reference is not None:
        c = d.max_change_per_capita
        ref = dict(zip(d.regions, d.reference.tolist(), strict=True))
        m.change_cap = pyo.Constraint(m.R, rule=lambda m, r: pyo.Constraint.Skip if math.isnan(
            ref[r]) else pyo.inequality(ref[r] - c * m.pop[r], in_region(m, r),
                                        ref[r] + c * m.pop[r]))
    return m
