"""Named policy presets: readable TOML files that switch rules on (``[policy]``) or off
(``off = [...]``), applied over an instance's own policy and under the command line's flags.

A preset may also say where a figure counts, which is a choice, not a rule: ``[weights]
regions = <number or indicator>`` sets every region's weight (to one number, or to each
region's value of an indicator), and ``[need_model] <indicator> = <weight>`` sets that
indicator's weight in every goal's split of the need (0 leaves it out), after which the need
is built again. The two welfare presets count the welfare factor once, each in its place.

The presets that ship live in ``allocator/inputs/policies``; ``--policy FILE.toml`` takes any other.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from allocator.errors import InputError, Problem
from allocator.limits import MAX_WEIGHT
from allocator.messages import Message

if TYPE_CHECKING:
    from allocator.inputs.instance import Instance

PRESET_DIR = Path(__file__).parent / "policies"
#: Switching these off also clears the per-region column that sets the same rule.
REGION_COLUMNS = {"region_min_eur": "min_eur", "region_max_eur": "max_eur",
                  "cofinancing_ratio": "cofinancing_eur"}


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    values: dict[str, object] = field(default_factory=dict)
    off: tuple[str, ...] = ()
    region_weights: float | str | None = None  # a number, or an indicator's name
    need_weights: dict[str, float] = field(default_factory=dict)  # indicator -> weight

    def apply(self, instance: Instance) -> Instance:
        """The instance with this preset's rules on and off (validated again), and its
        weights and need model as the preset sets them."""
        instance = self._weighted(instance)
        from pydantic import ValidationError

        from allocator.inputs.instance import Policy, reason

        data = instance.policy.model_dump()
        defaults = {k: f.default for k, f in type(instance.policy).model_fields.items()}
        for key in self.off:
            data[key] = defaults[key]
        data.update(self.values)
        try:
            policy = Policy.model_validate(data)
        except ValidationError as exc:
            raise InputError([Problem(f"{self.name}.toml",
                                      Message("{key}: {reason}", key=err["loc"][0]
                                              if err["loc"] else "", reason=reason(err)))
                              for err in exc.errors()]) from None
        regions = instance.regions.copy()
        for key in self.off:
            if REGION_COLUMNS.get(key) in regions:
                regions[REGION_COLUMNS[key]] = float("nan")
        return dataclasses.replace(instance, regions=regions, policy=policy).checked()

    def _weighted(self, instance: Instance) -> Instance:
        """``[weights]`` and ``[need_model]`` applied; the need built again if it moved."""
        where = f"{self.name}.toml"
        if self.need_weights:
            model = instance.need_model
            if model is None:
                raise InputError([Problem(where, Message(
                    "this preset sets weights in the need model, but {name} types its need in "
                    "(it has no need_model sheet)", name=instance.name))])
            model = model.copy()
            for indicator, weight in self.need_weights.items():
                rows = model["indicator"].astype(str).eq(indicator)
                if not rows.any():
                    raise InputError([Problem(where, Message(
                        "[need_model] {indicator}: no such indicator in the need model of "
                        "{name}", indicator=indicator, name=instance.name))])
                model.loc[rows, "weight"] = float(weight)
            split = model.groupby(model["goal"].astype(str))["weight"].sum()
            empty = [g for g in instance.goals.index.astype(str) if split.get(g, 0.0) <= 0]
            if empty:
                raise InputError([Problem(where, Message(
                    "[need_model] leaves goal '{goal}' with no indicator to split its need "
                    "over the regions", goal=empty[0]))])
            instance = dataclasses.replace(instance, need_model=model).rederived()
        if self.region_weights is not None:
            regions = instance.regions.copy()
            value = self.region_weights
            if isinstance(value, str):
                found = (instance.indicators if instance.indicators is not None
                         else None)
                rows = (found[found["indicator"].astype(str) == value.lower()]
                        if found is not None else None)
                if rows is None or rows.empty:
                    raise InputError([Problem(where, Message(
                        "[weights] regions = '{indicator}': {name} has no such indicator",
                        indicator=value, name=instance.name))])
                by_region = rows.set_index(rows["region"].astype(str))["value"].astype(float)
                missing = [r for r in regions.index.astype(str) if r not in by_region.index]
                if missing or (by_region <= 0).any():
                    raise InputError([Problem(where, Message(
                        "[weights] regions = '{indicator}': every region needs a value above "
                        "0 (not: {regions})", indicator=value,
                        regions=", ".join(missing or list(by_region.index[by_region <= 0]))))])
                regions["weight"] = by_region.reindex(regions.index.astype(str)).to_numpy()
                source = f"voorinstelling {self.name}: de indicator {value}"
            else:
                regions["weight"] = float(value)
                source = f"voorinstelling {self.name}: {float(value):g} voor elke regio"
            if "weight_source" in regions:
                regions["weight_source"] = source
            instance = dataclasses.replace(instance, regions=regions)
        return instance


def available() -> list[str]:
    """The names of the presets that ship with allocator."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def load_preset(name: str) -> Preset:
    """A shipped preset by name, or a preset file by path."""
    from allocator.inputs.instance import POLICY_KEYS, policy_key

    path = Path(name) if name.endswith(".toml") else PRESET_DIR / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(available())
        raise InputError([Problem(name, Message("no such policy preset (known: {known}; or "
                                                "give a .toml file)", known=known))])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), Message("not a readable TOML file: {reason}",
                                                     reason=str(exc)))]) from None
    problems = []
    values = data.get("policy", {})
    off = data.get("off", [])
    if not isinstance(values, dict):
        problems.append(Problem(str(path), Message("[policy] must be a table of policy keys")))
        values = {}
    if not isinstance(off, list) or not all(isinstance(k, str) for k in off):
        problems.append(Problem(str(path), Message("off must be a list of policy keys")))
        off = []
    values = {policy_key(k): v for k, v in values.items()}
    off = [policy_key(k) for k in off]
    for key in [*values, *off]:
        if key not in POLICY_KEYS:
            problems.append(Problem(str(path), Message("unknown policy key '{key}' (known: "
                                                       "{keys})", key=key,
                                                       keys=", ".join(POLICY_KEYS))))
    if "budget_eur" in off:
        problems.append(Problem(str(path), Message("budget_eur cannot be switched off")))
    weights = data.get("weights", {})
    region_weights = weights.get("regions") if isinstance(weights, dict) else None
    if not isinstance(weights, dict) or set(weights) - {"regions"} or not (
            region_weights is None or isinstance(region_weights, str)
            or (isinstance(region_weights, int | float) and not isinstance(region_weights, bool)
                and 0 < region_weights <= MAX_WEIGHT)):
        problems.append(Problem(str(path), Message(
            "[weights] takes regions = a number above 0 or an indicator's name")))
        region_weights = None
    need_weights = data.get("need_model", {})
    if not isinstance(need_weights, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= MAX_WEIGHT
            for v in need_weights.values()):
        problems.append(Problem(str(path), Message(
            "[need_model] takes indicator = a weight of 0 or more")))
        need_weights = {}
    unknown = set(data) - {"description", "policy", "off", "weights", "need_model"}
    if unknown:
        problems.append(Problem(str(path), Message(
            "unknown table '{key}' (known: description, policy, off, weights, need_model)",
            key=sorted(unknown)[0])))
    if problems:
        raise InputError(problems)
    if isinstance(values.get("shortfall_tiers"), str):
        from allocator.inputs.validate import parse_tiers

        values["shortfall_tiers"] = parse_tiers(values["shortfall_tiers"])
    return Preset(path.stem, str(data.get("description", "")), dict(values), tuple(off),
                  region_weights, {str(k).lower(): float(v) for k, v in need_weights.items()})


class _Off:
    """A flag's value that switches its rule off (``--tiers none``)."""

    def __repr__(self) -> str:
        return "off"


#: The value of a flag that switches its rule off: the policy's default for that key.
OFF: object = _Off()


def given(flags: dict[str, object] | None) -> dict[str, object]:
    """The flags that set a value (those that switch a rule off left out): what reading an
    instance takes in already."""
    return {k: v for k, v in (flags or {}).items() if v is not OFF}


def with_policy(instance: Instance, preset: str | None,
                flags: dict[str, object] | None = None) -> Instance:
    """``instance`` under its own policy, then ``preset`` (a name or a ``.toml`` file), then
    ``flags`` (policy keys; :data:`OFF` switches a rule off): the one order every command
    applies."""
    if preset:
        instance = load_preset(preset).apply(instance)
    values = given(flags)
    if values:
        instance = instance.with_policy(**values)
    off = tuple(k for k, v in (flags or {}).items() if v is OFF)
    return Preset("flags", "", off=off).apply(instance) if off else instance
