"""Why each region gets what it gets: one or two sentences a region, from the model's facts.

For each region the explanation names what holds its allocation where it is, read off the
solved model, never guessed:

- a rule with a nonzero dual on the region's row (a minimum: the coverage floor, a
  per-region minimum, the lowest coverage of the gap rule; or a maximum: the per-capita
  cap, a per-region maximum, co-financing capacity, the change cap, the highest coverage
  of the gap rule);
- otherwise its cells against their bounds: all at what they can absorb ("absorbed"), some
  in between (the region is "marginal": its weight is what the last euro is worth, so it
  shares what is left with the other regions of that weight, in proportion to net need, by
  the tie-break), or none beyond what a minimum needs;
- its weight class against the value of the last euro (the budget's shadow price); with
  shortfall tiers, the weight a euro has there: the region's weight times the multiplier of
  the deepest tier its unmet need still reaches, and whether it stands exactly on a tier's
  threshold (one more euro would weigh the lower multiplier, one less the higher);
- from the exact budget curve above the answer's budget (``allocator sweep``), the budget
  at which a region held at a minimum, or given nothing, receives its next euro; and from a
  re-solve at the budget + €1 m, what that gives each region.

The sentence puts these in policy terms, in this order: the region's need and the measures
it is built from; the share existing money covers, stream by stream; its weight and why;
what holds its amount (the rule, with the figure that sets it); what would change it. The
solver's arithmetic (a euro's weight against the last euro's) is :meth:`RegionWhy.detail`,
for analysts. ``tests/test_why.py`` checks each sentence against the tables and re-solves.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from allocator.labels import label, money, percent
from allocator.solving.result import Result
from models.rules import HOLDS

#: A dual (weight per euro) beyond this is a binding rule; a cell within this many euros of
#: a bound sits on it.
DUAL_TOLERANCE = 1e-9
EURO_TOLERANCE = 0.5
#: Above this many cells the next-euro budget (a sweep, with a full solve per breakpoint)
#: is not computed (the sentence then leaves it out).
NEXT_BUDGET_MAX_CELLS = 200
#: Above this many regions there are no per-region explanations (they are for readers; at
#: scale they would only cost time): the JSON's "why" is then empty.
WHY_MAX_REGIONS = 1_000

#: The row blocks that hold a region at a minimum or a maximum, as the rules say.
MINIMUMS = tuple(block for block, side in HOLDS.items() if side == "minimum")
MAXIMUMS = tuple(block for block, side in HOLDS.items() if side == "maximum")
#: The maximums in euros that a larger budget does not move (the per-capita cap grows with
#: the budget; the gap's highest coverage with the others' coverage).
FIXED_MAXIMUMS = ("region_max", "cofinancing", "change_cap")


@dataclass(frozen=True)
class RegionWhy:
    region: str
    name: str
    amount_eur: float
    per_inhabitant_eur: float
    held_by: str  # a rule name (MINIMUMS, MAXIMUMS), or "absorbed", "marginal", "priority"
    weight: float  # the region's weight (its cells' mean weight where goals weigh apart)
    last_euro: float  # what the last euro of the budget removes (its shadow price)
    next_budget_eur: float | None  # held at a minimum: the budget of its next euro
    # With shortfall tiers (else 1 and None): the multiplier a next euro here has, the
    # region's unmet need as a share of its need, and the tier threshold it stands on.
    multiplier: float = 1.0
    unmet_share: float | None = None
    threshold: float | None = None
    multiplier_above: float | None = None  # at a threshold: what one euro less would weigh
    # the share of its need that existing funding covers already (before the allocation)
    covered_before: float | None = None
    # whether a rule holds some region at a minimum (else no money is set aside first)
    minimums: bool = True
    # what the need is and is built from: the region's need (the figures table's), and with
    # a need model each measure's euros in it, largest first (empty when typed in)
    need_eur: float | None = None
    built_from: tuple[tuple[str, float], ...] = ()
    # the weight's status and stated alternative (the instance's figures)
    weight_status: str | None = None
    weight_alternative: float | None = None
    # what €1 m more budget gives this region: the whole solve again at the budget + €1 m
    more_per_million: float | None = None
    # the existing streams that pay into the region, by name, in euros a year (largest
    # first; empty where the existing money is typed in per cell)
    streams: tuple[tuple[str, float], ...] = ()
    # existing money beyond the need of the cell it pays into: it covers nothing
    existing_beyond_eur: float = 0.0
    # why the region has its weight: the first clause of the weight's source, and whether
    # every region weighs the same
    weight_source: str | None = None
    equal_weights: bool = False
    # the figures the rules that can hold a region are set by (None where not in force)
    max_gap: float | None = None
    change_cap: float | None = None
    reference_eur: float | None = None

    @property
    def effective_weight(self) -> float:
        """What a next euro here weighs: the weight times the tier multiplier."""
        return self.weight * self.multiplier

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def sentence(self, lang: str, floor: float = 0.0) -> str:
        """Why this amount, in policy terms and in this order: the need and what it is built
        from; what existing money covers of it already; the weight and its status; what
        holds the amount where it is, in words; what would change it. The solver's
        arithmetic is in :meth:`detail`."""
        nl = lang == "nl"
        parts = [(f"{self.name} krijgt {money(self.amount_eur, lang)} "
                  f"({money(self.per_inhabitant_eur, lang, 2)} per inwoner).") if nl else
                 (f"{self.name} gets {money(self.amount_eur, lang)} "
                  f"({money(self.per_inhabitant_eur, lang, 2)} per inhabitant).")]
        parts.append(self._need(lang))
        parts.append(self._weight(lang))
        parts.append(self._holds(lang, floor))
        change = self._change(lang)
        if change:
            parts.append(change)
        return " ".join(p for p in parts if p)

    def _need(self, lang: str) -> str:
        nl = lang == "nl"
        if self.need_eur is None:
            return ""
        need = money(self.need_eur, lang)
        if self.built_from:
            shown = [f"{measure_name(k, lang)} {money(v, lang)}" for k, v in self.built_from]
            built = (", ".join(shown[:-1]) + (" en " if nl else " and ") + shown[-1]
                     if len(shown) > 1 else shown[0])
            text = (f"Haar behoefte is {need}, opgebouwd uit de maatstaven {built}." if nl
                    else f"Its need is {need}, built from the measures {built}.")
        else:
            text = (f"Haar behoefte is {need} (ingevuld in de invoer)." if nl else
                    f"Its need is {need} (typed in).")
        if self.covered_before is not None and self.covered_before >= 0.005:
            share = percent(self.covered_before, lang, 0)
            named = ""
            if self.streams and self.need_eur:
                shown = [f"{name} {money(eur, lang)} ({percent(eur / self.need_eur, lang, 0)})"
                         for name, eur in self.streams]
                named = ": " + (", ".join(shown[:-1]) + (" en " if nl else " and ")
                                + shown[-1] if len(shown) > 1 else shown[0])
            text += (f" Bestaande middelen dekken daarvan al {share}{named}." if nl else
                     f" Existing funding covers {share} of it already{named}.")
            if self.existing_beyond_eur >= 0.5:
                beyond = money(self.existing_beyond_eur, lang)
                text += (f" {beyond} daarvan gaat boven de behoefte van een doel uit en dekt "
                         "niets." if nl else
                         f" {beyond} of it exceeds the need of a goal and covers nothing.")
        elif self.covered_before is not None:
            text += (" Bestaande middelen dekken er nog niets van." if nl else
                     " No existing funding covers any of it yet.")
        return text

    def _weight(self, lang: str) -> str:
        nl = lang == "nl"
        w = _num(self.weight, nl)
        status = (self.weight_status or "").upper()
        said = self._weight_status(lang, w, status)
        if self.equal_weights:  # the weight decides nothing between the regions
            return (said[:-1] + ", zoals elke regio: het gewicht maakt geen onderscheid." if nl
                    else said[:-1] + ", as every region's: the weight makes no difference.")
        if self.weight_source:
            return said[:-1] + (f" — bron: {self.weight_source}." if nl else
                                f" — source: {self.weight_source}.")
        return said

    def _weight_status(self, lang: str, w: str, status: str) -> str:
        nl = lang == "nl"
        if (status == "ASSUMED" and self.weight_alternative is not None
                and abs(self.weight_alternative - self.weight) > 1e-12):
            alt = _num(self.weight_alternative, nl)
            return (f"Haar gewicht is {w} (aangenomen; alternatief {alt})." if nl else
                    f"Its weight is {w} (assumed; alternative {alt}).")
        if status == "ASSUMED":
            return (f"Haar gewicht is {w} (aangenomen)." if nl else
                    f"Its weight is {w} (assumed).")
        if status:
            return (f"Haar gewicht is {w} ({status})." if nl else
                    f"Its weight is {w} ({status}).")
        return f"Haar gewicht is {w}." if nl else f"Its weight is {w}."

    def _holds(self, lang: str, floor: float) -> str:
        nl = lang == "nl"
        if self.held_by == "absorbed":
            return ("Ze krijgt alles wat ze kan opnemen: meer geld zou hier niets dekken." if nl
                    else "It gets all it can absorb: more money would cover nothing here.")
        if self.held_by == "tier_threshold":
            assert self.threshold is not None
            share = percent(self.threshold, lang, 0)
            return (f"Haar tekort staat precies op {share} van de behoefte, een grens waarboven "
                    "een tekort zwaarder weegt: elders weegt een euro nu meer." if nl else
                    f"Its shortfall stands at exactly {share} of its need, a line beyond which "
                    "a shortfall weighs more: elsewhere a euro weighs more now.")
        if self.held_by == "marginal":
            after = (percent(1 - self.unmet_share, lang, 0) if self.unmet_share is not None
                     else None)
            rest_nl = ("wat na de minimums overblijft" if self.minimums
                       else "het geld dat de andere regio's niet krijgen")
            rest_en = ("what is left after the minimums" if self.minimums
                       else "the money the other regions do not get")
            if self.multiplier != 1.0:
                return ((f"Een euro weegt hier even zwaar als elders, dus deelt de regio "
                         f"{rest_nl} met de regio's waar een tekort even zwaar weegt; na de "
                         f"verdeling is {after} van haar behoefte gedekt.") if nl else
                        (f"A euro weighs as much here as elsewhere, so the region shares "
                         f"{rest_en} with the regions where a shortfall weighs the same; "
                         f"after the allocation {after} of its need is covered."))
            return (f"Een euro weegt hier even zwaar als elders, dus deelt de regio {rest_nl} "
                    "met de regio's van hetzelfde gewicht, naar verhouding van hun netto "
                    "behoefte." if nl else
                    f"A euro weighs as much here as elsewhere, so the region shares {rest_en} "
                    "with the regions of the same weight, in proportion to their net need.")
        if self.held_by == "nothing":
            return ("Elders dekt een euro meer gewogen behoefte, dus gaat het geld daarheen."
                    if nl else "Elsewhere a euro covers more weighted need, so the money goes "
                    "there.")
        rule = label(f"why_{self.held_by}", lang).format(
            floor=percent(floor, lang, 0), amount=money(self.amount_eur, lang),
            per_head=money(self.per_inhabitant_eur, lang, 2),
            gap=percent(self.max_gap or 0.0, lang, 0),
            cap=money(self.change_cap or 0.0, lang, 2),
            reference=money(self.reference_eur or 0.0, lang))
        if self.held_by != "max_min" and (self.held_by in MINIMUMS
                                          or self.held_by == "priority"):
            return (f"Ze krijgt {rule}: boven dat bedrag dekt een euro elders meer gewogen "
                    "behoefte." if nl else
                    f"It gets {rule}: above that amount a euro covers more weighted need "
                    "elsewhere.")
        return (f"Ze krijgt {rule}." if nl else f"It gets {rule}.")

    def _change(self, lang: str) -> str:
        nl = lang == "nl"
        if self.held_by == "max_min":
            return ""
        if self.held_by in FIXED_MAXIMUMS:
            return ("Meer budget geeft haar niets meer; alleen een ruimere grens." if nl else
                    "More budget gives it nothing more; only a wider limit does.")
        if self.next_budget_eur is not None:
            return (f"Meer krijgt ze pas vanaf een budget van "
                    f"{money(self.next_budget_eur, lang)}." if nl else
                    f"It gets more only from a budget of {money(self.next_budget_eur, lang)}.")
        if self.more_per_million is not None and self.more_per_million >= 0.5:
            more = money(self.more_per_million, lang)
            return (f"Met €1 mln meer budget krijgt ze {more} meer." if nl else
                    f"With €1 m more budget it gets {more} more.")
        return ""

    def detail(self, lang: str) -> str:
        """For analysts: the solver's arithmetic behind the sentence (what a next euro
        weighs here against the budget's last euro, the tier multiplier)."""
        nl = lang == "nl"
        w, last = _num(self.weight, nl), _num(self.last_euro, nl)
        if self.multiplier != 1.0 or self.held_by == "tier_threshold":
            w = f"{w} × {_num(self.multiplier, nl)} = {_num(self.effective_weight, nl)}"
        text = (f"een euro meer weegt hier {w}; de laatste euro van het budget {last}" if nl
                else f"one more euro weighs {w} here; the budget's last euro {last}")
        if self.unmet_share is not None:
            share = percent(self.unmet_share, lang, 1)
            text += (f"; onvervuld {share}" if nl else f"; unmet {share}")
        if self.held_by == "tier_threshold" and self.multiplier_above is not None:
            above = _num(self.weight * self.multiplier_above, nl)
            text += (f"; een euro minder zou {above} kosten" if nl else
                     f"; one euro less would cost {above}")
        return text


