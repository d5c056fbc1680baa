"""Each rule parameter is declared once, on its rule (models.rules.params), and every surface
offers it: the policy model, the command-line flags of every solving command, the API's
fields, the page's parameter list, the template's policy sheet, the scenario columns, the
sensitivity list, the labels and the docs. A parameter added to a rule's declarations
reaches them all; these tests fail when a surface keeps a list of its own."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import allocator
from allocator.cli import _flags, _parser
from allocator.inputs.instance import POLICY_KEYS, RENAMED_KEYS, Policy
from allocator.inputs.presets import OFF
from allocator.inputs.validate import NUMERIC
from allocator.labels import label
from models.rules import PARAM, PARAM_RULES, PARAMS, RULES, param_table

ROOT = Path(__file__).resolve().parents[1]
NPVR = ROOT / "instances" / "npvr-2026.xlsx"
SOLVING = ("solve", "sweep", "compare", "robust", "grid", "agenda", "sensitivity", "export")


def test_every_parameter_is_declared_once_on_the_rule_it_switches_on() -> None:
    keys = [p.key for p in PARAMS]
    assert len(keys) == len(set(keys))
    for rule in RULES:  # a rule with parameters is switched on by one of them
        switched_by = {k.split(":", 1)[1].split("=")[0] for k in rule.keys}
        assert not rule.params or switched_by & {p.key for p in rule.params}, rule.name
    assert set(POLICY_KEYS) == set(keys)
    assert RENAMED_KEYS == {"per_capita_cap_ratio": "per_capita_cap",
                            "max_change_eur_per_capita": "change_cap"}


def test_the_policy_model_is_the_declarations() -> None:
    fields = Policy.model_fields
    assert list(fields) == [p.key for p in PARAMS]
    for p in PARAMS:
        field = fields[p.key]
        assert field.is_required() == p.required, p.key
        if not p.required:
            assert field.default == p.default, p.key
        metadata = {type(m).__name__: m for m in field.metadata}
        for bound, name in (("ge", "Ge"), ("gt", "Gt"), ("le", "Le")):
            value = getattr(p, bound)
            if value is not None:
                assert getattr(metadata[name], bound) == value, (p.key, bound)


@pytest.mark.parametrize("command", SOLVING)
def test_every_solving_command_has_a_flag_for_every_parameter(command: str) -> None:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    actions = {a.dest: a for a in sub.choices[command]._actions}  # type: ignore[attr-defined]
    for p in PARAMS:
        if p.key == "budget_eur" and command == "grid":
            continue  # the grid's budgets are its own axis
        assert p.key in actions, (command, p.key)
        assert p.flag in actions[p.key].option_strings


def test_none_switches_any_rule_off_from_the_command_line() -> None:
    for p in PARAMS:
        if not p.can_off or p.kind in ("bool", "choice"):
            continue
        args = _parser().parse_args(["solve", "x", p.flag, "geen"])
        assert _flags(args) == {p.key: OFF}, p.key


def test_the_labels_are_the_declared_names() -> None:
    for p in PARAMS:
        assert label(p.key, "nl") == p.name["nl"] and label(p.key, "en") == p.name["en"]


def test_scenario_columns_and_the_sensitivity_decisions_are_the_declared_parameters(
        ) -> None:
    """Every numeric parameter is a scenario column; every parameter is a decision that
    sensitivity takes at its alternative apart from the assumptions
    (allocator.studies.sensitivity.DECISIONS), none is moved as an assumption."""
    from allocator.studies.sensitivity import DECISIONS, assumptions

    numeric = tuple(p.key for p in PARAMS if p.numeric)
    assert NUMERIC["scenarios"] == numeric
    assert tuple(p.key for p in PARAMS) == DECISIONS
    assert all(a.startswith(("region:", "goal:"))
               for a in assumptions(allocator.load(NPVR)))


def test_the_template_offers_every_key_with_its_help(tmp_path: Path) -> None:
    from allocator.cli import main

    assert main(["template", str(tmp_path / "t.xlsx")]) == 0
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["beleid"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [p.key for p in PARAMS]
    for p in PARAMS:
        assert rows[p.key][2] == p.help["nl"]


def test_the_api_and_the_page_read_the_declarations() -> None:
    from fastapi.testclient import TestClient

    from allocator.web.app import FIELDS, create_app

    assert {FIELDS[p.dest] for p in PARAMS} == set(POLICY_KEYS)
    client = TestClient(create_app(NPVR))
    got = client.get("/params").json()
    assert [g["key"] for g in got] == [p.key for p in PARAMS]
    assert got[2]["name"]["nl"] == PARAM[got[2]["key"]].name["nl"]
    # every parameter by its flag's name, 'none' switching it off
    doc = client.post("/solve", json={"tiers": "none", "floor": "geen", "no_sensitivity": 1,
                                      "budget": 250e6}).json()
    assert doc["policy"]["shortfall_tiers"] is None and doc["policy"]["coverage_floor"] == 0
    # the same rule twice, by flag name and key, is refused, naming it
    r = client.post("/solve", json={"floor": 0.2, "coverage_floor": 0.3})
    assert r.status_code == 400 or r.status_code == 422
    assert "coverage_floor" in r.text


def test_the_docs_table_is_the_declarations() -> None:
    docs = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert param_table() in docs


NEW_PARAMETER = """
import dataclasses
import models.rules as rules
from models.rules.coverage import COVERAGE_FLOOR
from models.rules.params import Param

extra = Param("floor_slack", "fraction", flag="--floor-slack", ge=0, le=1,
              name={"nl": "speling minimumdekking", "en": "floor slack"},
              help={"nl": "een proef", "en": "a trial"})
widened = dataclasses.replace(COVERAGE_FLOOR, params=(*COVERAGE_FLOOR.params, extra))
rules.RULES = tuple(widened if r is COVERAGE_FLOOR else r for r in rules.RULES)
rules.PARAMS = tuple(p for r in rules.RULES for p in r.params)
rules.PARAM = {p.key: p for p in rules.PARAMS}
rules.PARAM_RULES = {p.key: r.name for r in rules.RULES for p in r.params}

from allocator import cli, labels
from allocator.inputs import instance, validate
from allocator.web import app

assert "floor_slack" in instance.POLICY_KEYS
assert instance.Policy(budget_eur=1, floor_slack=0.5).floor_slack == 0.5
assert "floor_slack" in validate.NUMERIC["scenarios"]
assert labels.label("floor_slack", "nl") == "speling minimumdekking"
args = cli._parser().parse_args(["solve", "x", "--floor-slack", "0.1"])
assert cli._flags(args) == {"floor_slack": 0.1}
assert app.FIELDS["floor_slack"] == "floor_slack"
assert "floor_slack" in rules.param_table()
print("reached every surface")
"""


def test_a_new_parameter_reaches_every_surface() -> None:
    """A parameter added to a rule's declarations (here a made-up second one on the
    coverage floor's rule) becomes a policy key, a flag, an API field, a scenario column, a
    label and a docs row, with no other file touched (in a fresh interpreter, so that the
    modules read the widened declarations as they import)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", NEW_PARAMETER], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "reached every surface" in out.stdout


def test_a_solve_under_every_rule_off_from_its_declaration() -> None:
    """'geen' for every parameter that can be off gives the instance with no rule: the same
    as the efficient preset's answer on the weighted objective."""
    from allocator.inputs.presets import with_policy

    inst = with_policy(allocator.load(NPVR), None,
                       {p.key: OFF for p in PARAMS if p.can_off})
    assert inst.policy.rules_in_force() == {}
    assert PARAM_RULES["shortfall_tiers"] == "shortfall_tiers"
