"""The one result shape every command's ``--json`` writes, as pydantic models.

A result is a :data:`ResultDocument`: one object tagged by ``command`` (``solve``,
``compare``, ``sweep``, ``grid``, ``robust``, ``agenda``) whose common part is
:class:`Document` — ``schema_version``, ``command``, ``instance``, ``status``, ``message``
and ``allocations``, a list of :class:`AllocationRecord` ``{region, goal, amount_eur}`` plus
the axes the command has (``scenario``, ``year``, ``funder``, ``policy``, ``budget_eur``).
The JSON Schema (``allocator schema``, ``docs/result.schema.json``) is generated from these
models; tests validate every command's output against it.

:func:`allocator.reports.documents.document` builds the JSON of any command's result as
plain dicts; :func:`validate` checks one against these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from allocator.inputs.instance import Policy
from allocator.reports.documents import SCHEMA_VERSION

SCHEMA_ID = "urn:allocator:result-schema"

StatusValue = Literal["optimal", "infeasible", "unbounded", "time_limit", "error"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllocationRecord(_Model):
    """One cell of an allocation in whole euros. The axes a command does not have are
    absent (never null)."""

    scenario: str | None = Field(None, description="compare: the variant; grid: the need "
                                                   "scenario")
    policy: str | None = Field(None, description="grid: the policy variant")
    budget_eur: float | None = Field(None, description="sweep and grid: the budget")
    year: str | None = Field(None, description="agenda: the year")
    funder: str | None = Field(None, description="agenda: the funder id")
    region: str
    goal: str
    amount_eur: int = Field(ge=0, description="whole euros; the cells of one allocation add "
                                              "up to its rounded total")


class Certificate(_Model):
    """The answer re-checked outside the solver: every rule from the instance in euros, and
    the Lagrangian bound."""

    passed: bool
    max_violation_eur: float | None
    duality_gap: float | None = Field(description="relative: (objective - bound) / "
                                                  "max(1, |objective|)")
    worst_rule: str | None = None
    duality_gap_eur: float | None = None
    lower_bound_eur: float | None = None


class Document(_Model):
    """What every command's result has."""

    schema_version: Literal["2.4"] = Field(description="this schema's version")
    command: str
    instance: str = Field(description="the instance's name")
    status: StatusValue = Field(description="the command's outcome, as its exit code says; "
                                            "each run of a multi-run command has its own")
    message: str
    allocations: list[AllocationRecord] = Field(
        description="one record per cell of each allocation the command reports, with "
                    "the axes it has")
    seconds: dict[str, float] | float


class NextMillion(_Model):
    step_eur: float
    unmet_change_eur: float
    tier_change_eur: float | None
    method: Literal["re-solve", "dual"]


class Solver(_Model):
    name: str
    version: str
    seconds: float
    lp_solves: int
    algorithm: str


class WeightSensitivity(_Model):
    step: float
    largest_share: float
    largest_eur: float
    weight: str = Field(description="region:<id> or goal:<id>")
    direction: float
    region: str
    solves: int
    infeasible: int


class Figure(_Model):
    table: Literal["regions", "goals", "needs", "indicators", "existing_streams", "policy"]
    id: str = Field(description="the region, goal or policy key; region/goal for a need, "
                                "region/indicator for an indicator")
    column: str = Field(description="the figure's column (value for a policy row)")
    value: float | str | bool | None
    status: str | None = Field(description="SRC, PROXY, DERIVED or ASSUMED, as the instance "
                                           "says (null: it says nothing)")
    source: str | None
    alternative: float | str | bool | None = Field(
        description="another defensible value (an ASSUMED figure should have one)")


class RegionShown(_Model):
    """What every table of regions shows of a region, from its solve's figures table
    (allocator.solving.figures): computed and rounded once, read by every surface."""
    region: str
    name: str
    amount_eur: int = Field(description="the allocation, whole euros; regions add up to the "
                                        "total, and no amount crosses a bound it respects")
    per_inhabitant_eur: float | None
    coverage_before: float | None
    coverage_after: float | None
    pro_rata_population_eur: int = Field(description="the money spent shared pro rata to "
                                                     "population")
    pro_rata_need_eur: int = Field(description="the money spent shared pro rata to net need")


