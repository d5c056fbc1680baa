"""Every rule of the model, each stated once (:class:`models.rules.base.Rule`).

``LP_RULES`` are the one-year LP's rules in the order their columns and rows are built;
``RULES`` adds the rules that are not rows of that LP (max-min, the agenda's own), so that
the support table (:func:`support_table`) and the one refusal every command shares
(:func:`refusals`) cover them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.rules.agenda import FLOOR_OVER_PERIOD, RAMP_UP
from models.rules.base import COMMANDS, PyomoContext, Rule, Step, Sums
from models.rules.budget import BUDGET, SPEND_ALL
from models.rules.coverage import COVERAGE_FLOOR, COVERAGE_GAP, SHORTFALL_TIERS
from models.rules.fairness import MAX_MIN
from models.rules.params import Param, table
from models.rules.regional import (
    CHANGE_CAP,
    COFINANCING,
    PER_CAPITA_CAP,
    REGION_MAX,
    REGION_MIN,
)
from models.rules.shares import MAX_SHARE, MIN_SHARE

LP_RULES: tuple[Rule, ...] = (BUDGET, COVERAGE_FLOOR, COVERAGE_GAP, MIN_SHARE, MAX_SHARE,
                              PER_CAPITA_CAP, REGION_MIN, REGION_MAX, COFINANCING, CHANGE_CAP,
                              SHORTFALL_TIERS)
RULES: tuple[Rule, ...] = (*LP_RULES[:1], SPEND_ALL, *LP_RULES[1:], MAX_MIN, RAMP_UP,
                           FLOOR_OVER_PERIOD)

#: Every policy parameter, each declared once on its rule, in the order of the rules; and
#: the rule of each (by key).
PARAMS: tuple[Param, ...] = tuple(p for rule in RULES for p in rule.params)
PARAM_RULES: dict[str, str] = {p.key: rule.name for rule in RULES for p in rule.params}
PARAM: dict[str, Param] = {p.key: p for p in PARAMS}


def param_table(lang: str = "en") -> str:
    """Every parameter with its rule, as a Markdown table (docs/model.md shows it)."""
    return table(tuple((PARAM_RULES[p.key], p) for p in PARAMS), lang)


#: Per row block: the step that tightens it (price of fairness, the report's meanings).
STEPS: dict[str, Step] = {block: step for rule in LP_RULES for block, step in rule.steps().items()}
#: Per row block that holds a region's money: "minimum" or "maximum", a rule of the region's
#: own before the coverage gap's common bounds.
HOLDS: dict[str, str] = {block: side for rule in sorted(RULES, key=lambda r: r.hold_rank)
                         for block, side in rule.holds().items()}
#: Per rule that can be switched off: the model-data fields that do it.
SWITCH_OFF: dict[str, Mapping[str, object]] = {rule.name: rule.off() for rule in RULES
                                               if rule.off()}


def refusals(command: str, policy: Any, tables: Mapping[str, Any]) -> list[str]:
    """Every rule an instance switches on that ``command`` cannot hold (yet), each as
    'name (the keys that switch it on): why'; empty when all apply. The one place any
    command refuses a rule."""
    out = []
    for rule in RULES:
        why = rule.why_not(command)
        if why and rule.used(policy, tables):
            keys = [k.split(":", 1)[1] for k in rule.keys]
            shown = rule.name if keys == [rule.name] else f"{rule.name} ({', '.join(keys)})"
            out.append(f"{shown}: {why}; switch it off for {command}")
    return out


def support_table() -> str:
    """Every rule x every command, as a Markdown table (docs/model.md shows it)."""
    head = "| rule | switched on by | " + " | ".join(f"`{c}`" for c in COMMANDS) + " |"
    lines = [head, "|" + "---|" * (len(COMMANDS) + 2)]
    notes: list[str] = []
    for rule in RULES:
        cells = []
        for command in COMMANDS:
            why = rule.why_not(command)
            if why is None:
                cells.append("yes")
            else:
                if why not in notes:
                    notes.append(why)
                cells.append(f"no ({notes.index(why) + 1})")
        keys = ", ".join(f"`{k.split(':', 1)[1]}`" for k in rule.keys)
        lines.append(f"| `{rule.name}` | {keys} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"({i}) {why}" for i, why in enumerate(notes, start=1)]
    return "\n".join(lines)


__all__ = ["COMMANDS", "HOLDS", "LP_RULES", "RULES", "STEPS", "SWITCH_OFF", "PyomoContext",
           "Rule", "Step", "Sums", "refusals", "support_table"]
