"""Cabinet scenarios side by side: one instance, named policy variants, one workbook.

Each scenario is a full, certified solve of the instance with some policy values changed
(``validate.scenarios`` reads and checks the list). The comparison lays out what a cabinet
weighs: totals, unmet need, the lowest coverage, the price of fairness, and each region's
allocation and coverage under every variant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from allocator.inputs.instance import Instance
from allocator.inputs.read import read_table
from allocator.inputs.validate import apply_variant, load, scenarios
from allocator.solving.engine import solve
from allocator.solving.result import Result


@dataclass
class Comparison:
    instance: Instance
    results: dict[str, Result]  # by scenario name, in the order given
    seconds: float = 0.0  # wall clock of all variants' solves

    def summary(self) -> pd.DataFrame:
        rows = []
        for name, r in self.results.items():
            f = r.figures if r.optimal else None
            cov = (f.regions["coverage_after"].dropna() if f is not None
                   else pd.Series(dtype=float))
            price = r.price_of_fairness
            rows.append({
                "scenario": name,
                "status": r.status.value,
                "budget_eur": r.budget_eur,
                "allocated_eur": f.total["amount_eur"] if f is not None else None,
                "unspent_eur": f.unspent.eur if f is not None else None,
                "weighted_unmet_eur": r.weighted_unmet_eur if r.optimal else None,
                "lowest_coverage": float(cov.min()) if len(cov) else None,
                "highest_coverage": float(cov.max()) if len(cov) else None,
                "price_of_fairness_eur": price.total_eur if price else None,
                "marginal_value": r.marginal_value,
            })
        return pd.DataFrame(rows).set_index("scenario")

    def table(self, lang: str = "nl") -> str:
        """The overview as a reader wants it on a terminal, in ``lang``: euros with
        thousands separators, percentages, the change of weighted unmet need against the
        first variant that holds, and why an infeasible variant is (what budget its rules
        need)."""
        from allocator.labels import label, money, percent

        summary = self.summary()
        solved = summary[summary["status"] == "optimal"]
        base = str(solved.index[0]) if len(solved) else None  # the first that holds
        first = solved["weighted_unmet_eur"].iloc[0] if len(solved) else None

        def eur(v: object) -> str:
            return "-" if v is None or pd.isna(v) else money(float(v), lang)  # type: ignore[arg-type]

        def pct(v: object) -> str:
            return "-" if v is None or pd.isna(v) else percent(float(v), lang, 1)  # type: ignore[arg-type]

        head = [label(k, lang) for k in ("cmp_variant", "cmp_status", "cmp_budget",
                                          "cmp_allocated", "cmp_unmet")]
        head += [label("cmp_against", lang).format(base=base) if base
                 else label("cmp_difference", lang)]
        head += [label(k, lang) for k in ("cmp_lowest", "cmp_highest", "cmp_price")]
        rows = []
        for name, row in summary.iterrows():
            unmet = row["weighted_unmet_eur"]
            diff = "-"
            if first is not None and not pd.isna(first) and not pd.isna(unmet):
                change = float(unmet) - float(first)
                diff = ("+" if change >= 0 else "-") + money(abs(change), lang)
            rows.append([str(name), label(f"status_{row['status']}", lang),
                         eur(row["budget_eur"]), eur(row["allocated_eur"]), eur(unmet), diff,
                         pct(row["lowest_coverage"]), pct(row["highest_coverage"]),
                         eur(row["price_of_fairness_eur"])])
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        lines = ["  ".join(h.ljust(w) if i < 2 else h.rjust(w)
                           for i, (h, w) in enumerate(zip(head, widths, strict=True)))]
        lines += ["  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                  for r in rows]
        for name, r in self.results.items():
            if not r.optimal:
                reason = r.explanation(lang).split(". ")[:2]
                lines.append(f"{name}: {'. '.join(reason).rstrip('.')}.")
        return "\n".join(lines)

    def by_region(self, what: str) -> pd.DataFrame:
        """Region x scenario: whole euros allocated (``allocated_eur``) or ``coverage``."""
        columns = {}
        for name, r in self.results.items():
            if not r.optimal:
                continue
            regions = r.figures.regions  # type: ignore[union-attr]
            columns[name] = (regions["amount_eur"] if what == "allocated_eur"
                             else regions["coverage_after"]).to_numpy()
        return pd.DataFrame(columns, index=self.instance.regions.index)

    def envelopes(self) -> pd.DataFrame:
        """Per scenario that holds and per region: amount, per inhabitant, coverage before
        and after, and the change in amount from the scenario before (each scenario's
        figures table, nothing recomputed)."""
        frames = []
        previous = None
        for name, r in self.results.items():
            if not r.optimal or r.figures is None:
                continue
            regions = r.figures.regions
            frame = regions[["name", "amount_eur", "per_inhabitant_eur", "coverage_before",
                             "coverage_after", "pro_rata_population_eur",
                             "pro_rata_need_eur"]].reset_index()
            frame.insert(0, "scenario", name)
            frame["change_eur"] = (regions["amount_eur"].to_numpy() - previous
                                   if previous is not None else 0)
            previous = regions["amount_eur"].to_numpy()
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def compare(instance: Instance | str | Path, table: str | Path) -> Comparison:
    """Solve ``instance`` under each scenario of the ``table`` file (CSV or workbook)."""
    if not isinstance(instance, Instance):
        instance = load(instance)
    variants = scenarios(read_table(table), instance.policy)
    clock = time.perf_counter()
    results = {name: solve(apply_variant(instance, policy, off))
               for name, policy, off in variants}
    return Comparison(instance, results, time.perf_counter() - clock)