def _num(v: float, nl: bool) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if nl else text


def measure_name(indicator: str, lang: str) -> str:
    """A need model's measure as a reader names it."""
    if indicator == "inhabitants":
        return "inwoners" if lang == "nl" else "inhabitants"
    return indicator.replace("_", " ")


FIELDS = tuple(f.name for f in fields(RegionWhy))


def explain_regions(r: Result, *, next_budget: bool | None = None) -> list[RegionWhy]:
    """One :class:`RegionWhy` per region of an optimal result."""
    if not r.optimal:
        return []
    inst = r.instance
    needs = inst.needs
    region_of = needs["region"].astype(str).to_numpy()
    x = r.allocation["amount_eur"].to_numpy(float)
    need = needs["need_eur"].to_numpy(float)
    existing = needs["existing_eur"].to_numpy(float)
    cap = needs["cap_eur"].to_numpy(float)
    upper = np.maximum(need - existing, 0.0)
    upper = np.where(np.isnan(cap), upper, np.minimum(upper, cap))
    weight = (inst.regions["weight"].reindex(region_of).to_numpy(float)
              * inst.goals["weight"].reindex(needs["goal"].astype(str)).to_numpy(float))
    last = max(0.0, float(r.marginal_value or 0.0))
    rows = r.constraints
    binding = rows[rows["dual"].abs() > DUAL_TOLERANCE]
    held: dict[str, str] = {}
    for rule in (*MAXIMUMS, *MINIMUMS):  # a maximum says more than a minimum
        for region in binding.loc[binding["rule"] == rule, "id"].astype(str):
            held.setdefault(region, rule)
    if len(inst.regions) > WHY_MAX_REGIONS:
        return []
    minimums = any(rule in MINIMUMS for rule in held.values())
    # under max-min the curve is sampled and every region rises with the budget: no "next
    # euro" budget to read off it
    traced = inst.policy.fairness != "max-min" and (
        next_budget if next_budget is not None else len(needs) <= NEXT_BUDGET_MAX_CELLS)
    curves: list[_Curve | None] = []  # traced once, when a region first asks for it
    index = inst.regions.index.astype(str)
    codes = index.get_indexer(region_of)
    n_regions = len(index)

    def per_region(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, values, minlength=n_regions)

    amount = per_region(x)
    cells = per_region(np.ones_like(x))
    below = per_region((x < upper - EURO_TOLERANCE).astype(float))
    between = per_region(((x > EURO_TOLERANCE) & (x < upper - EURO_TOLERANCE)).astype(float))
    room = np.maximum(upper, 1e-12)
    mean_w = np.where(cells > 0, per_region(weight * room) / np.maximum(per_region(room),
                                                                         1e-300),
                      inst.regions["weight"].to_numpy(float))
    # the amounts a reader sees: the figures table's, rounded once (the same as the rows)
    table = r.figures.regions if r.figures is not None else None
    shown = table["amount_eur"].to_numpy(float) if table is not None else amount
    per_head = (table["per_inhabitant_eur"].to_numpy(float) if table is not None
                else amount / inst.regions["population"].to_numpy(float))
    names = inst.regions["name"].astype(str).to_numpy()
    tiers = list(inst.policy.shortfall_tiers or ())
    coverage = r.coverage["coverage"].reindex(index).to_numpy(float) if tiers else None
    # the share existing money covers: the figures table's, as every surface shows it
    before = (table["coverage_before"].to_numpy(float) if table is not None
              else r.coverage["coverage_before"].reindex(index).to_numpy(float))
    need_r = (table["need_eur"].to_numpy(float) if table is not None
              else per_region(need))
    derivation = inst.derivation()
    built: dict[str, tuple[tuple[str, float], ...]] = {}
    if len(derivation):
        by = derivation.groupby(["region", "indicator"], sort=False)["need_eur"].sum()
        for region_id, part in by.groupby(level=0, sort=False):
            ranked = part.droplevel(0).sort_values(ascending=False)
            built[str(region_id)] = tuple((str(k), float(v)) for k, v in ranked.items()
                                          if v >= 0.5)
    notes = _weight_notes(inst)
    heaviest = np.zeros(n_regions)  # per region: the weight of its heaviest cell
    np.maximum.at(heaviest, codes, weight)
    weights = inst.regions["weight"].to_numpy(float)
    equal = bool(len(weights)) and bool(np.allclose(weights, weights[0]))
    policy = inst.policy
    reference = (inst.regions["reference_eur"].reindex(index).to_numpy(float)
                 if "reference_eur" in inst.regions else np.full(len(index), np.nan))
    beyond = per_region(np.maximum(needs["existing_eur"].to_numpy(float) - need, 0.0))
    richer = _at_one_million_more(r) if traced else None
    out = []
    for k, region in enumerate(index):
        how = held.get(region)
        multiplier, unmet_share, threshold, above = 1.0, None, None, None
        if coverage is not None and np.isfinite(coverage[k]):
            unmet_share = max(0.0, 1.0 - float(coverage[k]))
            multiplier, threshold, above = _tier(tiers, unmet_share)
        if how is None:
            how = ("absorbed" if cells[k] and not below[k] else
                   "tier_threshold" if threshold is not None else
                   "marginal" if between[k] else
                   # no rule holds it and it gets nothing: no rule is to thank or blame
                   "nothing" if amount[k] <= EURO_TOLERANCE else "priority")
        nxt = more = None
        if traced and (how in MINIMUMS or how in ("priority", "nothing", "tier_threshold")):
            if not curves:
                curves.append(_Curve.of(r))
            curve = curves[0]
            if curve is not None:
                nxt = curve.next_budget(region, float(amount[k]), heaviest[k] * multiplier)
        if richer is not None:
            more = float(richer.get(region, 0.0)) - float(amount[k])
        status, alternative, weight_source = notes.get(region, (None, None, None))
        out.append(RegionWhy(region, str(names[k]), float(shown[k]), float(per_head[k]),
                             how, float(mean_w[k]), last,
                             nxt, multiplier, unmet_share, threshold, above,
                             None if not np.isfinite(before[k]) else float(before[k]),
                             minimums, float(need_r[k]), built.get(region, ()), status,
                             alternative, more, tuple(inst.streams_of(region)),
                             float(beyond[k]), weight_source, equal,
                             policy.max_coverage_gap, policy.change_cap,
                             None if not np.isfinite(reference[k]) else float(reference[k])))
    return out


