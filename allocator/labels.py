"""Every user-facing label of the reports, in Dutch (default) and English: one place."""

from __future__ import annotations

LANGUAGES = ("nl", "en")

_LABELS: dict[str, dict[str, str]] = {
    "sheet_summary": {"nl": "Samenvatting", "en": "Summary"},
    "sheet_allocation": {"nl": "Verdeling", "en": "Allocation"},
    "sheet_coverage": {"nl": "Dekking", "en": "Coverage"},
    "sheet_constraints": {"nl": "Beperkingen", "en": "Constraints"},
    "sheet_about": {"nl": "Over", "en": "About"},
    "sheet_unmet": {"nl": "Tekort", "en": "Unmet need"},
    "sheet_curve": {"nl": "Curve", "en": "Curve"},
    "sheet_overview": {"nl": "Overzicht", "en": "Overview"},
    "scenario": {"nl": "Scenario", "en": "Scenario"},
    "chart_by_scenario": {"nl": "Verdeling per regio en scenario",
                          "en": "Allocation by region and scenario"},
    "fairness_price": {"nl": "Prijs van de eerlijkheidsregels", "en": "Price of fairness"},
    "fairness_price_text": {
        "nl": "de regels samen kosten {value} gewogen onvervulde behoefte ({share} meer dan "
              "zonder regels)",
        "en": "the rules together cost {value} of weighted unmet need ({share} more than "
              "without them)"},
    "fairness_rule_text": {"nl": "alleen deze regel schrappen scheelt {value}",
                           "en": "dropping this rule alone saves {value}"},
    "fairness_step_text": {"nl": "; één stap strenger ({step}) kost ten minste {value}",
                           "en": "; one step tighter ({step}) costs at least {value}"},
    "+1 percentage point": {"nl": "+1 procentpunt", "en": "+1 percentage point"},
    "-1 percentage point": {"nl": "-1 procentpunt", "en": "-1 percentage point"},
    "ratio -0.1": {"nl": "verhouding -0,1", "en": "ratio -0.1"},
    "+€1,000 per region": {"nl": "+€1.000 per regio", "en": "+€1,000 per region"},
    "-€1,000 per region": {"nl": "-€1.000 per regio", "en": "-€1,000 per region"},
    "-€1 per inhabitant": {"nl": "-€1 per inwoner", "en": "-€1 per inhabitant"},
    "sheet_regions_by_budget": {"nl": "Regio's per budget", "en": "Regions by budget"},
    "chart_curve": {"nl": "Gewogen onvervulde behoefte per budget",
                    "en": "Weighted unmet need by budget"},
    "marginal_value": {"nl": "Marginale waarde (per extra euro)",
                       "en": "Marginal value (per extra euro)"},
    "sheet_inputs": {"nl": "Invoer", "en": "Inputs"},
    "message": {"nl": "Toelichting", "en": "Note"},
    "chart_allocation": {"nl": "Verdeling per regio en doel",
                         "en": "Allocation by region and goal"},
    "chart_coverage": {"nl": "Dekking per regio tegen de minimumdekking",
                       "en": "Coverage by region against the floor"},
    "net_need": {"nl": "Behoefte na bestaande middelen", "en": "Need after existing funding"},
    "unmet": {"nl": "Tekort", "en": "Unmet need"},
    "unmet_share": {"nl": "Tekort als deel van behoefte", "en": "Unmet share of need"},
    "per_cell": {"nl": "Per regio en doel", "en": "By region and goal"},
    "per_region": {"nl": "Per regio", "en": "By region"},
    "value": {"nl": "Waarde", "en": "Value"},
    "bound": {"nl": "Grens", "en": "Bound"},
    "meaning": {"nl": "Betekenis", "en": "Meaning"},
    "cap": {"nl": "plafond van een cel", "en": "cell cap"},
    "weight": {"nl": "Gewicht", "en": "Weight"},
    "name": {"nl": "Naam", "en": "Name"},
    "id": {"nl": "Code", "en": "Id"},
    "min_share_col": {"nl": "Minimumaandeel", "en": "Minimum share"},
    "max_share_col": {"nl": "Maximumaandeel", "en": "Maximum share"},
    "cap_col": {"nl": "Plafond", "en": "Cap"},
    "data_status": {"nl": "Status", "en": "Status"},
    "data_source": {"nl": "Bron", "en": "Source"},
    "key": {"nl": "Sleutel", "en": "Key"},
    "regions_title": {"nl": "Regio's", "en": "Regions"},
    "goals_title": {"nl": "Doelen", "en": "Goals"},
    "needs_title": {"nl": "Behoeften", "en": "Needs"},
    "policy_title": {"nl": "Beleid", "en": "Policy"},
    "legend_title": {"nl": "Legenda status", "en": "Status legend"},
    "too_large": {"nl": "{n} rijen: te veel voor dit blad; zie het invoerbestand.",
                  "en": "{n} rows: too many for this sheet; see the input file."},
    "not_binding": {"nl": "niet bindend: een kleine wijziging verandert de uitkomst niet",
                    "en": "not binding: a small change leaves the result unchanged"},
    "explain_budget": {
        "nl": "€1 mln meer budget verlaagt de gewogen onvervulde behoefte met {value}",
        "en": "€1 m more budget lowers weighted unmet need by {value}"},
    "explain_floor": {
        "nl": "de minimumdekking 1 procentpunt hoger kost {value} gewogen onvervulde behoefte",
        "en": "raising the floor by one percentage point costs {value} of weighted unmet need"},
    "explain_gap": {
        "nl": "1 procentpunt meer toegestaan dekkingsverschil verlaagt de gewogen onvervulde "
              "behoefte met {value}",
        "en": "allowing one percentage point more coverage gap lowers weighted unmet need by "
              "{value}"},
    "explain_low": {
        "nl": "deze regio heeft de laagste dekking en begrenst zo het dekkingsverschil",
        "en": "this region has the lowest coverage and so limits the coverage gap"},
    "explain_high": {
        "nl": "deze regio heeft de hoogste dekking en begrenst zo het dekkingsverschil",
        "en": "this region has the highest coverage and so limits the coverage gap"},
    "explain_min_share": {
        "nl": "het minimumaandeel 1 procentpunt hoger kost {value} gewogen onvervulde behoefte",
        "en": "raising the minimum share by one percentage point costs {value} of weighted "
              "unmet need"},
    "explain_max_share": {
        "nl": "het maximumaandeel 1 procentpunt hoger verlaagt de gewogen onvervulde behoefte "
              "met {value}",
        "en": "raising the maximum share by one percentage point lowers weighted unmet need by "
              "{value}"},
    "explain_per_capita": {
        "nl": "het plafond per inwoner 0,1 hoger verlaagt de gewogen onvervulde behoefte met "
              "{value}",
        "en": "raising the per-inhabitant cap ratio by 0.1 lowers weighted unmet need by {value}"},
    "explain_cap": {
        "nl": "€1.000 meer ruimte onder dit plafond verlaagt de gewogen onvervulde behoefte met "
              "{value}",
        "en": "€1,000 more room under this cap lowers weighted unmet need by {value}"},
    "title": {"nl": "Verdeling van het budget", "en": "Allocation of the budget"},
    "instance": {"nl": "Instantie", "en": "Instance"},
    "status": {"nl": "Status", "en": "Status"},
    "budget": {"nl": "Budget", "en": "Budget"},
    "allocated": {"nl": "Toegekend", "en": "Allocated"},
    "unallocated": {"nl": "Niet toegekend", "en": "Not allocated"},
    "unmet_before": {"nl": "Gewogen onvervulde behoefte vóór verdeling",
                     "en": "Weighted unmet need before allocation"},
    "unmet_after": {"nl": "Gewogen onvervulde behoefte na verdeling",
                    "en": "Weighted unmet need after allocation"},
    "coverage_min": {"nl": "Laagste dekking", "en": "Lowest coverage"},
    "coverage_max": {"nl": "Hoogste dekking", "en": "Highest coverage"},
    "marginal": {"nl": "Waarde van extra budget", "en": "Value of extra budget"},
    "marginal_text": {
        "nl": "€1 mln meer zou de gewogen onvervulde behoefte met {value} verlagen",
        "en": "€1 m more would lower weighted unmet need by {value}",
    },
    "certificate": {"nl": "Controle (buiten de solver)", "en": "Check (outside the solver)"},
    "certificate_text": {
        "nl": "grootste overschrijding {violation}; relatief dualiteitsverschil {gap}",
        "en": "largest violation {violation}; relative duality gap {gap}",
    },
    "rules": {"nl": "Regels van kracht", "en": "Rules in force"},
    "no_rules": {"nl": "geen", "en": "none"},
    "region": {"nl": "Regio", "en": "Region"},
    "goal": {"nl": "Doel", "en": "Goal"},
    "total": {"nl": "Totaal", "en": "Total"},
    "per_inhabitant": {"nl": "Per inwoner", "en": "Per inhabitant"},
    "population": {"nl": "Inwoners", "en": "Population"},
    "need": {"nl": "Behoefte", "en": "Need"},
    "existing": {"nl": "Bestaande middelen", "en": "Existing funding"},
    "coverage_before": {"nl": "Dekking vóór", "en": "Coverage before"},
    "coverage_after": {"nl": "Dekking na", "en": "Coverage after"},
    "floor": {"nl": "Minimumdekking", "en": "Coverage floor"},
    "rule": {"nl": "Regel", "en": "Rule"},
    "for": {"nl": "Voor", "en": "For"},
    "binding": {"nl": "Bindend", "en": "Binding"},
    "shadow": {"nl": "Schaduwprijs", "en": "Shadow price"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "optimal": {"nl": "optimaal en gecontroleerd", "en": "optimal and certified"},
    "infeasible": {"nl": "onhaalbaar", "en": "infeasible"},
    "time_limit": {"nl": "tijdslimiet bereikt", "en": "time limit reached"},
    "error": {"nl": "fout", "en": "error"},
    "unbounded": {"nl": "onbegrensd", "en": "unbounded"},
    "budget_rule": {"nl": "budget", "en": "budget"},
    "coverage_floor": {"nl": "minimumdekking", "en": "coverage floor"},
    "coverage_low": {"nl": "laagste dekking", "en": "lowest coverage"},
    "coverage_high": {"nl": "hoogste dekking", "en": "highest coverage"},
    "coverage_gap": {"nl": "maximaal dekkingsverschil", "en": "maximum coverage gap"},
    "max_coverage_gap": {"nl": "maximaal dekkingsverschil", "en": "maximum coverage gap"},
    "min_share": {"nl": "minimumaandeel doel", "en": "minimum goal share"},
    "max_share": {"nl": "maximumaandeel doel", "en": "maximum goal share"},
    "per_capita_cap": {"nl": "plafond per inwoner", "en": "per-inhabitant cap"},
    "per_capita_cap_ratio": {"nl": "plafond per inwoner", "en": "per-inhabitant cap"},
    "spend_all": {"nl": "volledig besteden", "en": "spend all"},
    "region_min": {"nl": "minimumbedrag regio", "en": "regional minimum"},
    "fairness": {"nl": "eerlijkheid", "en": "fairness"},
    "max_efficiency_loss": {"nl": "maximaal efficiëntieverlies", "en": "maximum efficiency loss"},
    "region_max": {"nl": "maximumbedrag regio", "en": "regional maximum"},
    "explain_region_min": {
        "nl": "€1.000 minder minimum voor deze regio verlaagt de gewogen onvervulde behoefte "
              "met {value}",
        "en": "€1,000 less minimum for this region lowers weighted unmet need by {value}"},
    "explain_region_max": {
        "nl": "€1.000 meer maximum voor deze regio verlaagt de gewogen onvervulde behoefte "
              "met {value}",
        "en": "€1,000 more maximum for this region lowers weighted unmet need by {value}"},
    "region_min_eur": {"nl": "minimumbedrag per regio", "en": "regional minimum"},
    "region_max_eur": {"nl": "maximumbedrag per regio", "en": "regional maximum"},
    "cofinancing": {"nl": "cofinanciering", "en": "co-financing"},
    "cofinancing_ratio": {"nl": "cofinanciering (regio per rijkseuro)",
                          "en": "co-financing (regional per national euro)"},
    "change_cap": {"nl": "maximale verandering t.o.v. referentie",
                   "en": "maximum change from the reference"},
    "max_change_eur_per_capita": {"nl": "maximale verandering per inwoner",
                                  "en": "maximum change per inhabitant"},
    "shortfall_tiers": {"nl": "zwaarder wegend diep tekort", "en": "shortfall tiers"},
    "shortfall_tier": {"nl": "tekorttrede", "en": "shortfall tier"},
    "tier_penalty": {"nl": "Extra gewicht diepe tekorten (treden)",
                     "en": "Extra weight of deep shortfalls (tiers)"},
    "cofinancing_regional": {"nl": "Vereiste cofinanciering regio's",
                             "en": "Regional co-financing required"},
    "total_investment": {"nl": "Totale investering (rijk + regio)",
                         "en": "Total investment (national + regional)"},
    "explain_cofinancing": {
        "nl": "€1.000 meer cofinancieringscapaciteit in deze regio verlaagt de gewogen "
              "onvervulde behoefte met {value}",
        "en": "€1,000 more co-financing capacity in this region lowers weighted unmet need "
              "by {value}"},
    "explain_change_cap": {
        "nl": "€1 per inwoner meer ruimte voor verandering in deze regio verlaagt de gewogen "
              "onvervulde behoefte met {value}",
        "en": "€1 per inhabitant more room to change in this region lowers weighted unmet "
              "need by {value}"},
    "explain_tier": {
        "nl": "het tekort van deze regio ligt voorbij deze trede: elke euro hier weegt {value} "
              "zwaarder",
        "en": "this region's shortfall lies beyond this tier: each euro here weighs {value} "
              "more"},
    "file": {"nl": "Bestand", "en": "File"},
    "sha256": {"nl": "SHA-256", "en": "SHA-256"},
    "versions": {"nl": "Versies", "en": "Versions"},
    "solve_seconds": {"nl": "Rekentijd solver (s)", "en": "Solver time (s)"},
    "created": {"nl": "Gemaakt op", "en": "Created"},
    "command": {"nl": "Opdracht", "en": "Command"},
}


def label(key: str, lang: str = "nl") -> str:
    """The label for ``key`` in ``lang``; a missing key is a programming error."""
    return _LABELS[key][lang]
