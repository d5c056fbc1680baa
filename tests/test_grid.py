"""Grids on Dask: the same points as a serial run, in the same order, and each point equal
to an independent solve."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import allocator
from allocator.cli import main
from allocator.inputs.read import read_table
from allocator.inputs.validate import need_scenarios, scenarios
from allocator.studies.grid import CHUNK, parse_budgets, run_grid, tasks

#: These tests pin the English messages word for word (Dutch: tests/test_messages.py).
pytestmark = pytest.mark.usefixtures("english")

NPVR = Path(__file__).parent.parent / "instances" / "npvr-2026.xlsx"


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def grid_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    folder = tmp_path_factory.mktemp("grid")
    (folder / "pol.csv").write_text("name,coverage_floor,fairness\nbasis,,\nvloer 30%,0.3,\n"
                                    "max-min,,max-min\n")
    (folder / "needs.csv").write_text("scenario,probability,region,goal,factor\n"
                                      "laag,0.5,,,0.8\nhoog,0.5,twente,,1.5\n")
    inst = allocator.load(NPVR)
    policies = scenarios(read_table(folder / "pol.csv"), inst.policy)
    needs = need_scenarios(read_table(folder / "needs.csv"), inst)
    budgets = parse_budgets("1e8:9e8:30")
    return inst, policies, needs, budgets


def test_dask_equals_serial_exactly_and_in_order(cluster: object, grid_inputs: tuple) -> None:
    from dask.distributed import Client

    inst, policies, needs, budgets = grid_inputs
    serial = run_grid(inst, budgets, policies=policies, needs=needs, progress=False)
    with Client(cluster) as client:
        parallel = run_grid(inst, budgets, policies=policies, needs=needs, client=client,
                            progress=False)
        again = run_grid(inst, budgets, policies=policies, needs=needs, client=client,
                         progress=False)  # the same instance scattered twice on one client
    assert parallel.points == serial.points  # every float, bit for bit
    assert again.points == serial.points
    keys = [(p.policy, p.needs) for p in serial.points]
    assert keys == [(pol, n.name) for pol, _, _ in policies for n in needs for _ in budgets]
    assert parallel.workers.startswith("dask tcp://127.0.0.1:")


def test_scheduler_address_reaches_an_existing_cluster(cluster: object, grid_inputs: tuple
                                                       ) -> None:
    inst, _, _, budgets = grid_inputs
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    grid = run_grid(inst, budgets[:5], scheduler=address, progress=False)
    assert grid.workers == f"dask {address}"
    assert grid.points == run_grid(inst, budgets[:5], progress=False).points


def test_each_point_is_the_optimum_of_its_own_solve(grid_inputs: tuple) -> None:
    inst, policies, needs, budgets = grid_inputs
    grid = run_grid(inst, budgets, policies=policies, needs=needs, progress=False)
    by_name = {v.name: v.policy for v in policies}
    for p in grid.points[:: 7]:
        case = inst if p.needs == "instance" else next(
            n for n in needs if n.name == p.needs).apply(inst)
        case = case.with_policy(**by_name[p.policy].model_dump(exclude={"budget_eur"}))
        r = allocator.solve(case, budget=p.budget_eur, tie_break="none", fairness_price=False)
        assert p.status == r.status.value
        if r.optimal:
            assert p.weighted_unmet_eur == pytest.approx(r.weighted_unmet_eur, rel=1e-8, abs=1e-3)
            if case.policy.fairness == "max-min":  # not one LP's optimum: no shadow price
                assert p.marginal_value is None
            else:
                assert p.marginal_value == pytest.approx(max(0.0, r.marginal_value), abs=1e-7)


def test_tasks_depend_on_the_grid_not_the_workers(grid_inputs: tuple) -> None:
    inst, policies, needs, _ = grid_inputs
    budgets = [1e8 + i for i in range(CHUNK * 2 + 3)]
    work = tasks(inst, budgets, policies, needs)
    assert len(work) == len(policies) * len(needs) * 3
    assert [len(t.budgets) for t in work[:3]] == [CHUNK, CHUNK, 3]


@pytest.mark.parametrize(("text", "message"), [
    ("1e8:1e9", "allocator: --budgets '1e8:1e9': write FROM:TO:N, for example 1e8:1e9:10"),
    ("1e9:1e8:5", "allocator: --budgets '1e9:1e8:5': need 0 < FROM <= TO"),
    ("1e8,-5", "allocator: --budgets '1e8,-5': budgets must be numbers > 0"),
    ("1e8:1e9:2.5", "allocator: --budgets '1e8:1e9:2.5': N must be a whole number >= 1"),
])
def test_bad_budgets_are_named(text: str, message: str, capsys: pytest.CaptureFixture[str]
                               ) -> None:
    assert main(["grid", str(NPVR), "--budgets", text, "-q"]) == 2
    assert capsys.readouterr().err.strip() == message


def test_cli_writes_workbook_csv_and_json(tmp_path: Path) -> None:
    import json

    import pandas as pd
    from openpyxl import load_workbook

    out, js, csv = tmp_path / "g.xlsx", tmp_path / "g.json", tmp_path / "g.csv"
    assert main(["grid", str(NPVR), "--budgets", "2e8,3e8,5e8", "--out", str(out),
                 "--json", str(js), "--csv", str(csv), "-q", "--lang", "nl"]) == 0
    points = json.loads(js.read_text())["points"]
    assert [p["budget_eur"] for p in points] == [2e8, 3e8, 5e8]
    assert pd.read_csv(csv)["weighted_unmet_eur"].round().tolist() == [
        round(p["weighted_unmet_eur"]) for p in points]
    ws = load_workbook(out)["Raster"]
    assert [c.value for c in ws[1]][:3] == ["Beleid", "Behoefte", "Budget"]
    assert len(ws._charts) == 1


def test_allocations_per_point_add_up_and_match_solve(grid_inputs: tuple) -> None:
    inst, policies, _, _ = grid_inputs
    budgets = [2e8, 4e8]
    grid = run_grid(inst, budgets, policies=policies[:2], allocations=True, progress=False)
    by_name = {v.name: v.policy for v in policies}
    for p in grid.points:
        assert p.by_region_eur is not None
        case = inst.with_policy(**by_name[p.policy].model_dump(exclude={"budget_eur"}))
        r = allocator.solve(case, budget=p.budget_eur, fairness_price=False)
        assert p.by_region_eur == {str(k): int(v) for k, v in r.matrix().sum(axis=1).items()}
    frame = grid.to_frame()
    assert list(frame.columns[-11:]) == list(inst.regions.index)
    assert (frame[list(inst.regions.index)].sum(axis=1) <= frame["budget_eur"]).all()


def test_with_tiers_both_parts_are_named_on_both_paths() -> None:
    from allocator.inputs.presets import with_policy
    from allocator.inputs.validate import load

    inst = with_policy(load(NPVR), "deep-shortfall")
    for allocations in (False, True):
        grid = run_grid(inst, [2e8, 4e8], progress=False, allocations=allocations)
        for p in grid.points:
            r = allocator.solve(inst, budget=p.budget_eur, fairness_price=False,
                                tie_break="lexicographic" if allocations else "none")
            assert p.objective_eur == pytest.approx(
                r.weighted_unmet_eur + r.tier_penalty_eur, rel=1e-8)
            assert p.objective_eur == pytest.approx(p.weighted_unmet_eur + p.tier_penalty_eur,
                                                    rel=1e-12)
            if allocations:  # the tie-broken split is the one solve reports
                assert p.weighted_unmet_eur == pytest.approx(r.weighted_unmet_eur, abs=0.01)