class RegionFigures(RegionShown):
    """One region's figures in full."""
    population: float
    need_eur: int
    existing_eur: int = Field(description="existing money counted: at most each cell's need")
    net_need_eur: int
    unmet_eur: int
    weighted_unmet_eur: int
    weighted_unmet_before_eur: int
    tier_penalty_eur: int | None = Field(description="the tiers' extra weight: a weight, not "
                                                     "money; null without tiers")


class Unspent(_Model):
    unspent_eur: float
    reason: Literal["none", "need_covered", "caps", "rules", "no_gain"]
    held: dict[str, list[str]] = Field(description="with reason 'rules': per rule, the regions "
                                                   "(or goals) it holds at a maximum")
    room_eur: float = Field(description="what the cells could still absorb")
    text_nl: str = Field(description="in words, Dutch (empty when all is spent)")
    text_en: str = Field(description="in words, English")


class Totals(_Model):
    budget_eur: float
    need_eur: int
    existing_eur: int
    net_need_eur: int
    amount_eur: int
    unmet_eur: int
    coverage_before: float | None
    coverage_after: float | None
    weighted_unmet_eur: int
    weighted_unmet_before_eur: int
    tier_penalty_eur: int | None
    unspent_eur: float
    goals: dict[str, int] = Field(description="per goal, the amount, in the instance's order")


class SolveDocument(Document):
    command: Literal["solve"]
    budget_eur: float
    allocated_eur: int
    weighted_unmet_eur: float | None
    weighted_unmet_before_eur: float | None
    tier_penalty_eur: float | None
    headline: dict[str, Any] | None
    why: list[dict[str, Any]] | None
    marginal_value: float | None
    next_million: NextMillion | None
    policy: Policy
    tie_break: str
    coverage: dict[str, float | None]
    cofinancing: dict[str, Any] | None
    certificate: Certificate | None
    price_of_fairness: dict[str, Any] | None
    infeasibility: dict[str, Any] | None
    solver: Solver
    baselines: dict[str, dict[str, int]] | None = Field(
        None, description="per region: the allocation, pro rata to population and to net "
                          "need (and the reference allocation), each with the gain against it")
    weight_sensitivity: WeightSensitivity | None = Field(
        None, description="each weight moved by step alone: the largest change of a region's "
                          "allocation, as a share of the budget, and which weight causes it")
    figures: list[Figure] | None = Field(
        None, description="every figure of the instance (since 2.1): its status, source and "
                          "alternative; null above 100,000 figures")
    regions: list[RegionFigures] | None = Field(
        None, description="per region, the figures every surface shows (since 2.2)")
    totals: Totals | None = Field(None, description="the same in total (since 2.2)")
    unspent: Unspent | None = Field(None, description="money left unspent and why (since 2.2)")


class CompareVariant(_Model):
    scenario: str
    status: StatusValue
    budget_eur: float | None
    allocated_eur: int | None
    unspent_eur: float | None = Field(None, description="money left unspent (since 2.2)")
    weighted_unmet_eur: float | None
    lowest_coverage: float | None
    highest_coverage: float | None
    price_of_fairness_eur: float | None
    marginal_value: float | None
    message: str
    certificate: Certificate | None
    allocation_by_region_eur: dict[str, int] | None


class RegionAt(RegionShown):
    """One region at one budget or under one scenario, with the change in amount from the
    budget or scenario before."""
    change_eur: int = Field(description="the amount minus the amount at the budget (or under "
                                        "the scenario that holds) before; 0 at the first")


class ScenarioRegion(RegionAt):
    """One region under one scenario."""
    scenario: str


class CompareDocument(Document):
    command: Literal["compare"]
    scenarios: list[CompareVariant]
    regions: list[ScenarioRegion] = Field(
        default_factory=list,
        description="per scenario that holds and per region (since 2.2)")


class Breakpoint(_Model):
    """A vertex of the exact curve, or a point asked for (null figures where infeasible)."""

    budget_eur: float
    status: StatusValue
    weighted_unmet_eur: float | None
    objective_eur: float | None
    tier_penalty_eur: float | None
    marginal_value: float | None
    max_violation_eur: float | None = Field(description="the point's certificate: largest "
                                                        "rule violation, re-checked")
    duality_gap: float | None = Field(description="the point's certificate: relative gap to "
                                                  "the Lagrangian bound")


class Envelope(RegionAt):
    """One region at one budget."""
    budget_eur: float