#: A region's unmet share within this of a tier's threshold stands on it.
THRESHOLD_TOLERANCE = 1e-6


def _tier(tiers: list[tuple[float, float]], unmet: float
          ) -> tuple[float, float | None, float | None]:
    """For a region with this unmet share of its need: the multiplier a next euro has there
    (that of the deepest tier whose threshold it still exceeds after the euro; 1 above
    none), and when it stands on a threshold, that threshold and the multiplier one euro
    less would have."""
    multiplier, previous = 1.0, 1.0
    for t, k in tiers:
        if abs(unmet - t) <= THRESHOLD_TOLERANCE:
            return previous, t, k
        if unmet > t:
            multiplier = k
        previous = k
    return multiplier, None, None


class _Curve:
    """The exact budget curve from the answer's budget up: its breakpoints and the value of
    a euro on each segment, traced once without a tie-break per breakpoint; the engine's
    tie-broken allocation at a breakpoint is solved only where a region's next euro is
    asked about (one warm model), and kept."""

    def __init__(self, r: Result, budgets: np.ndarray, values: np.ndarray) -> None:
        from allocator.solving.pipeline import Pipeline

        self.r, self.budgets, self.values = r, budgets, values
        self.takes = Pipeline.takes(r.instance, r)
        self.warm: Pipeline | None = None  # built when a breakpoint is first asked for
        a = r.allocation
        self.cache = {float(budgets[0]): a.groupby(a["region"].astype(str), observed=True)[
            "amount_eur"].sum().to_dict()}

    @classmethod
    def of(cls, r: Result) -> _Curve | None:
        from allocator.studies.sweep import sweep

        try:
            traced = sweep(r.instance, start=r.budget_eur, figures=False, tie_break=False)
        except Exception:  # noqa: BLE001 - no curve (an explanation without it still stands)
            return None
        points = [p for p in traced.breakpoints if p.optimal]
        if len(points) < 2 or abs(points[0].budget_eur - r.budget_eur) > 1.0:
            return None
        return cls(r, np.array([p.budget_eur for p in points]),
                   np.array([p.marginal_value for p in points]))

    def at(self, k: int) -> dict[str, float]:
        """Each region's allocation in the engine's answer at breakpoint ``k``."""
        budget = float(self.budgets[k])
        if budget not in self.cache:
            from allocator.solving.engine import solve

            inst = self.r.instance.with_policy(budget_eur=budget)
            if self.takes and self.warm is None:
                from allocator.solving.pipeline import Pipeline

                self.warm = Pipeline(self.r.instance, self.r.tie_break)
            got = (self.warm.result(inst) if self.warm is not None else
                   solve(inst, tie_break=self.r.tie_break, fairness_price=False,
                         marginal=False))
            a = got.allocation if got.optimal else None
            self.cache[budget] = ({} if a is None else a.groupby(
                a["region"].astype(str), observed=True)["amount_eur"].sum().to_dict())
        return self.cache[budget]

    def next_budget(self, region: str, amount: float, worth: float) -> float | None:
        """The first breakpoint at or above the answer's budget after which the region's
        allocation grows beyond ``amount`` (the allocation is linear between breakpoints).
        A region whose next euro is worth ``worth`` (its weight times the tier multiplier
        there) can gain only on a segment where a euro is worth no more than that, so only
        those segments are solved."""
        for k in range(len(self.budgets) - 1):
            if self.values[k] > worth * (1 + 1e-9) + 1e-12:
                continue
            here = self.at(k).get(region, 0.0)
            if self.at(k + 1).get(region, 0.0) > max(here, amount) + EURO_TOLERANCE:
                return float(self.budgets[k])
        return None


