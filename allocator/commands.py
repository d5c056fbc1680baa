"""The command layer: each command that solves, once, for every surface.

A command takes an instance, the policy (the instance's own, then a preset, then values
given by key) and its options, and returns its result; ``allocator.cli`` and the HTTP API
(``allocator.web.app``) both call these and only render what comes back. So "solve, then
the weight sensitivity, then the reasons per region" is written here alone, and so is
turning flags into a policy.

Data flows one way: read (``allocator.inputs``) → validate → build model and solve
(``allocator.solving``) → certify → the figures table → report (``allocator.reports``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocator.inputs.instance import Instance
    from allocator.solving.result import Result


def under_policy(instance: Instance | str | Path, preset: str | None = None,
                 values: Mapping[str, object] | None = None) -> Instance:
    """``instance`` (read and validated if a path) under its own policy sheet, then
    ``preset`` (a shipped name or a ``.toml`` file), then ``values`` by policy key
    (``allocator.inputs.presets.OFF`` switches a rule off): the one order every surface
    applies."""
    from allocator.inputs.instance import Instance
    from allocator.inputs.presets import given, with_policy
    from allocator.inputs.validate import load

    if not isinstance(instance, Instance):
        # the values also go in at reading, so that a budget fills a sheet without one
        instance = load(instance, **given(dict(values or {})))
    return with_policy(instance, preset, dict(values or {}))


@dataclass(frozen=True)
class SolveOptions:
    """How ``solve`` runs: the engine's options, and whether the weight sensitivity is
    computed (``allocator solve --no-sensitivity``, the API's ``no_sensitivity``)."""

    tie_break: str = "lexicographic"
    algorithm: str = "auto"
    time_limit: float | None = None
    fairness_price: bool | None = None
    marginal: bool | None = None
    sensitivity: bool = True


def solve_command(instance: Instance, options: SolveOptions | None = None) -> Result:
    """The full answer of ``allocator solve``: the certified allocation, its figures table,
    what one assumed weight moved by 10 % does, and why each region gets what it gets —
    everything every surface shows, computed here, so that rendering only reads."""
    from allocator.solving.engine import solve
    from allocator.studies.sensitivity import weight_sensitivity
    from allocator.studies.why import reasons

    options = options or SolveOptions()
    result = solve(instance, tie_break=options.tie_break, algorithm=options.algorithm,
                   time_limit=options.time_limit, fairness_price=options.fairness_price,
                   marginal=options.marginal)
    if result.optimal:
        if options.sensitivity:
            result.weight_sensitivity = weight_sensitivity(result, tie_break=options.tie_break)
        _ = result.figures  # rounded once, before any surface reads it
        reasons(result)  # may trace the exact curve: here, never while rendering
    return result
