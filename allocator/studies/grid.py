"""Grids of budgets x policy variants x need scenarios, serially or on Dask.

A grid is cut into tasks of one (policy, needs) pair and up to ``CHUNK`` budgets. A task
builds its LP once and re-solves it warm for each budget, changing only the budget
column's bounds, so whichever process runs it keeps one HiGHS model warm across its cases.
The cut depends on the grid alone, never on the number of workers, and HiGHS runs on one
thread with a fixed seed: a task gives the same numbers wherever it runs, and a Dask run
equals the serial run exactly, in the same order (tested).

Each point is the stage-1 optimum: weighted unmet need and the marginal value of a euro,
both unique. With ``allocations=True`` every point is instead a full solve (tie-break and
certificate, as ``allocator solve``) and carries each region's allocation in whole euros:
slower, as each point is then solved from scratch, but what a cabinet reads.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import CertificateError, OutsideFault, Status, UsageError
from allocator.inputs.instance import Instance, Policy
from allocator.inputs.validate import NeedScenario, Variant, apply_variant
from allocator.limits import MAX_EUR, MAX_GRID_POINTS, MAX_STEPS, SCHEDULER_TIMEOUT_S
from allocator.messages import Message

#: Budgets per task: enough to amortise the build over warm re-solves, few enough that a
#: grid of one policy still spreads over several workers.
CHUNK = 25
#: The progress bar appears only when a grid runs longer than this many seconds.
PROGRESS_DELAY = 1.0


@dataclass(frozen=True)
class GridPoint:
    """One point. ``objective_eur`` is what the model minimises: weighted unmet need plus,
    with shortfall tiers, the tier penalty (both parts given); ``marginal_value`` is the
    objective removed by one more euro (the budget's shadow price; None under max-min,
    where the allocation is not one LP's optimum: use ``allocator sweep``)."""

    policy: str
    needs: str
    budget_eur: float
    status: Status
    weighted_unmet_eur: float | None
    marginal_value: float | None
    by_region_eur: dict[str, int] | None = None  # with allocations=True
    objective_eur: float | None = None
    tier_penalty_eur: float | None = None  # None: no tiers (or no optimum)
    cells_eur: tuple[int, ...] | None = None  # with allocations=True: whole euros per cell
    # the point's certificate (None where there is no optimum)
    max_violation_eur: float | None = None
    duality_gap: float | None = None


@dataclass(frozen=True)
class Task:
    """One (policy, needs) pair and a run of budgets: one LP, warm re-solves."""

    policy_name: str
    policy: Policy
    needs: NeedScenario | None
    budgets: tuple[float, ...]
    allocations: bool = False
    off: tuple[str, ...] = ()  # the keys the variant switches off (per-region columns too)


@dataclass
class Grid:
    instance: Instance
    points: list[GridPoint]
    workers: str  # "serial", or where the Dask run went
    seconds: float = 0.0  # wall clock of the whole grid

    def to_frame(self) -> pd.DataFrame:
        """One row per point; with allocations, one column of whole euros per region."""
        frame = pd.DataFrame([{k: v for k, v in vars(p).items()
                               if k not in ("by_region_eur", "cells_eur")}
                              for p in self.points])
        if any(p.by_region_eur for p in self.points):
            regions = pd.DataFrame([p.by_region_eur or {} for p in self.points],
                                   columns=list(self.instance.regions.index))
            frame = pd.concat([frame, regions], axis=1)
        return frame


def tasks(instance: Instance, budgets: Sequence[float],
          policies: Sequence[Variant | tuple[str, Policy]] | None = None,
          needs: Sequence[NeedScenario] | None = None, allocations: bool = False
          ) -> list[Task]:
    """The grid cut into tasks, in the order its points are reported: policy, then needs,
    then budget."""
    variants = [Variant(*v) for v in policies] if policies else [
        Variant("instance", instance.policy)]
    scenarios: list[NeedScenario | None] = list(needs) if needs else [None]
    out = []
    for name, policy, off in variants:
        for scenario in scenarios:
            for start in range(0, len(budgets), CHUNK):
                out.append(Task(name, policy, scenario,
                                tuple(float(b) for b in budgets[start:start + CHUNK]),
                                allocations, tuple(off)))
    return out


def run_task(instance: Instance, task: Task) -> list[GridPoint]:
    """Solve one task: one model, one warm re-solve per budget."""
    from allocator.solving import highs
    from allocator.solving.certify import certify_at, tier_penalty, unmet
    from allocator.solving.engine import solve
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    inst = apply_variant(instance, task.policy.model_copy(
        update={"budget_eur": max(task.budgets)}), task.off)
    if task.needs is not None:
        inst = task.needs.apply(inst)
    needs = task.needs.name if task.needs is not None else "instance"

    def point(budget: float, status: Status, unmet: float | None, tiers: float | None,
              value: float | None, regions: dict[str, int] | None = None,
              cells: tuple[int, ...] | None = None, cert: Any = None) -> GridPoint:
        total = None if unmet is None else unmet + (tiers or 0.0)
        return GridPoint(task.policy_name, needs, budget, status, unmet, value,
                         regions, total, tiers, cells,
                         None if cert is None else cert.max_violation_eur,
                         None if cert is None else cert.duality_gap)

    maxmin = inst.policy.fairness == "max-min"
    if maxmin or task.allocations:
        # Max-min levels depend on the budget, and allocations need the tie-break: each
        # point is a full solve of its own.
        out = []
        for budget in task.budgets:
            r = solve(inst, budget=budget, fairness_price=False, marginal=False,
                      tie_break="lexicographic" if task.allocations else "none")
            keep = task.allocations and r.optimal
            regions = ({str(k): int(v) for k, v in r.matrix().sum(axis=1).items()}
                       if keep else None)
            cells = (tuple(r.rounded_allocation()["amount_eur"].astype(int).tolist())
                     if keep else None)
            value = None if maxmin or not r.optimal else max(0.0, r.marginal_value or 0.0)
            out.append(point(budget, r.status, r.weighted_unmet_eur if r.optimal else None,
                             r.tier_penalty_eur if r.optimal else None, value, regions,
                             cells, r.certificate if r.optimal else None))
        return out
    scale = money_scale(inst)
    d = to_model_data(inst, scale)
    lp = build_lp(d)
    column = lp.columns["budget"]
    solver = highs.Solver(lp)
    out = []
    for budget in task.budgets:
        solver.set_col_bounds(column, budget / scale, budget / scale)
        sol = solver.run()
        if sol.status != Status.OPTIMAL:
            out.append(point(budget, sol.status, None, None, None))
            continue
        x = sol.x[: lp.n_cells]
        tiers = tier_penalty(d, x) * scale if d.shortfall_tiers is not None else None
        cert = certify_at(d, lp, budget / scale, x, sol.row_dual, scale)
        if not cert.passed:
            raise CertificateError(Message(
                "The grid point at €{budget:,.2f} ({policy}, {needs}) failed its independent "
                "check (largest violation €{violation:,.2f} in {rule}, relative duality gap "
                "{gap:.2e}).", budget=budget, policy=task.policy_name, needs=str(needs),
                violation=cert.max_violation_eur, rule=cert.worst_rule or "-",
                gap=cert.duality_gap))
        out.append(point(budget, sol.status, max(0.0, unmet(d, x) * scale), tiers,
                         max(0.0, -float(sol.col_dual[column])), cert=cert))
    return out


def run_grid(instance: Instance, budgets: Sequence[float], *,
             policies: Sequence[Variant | tuple[str, Policy]] | None = None,
             needs: Sequence[NeedScenario] | None = None, workers: int | None = None,
             scheduler: str | None = None, client: Any = None, progress: bool = True,
             allocations: bool = False) -> Grid:
    """Every point of budgets x policies x needs. Serial by default; on Dask with
    ``workers`` local processes, an existing cluster at ``scheduler``, or a given
    ``client``. The points come back in grid order either way."""
    points = len(budgets) * max(len(policies or ()), 1) * max(len(needs or ()), 1)
    if points > MAX_GRID_POINTS:
        raise UsageError(Message("the grid has {points} points (budgets x policy variants x "
                                 "need scenarios), above the limit of {limit}", points=points,
                                 limit=MAX_GRID_POINTS))
    clock = time.perf_counter()
    work = tasks(instance, budgets, policies, needs, allocations)
    total = sum(len(t.budgets) for t in work)
    with _bar(total, progress) as advance:
        if client is None and workers is None and scheduler is None:
            results = []
            for task in work:
                results.append(run_task(instance, task))
                advance(len(task.budgets))
            return Grid(instance, [p for r in results for p in r], "serial",
                        time.perf_counter() - clock)
        with _client(client, workers, scheduler) as (dask, where):
            found = _on_dask(dask, instance, work, advance)
            return Grid(instance, found, where, time.perf_counter() - clock)


def _on_dask(client: Any, instance: Instance, work: list[Task],
             advance: Callable[[int], None]) -> list[GridPoint]:
    from dask.distributed import as_completed

    # A fresh key per run: a content-hashed key can race with the release of the last
    # run's copy of the same instance ("lost dependencies").
    shared = client.scatter(instance, broadcast=True, hash=False)
    futures = [client.submit(run_task, shared, task, pure=False) for task in work]
    sizes = {f.key: len(t.budgets) for f, t in zip(futures, work, strict=True)}
    for future in as_completed(futures):
        advance(sizes[future.key])
    return [p for f in futures for p in f.result()]


class _client:
    """A Dask client for the run: the caller's, one connected to ``scheduler``, or a
    LocalCluster of ``workers`` single-threaded processes that lives as long as the run."""

    def __init__(self, client: Any, workers: int | None, scheduler: str | None) -> None:
        self.given, self.workers, self.scheduler = client, workers, scheduler
        self.own: list[Any] = []

    def __enter__(self) -> tuple[Any, str]:
        if self.given is not None:
            return self.given, f"dask {self.given.scheduler.address}"
        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            try:
                client = Client(self.scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError) as exc:
                reason = " ".join(str(exc).split()) or type(exc).__name__
                raise OutsideFault(Message("no Dask scheduler answered at {address} within "
                                           "{seconds} s ({reason})", address=self.scheduler,
                                           seconds=SCHEDULER_TIMEOUT_S, reason=reason)
                                   ) from None
            self.own = [client]
            return client, f"dask {self.scheduler}"
        cluster = LocalCluster(n_workers=self.workers or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
        self.own = [client, cluster]
        return client, f"dask LocalCluster, {self.workers} processes"

    def __exit__(self, *exc: object) -> None:
        for item in self.own:
            item.close()


class _bar:
    """A tqdm bar that shows itself only after PROGRESS_DELAY seconds, on a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit="point", delay=PROGRESS_DELAY,
                            leave=False, dynamic_ncols=True)
        return self.bar.update if self.bar is not None else (lambda n: None)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def parse_budgets(text: str) -> list[float]:
    """``FROM:TO:N`` (N evenly spaced budgets, ends included) or ``B1,B2,...``. Raises
    ValueError with the reason."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(Message("'{text}': write FROM:TO:N, for example 1e8:1e9:10",
                                     text=text))
        try:
            low, high, n = float(parts[0]), float(parts[1]), float(parts[2])
        except ValueError:
            raise ValueError(Message("'{text}': write FROM:TO:N with numbers, for example "
                                     "1e8:1e9:10", text=text)) from None
        if not (n >= 1 and n.is_integer()):
            raise ValueError(Message("'{text}': N must be a whole number >= 1", text=text))
        if n > MAX_STEPS:
            raise ValueError(Message("'{text}': N must be at most {limit}", text=text,
                                     limit=MAX_STEPS))
        if high > MAX_EUR:
            raise ValueError(Message("'{text}': budgets above €{limit:,.0f} are beyond the "
                                     "limit", text=text, limit=MAX_EUR))
        if not 0 < low <= high or not math.isfinite(high):
            raise ValueError(Message("'{text}': need 0 < FROM <= TO", text=text))
        return [float(b) for b in np.linspace(low, high, int(n))]
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(Message("'{text}': budgets must be numbers > 0, separated by commas",
                                 text=text)) from None
    if not values or any(not (v > 0 and math.isfinite(v)) for v in values):
        raise ValueError(Message("'{text}': budgets must be numbers > 0", text=text))
    if any(v > MAX_EUR for v in values):
        raise ValueError(Message("'{text}': budgets above €{limit:,.0f} are beyond the limit",
                                 text=text, limit=MAX_EUR))
    if len(values) > MAX_STEPS:
        raise ValueError(Message("'{text}': {count} budgets, above the limit of {limit}",
                                 text=text, count=len(values), limit=MAX_STEPS))
    return values
