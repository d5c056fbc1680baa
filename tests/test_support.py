"""The support table: every rule x every command that solves, pinned. A rule the table says a
command holds runs there (and, for solve, is certified); a rule it says the command cannot
hold yet is refused, word for word, by the one refusal every command shares. docs/model.md
shows the same table, generated from the registry."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import allocator
from allocator.errors import InputError
from allocator.inputs.validate import load
from allocator.studies.agenda import load_agenda, solve_agenda
from allocator.studies.compare import compare
from allocator.studies.grid import run_grid
from allocator.studies.robust import robust
from allocator.studies.sweep import sweep
from models.rules import COMMANDS, RULES, support_table
from tests.conftest import write_csv_instance

ROOT = Path(__file__).parent.parent

BASE: dict[str, list[list[object]]] = {
    "regions": [["region", "population", "weight", "cofinancing_eur", "reference_eur"],
                ["A", 100, 1, 60, 40], ["B", 200, 2, 80, 50]],
    "goals": [["goal", "weight"], ["g1", 1], ["g2", 1]],
    "needs": [["region", "goal", "need_eur", "existing_eur"],
              ["A", "g1", 100, 10], ["A", "g2", 50, 0], ["B", "g1", 80, 40], ["B", "g2", 60, 0]],
    "policy": [["key", "value"], ["budget_eur", 100]],
}

#: How each rule is switched on in BASE: policy rows, or a change to a table.
SWITCH: dict[str, list[list[object]] | tuple[str, list[list[object]]]] = {
    "budget": [],
    "spend_all": [["spend_all", "true"]],
    "coverage_floor": [["coverage_floor", 0.2]],
    "max_coverage_gap": [["max_coverage_gap", 0.5]],
    "min_share": ("goals", [["goal", "weight", "min_share"], ["g1", 1, 0.1], ["g2", 1, None]]),
    "max_share": ("goals", [["goal", "weight", "max_share"], ["g1", 1, 0.9], ["g2", 1, None]]),
    "per_capita_cap": [["per_capita_cap", 3]],
    "region_min": [["region_min_eur", 5]],
    "region_max": [["region_max_eur", 90]],
    "cofinancing": [["cofinancing_ratio", 1]],
    "change_cap": [["change_cap", 0.5]],
    "shortfall_tiers": [["shortfall_tiers", "25%: 1.5; 50%: 2"]],
    "max_min": [["fairness", "max-min"]],
    "ramp_up": [["ramp_factor", 1.5]],
    "equity_over": [["equity_over", "period"]],
}


def test_every_rule_has_a_switch() -> None:
    assert [r.name for r in RULES] == list(SWITCH)


def instance_with(tmp_path: Path, rule: str) -> Path:
    t = copy.deepcopy(BASE)
    switch = SWITCH[rule]
    if isinstance(switch, tuple):
        t[switch[0]] = switch[1]
    else:
        t["policy"] += switch
    return write_csv_instance(tmp_path / rule, t)


def run(command: str, path: Path, tmp_path: Path) -> None:
    """Run ``command`` through its Python API on the instance at ``path``."""
    (tmp_path / "variants.csv").write_text("name,budget_eur\nmeer,120\n")
    (tmp_path / "needs.csv").write_text("scenario,probability,factor\nlaag,0.5,0.9\n"
                                        "hoog,0.5,1.1\n")
    if command == "agenda":
        solve_agenda(load_agenda(path))
        return
    instance = load(path)
    if command == "solve":
        r = allocator.solve(instance)
        assert r.optimal and r.certificate.passed
    elif command == "compare":
        compare(instance, tmp_path / "variants.csv")
    elif command == "sweep":
        sweep(instance, steps=3)
    elif command == "grid":
        run_grid(instance, [80.0, 100.0], progress=False)
    elif command == "robust":
        robust(instance, tmp_path / "needs.csv")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_support_table(tmp_path: Path, rule: object, command: str) -> None:
    path = instance_with(tmp_path, rule.name)  # type: ignore[attr-defined]
    why = rule.why_not(command)  # type: ignore[attr-defined]
    if why is None:
        run(command, path, tmp_path)  # no refusal; solve also certifies
        return
    with pytest.raises(InputError) as err:
        run(command, path, tmp_path)
    messages = [p.message for p in err.value.problems]
    assert len(messages) == 1
    assert messages[0].endswith(f": {why}; switch it off for {command}")
    assert messages[0].startswith(rule.name)  # type: ignore[attr-defined]


def test_docs_show_the_table_of_the_registry() -> None:
    docs = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert support_table() in docs
