"""`allocator serve`, server side: what a policy change on the page costs (one POST /sweep
through the real app), against the sweep alone in the same run. The client side (slider to
redrawn page) is measured in the browser test and reported there, not asserted."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.conftest import RESULTS, ROOT

NPVR = ROOT / "instances" / "npvr-2026.xlsx"


@pytest.fixture(scope="module")
def client() -> Any:
    from fastapi.testclient import TestClient

    from allocator.web.app import create_app

    return TestClient(create_app(NPVR))


def test_sweep_alone(benchmark: Any) -> None:
    import allocator
    from allocator.studies.sweep import sweep

    inst = allocator.load(NPVR, coverage_floor=0.25)
    benchmark.group = "serve: a policy change on NPVR"
    benchmark(sweep, inst)
    RESULTS[("serve", "NPVR", "sweep alone")] = benchmark.stats.stats.median


def test_policy_change_through_the_api(benchmark: Any, client: Any) -> None:
    """A floor never asked before (the server keeps the curves it made)."""
    benchmark.group = "serve: a policy change on NPVR"
    floors = iter(0.2 + k / 1000 for k in range(1, 100))

    def change(floor: float) -> None:
        answer = client.post("/sweep", json={"floor": floor, "max_gap": "none"})
        assert answer.status_code == 200

    benchmark.pedantic(change, setup=lambda: ((next(floors),), {}), rounds=7)
    RESULTS[("serve", "NPVR", "POST /sweep")] = benchmark.stats.stats.median


def test_policy_asked_before(benchmark: Any, client: Any) -> None:
    """Back to a setting asked before in the meeting: the curve the server kept."""
    benchmark.group = "serve: a policy change on NPVR"
    client.post("/sweep", json={"floor": 0.25})
    benchmark(lambda: client.post("/sweep", json={"floor": 0.25}))
    RESULTS[("serve", "NPVR", "POST /sweep, asked before")] = benchmark.stats.stats.median


def test_solve_through_the_api(benchmark: Any, client: Any) -> None:
    benchmark.group = "serve: a policy change on NPVR"

    def solve() -> None:
        assert client.post("/solve", json={"floor": 0.25}).status_code == 200

    benchmark(solve)
    RESULTS[("serve", "NPVR", "POST /solve")] = benchmark.stats.stats.median
