"""What each command prints on the terminal, as text in the reader's language.

The renderers of the terminal, beside those of the workbooks and the JSON: each takes a
study's result and lays out figures it already holds (the figures tables, the study's own
rows); none computes or rounds a figure of its own. ``allocator.cli`` prints what these
return. The solve's summary is :mod:`allocator.reports.summary`; the table of regions side
by side (envelopes, variants) is :mod:`allocator.reports.tables`.
"""

from __future__ import annotations

from typing import Any

from allocator.labels import label, money, percent
from allocator.reports.tables import envelope_table


def status_word(status: str, lang: str) -> str:
    return label(f"status_{status}", lang)


def sweep_text(result: Any, lang: str) -> str:
    """The curve: the message, then one line a point; with asked budgets, each region at
    each envelope."""
    lines = [result.text(lang)]
    tiers = any(p.tier_penalty_eur is not None for p in result.breakpoints)
    heads = ["budget", "sweep_weighted", *(["sweep_tiers", "sweep_objective"] if tiers else []),
             "sweep_marginal"]
    widths = [18] * (len(heads) - 1) + [16]
    lines.append("  ".join(f"{label(h, lang):>{w}}" for h, w in zip(heads, widths, strict=True)))
    for p in result.breakpoints:
        if not p.optimal:
            lines.append(f"{money(p.budget_eur, lang):>18}  {status_word(p.status, lang)}: "
                         f"{label('sweep_cannot_hold', lang)}")
            continue
        # the tiers' extra weight and the objective are weights, not money: no € sign
        cells = [money(p.budget_eur, lang), money(p.weighted_unmet_eur, lang),
                 *([money(p.tier_penalty_eur or 0.0, lang)[1:],
                    money(p.objective_eur, lang)[1:]] if tiers else [])]
        value = f"{p.marginal_value:.4f}"
        lines.append("  ".join(f"{v:>18}" for v in cells)
                     + f"  {value.replace('.', ',') if lang == 'nl' else value:>16}")
    if tiers:
        lines.append(label("sweep_tiers_note", lang))
    if result.asked and result.figures:
        lines += ["", envelope_table(result.envelopes(), lang)]
        names = {**result.instance.regions["name"].astype(str).to_dict()}
        for budget, f in sorted(result.figures.items()):
            said = f.unspent.sentence(lang, names)
            if said:  # money left unspent at an envelope, and why
                lines.append(f"{money(budget, lang)}: {said}")
    return "\n".join(lines)


def robust_text(result: Any, lang: str) -> str:
    """The scenarios with their regret, then the robust allocation against the instance's
    own."""
    def eur(v: float | None) -> str:
        return "-" if v is None else money(v, lang)

    lines = [result.text(lang),
             f"{label('scenario', lang):<16} {label('probability', lang):>11} "
             f"{label('own_optimum', lang):>22} {label('robust_unmet', lang):>18} "
             f"{label('regret', lang):>16}"]
    for o in result.outcomes:
        lines.append(f"{o.name:<16} {percent(o.probability, lang, 1):>11} "
                     f"{eur(o.own_optimum_eur):>22} {eur(o.robust_unmet_eur):>18} "
                     f"{eur(o.regret_eur):>16}")
    if not result.optimal:
        return "\n".join(lines)
    regions = result.by_region()
    names = result.instance.regions["name"].astype(str)
    width = max(len(label("region", lang)), *(len(n) for n in names))
    lines.append(f"\n{label('region', lang):<{width}} {label('robust_plan', lang):>16} "
                 f"{label('nominal_plan', lang):>18} {label('cmp_difference', lang):>16}")
    for region, row in regions.iterrows():
        robust, own = int(row["robust_eur"]), int(row.get("nominal_eur", 0))
        change = ("+" if robust >= own else "-") + money(abs(robust - own), lang)
        lines.append(f"{names[region]:<{width}} {money(robust, lang):>16} "
                     f"{money(own, lang):>18} {change:>16}")
    own_total = int(regions["nominal_eur"].sum()) if "nominal_eur" in regions else 0
    lines.append(f"{label('total', lang):<{width}} "
                 f"{money(int(regions['robust_eur'].sum()), lang):>16} "
                 f"{money(own_total, lang):>18}")
    return "\n".join(lines)