class SweepDocument(Document):
    command: Literal["sweep"]
    min_feasible_budget_eur: float | None
    saturation_budget_eur: float | None
    lp_solves: int
    breakpoints: list[Breakpoint]
    regions: list[Envelope] = Field(
        default_factory=list,
        description="per budget with an allocation (each breakpoint, or each budget asked "
                    "with --budgets or --from/--to/--steps) and per region (since 2.2)")


class GridPoint(_Model):
    policy: str
    needs: str
    budget_eur: float
    status: StatusValue
    weighted_unmet_eur: float | None
    marginal_value: float | None
    by_region_eur: dict[str, int] | None
    objective_eur: float | None
    tier_penalty_eur: float | None
    max_violation_eur: float | None = Field(description="the point's certificate")
    duality_gap: float | None = Field(description="the point's certificate")


class GridDocument(Document):
    command: Literal["grid"]
    workers: str
    points: list[GridPoint]


class RobustScenario(_Model):
    name: str
    probability: float
    own_optimum_eur: float | None
    robust_unmet_eur: float
    regret_eur: float | None
    nominal_unmet_eur: float | None
    nominal_regret_eur: float | None
    nominal_meets_floor: bool | None


class RobustDocument(Document):
    command: Literal["robust"]
    objective: Literal["expected", "worst-case"]
    objective_eur: float | None
    certificate: Certificate | None
    scenarios: list[RobustScenario]
    nominal_allocations: list[AllocationRecord] = Field(
        description="the allocation optimal for the instance's own needs")
    allocation_by_region_eur: dict[str, int]
    nominal_by_region_eur: dict[str, int]


class AgendaFunder(_Model):
    id: str
    name: str
    national: bool
    goals: list[str] | None
    max_package_share: float | None
    carry_over_eur: float
    borrow_eur: float
    regions: list[str] | None


class AgendaDocument(Document):
    command: Literal["agenda"]
    years: list[str]
    funders: list[AgendaFunder]
    weighted_unmet_eur: dict[str, float]
    tier_penalty_eur: dict[str, float] | None
    by_funder_eur: dict[str, dict[str, int]]
    carry_over_eur: dict[str, dict[str, float]]
    coverage: dict[str, dict[str, float | None]]
    unlocked_per_national_euro: float | None
    certificate: Certificate | None


class SensitivityRegion(_Model):
    region: str
    base_eur: float
    low_eur: float | None
    high_eur: float | None
    coverage: float | None
    coverage_low: float | None
    coverage_high: float | None
    moved_most_eur: float | None
    moved_most_by: str | None = Field(description="region:<id>, goal:<id> or policy:<key>")
    factor: float | None


class SensitivityRun(_Model):
    assumption: str
    factor: float
    status: StatusValue
    by_region_eur: dict[str, int] | None
    certificate: Certificate | None


class SensitivityDecision(_Model):
    decision: str = Field(description="a policy key: what the cabinet chooses")
    value: str = Field(description="its value now, as the policy sheet writes it")
    alternative: str = Field(description="its stated alternative, at which it was solved")
    status: StatusValue
    weighted_unmet_eur: int | None = Field(description="the figures table's, at the alternative")
    allocated_eur: int | None
    region: str | None = Field(description="the region whose allocation moves most (None: "
                                           "none moves by more than a euro)")
    moved_eur: float


class SensitivityDocument(Document):
    command: Literal["sensitivity"]
    step: float
    assumptions: list[str]
    regions: list[SensitivityRegion]
    decisions: list[SensitivityDecision]
    runs: list[SensitivityRun]


ResultDocument = Annotated[
    SolveDocument | CompareDocument | SweepDocument | GridDocument | RobustDocument
    | AgendaDocument | SensitivityDocument,
    Field(discriminator="command"),
]
def _adapter() -> TypeAdapter[Any]:
    cached = globals().get("_ADAPTER")
    if cached is None:
        cached = globals()["_ADAPTER"] = TypeAdapter(ResultDocument)
    return cached


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of every command's ``--json``."""
    schema = _adapter().json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": f"allocator result, schema version {SCHEMA_VERSION}", **schema}


def validate(document: dict[str, Any]) -> Any:
    """``document`` checked against the models (raises pydantic's ValidationError)."""
    return _adapter().validate_python(document)
