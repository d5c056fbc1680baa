"""The terminal summary: the allocation per region and goal, coverage, unmet need, status.

In the report's language (``--lang``, Dutch by default) with that language's number style:
``€ 1.234.567`` and ``42,3%`` in Dutch, ``€1,234,567`` and ``42.3%`` in English.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from allocator.labels import label, money, percent
from allocator.solving.result import Result

#: The summary's own words, per language.
WORDS = {
    "nl": {
        "status": {"optimal": "optimaal", "infeasible": "onhaalbaar",
                   "time_limit": "tijdslimiet", "unbounded": "onbegrensd", "error": "fout"},
        "region": "regio", "total": "totaal", "coverage": "dekking",
        "allocated": "verdeeld {a} van {b}",
        "unmet": "onvervulde behoefte {a} -> {b}; dekking van alle behoefte {c} -> {d}",
        "per_head": "per inwoner: laagste {a} ({ra}), hoogste {b} ({rb})",
        "weighted": "gewogen onvervulde behoefte {a} -> {b} (elke euro behoefte geteld met het "
                    "gewicht van zijn regio en doel)",
        "why": "waarom elke regio krijgt wat ze krijgt:",
        "fairness": "prijs van de eerlijkheid: de verdelingsregels kosten {a} gewogen "
                    "onvervulde behoefte ({s}); elk alleen: {rules}",
        "certificate": "controle: grootste overschrijding {v}, relatief dualiteitsverschil "
                       "{g} ({ok})",
        "passed": "geslaagd", "failed": "MISLUKT",
        "solver": "HiGHS {v}: {n} oplossingen, {s} s in de solver",
        "more": "... {k} regio's meer (hierboven de {n} met de laagste en de {n} met de "
                "hoogste dekking; alle regio's staan in het rapport)",
    },
    "en": {
        "status": {},
        "region": "region", "total": "total", "coverage": "coverage",
        "allocated": "allocated {a} of {b}",
        "unmet": "unmet need {a} -> {b}; coverage of all need {c} -> {d}",
        "per_head": "per inhabitant: lowest {a} ({ra}), highest {b} ({rb})",
        "weighted": "weighted unmet need {a} -> {b} (each euro of need counted with its "
                    "region's and goal's weight)",
        "why": "why each region gets what it gets:",
        "fairness": "price of fairness: the equity rules cost {a} of weighted unmet need "
                    "({s}); each alone: {rules}",
        "certificate": "certificate: largest violation {v}, relative duality gap {g} ({ok})",
        "passed": "passed", "failed": "FAILED",
        "solver": "HiGHS {v}: {n} solves, {s} s in the solver",
        "more": "... {k} regions more (above, the {n} with the lowest and the {n} with the "
                "highest coverage; every region is in the report)",
    },
}


#: Up to this many regions the terminal lists them all; above, the ENDS lowest and highest
#: by coverage (every region is in the report and its CSV files).
TERMINAL_REGIONS = 60
ENDS = 10


def summary(r: Result, lang: str = "en") -> str:
    t = WORDS[lang]
    status = t["status"].get(r.status.value, r.status.value)  # type: ignore[attr-defined]
    lines = [f"{r.instance.name}: {status} — budget {money(r.budget_eur, lang)}"]
    if not r.optimal:  # the CLI prints the message itself, on stderr
        return "\n".join(lines)
    sep = "." if lang == "nl" else ","

    def whole(v: float) -> str:
        return f"{int(v):,}".replace(",", sep)

    f = r.figures
    assert f is not None
    m = r.matrix()
    names = r.instance.regions["name"]
    coverage_all = pd.Series(f.regions["coverage_after"].to_numpy(), index=m.index)
    width = max(len(str(t["region"])), *(len(str(n)) for n in names))
    # goals by name, in the instance's order
    goals = [str(r.instance.goals.loc[g, "name"]) for g in m.columns]
    col = max(16, len(whole(m.to_numpy().sum())) + 2,
              *(len(w) + 2 for g in goals for w in g.split()))
    # a goal's name wrapped over the header's lines, each line right-aligned in its column
    wrapped = [textwrap.wrap(g, col - 2) or [""] for g in goals]
    depth = max(len(w) for w in wrapped)
    heads = []
    for k in range(depth):
        last = k == depth - 1
        line = f"{t['region'] if last else '':<{width}}"
        line += "".join(f"{(w[k - depth + len(w)] if k >= depth - len(w) else ''):>{col}}"
                        for w in wrapped)
        line += f"{t['total'] if last else '':>{col}}{t['coverage'] if last else '':>10}"
        heads.append(line if last else line.rstrip())
    head = heads[-1]
    lines += ["", *heads, "-" * len(head)]
    shown = m
    if len(m) > TERMINAL_REGIONS:
        ranked = coverage_all.sort_values(kind="stable", na_position="first").index
        shown = m.loc[ranked[:ENDS].append(ranked[-ENDS:])]
    coverage_of = coverage_all.reindex(shown.index).to_numpy()
    amounts = f.regions["amount_eur"]
    for (region, row), cov in zip(shown.iterrows(), coverage_of, strict=True):
        cells = "".join(f"{whole(v):>{col}}" for v in row)
        lines.append(f"{str(names[region]):<{width}}{cells}{whole(amounts[str(region)]):>{col}}"
                     f"{percent(cov, lang, 1):>10}")
        if len(shown) < len(m) and len(lines) == 3 + 1 + ENDS:
            lines.append(str(t["more"]).format(k=whole(len(m) - 2 * ENDS), n=ENDS))
    lines.append("-" * len(head))
    totals = "".join(f"{whole(v):>{col}}" for v in m.sum(axis=0))
    lines.append(f"{t['total']:<{width}}{totals}{whole(f.total['amount_eur']):>{col}}")
    c = r.certificate
    h = r.headline()
    lines += [
        "",
        str(t["allocated"]).format(a=money(f.total["amount_eur"], lang),
                                   b=money(r.budget_eur, lang)),
        str(t["unmet"]).format(a=money(h["unmet_before_eur"], lang),
                               b=money(h["unmet_after_eur"], lang),
                               c=percent(h["coverage_before"], lang, 1),
                               d=percent(h["coverage_after"], lang, 1)),
        str(t["per_head"]).format(a=money(h["per_inhabitant_lowest_eur"], lang, 2),
                                  ra=h["per_inhabitant_lowest_region"],
                                  b=money(h["per_inhabitant_highest_eur"], lang, 2),
                                  rb=h["per_inhabitant_highest_region"]),
        str(t["weighted"]).format(a=money(f.total["weighted_unmet_before_eur"], lang),
                                  b=money(f.total["weighted_unmet_eur"], lang)),
        r.next_text(lang),
    ]
    unspent = r.unspent_text(lang)
    if unspent:
        lines.insert(lines.index(str(t["allocated"]).format(
            a=money(f.total["amount_eur"], lang), b=money(r.budget_eur, lang))) + 1, unspent)
    if r.weight_sensitivity is not None:
        names = {**r.instance.regions["name"].astype(str).to_dict(),
                 **r.instance.goals["name"].astype(str).to_dict()}
        lines.append(r.weight_sensitivity.sentence(lang, names))
    from allocator.studies.why import reasons

    why = reasons(r)
    if why:
        lines += ["", str(t["why"])]
        lines += [f"- {w.sentence(lang, r.instance.policy.coverage_floor)}" for w in why]
    p = r.price_of_fairness
    if p and p.per_rule_eur:
        rules = ", ".join(f"{label(k, lang)} {money(v, lang)}" for k, v in p.per_rule_eur.items())
        lines.append(str(t["fairness"]).format(a=money(p.total_eur, lang),
                                               s=percent(p.total_share, lang, 1), rules=rules))
    if c:
        lines.append(str(t["certificate"]).format(
            v=money(c.max_violation_eur, lang, 2),
            g=f"{c.duality_gap:.1e}".replace(".", "," if lang == "nl" else "."),
            ok=t["passed"] if c.passed else t["failed"]))
    lines.append(str(t["solver"]).format(
        v=r.solver.version, n=r.solver.lp_solves,
        s=f"{r.solver.seconds:.3f}".replace(".", "," if lang == "nl" else ".")))
    return "\n".join(lines)
