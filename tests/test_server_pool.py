"""Solves cannot stall the server: `allocator serve` in its own process, with a slow request
(the exact curve of a generated 3,000-region instance, minutes of work) against a small pool
and a short time limit. A GET is answered while solves run; a worker at the time limit is stopped
and its request answered 504; beyond the queue a request is answered 503 with Retry-After.
Latencies are measured in benchmarks/test_serve.py; here only what must hold."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from allocator.cli import main
from tests.conftest import serving


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("slow") / "binding"
    assert main(["generate", str(folder), "--regions", "3000", "--family", "binding"]) == 0
    return folder


@pytest.fixture(scope="module")
def server(slow: Path) -> Iterator[int]:
    """One worker, no queue, a 4 s limit."""
    with serving(slow, "--workers", "1", "--queue", "0", "--time-limit", "4") as (port, _):
        yield port


def post(port: int, body: dict, out: dict, key: str, path: str = "/solve") -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("POST", f"{path}?lang=en", body=json.dumps(body),
                 headers={"Content-Type": "application/json"})
    answer = conn.getresponse()
    out[key] = (answer.status, {k.lower(): v for k, v in answer.getheaders()},
                json.loads(answer.read()),
                time.monotonic())


def test_a_slow_solve_is_stopped_at_the_limit_and_stalls_nothing(server: int) -> None:
    port = server
    done: dict = {}
    slow = threading.Thread(target=post, args=(port, {}, done, "slow", "/sweep"))
    slow.start()
    time.sleep(1.0)  # the slow solve holds the one worker
    # beyond the queue: refused at once, with when to try again
    post(port, {"no_sensitivity": 1}, done, "second")
    status, headers, body, _ = done["second"]
    assert status == 503
    assert int(headers["retry-after"]) >= 1
    assert body["message"].startswith("the server is busy with other solves")
    # a GET is answered while the solve runs
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/instances/default")
    assert conn.getresponse().status == 200
    answered = time.monotonic()
    slow.join(timeout=120)
    status, _, body, finished = done["slow"]
    assert answered < finished  # the GET did not wait for the solve
    assert status == 504
    assert body["message"] == "the request took longer than the limit of 4 s and was stopped"
    # the worker is free again
    post(port, {"fairness": "weighted", "no_sensitivity": 1, "budget": 1e9}, done, "after")
    assert done["after"][0] in (200, 504)


def test_a_curve_and_a_max_min_side_by_side_are_both_certified(tmp_path: Path) -> None:
    """Two workers, a long limit: the exact curve and a max-min solve of an 800-region
    binding instance at the same time. Each runs HiGHS in a process of its own; the same pair run in
    one process's threads once ended in a 500, "the curve failed its independent check"
    (HiGHS keeps one scheduler per process). Both answers carry a passed certificate."""
    folder = tmp_path / "binding"
    assert main(["generate", str(folder), "--regions", "800", "--family", "binding"]) == 0
    with serving(folder, "--workers", "2", "--time-limit", "600") as (port, _):
        done: dict = {}
        curve = threading.Thread(target=post, args=(port, {}, done, "curve", "/sweep"))
        curve.start()
        post(port, {"fairness": "max-min", "no_sensitivity": 1}, done, "maxmin")
        curve.join(timeout=300)
        status, _, body, _ = done["maxmin"]
        assert status == 200 and body["certificate"]["passed"], body.get("message")
        status, _, body, _ = done["curve"]
        assert status == 200, body.get("message")
        points = body["breakpoints"]
        assert len(points) > 100
        assert all(p["max_violation_eur"] <= 1.0 and p["duality_gap"] <= 1e-6 for p in points)


def test_a_client_that_goes_away_frees_its_worker(slow: Path) -> None:
    """One worker, no queue, a long limit: a slow solve whose client closes the connection
    is stopped, so the next request is served (a 503 if the worker were still busy)."""
    with serving(slow, "--workers", "1", "--queue", "0", "--time-limit", "600") as (port, _):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("POST", "/sweep", body=json.dumps({}),
                     headers={"Content-Type": "application/json"})
        time.sleep(1.5)
        conn.close()  # the client goes away
        got: dict = {}
        for _ in range(50):  # the server notices within a moment
            time.sleep(0.2)
            post(port, {"budget": 1e9, "no_sensitivity": 1}, got, "next")
            if got["next"][0] != 503:
                break
        assert got["next"][0] == 200
