"""Named policy presets: readable TOML files that switch rules on (``[policy]``) or off
(``off = [...]``), applied over an instance's own policy and under the command line's flags.

The presets that ship live in ``allocator/inputs/policies``; ``--policy FILE.toml`` takes any other.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from allocator.errors import InputError, Problem
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

    def apply(self, instance: Instance) -> Instance:
        """The instance with this preset's rules on and off (validated again)."""
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
    if problems:
        raise InputError(problems)
    if isinstance(values.get("shortfall_tiers"), str):
        from allocator.inputs.validate import parse_tiers

        values["shortfall_tiers"] = parse_tiers(values["shortfall_tiers"])
    return Preset(path.stem, str(data.get("description", "")), dict(values), tuple(off))


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
