"""Property-based tests (hypothesis): the readers never crash, the engine never lies.

Readers: whatever bytes sit in a table file, the outcome is an instance or an InputError
(exit 2), never another exception. Engine: on random instances with random rules, either the
status is optimal, the certificate holds and every rule holds on the allocation, or the status
is infeasible and the reported budget range is right at its lower end.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocator
from allocator.errors import InputError, Status
from allocator.inputs.validate import load
from tests.conftest import SMALL, instance_tables, write_csv_instance
from tests.test_engine import check_rules

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

CSV_ALPHABET = string.ascii_letters + string.digits + ",;.\n\r\t \"'-+%€=@éâ\x00\x07"


@FUZZ
@given(content=st.one_of(st.binary(max_size=400), st.text(CSV_ALPHABET, max_size=400)),
       table=st.sampled_from(["regions", "goals", "needs", "policy"]))
def test_csv_reader_never_crashes(tmp_path_factory: pytest.TempPathFactory,
                                  content: bytes | str, table: str) -> None:
    folder = write_csv_instance(tmp_path_factory.mktemp("fuzz") / "i", SMALL)
    data = content.encode("utf-8") if isinstance(content, str) else content
    (folder / f"{table}.csv").write_bytes(data)
    try:
        load(folder)
    except InputError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)


@FUZZ
@given(seed_bytes=st.binary(min_size=1, max_size=200))
def test_xlsx_reader_never_crashes(tmp_path_factory: pytest.TempPathFactory,
                                   seed_bytes: bytes) -> None:
    from tests.conftest import write_xlsx_instance

    path = write_xlsx_instance(tmp_path_factory.mktemp("fuzz") / "i.xlsx", SMALL)
    data = bytearray(path.read_bytes())
    for i, b in enumerate(seed_bytes):  # flip bytes spread over the file
        data[(i * 7919 + b * 31) % len(data)] ^= b or 1
    path.write_bytes(bytes(data))
    try:
        load(path)
    except InputError as exc:
        assert exc.problems


money = st.integers(min_value=0, max_value=10**6)


@st.composite
def instances(draw: st.DrawFn) -> dict:
    n_regions = draw(st.integers(1, 5))
    n_goals = draw(st.integers(1, 3))
    regions = [(f"r{i}", draw(st.integers(1, 10**5)), draw(st.sampled_from([0.5, 1, 2])))
               for i in range(n_regions)]
    goals = [(f"g{j}", draw(st.sampled_from([1, 1.5]))) for j in range(n_goals)]
    needs = []
    for r, _, _ in regions:
        for g, _ in goals:
            if draw(st.booleans()) or not needs:
                need = draw(money)
                existing = draw(st.integers(0, need)) if need else 0
                cap = draw(st.one_of(st.none(), money))
                needs.append((r, g, need, existing, cap))
    policy: dict[str, object] = {"budget_eur": draw(st.integers(1, 3 * 10**6))}
    if draw(st.booleans()):
        policy["coverage_floor"] = draw(st.sampled_from([0.1, 0.3, 0.6]))
    if draw(st.booleans()):
        policy["max_coverage_gap"] = draw(st.sampled_from([0.2, 0.5]))
    if draw(st.booleans()):
        policy["per_capita_cap"] = draw(st.sampled_from([1.5, 3]))
    if draw(st.booleans()):
        policy["spend_all"] = True
    return instance_tables(regions, goals, needs, policy)


@FUZZ
@given(tables=instances())
def test_engine_is_certified_or_honest(tmp_path_factory: pytest.TempPathFactory,
                                       tables: dict) -> None:
    folder = write_csv_instance(tmp_path_factory.mktemp("model") / "i", tables)
    r = allocator.solve(folder)
    if r.status == Status.OPTIMAL:
        assert r.certificate is not None and r.certificate.passed
        check_rules(r)
        return
    assert r.status == Status.INFEASIBLE
    assert r.allocation is None or len(r.allocation) == 0
    low = r.infeasibility.min_budget_eur if r.infeasibility else None
    if low is not None and low > 0:
        high = r.infeasibility.max_budget_eur if r.infeasibility else None
        budget = low * (1 + 1e-9) + 1e-6
        if high is not None:
            budget = min(budget, high)
        assert allocator.solve(folder, budget=budget).status == Status.OPTIMAL
