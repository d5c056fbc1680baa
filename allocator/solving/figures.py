"""One table of figures per result, computed and rounded once; every surface reads it.

From a solved :class:`~allocator.solving.result.Result`, :func:`figures` makes, per cell,
per region and in total:

- ``amount_eur``: the allocation in whole euros. Rounded once (:mod:`.rounding`): the
  total is the exact total rounded, each region's amount adds up to it, each cell's to its
  region's, and no amount crosses a bound the exact one respects (a cell's need or cap, a
  region's maximum or minimum held by a binding rule, the budget);
- ``need_eur``, ``existing_eur`` (the existing money *counted*: at most the cell's need),
  and ``net_need_eur`` (what is left of the need after it);
- ``coverage_before`` and ``coverage_after``: (existing counted [+ amount]) / need, one
  definition everywhere;
- ``unmet_eur`` (net need - amount, in whole euros) and ``weighted_unmet_eur`` (each euro
  of unmet need times its region's and goal's weight; rounded the same way, so that its
  regions add up to its total and the total is the exact figure rounded);
- per region also ``per_inhabitant_eur`` (to the cent), ``tier_penalty_eur`` (the extra
  weight of the shortfall tiers: a weight, not money; the words say so) and two yardsticks,
  the money actually spent shared pro rata to population and to net need;
- in total also the money left unspent (``unspent_eur``) and why (:class:`Unspent`).

The terminal, the JSON, the CSV, the workbook, the sentences and the page all read these
figures; none recomputes or rounds one of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allocator.solving.rounding import SNAP_EUR, round_groups
from models.rules import HOLDS

if TYPE_CHECKING:
    from allocator.inputs.instance import Instance
    from allocator.solving.result import Result

#: A rule row whose slack is at most this many euros holds the region on its bound.
ON_BOUND_EUR = 0.5

#: The columns of the region and the cell tables, in the order every surface shows them.
MONEY = ("need_eur", "existing_eur", "net_need_eur", "amount_eur", "unmet_eur")
REGION_COLUMNS = ("name", "population", *MONEY, "per_inhabitant_eur", "coverage_before",
                  "coverage_after", "weighted_unmet_eur", "tier_penalty_eur")


@dataclass(frozen=True)
class Unspent:
    """Money of the budget left unspent, and why.

    ``reason`` is one of:

    - ``"none"``: all of the budget is spent;
    - ``"need_covered"``: every cell has all its net need (no more money can cover anything);
    - ``"caps"``: every cell has all it can absorb, some only up to their cap;
    - ``"rules"``: cells could take more, but rules hold them: ``held`` names each rule with
      the regions (or goals) it holds at a maximum;
    - ``"no_gain"``: cells could take more and no rule holds them, but money there would
      lower nothing the objective counts (a weight of 0).
    """

    eur: float
    reason: str
    held: dict[str, list[str]] = field(default_factory=dict)
    room_eur: float = 0.0  # what the cells could still absorb

    def to_dict(self, names: dict[str, str] | None = None) -> dict[str, Any]:
        """As the JSON carries it, with the sentence in Dutch and English."""
        return {"unspent_eur": self.eur, "reason": self.reason, "held": self.held,
                "room_eur": self.room_eur, "text_nl": self.sentence("nl", names),
                "text_en": self.sentence("en", names)}

    def sentence(self, lang: str, names: dict[str, str] | None = None) -> str:
        """In words, in ``lang``: how much stays unspent and why (empty when none)."""
        from allocator.labels import label, money

        if self.reason == "none":
            return ""
        return label(f"unspent_{self.reason}", lang).format(
            a=money(self.eur, lang), room=money(self.room_eur, lang),
            held=self._held(lang, names or {}))

    def _held(self, lang: str, names: dict[str, str]) -> str:
        from allocator.labels import label

        return "; ".join(
            f"{label(rule, lang)} ({', '.join(names.get(i, i) for i in ids[:6])}"
            f"{'…' if len(ids) > 6 else ''})" for rule, ids in self.held.items())

    def binds(self, lang: str, names: dict[str, str] | None = None) -> str:
        """What binds instead of the budget, in a few words (empty when all is spent)."""
        from allocator.labels import label

        if self.reason == "none":
            return ""
        return label(f"binds_{self.reason}", lang).format(held=self._held(lang, names or {}))


@dataclass(frozen=True)
class Figures:
    """The figures of one result: ``cells`` (one row per need row, in the instance's
    order), ``regions`` (indexed by region id, in the instance's order) and ``total``."""

    cells: pd.DataFrame
    regions: pd.DataFrame
    total: dict[str, Any]
    unspent: Unspent

    def matrix(self) -> pd.DataFrame:
        """Region x goal whole euros (cells without a need row are 0), in the instance's
        order of regions and goals."""
        m = self.cells.pivot(index="region", columns="goal", values="amount_eur")
        return m.reindex(index=self.regions.index, columns=self.goal_order).fillna(0).astype(
            "int64")

    @property
    def goal_order(self) -> pd.Index:
        return self.total["goal_order"]

    def region_records(self) -> list[dict[str, Any]]:
        """The region table as JSON records (``region`` first)."""
        frame = self.regions.reset_index()
        out = []
        for row in frame.itertuples(index=False):
            rec = row._asdict()
            out.append({k: _plain(v) for k, v in rec.items()})
        return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def figures(r: Result) -> Figures | None:
    """The figures of ``r`` (None without an allocation), made once per result."""
    cached = r.__dict__.get("_figures")
    if cached is None and len(r.allocation):
        cached = figures_of(r.instance, r.allocation["amount_eur"].to_numpy(float),
                            float(r.budget_eur), lambda: r.constraints)
        r.__dict__["_figures"] = cached
    return cached


def _region_flags(rows: pd.DataFrame, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Per region: may it be rounded up (no binding maximum) / down (no binding minimum)."""
    up = np.ones(len(index), dtype=bool)
    down = np.ones(len(index), dtype=bool)
    if not len(rows):
        return up, down
    money = rows["rule"].isin([k for k in HOLDS if k != "coverage_gap"])
    on = rows[money & (rows["slack"] <= ON_BOUND_EUR)]
    for side, flags in (("maximum", up), ("minimum", down)):
        ids = on.loc[on["rule"].map(HOLDS) == side, "id"].astype(str)
        where = index.get_indexer(pd.Index(ids.unique()))
        flags[where[where >= 0]] = False
    return up, down


def figures_of(inst: Instance, amounts: np.ndarray, budget: float,
               rows: Callable[[], pd.DataFrame] | None = None) -> Figures:
    """The figures of the allocation ``amounts`` (euros per need row, in the instance's
    order) of ``inst`` at ``budget``; ``rows`` gives the rule rows at that allocation (the
    rounding keeps a region on a binding bound on its side; without them, a value within
    :data:`SNAP_EUR` of a whole euro still keeps it)."""
    return _make(inst, np.asarray(amounts, dtype=float), budget,
                 rows if rows is not None else pd.DataFrame)


def _make(inst: Instance, amounts: np.ndarray, budget: float,
          rows: Callable[[], pd.DataFrame]) -> Figures:
    needs = inst.needs
    regions = inst.regions
    index = regions.index.astype(str)
    n_regions = len(index)
    codes = index.get_indexer(needs["region"].astype(str))
    goals = needs["goal"].astype(str).to_numpy()

    need = needs["need_eur"].to_numpy(float)
    existing = np.minimum(needs["existing_eur"].to_numpy(float), need)
    cap = needs["cap_eur"].to_numpy(float) if "cap_eur" in needs else np.full(len(needs), np.nan)
    net = np.maximum(need - existing, 0.0)
    upper = np.where(np.isnan(cap), net, np.minimum(net, cap))
    x = np.clip(amounts, 0.0, None)

    def per_region(v: np.ndarray) -> np.ndarray:
        return np.bincount(codes, v, minlength=n_regions)

    def whole(cell: np.ndarray, *, up: np.ndarray | None = None,
              down: np.ndarray | None = None, total: int | None = None,
              cell_up: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Cells and regions in whole euros: regions to the total, cells to their region."""
        region = per_region(cell)
        whole_region = round_groups(region, None if total is None else np.array([total]),
                                    up=up, down=down)
        return round_groups(cell, whole_region, codes, up=cell_up), whole_region

    need_c, need_r = whole(need)
    existing_c, existing_r = whole(existing)
    net_c = np.maximum(need_c - existing_c, 0)
    # the allocation: the total never above the budget, a region never across a bound it
    # sits on, a cell never above what it can absorb
    cell_up = x < np.floor(upper + SNAP_EUR) - SNAP_EUR
    total = int(np.rint(x.sum()))
    if total > budget + SNAP_EUR:
        total = int(np.floor(budget + SNAP_EUR))
    # nor above what every cell can absorb in whole euros (a need of fractional euros, as a
    # need model builds it, must not round a full region up past its need)
    total = min(total, int(np.floor(upper + SNAP_EUR).sum()))
    rule_rows = rows()
    up, down = _region_flags(rule_rows, index)
    up &= per_region(cell_up.astype(float)) > 0  # a region whose cells are all full
    amount_c, amount_r = whole(x, up=up, down=down, total=total, cell_up=cell_up)
    unmet_c = np.maximum(net_c - amount_c, 0)

    region_w = regions["weight"].reindex(needs["region"].astype(str)).to_numpy(float)
    goal_w = inst.goals["weight"].reindex(goals).to_numpy(float)
    weighted = region_w * goal_w * np.maximum(net - x, 0.0)
    weighted_c, weighted_r = whole(weighted)
    weighted_before_c, weighted_before_r = whole(region_w * goal_w * net)

    tiers = _tier_penalty(inst, x, n_regions)
    tiers_r = round_groups(tiers) if tiers is not None else None

    population = regions["population"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov_before_c = np.where(need_c > 0, existing_c / need_c, np.nan)
        cov_after_c = np.where(need_c > 0, (existing_c + amount_c) / need_c, np.nan)
        cov_before_r = np.where(need_r > 0, existing_r / need_r, np.nan)
        cov_after_r = np.where(need_r > 0, (existing_r + amount_r) / need_r, np.nan)
        per_head = np.where(population > 0, np.round(amount_r / population, 2), np.nan)

    cells = pd.DataFrame({
        "region": needs["region"].astype(str).to_numpy(), "goal": goals,
        "need_eur": need_c, "existing_eur": existing_c, "net_need_eur": net_c,
        "amount_eur": amount_c, "unmet_eur": unmet_c,
        "coverage_before": cov_before_c, "coverage_after": cov_after_c,
        "weighted_unmet_eur": weighted_c, "weighted_unmet_before_eur": weighted_before_c,
    })
    net_r = per_region(net_c.astype(float)).astype(np.int64)
    table = pd.DataFrame({
        "name": regions["name"].astype(str).to_numpy(),
        "population": regions["population"].to_numpy(),
        "need_eur": need_r, "existing_eur": existing_r, "net_need_eur": net_r,
        "amount_eur": amount_r, "unmet_eur": np.maximum(net_r - amount_r, 0),
        "per_inhabitant_eur": per_head,
        "coverage_before": cov_before_r, "coverage_after": cov_after_r,
        "weighted_unmet_eur": weighted_r, "weighted_unmet_before_eur": weighted_before_r,
        "tier_penalty_eur": tiers_r if tiers_r is not None else np.full(n_regions, np.nan),
    }, index=pd.Index(index, name="region"))
    # yardsticks: the money actually spent shared pro rata to population and to net need
    # (whole euros adding up to the amount spent), never money that was not placed
    table["pro_rata_population_eur"] = round_groups(
        total * population / max(float(population.sum()), 1e-300), np.array([total]))
    table["pro_rata_need_eur"] = round_groups(
        total * net_r / max(float(net_r.sum()), 1e-300), np.array([total]))

    room = np.maximum(np.floor(upper + SNAP_EUR) - amount_c, 0.0)
    unspent = _unspent(rule_rows, budget - float(total), room, cap, net, codes, index)
    need_t, existing_t = int(need_r.sum()), int(existing_r.sum())
    goal_order = inst.goals_in_order
    totals = {
        "budget_eur": budget, "need_eur": need_t, "existing_eur": existing_t,
        "net_need_eur": int(net_r.sum()), "amount_eur": total,
        "unmet_eur": int(table["unmet_eur"].sum()),
        "coverage_before": existing_t / need_t if need_t else None,
        "coverage_after": (existing_t + total) / need_t if need_t else None,
        "weighted_unmet_eur": int(weighted_r.sum()),
        "weighted_unmet_before_eur": int(weighted_before_r.sum()),
        "tier_penalty_eur": int(tiers_r.sum()) if tiers_r is not None else None,
        "unspent_eur": unspent.eur,
        "goals": {g: int(v) for g, v in zip(goal_order, cells.groupby("goal")[
            "amount_eur"].sum().reindex(goal_order, fill_value=0), strict=True)},
        "goal_order": goal_order,
    }
    return Figures(cells, table, totals, unspent)


def _tier_penalty(inst: Instance, x: np.ndarray, n_regions: int) -> np.ndarray | None:
    """Per region, the shortfall tiers' extra weight (None without tiers)."""
    if not inst.policy.shortfall_tiers:
        return None
    from allocator.solving.modeldata import to_model_data

    d = to_model_data(inst, 1.0)
    per_region = np.bincount(d.cell_region, np.minimum(x, d.upper), minlength=n_regions)
    out = np.zeros(n_regions)
    covered = d.covered_regions
    for _, extra, target in d.tier_targets():
        out[covered] += extra * np.maximum(target - per_region[covered], 0.0)
    return out


def _unspent(rows: pd.DataFrame, left: float, room: np.ndarray, cap: np.ndarray,
             net: np.ndarray, codes: np.ndarray, index: pd.Index) -> Unspent:
    """How much of the budget stays unspent and why (see :class:`Unspent`)."""
    if left < 0.5:
        return Unspent(max(left, 0.0), "none")
    total_room = float(room.sum())
    if total_room < 0.5:
        capped = bool((~np.isnan(cap) & (cap < net - SNAP_EUR)).any())
        return Unspent(left, "caps" if capped else "need_covered")
    held: dict[str, list[str]] = {}
    if len(rows):
        open_regions = set(index[np.unique(codes[room >= 0.5])])
        maxima = [k for k, side in HOLDS.items() if side == "maximum"] + ["max_share"]
        on = rows[rows["rule"].isin(maxima) & ((rows["slack"] <= ON_BOUND_EUR)
                                               | (rows["rule"] == "coverage_gap")
                                               & (rows["slack"] <= 1e-6))]
        for rule, ids in on.groupby("rule", sort=False)["id"]:
            chosen = [i for i in ids.astype(str).unique()
                      if i in open_regions or rule == "max_share"]
            if chosen:
                held[str(rule)] = chosen
    return Unspent(left, "rules" if held else "no_gain", held, total_room)
