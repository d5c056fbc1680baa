"""One result shape: every command's --json validates against the generated JSON Schema, and
its allocation records add up to the figures the same document states."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import jsonschema
import pytest

from allocator.cli import main
from allocator.reports.schema import SCHEMA_VERSION, json_schema, validate

ROOT = Path(__file__).parent.parent
NPVR = ROOT / "instances" / "npvr-2026.xlsx"
AGENDA = ROOT / "instances" / "npvr-agenda-2026-2029.xlsx"
VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def run(tmp_path: Path, *argv: str) -> dict:
    js = tmp_path / f"{argv[0]}.json"
    code = main([*argv, "--json", str(js), "--no-report", "-q"] if argv[0] != "compare"
                else [*argv, "--json", str(js), "--out", str(tmp_path / "c.xlsx"), "-q"])
    assert code in (0, 3)
    data = json.loads(js.read_text())
    VALIDATOR.validate(data)  # the published schema ...
    validate(data)  # ... and the models it is generated from
    assert data["schema_version"] == SCHEMA_VERSION and data["command"] == argv[0]
    return data


def test_the_committed_schema_is_the_generated_one(tmp_path: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())
    committed = json.loads((ROOT / "docs" / "result.schema.json").read_text())
    assert committed == json_schema(), "run: allocator schema --out docs/result.schema.json"
    out = tmp_path / "s.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == committed


def test_the_schema_refuses_what_it_should() -> None:
    good = {"schema_version": "2.4", "command": "grid", "instance": "x", "status": "optimal",
            "message": "", "allocations": [], "seconds": 0.1, "workers": "serial",
            "points": []}
    VALIDATOR.validate(good)
    for bad in ({**good, "schema_version": "1.0"},
                {**good, "allocations": [{"region": "a", "goal": "b", "amount_eur": -1}]},
                {**good, "allocations": [{"region": "a", "goal": "b", "amount_eur": 1,
                                          "colour": "red"}]},
                {**good, "command": "solve"}):  # a solve needs its own keys
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(bad)


def test_solve_records(tmp_path: Path) -> None:
    data = run(tmp_path, "solve", str(NPVR))
    records = data["allocations"]
    assert len(records) == 33 and all(set(r) == {"region", "goal", "amount_eur"}
                                      for r in records)
    assert sum(r["amount_eur"] for r in records) == data["allocated_eur"] == 250_000_000
    assert data["certificate"]["passed"] is True


def test_compare_records_per_variant(tmp_path: Path) -> None:
    table = tmp_path / "v.csv"
    table.write_text("name,budget_eur,coverage_floor\nlow,250000000,\nhigh,500000000,0.3\n"
                     "none,100000000,0.5\n")
    data = run(tmp_path, "compare", str(NPVR), str(table))
    by_variant: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in data["allocations"]:
        assert set(r) == {"scenario", "region", "goal", "amount_eur"}
        by_variant[r["scenario"]][r["region"]] += r["amount_eur"]
    assert set(by_variant) == {"low", "high"}  # the infeasible variant has no allocation
    for variant in data["scenarios"]:
        if variant["status"] == "optimal":
            assert by_variant[variant["scenario"]] == variant["allocation_by_region_eur"]
            assert variant["certificate"]["passed"] is True
        else:
            assert variant["certificate"] is None and "€" in variant["message"]


def test_grid_records_per_point(tmp_path: Path) -> None:
    data = run(tmp_path, "grid", str(NPVR), "--budgets", "2.5e8,5e8", "--allocations")
    by_point: dict[float, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in data["allocations"]:
        assert set(r) == {"scenario", "policy", "budget_eur", "region", "goal", "amount_eur"}
        by_point[r["budget_eur"]][r["region"]] += r["amount_eur"]
    for p in data["points"]:
        assert by_point[p["budget_eur"]] == p["by_region_eur"]
    assert sum(by_point[5e8].values()) == 500_000_000


def test_sweep_and_robust_and_agenda_validate(tmp_path: Path) -> None:
    sweep = run(tmp_path, "sweep", str(NPVR), "--budgets", "1e8,2.5e8")
    assert [p["status"] for p in sweep["breakpoints"]] == ["infeasible", "optimal"]

    needs = tmp_path / "needs.csv"
    needs.write_text("scenario,probability,region,goal,factor\nlow,0.5,,,0.9\n"
                     "high,0.5,,,1.2\n")
    robust = run(tmp_path, "robust", str(NPVR), str(needs))
    for key, by_region in (("allocations", "allocation_by_region_eur"),
                           ("nominal_allocations", "nominal_by_region_eur")):
        totals: dict[str, int] = defaultdict(int)
        for r in robust[key]:
            totals[r["region"]] += r["amount_eur"]
        assert totals == robust[by_region]

    agenda = run(tmp_path, "agenda", str(AGENDA))
    paid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in agenda["allocations"]:
        paid[r["funder"]][r["year"]] += r["amount_eur"]

    def nonzero(table: dict) -> dict:
        return {f: {y: v for y, v in years.items() if v} for f, years in table.items()
                if any(years.values())}

    assert nonzero(paid) == nonzero(agenda["by_funder_eur"])


def test_solve_csv_is_the_json_records(tmp_path: Path) -> None:
    js, table = tmp_path / "r.json", tmp_path / "r.csv"
    assert main(["solve", str(NPVR), "--json", str(js), "--csv", str(table), "--no-report",
                 "-q"]) == 0
    rows = table.read_text().splitlines()
    assert rows[0] == "region,goal,amount_eur"
    records = json.loads(js.read_text())["allocations"]
    assert [f"{r['region']},{r['goal']},{r['amount_eur']}" for r in records] == rows[1:]
