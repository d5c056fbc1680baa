"""The terminal summary: the allocation per region and goal, coverage, unmet need, status."""

from __future__ import annotations

from allocator.labels import label
from allocator.result import Result


def summary(r: Result) -> str:
    lines = [f"{r.instance.name}: {r.status.value} — budget €{r.budget_eur:,.0f}"]
    if not r.optimal:  # the CLI prints the message itself, on stderr
        return "\n".join(lines)
    m = r.matrix()
    names = r.instance.regions["name"]
    width = max(len("region"), *(len(str(n)) for n in names))
    goals = [str(g) for g in m.columns]
    col = max(14, *(len(g) + 1 for g in goals))
    head = f"{'region':<{width}}" + "".join(f"{g:>{col}}" for g in goals)
    head += f"{'total':>{col}}{'coverage':>10}"
    lines += ["", head, "-" * len(head)]
    for region, row in m.iterrows():
        cells = "".join(f"{int(v):>{col},}" for v in row)
        cov = r.coverage.loc[region, "coverage"]
        lines.append(f"{str(names[region]):<{width}}{cells}{int(row.sum()):>{col},}"
                     f"{cov:>10.1%}")
    lines.append("-" * len(head))
    totals = "".join(f"{int(v):>{col},}" for v in m.sum(axis=0))
    lines.append(f"{'total':<{width}}{totals}{int(m.to_numpy().sum()):>{col},}")
    c = r.certificate
    h = r.headline()
    lines += [
        "",
        f"allocated €{int(m.to_numpy().sum()):,} of €{r.budget_eur:,.0f}",
        f"unmet need €{h['unmet_before_eur']:,.0f} -> €{h['unmet_after_eur']:,.0f}; "
        f"coverage of all need {h['coverage_before']:.1%} -> {h['coverage_after']:.1%}",
        f"per inhabitant: lowest €{h['per_inhabitant_lowest_eur']:,.2f} "
        f"({h['per_inhabitant_lowest_region']}), highest €{h['per_inhabitant_highest_eur']:,.2f} "
        f"({h['per_inhabitant_highest_region']})",
        f"weighted unmet need €{r.weighted_unmet_before_eur:,.0f} -> €{r.weighted_unmet_eur:,.0f} "
        "(each euro of need counted with its region's and goal's weight)",
        r.next_million.sentence("en") if r.next_million is not None
        else label("next_none", "en"),
    ]
    why = r.why()
    if why:
        lines += ["", "why each region gets what it gets:"]
        lines += [f"- {w.sentence('en', r.instance.policy.coverage_floor)}" for w in why]
    p = r.price_of_fairness
    if p and p.per_rule_eur:
        rules = ", ".join(f"{k} €{v:,.0f}" for k, v in p.per_rule_eur.items())
        lines.append(f"price of fairness: the equity rules cost €{p.total_eur:,.0f} of weighted "
                     f"unmet need ({p.total_share:.1%}); each alone: {rules}")
    if c:
        lines.append(f"certificate: largest violation €{c.max_violation_eur:,.2f}, "
                     f"relative duality gap {c.duality_gap:.1e} "
                     f"({'passed' if c.passed else 'FAILED'})")
    lines.append(f"HiGHS {r.solver.version}: {r.solver.lp_solves} solves, "
                 f"{r.solver.seconds:.3f} s in the solver")
    return "\n".join(lines)
