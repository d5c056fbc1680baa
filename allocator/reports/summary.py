"""The terminal summary: the allocation per region and goal, coverage, unmet need, status.

In the report's language (``--lang``, Dutch by default) with that language's number style:
``€ 1.234.567`` and ``42,3%`` in Dutch, ``€1,234,567`` and ``42.3%`` in English.
"""

from __future__ import annotations

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

    m = r.matrix()
    names = r.instance.regions["name"]
    width = max(len(str(t["region"])), *(len(str(n)) for n in names))
    goals = [str(g) for g in m.columns]
    col = max(14, *(len(g) + 1 for g in goals), len(whole(m.to_numpy().sum())) + 2)
    head = f"{t['region']:<{width}}" + "".join(f"{g:>{col}}" for g in goals)
    head += f"{t['total']:>{col}}{t['coverage']:>10}"
    lines += ["", head, "-" * len(head)]
    shown = m
    if len(m) > TERMINAL_REGIONS:
        coverage = r.coverage["coverage"].reindex(m.index)
        ranked = coverage.sort_values(kind="stable", na_position="first").index
        shown = m.loc[ranked[:ENDS].append(ranked[-ENDS:])]
    coverage_of = r.coverage["coverage"].reindex(shown.index).to_numpy()
    for (region, row), cov in zip(shown.iterrows(), coverage_of, strict=True):
        cells = "".join(f"{whole(v):>{col}}" for v in row)
        lines.append(f"{str(names[region]):<{width}}{cells}{whole(row.sum()):>{col}}"
                     f"{percent(cov, lang, 1):>10}")
        if len(shown) < len(m) and len(lines) == 3 + 1 + ENDS:
            lines.append(str(t["more"]).format(k=whole(len(m) - 2 * ENDS), n=ENDS))
    lines.append("-" * len(head))
    totals = "".join(f"{whole(v):>{col}}" for v in m.sum(axis=0))
    lines.append(f"{t['total']:<{width}}{totals}{whole(m.to_numpy().sum()):>{col}}")
    c = r.certificate
    h = r.headline()
    lines += [
        "",
        str(t["allocated"]).format(a=money(m.to_numpy().sum(), lang),
                                   b=money(r.budget_eur, lang)),
        str(t["unmet"]).format(a=money(h["unmet_before_eur"], lang),
                               b=money(h["unmet_after_eur"], lang),
                               c=percent(h["coverage_before"], lang, 1),
                               d=percent(h["coverage_after"], lang, 1)),
        str(t["per_head"]).format(a=money(h["per_inhabitant_lowest_eur"], lang, 2),
                                  ra=h["per_inhabitant_lowest_region"],
                                  b=money(h["per_inhabitant_highest_eur"], lang, 2),
                                  rb=h["per_inhabitant_highest_region"]),
        str(t["weighted"]).format(a=money(r.weighted_unmet_before_eur, lang),
                                  b=money(r.weighted_unmet_eur, lang)),
        r.next_text(lang),
    ]
    unspent = r.unspent_text(lang)
    if unspent:
        lines.insert(lines.index(str(t["allocated"]).format(a=money(m.to_numpy().sum(), lang),
                                                             b=money(r.budget_eur, lang))) + 1,
                     unspent)
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