def _weight_notes(inst: Any) -> dict[str, tuple[str | None, float | None, str | None]]:
    """Per region, from the instance's figures (read once): its weight's status, stated
    alternative, and the first clause of its source (up to the first ';'): why the region
    has the weight it has."""
    f = inst.figures()
    f = f[(f["table"] == "regions") & (f["column"] == "weight")]
    out: dict[str, tuple[str | None, float | None, str | None]] = {}
    for region, status, alternative, source in zip(f["id"], f["status"], f["alternative"],
                                                   f["source"], strict=True):
        try:
            alt = None if alternative is None else float(alternative)
        except (TypeError, ValueError):
            alt = None
        why = (source.split(";")[0].strip().rstrip(".")
               if isinstance(source, str) and source.strip() else None)
        out[str(region)] = (None if status is None or status != status else str(status),
                            None if alt is None or not np.isfinite(alt) else alt, why)
    return out


def _at_one_million_more(r: Result) -> dict[str, float] | None:
    """Each region's allocation when the whole solve runs again at the budget + €1 m, with
    the same rules and tie-break: what "€1 m more gives it" says (None where no optimum)."""
    from allocator.solving.engine import NEXT_STEP_EUR, solve

    more = r.__dict__.get("_one_million_more")  # the engine's own re-solve, where it ran one
    if more is None or NEXT_STEP_EUR != 1e6:
        more = solve(r.instance, budget=r.budget_eur + 1e6, tie_break=r.tie_break,
                     fairness_price=False, marginal=False)
    if not more.optimal:
        return None
    a = more.allocation
    return a.groupby(a["region"].astype(str), observed=True)["amount_eur"].sum().to_dict()


def reasons(result: Result) -> list[RegionWhy]:
    """Why each region of ``result`` gets what it gets, computed once per result (the
    workbook, the terminal and the JSON all read it)."""
    cached = result.__dict__.get("_why")
    if cached is None:
        cached = explain_regions(result)
        result.__dict__["_why"] = cached
    return cached
