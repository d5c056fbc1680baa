"""A grid of budgets x policies on Dask against the same grid run serially, side by side.

Both runs are the same tasks (one warm model per variant and run of budgets); the Dask
run adds process start-up, scattering the instance and gathering the points. Instance:
the generated one of about 10,000 variables, 2 policy variants x 100 budgets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from allocator.inputs.validate import load
from allocator.studies.grid import run_grid
from benchmarks.conftest import RESULTS, instance_paths

BUDGETS = 100


@pytest.fixture(scope="module")
def grid_case() -> tuple[Any, list[float], list[tuple[str, Any]]]:
    inst = load(instance_paths(10_000)[0])
    b = inst.policy.budget_eur
    budgets = [float(v) for v in np.linspace(0.5 * b, 2.0 * b, BUDGETS)]
    policies = [("instance", inst.policy),
                ("floor 0.15", inst.policy.model_copy(update={"coverage_floor": 0.15}))]
    return inst, budgets, policies


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster, \
            Client(cluster) as c:
        yield c


def test_grid_serial(benchmark: Any, grid_case: tuple) -> None:
    inst, budgets, policies = grid_case
    benchmark.group = "grid 2 x 100 budgets, 1e4 variables"
    benchmark.pedantic(run_grid, args=(inst, budgets),
                       kwargs={"policies": policies, "progress": False}, rounds=2)
    RESULTS[("grid", "", "serial")] = benchmark.stats.stats.median


def test_grid_dask_two_workers(benchmark: Any, grid_case: tuple, client: Any) -> None:
    inst, budgets, policies = grid_case
    benchmark.group = "grid 2 x 100 budgets, 1e4 variables"
    benchmark.pedantic(run_grid, args=(inst, budgets),
                       kwargs={"policies": policies, "client": client, "progress": False},
                       rounds=2, warmup_rounds=1)  # the warm-up lets workers import once
    RESULTS[("grid", "", "dask")] = benchmark.stats.stats.median
