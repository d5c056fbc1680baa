"""The Pyomo reference model and the array LP are the same formulation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

import allocator
from allocator.solving.modeldata import money_scale, to_model_data
from models.allocation import build_model
from tests.conftest import write_csv_instance
from tests.test_engine import rich_tables


def pyomo_solve(instance: allocator.Instance) -> tuple[float, np.ndarray]:
    scale = money_scale(instance)
    data = to_model_data(instance, scale)
    m = build_model(data)
    res = pyo.SolverFactory("appsi_highs").solve(m)
    assert str(res.solver.termination_condition) == "optimal"
    x = np.array([pyo.value(m.x[c]) for c in m.C])
    return pyo.value(m.unmet) * scale, x * scale


@pytest.mark.parametrize("seed", range(6))
def test_same_objective_with_every_rule(tmp_path: Path, seed: int) -> None:
    inst = allocator.load(write_csv_instance(tmp_path / "i", rich_tables(seed)))
    ours = allocator.solve(inst, tie_break="none")
    if not ours.optimal:  # both must agree on infeasibility; then compare at the minimum budget
        inst = inst.with_policy(budget_eur=float(np.ceil(ours.infeasibility.min_budget_eur)))
        ours = allocator.solve(inst, tie_break="none")
    value, _ = pyomo_solve(inst)
    assert ours.weighted_unmet_eur == pytest.approx(value, rel=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_same_allocation_when_the_optimum_is_unique(tmp_path: Path, seed: int) -> None:
    # Distinct weights and no rule but the budget: the optimum is a single point.
    rng = np.random.default_rng(100 + seed)
    t = rich_tables(seed)
    t["regions"] = [t["regions"][0][:3]] + [[r[0], r[1], float(rng.uniform(1, 3))]
                                        for r in t["regions"][1:]]
    t["goals"] = [["goal", "weight"], ["a", 1.0], ["b", 1.37], ["c", 2.11]]
    t["policy"] = [["key", "value"], ["budget_eur", 1.1e7]]
    inst = allocator.load(write_csv_instance(tmp_path / "i", t))
    ours = allocator.solve(inst)
    value, x = pyomo_solve(inst)
    assert ours.weighted_unmet_eur == pytest.approx(value, rel=1e-9)
    np.testing.assert_allclose(ours.allocation["amount_eur"].to_numpy(), x, atol=1e-2)
