"""The same policy flags on every command that solves, with the same precedence (the
instance's policy sheet, then --policy, then the flags), each reaching the model: checked on
what each command returns, against a run without the flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allocator.cli import POLICY_FLAGS, _parser, main
from tests.conftest import npvr_weighted

ROOT = Path(__file__).parent.parent
NPVR = npvr_weighted()  # the plain weighted objective: see tests/conftest.py
AGENDA = ROOT / "instances" / "npvr-agenda-2026-2029.xlsx"
SOLVING = ("solve", "sweep", "compare", "robust", "grid", "agenda")


def flags_of(command: str) -> set[str]:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    parser = sub.choices[command]  # type: ignore[attr-defined]
    return {a.dest for a in parser._actions}


@pytest.mark.parametrize("command", SOLVING)
def test_every_solving_command_takes_every_policy_flag(command: str) -> None:
    expected = set(POLICY_FLAGS) | {"policy"}
    if command == "grid":  # its budgets are the grid's own axis (--budgets)
        expected -= {"budget_eur"}
    assert expected <= flags_of(command)


def run_json(tmp_path: Path, argv: list[str], name: str) -> dict:
    out = tmp_path / f"{name}.json"
    code = main([*argv, "--json", str(out), "--no-report", "-q"] if argv[0] != "compare"
                else [*argv, "--json", str(out), "--out", str(tmp_path / f"{name}.xlsx"), "-q"])
    assert code == 0
    return json.loads(out.read_text())


@pytest.fixture
def tables(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "variants.csv").write_text("name,budget_eur\nlaag,200000000\nhoog,400000000\n")
    (tmp_path / "needs.csv").write_text("scenario,probability,factor\nlaag,0.5,0.8\n"
                                        "hoog,0.5,1.2\n")
    return tmp_path / "variants.csv", tmp_path / "needs.csv"


def lowest(coverage: dict[str, float]) -> float:
    return min(v for v in coverage.values() if v == v)


def test_floor_flag_reaches_every_command(tmp_path: Path, tables: tuple[Path, Path]) -> None:
    variants, needs = tables
    flag = ["--floor", "0.3"]
    # solve: the floor holds on the returned allocation, and was not binding at 0.3 before
    base = run_json(tmp_path, ["solve", str(NPVR)], "s0")
    got = run_json(tmp_path, ["solve", str(NPVR), *flag], "s1")
    assert lowest(base["coverage"]) < 0.3 - 1e-6 <= lowest(got["coverage"])
    # compare: every variant starts from the flags
    got = run_json(tmp_path, ["compare", str(NPVR), str(variants), *flag], "c1")
    # coverage from the figures in whole euros: within a euro of the smallest need (€10 m+)
    assert all(s["lowest_coverage"] >= 0.3 - 1e-7 for s in got["scenarios"])
    # sweep: the least budget at which the rules hold rises
    base = run_json(tmp_path, ["sweep", str(NPVR)], "w0")
    got = run_json(tmp_path, ["sweep", str(NPVR), *flag], "w1")
    assert got["min_feasible_budget_eur"] > base["min_feasible_budget_eur"] + 1e6
    # grid: weighted unmet need at each budget does not fall, and rises where the floor binds
    base = run_json(tmp_path, ["grid", str(NPVR), "--budgets", "2e8,4e8"], "g0")
    got = run_json(tmp_path, ["grid", str(NPVR), "--budgets", "2e8,4e8", *flag], "g1")
    before = [p["weighted_unmet_eur"] for p in base["points"]]
    after = [p["weighted_unmet_eur"] for p in got["points"]]
    assert all(a >= b - 1 for a, b in zip(after, before, strict=True))
    assert after[0] > before[0] + 1e3
    # robust: the robust allocation changes
    base = run_json(tmp_path, ["robust", str(NPVR), str(needs), "--budget", "3e8"], "u0")
    got = run_json(tmp_path, ["robust", str(NPVR), str(needs), "--budget", "3e8", *flag], "u1")
    assert got["allocation_by_region_eur"] != base["allocation_by_region_eur"]
    # agenda: the floor holds in every year
    got = run_json(tmp_path, ["agenda", str(AGENDA), *flag], "a1")
    assert min(v for region in got["coverage"].values() for y, v in region.items()
               if y != "period") >= 0.3 - 1e-6


def test_precedence_is_instance_then_preset_then_flags(tmp_path: Path) -> None:
    preset = tmp_path / "p.toml"
    preset.write_text("[policy]\ncoverage_floor = 0.25\nbudget_eur = 300000000\n")
    got = run_json(tmp_path, ["solve", str(NPVR), "--policy", str(preset)], "p1")
    assert (got["policy"]["coverage_floor"], got["budget_eur"]) == (0.25, 3e8)
    got = run_json(tmp_path, ["solve", str(NPVR), "--policy", str(preset), "--floor", "0.3"],
                   "p2")
    assert (got["policy"]["coverage_floor"], got["budget_eur"]) == (0.3, 3e8)
    got = run_json(tmp_path, ["sweep", str(NPVR), "--policy", str(preset), "--floor", "0.3"],
                   "p3")
    solved = run_json(tmp_path, ["sweep", str(NPVR), "--floor", "0.3"], "p4")
    assert got["min_feasible_budget_eur"] == solved["min_feasible_budget_eur"]


def test_budget_flag_sets_the_national_envelope_of_every_agenda_year(tmp_path: Path) -> None:
    got = run_json(tmp_path, ["agenda", str(AGENDA), "--budget", "1e8"], "a")
    rijk = got["by_funder_eur"]["rijk"]
    assert max(rijk.values()) <= 1e8 + 25_000_000  # its envelope, plus at most its carry-over
    assert sum(rijk.values()) <= 4e8


def test_max_min_flag_on_the_default_agenda(tmp_path: Path) -> None:
    fair = run_json(tmp_path, ["agenda", str(AGENDA), "--fairness", "max-min"], "fair")
    plain = run_json(tmp_path, ["agenda", str(AGENDA)], "plain")
    assert "Max-min fairness" in fair["message"]
    for year in fair["years"]:
        low = min(region[str(year)] for region in fair["coverage"].values())
        before = min(region[str(year)] for region in plain["coverage"].values())
        assert low >= before - 1e-9


def test_gap_flag_holds_in_every_agenda_year(tmp_path: Path) -> None:
    got = run_json(tmp_path, ["agenda", str(AGENDA), "--max-gap", "0.3"], "gap")
    years = [y for y in got["years"]]
    for year in years:
        cov = [region[str(year)] for region in got["coverage"].values()]
        assert max(cov) - min(cov) <= 0.3 + 1e-7


def test_earlier_key_names_are_still_read(tmp_path: Path) -> None:
    """per_capita_cap_ratio and max_change_eur_per_capita are the earlier names of
    per_capita_cap and change_cap (a rule's key is its name): a policy sheet, a scenario
    column, a preset and a Python keyword with the old name give the same policy."""
    import allocator
    from allocator.inputs.presets import load_preset
    from allocator.inputs.read import read_table
    from allocator.inputs.validate import scenarios
    from tests.conftest import SMALL, write_csv_instance

    tables = {k: [list(r) for r in v] for k, v in SMALL.items()}
    tables["policy"] += [["per_capita_cap_ratio", 1.8]]
    inst = allocator.load(write_csv_instance(tmp_path / "old", tables))
    assert inst.policy.per_capita_cap == 1.8
    assert "per_capita_cap" in inst.policy.model_dump()
    assert "per_capita_cap_ratio" not in inst.policy.model_dump()
    table = tmp_path / "v.csv"
    table.write_text("name,per_capita_cap_ratio\nx,1.5\n")
    [(_, policy, _)] = scenarios(read_table(table), inst.policy)
    assert policy.per_capita_cap == 1.5
    preset = tmp_path / "p.toml"
    preset.write_text("[policy]\nmax_change_eur_per_capita = 15\n")
    assert load_preset(str(preset)).values["change_cap"] == 15
    assert inst.with_policy(per_capita_cap_ratio=2.0).policy.per_capita_cap == 2.0


def test_tiers_none_switches_off_the_default_tiers(tmp_path: Path) -> None:
    """The shipped default has shortfall tiers; --tiers none gives the floor alone, which is
    the tables without the tiers row."""
    default = ROOT / "instances" / "npvr-2026-ingevuld.xlsx"  # npvr_weighted's tables
    off = run_json(tmp_path, ["solve", str(default), "--tiers", "none"], "off")
    plain = run_json(tmp_path, ["solve", str(npvr_weighted())], "plain")
    on = run_json(tmp_path, ["solve", str(default)], "on")
    assert on["policy"]["shortfall_tiers"] and off["policy"]["shortfall_tiers"] is None
    assert off["tier_penalty_eur"] is None
    assert off["weighted_unmet_eur"] == pytest.approx(plain["weighted_unmet_eur"], rel=1e-12)
    assert off["allocations"] == plain["allocations"]
    agenda = run_json(tmp_path, ["agenda", str(default), "--tiers", "none"], "agenda")
    assert agenda["tier_penalty_eur"] is None