def agenda_text(result: Any, lang: str) -> str:
    """The message, then who pays what per year (funders by name), and the total investment
    per national euro."""
    lines = [result.text(lang)]
    if not result.optimal:
        return "\n".join(lines)
    table = result.by_funder()
    names = {f.id: f.name or f.id for f in result.agenda.funders}  # names, not ids
    years = [str(y) for y in table.columns]
    width = max(len(label("funder", lang)),
                *(len(names.get(str(f), str(f))) for f in table.index))
    lines.append(f"{label('funder', lang):<{width}}" + "".join(f"{y:>16}" for y in years))
    for funder, row in table.iterrows():
        lines.append(f"{names.get(str(funder), str(funder)):<{width}}"
                     + "".join(f"{money(int(v), lang):>16}" for v in row))
    unlocked = result.unlocked()
    if unlocked is not None:
        shown = f"{unlocked:.2f}"
        lines.append(label("unlocked_line", lang).format(
            value=shown.replace(".", ",") if lang == "nl" else shown))
    return "\n".join(lines)


def compare_text(result: Any, lang: str) -> str:
    """The variants' overview, then each region under each variant."""
    text = result.table(lang)
    envelopes = result.envelopes()
    text += "\n\n" + envelope_table(envelopes, lang) if len(envelopes) else ""
    for name, r in result.results.items():
        said = r.unspent_text(lang) if r.optimal else ""
        if said:  # money a variant leaves unspent, and why
            text += f"\n{name}: {said}"
    return text


def sensitivity_text(result: Any, lang: str, *, step: float, alternatives: bool) -> str:
    """Each region's base allocation, its range and coverage range over the runs, and the
    assumption that moves it most."""
    from allocator.reports.sensitivity_workbook import run_name

    names = {**result.instance.regions["name"].astype(str).to_dict(),
             **result.instance.goals["name"].astype(str).to_dict()}
    table = result.regions()
    width = max(len(label("region", lang)), *(len(names.get(r, r)) for r in table.index))
    lines = [label("sens_head_alt", lang).format(n=len(result.runs)) if alternatives else
             label("sens_head", lang).format(n=len(result.runs) // 2,
                                             step=percent(step, lang, 0)),
             f"{label('region', lang):<{width}} {label('sens_base', lang):>16} "
             f"{label('sens_range', lang):>31} {label('sens_coverage', lang):>15}  "
             f"{label('sens_most', lang)}"]
    for region, row in table.iterrows():
        span = f"{money(row['low_eur'], lang)} – {money(row['high_eur'], lang)}"
        cover = (f"{percent(row['coverage_low'], lang, 0)} – "
                 f"{percent(row['coverage_high'], lang, 0)}")
        most = "-"
        if isinstance(row["moved_most_by"], str):
            moved = run_name(str(row["moved_most_by"]), float(row["factor"]), step, names,
                             lang)
            most = f"{moved} ({money(row['moved_most_eur'], lang)})"
        lines.append(f"{names.get(region, region):<{width}} "
                     f"{money(row['base_eur'], lang):>16} {span:>31} {cover:>15}  {most}")
    lines += decision_lines(result, lang, names)
    return "\n".join(lines)


