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


def test_get_while_solves_run(benchmark: Any, client: Any) -> None:
    """GET /instances/default while two slow solves hold both workers (max-min on the
    default instance, in a loop), against the same GET on an idle server in the same run:
    the event loop only waits on the workers, so the ratio stays near 1."""
    import threading

    benchmark.group = "serve: a GET while solves run"
    idle = []
    for _ in range(20):
        import time

        t = time.perf_counter()
        assert client.get("/instances/default").status_code == 200
        idle.append(time.perf_counter() - t)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            client.post("/solve", json={"fairness": "max-min", "no_sensitivity": 1})

    threads = [threading.Thread(target=busy, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        benchmark(lambda: client.get("/instances/default"))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    idle.sort()
    RESULTS[("serve", "NPVR", "GET, idle")] = idle[len(idle) // 2]
    RESULTS[("serve", "NPVR", "GET while 2 solves run")] = benchmark.stats.stats.median