def decision_value(key: str, text: str, lang: str) -> str:
    """A policy value as the sheet writes it, for a reader: money in euros, a share as a
    percentage, a long list of tiers cut short."""
    from models.rules import PARAM
    from models.rules.params import OFF_WORDS

    if text.strip().lower() in OFF_WORDS:
        return "geen" if lang == "nl" else "none"
    if text.strip().lower() in ("true", "false", "ja", "nee", "yes", "no"):
        yes = text.strip().lower() in ("true", "ja", "yes")
        return ("ja" if yes else "nee") if lang == "nl" else ("yes" if yes else "no")
    try:
        value = float(text)
    except ValueError:
        return text if len(text) <= 40 else text[:38].rstrip("; ") + " …"
    param = PARAM.get(key)
    if key.endswith("_eur"):
        return money(value, lang)
    if param is not None and param.le == 1:
        return percent(value, lang, 0)
    return f"{value:g}".replace(".", ",") if lang == "nl" else f"{value:g}"


def decision_lines(result: Any, lang: str, names: dict[str, str]) -> list[str]:
    """The cabinet's choices, each at its alternative: apart from the assumptions."""
    table = result.decision_table()
    if not len(table):
        return []
    weighted = float(result.base.figures.total["weighted_unmet_eur"]) if (
        result.base.figures is not None) else float("nan")
    lines = ["", label("sens_decisions", lang)]
    for row in table.itertuples(index=False):
        what = label(row.decision, lang)
        row = row._replace(value=decision_value(row.decision, row.value, lang),
                           alternative=decision_value(row.decision, row.alternative, lang))
        if row.status != "optimal":
            lines.append("- " + label("decision_unsolved", lang).format(
                what=what, now=row.value, alt=row.alternative,
                status=status_word(row.status, lang)))
            continue
        moved = ("+" if row.moved_eur > 0 else "") + money(row.moved_eur, lang)
        if not isinstance(row.region, str):  # no region's money moves beyond rounding
            lines.append("- " + label("decision_still", lang).format(
                what=what, now=row.value, alt=row.alternative))
            continue
        lines.append("- " + label("decision_line", lang).format(
            what=what, now=row.value, alt=row.alternative,
            before=money(weighted, lang), after=money(row.weighted_unmet_eur, lang),
            allocated=money(row.allocated_eur, lang),
            region=names.get(str(row.region), str(row.region)), moved=moved))
    return lines


def shown_name(name: str, lang: str) -> str:
    """A variant's or a need scenario's name; the instance's own as words, not an id."""
    return label("own_instance", lang) if name == "instance" else name


def grid_text(grid: Any, lang: str) -> str:
    """One line a point: policy variant, need scenario, budget, weighted unmet need, the
    tiers' extra weight (a weight, no € sign) and the value of the next euro."""
    tiers = any(p.tier_penalty_eur is not None for p in grid.points)
    workers = label("serial", lang) if grid.workers == "serial" else grid.workers
    lines = [label("grid_points", lang).format(n=len(grid.points), workers=workers)]
    width = max([len(label("cmp_variant", lang)), *(len(shown_name(p.policy, lang))
                                                   for p in grid.points)])
    needs = max([len(label("needs_scenario", lang)), *(len(shown_name(p.needs, lang))
                                                      for p in grid.points)])
    lines.append(f"{label('cmp_variant', lang):<{width}}  {label('needs_scenario', lang):<{needs}}"
                 f"{label('budget', lang):>18}{label('sweep_weighted', lang):>20}"
                 + (f"{label('sweep_tiers', lang):>22}" if tiers else "")
                 + f"{label('sweep_marginal', lang):>18}")
    for p in grid.points:
        head = (f"{shown_name(p.policy, lang):<{width}}  {shown_name(p.needs, lang):<{needs}}"
                f"{money(p.budget_eur, lang):>18}")
        if p.status != "optimal":
            lines.append(f"{head}  {status_word(p.status, lang)}")
            continue
        value = "-" if p.marginal_value is None else f"{p.marginal_value:.4f}"
        lines.append(head + f"{money(p.weighted_unmet_eur, lang):>20}"
                     + (f"{money(p.tier_penalty_eur or 0.0, lang)[1:]:>22}" if tiers else "")
                     + f"{value.replace('.', ',') if lang == 'nl' else value:>18}")
    return "\n".join(lines)
