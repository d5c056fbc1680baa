"""Every user-facing label of the reports, in Dutch (default) and English: one place."""

from __future__ import annotations

from models.rules import PARAMS

LANGUAGES = ("nl", "en")

_LABELS: dict[str, dict[str, str]] = {
    "sheet_envelopes": {"nl": "Enveloppen", "en": "Envelopes"},
    "envelopes_title": {"nl": "Per regio en budget: bedrag, per inwoner, dekking na verdeling "
                              "en het verschil met het budget ervoor",
                        "en": "Per region and budget: amount, per inhabitant, coverage after "
                              "and the difference from the budget before"},
    "scenarios_title": {"nl": "Per regio en variant: bedrag, per inwoner, dekking na verdeling "
                              "en het verschil met de variant ervoor",
                        "en": "Per region and variant: amount, per inhabitant, coverage after "
                              "and the difference from the variant before"},
    "envelope_change": {"nl": "Verschil met vorig budget", "en": "Change from budget before"},
    "envelope_diff": {"nl": "verschil", "en": "change"},
    "per_head_short": {"nl": "per inw.", "en": "per head"},
    "coverage": {"nl": "dekking", "en": "coverage"},
    "instance_digest": {"nl": "Vingerafdruk invoer (SHA-256 van de tabellen en het beleidsblad)",
                        "en": "Instance digest (SHA-256 of its tables and policy sheet)"},
    "policy_in_force": {"nl": "Beleid in werking", "en": "Policy in force"},
    "own_instance": {"nl": "eigen invoer", "en": "own instance"},
    "serial": {"nl": "na elkaar, in dit proces", "en": "serial, in this process"},
    "grid_points": {"nl": "{n} punten ({workers}).", "en": "{n} points ({workers})."},
    "needs_scenario": {"nl": "behoefte", "en": "needs"},
    "sheet_summary": {"nl": "Samenvatting", "en": "Summary"},
    "sheet_allocation": {"nl": "Verdeling", "en": "Allocation"},
    "sheet_coverage": {"nl": "Dekking", "en": "Coverage"},
    "chart_per_inhabitant": {"nl": "Toegekend per inwoner, per regio",
                             "en": "Allocated per inhabitant, by region"},
    "sheet_baselines": {"nl": "Vergelijking", "en": "Baselines"},
    "base_pro_rata_population": {"nl": "Naar rato van inwoners",
                                  "en": "Pro rata to population"},
    "base_pro_rata_need": {"nl": "Naar rato van netto behoefte", "en": "Pro rata to net need"},
    "base_reference": {"nl": "Referentie", "en": "Reference"},
    "base_gain": {"nl": "Verschil (+ meer, − minder)", "en": "Difference (+ more, − less)"},
    "base_chart": {"nl": "Verschil met verdelen naar rato", "en": "Difference from pro rata"},
    "base_note": {"nl": "Dezelfde begroting naar rato verdeeld, zonder te letten op wat een "
                        "regio kan opnemen: een maatstaf, geen verdeling.",
                  "en": "The same budget shared pro rata, regardless of what a region can "
                        "absorb: a yardstick, not an allocation."},
    "sheet_constraints": {"nl": "Beperkingen", "en": "Constraints"},
    "sheet_about": {"nl": "Over", "en": "About"},
    "sheet_unmet": {"nl": "Tekort", "en": "Unmet need"},
    "sheet_curve": {"nl": "Curve", "en": "Curve"},
    "sheet_overview": {"nl": "Overzicht", "en": "Overview"},
    "scenario": {"nl": "Scenario", "en": "Scenario"},
    "sheet_scenarios": {"nl": "Scenario's", "en": "Scenarios"},
    "probability": {"nl": "Kans", "en": "Probability"},
    "own_optimum": {"nl": "Beste bij dit scenario", "en": "Best for this scenario"},
    "robust_unmet": {"nl": "Robuuste verdeling", "en": "Robust allocation"},
    "regret": {"nl": "Extra tekort t.o.v. het beste (robuust)", "en": "Regret (robust)"},
    "nominal_unmet": {"nl": "Verdeling op eigen behoefte", "en": "Allocation for own needs"},
    "nominal_regret": {"nl": "Extra tekort t.o.v. het beste (eigen behoefte)",
                       "en": "Regret (own needs)"},
    "nominal_meets_floor": {"nl": "Eigen verdeling haalt minimumdekking",
                            "en": "Own allocation meets the floor"},
    "chart_regret": {"nl": "Extra gewogen tekort per scenario t.o.v. de beste verdeling voor "
                           "dat scenario",
                     "en": "Regret per scenario (weighted unmet need)"},
    "robust_plan": {"nl": "Robuust", "en": "Robust"},
    "nominal_plan": {"nl": "Op eigen behoefte", "en": "For own needs"},
    "chart_robust_plan": {"nl": "Verdeling per regio: robuust en op eigen behoefte",
                          "en": "Allocation per region: robust and for own needs"},
    "sheet_grid": {"nl": "Raster", "en": "Grid"},
    "sheet_details": {"nl": "Wie betaalt wat", "en": "Who pays what"},
    "sheet_streams": {"nl": "Bestaande stromen", "en": "Existing streams"},
    "agenda_title": {"nl": "Uitvoeringsagenda: wie betaalt wat", "en": "Agenda: who pays what"},
    "envelopes": {"nl": "Budgetten (alle financiers)", "en": "Envelopes (all funders)"},
    "carried_over": {"nl": "Doorgeschoven naar volgend jaar", "en": "Carried over to next year"},
    "funder": {"nl": "Financier", "en": "Funder"},
    "unlocked": {"nl": "Totale investering per rijkseuro",
                 "en": "Total investment per national euro"},
    "chart_year": {"nl": "Toekenning {year} per regio en financier",
                   "en": "Allocation {year} by region and funder"},
    "chart_funder": {"nl": "{funder}: toekenning per regio en jaar",
                     "en": "{funder}: allocation by region and year"},
    "period": {"nl": "Hele periode", "en": "Whole period"},
    "year": {"nl": "Jaar", "en": "Year"},
    "amount": {"nl": "Bedrag", "en": "Amount"},
    "source": {"nl": "Bron", "en": "Source"},
    "all_goals": {"nl": "alle doelen (naar behoefte)", "en": "all goals (by need)"},
    "policy_variant": {"nl": "Beleid", "en": "Policy"},
    "need_variant": {"nl": "Behoefte", "en": "Needs"},
    "status_col": {"nl": "Status", "en": "Status"},
    "chart_grid": {"nl": "Gewogen onvervulde behoefte per budget",
                   "en": "Weighted unmet need by budget"},
    "chart_regions_by_budget": {"nl": "Toekenning per regio naar budget",
                                "en": "Allocation per region by budget"},
    "chart_marginal": {"nl": "Waarde van een extra euro per segment",
                       "en": "Value of an extra euro per segment"},
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
    "policy_title": {"nl": "Beleid (zoals toegepast)", "en": "Policy (as applied)"},
    "set_for_run": {"nl": "voor deze run", "en": "set for this run"},
    "set_for_run_source": {"nl": "gezet door een beleidsvoorinstelling (--policy) of een "
                                 "optie op de opdrachtregel; zie het blad Over",
                           "en": "set by a policy preset (--policy) or a command-line flag; "
                                 "see the About sheet"},
    "legend_title": {"nl": "Legenda status", "en": "Status legend"},
    "status_src": {"nl": "gelezen in de genoemde bron", "en": "read in the cited source"},
    "status_proxy": {"nl": "uit een bron, maar voor een gebied dat niet precies de regio is "
                           "(zoals een CBS COROP-gebied)",
                     "en": "sourced, but for an area that is not exactly the region (such as "
                           "a CBS COROP area)"},
    "status_derived": {"nl": "berekend uit cijfers met een bron (de methode staat bij de bron)",
                       "en": "computed from sourced figures (the method is in the source)"},
    "status_assumed": {"nl": "een aanname zonder bron: vervang haar zodra er beter is; het "
                             "alternatief staat op het blad Herkomst",
                       "en": "an assumption with no source: replace it when better is known; "
                             "the alternative is on the Provenance sheet"},
    "sources_title": {"nl": "Bronnen", "en": "Sources"},
    "figure": {"nl": "Cijfer", "en": "Figure"},
    "sheet_provenance": {"nl": "Herkomst", "en": "Provenance"},
    "sheet_derivation": {"nl": "Opbouw behoefte", "en": "Need derivation"},
    "derivation_title": {"nl": "De behoefte opgebouwd uit verdeelmaatstaven",
                         "en": "The need built from allocation measures"},
    "derivation_note": {"nl": "Per doel wordt de landelijke behoefte over de regio's verdeeld "
                              "naar de maatstaven en hun gewichten in het behoeftemodel: elk "
                              "bedrag is landelijke behoefte x gewicht / som der gewichten x "
                              "het aandeel van de regio in de maatstaf. De behoefte van een "
                              "cel is de som van haar rijen.",
                        "en": "Each goal's national need is shared over the regions by the "
                              "measures and their weights in the need model: each amount is "
                              "national need x weight / sum of the weights x the region's "
                              "share of the measure. A cell's need is the sum of its rows."},
    "derivation_share": {"nl": "Aandeel regio", "en": "Region's share"},
    "derivation_eur": {"nl": "Bijdrage aan de behoefte", "en": "Contribution to the need"},
    "indicator": {"nl": "Maatstaf", "en": "Indicator"},
    "unit": {"nl": "Eenheid", "en": "Unit"},
    "sheet_large": {"nl": "Regio's", "en": "Regions"},
    "large_note": {"nl": "{n} cellen: te veel om cel voor cel in een werkmap te lezen. Hier "
                         "de {k} regio's met de laagste en de {k} met de hoogste dekking na "
                         "verdeling; elke regio staat in {regions}, elke cel in {cells} "
                         "(naast deze werkmap).",
                   "en": "{n} cells: too many to read cell by cell in a workbook. Here are the "
                         "{k} regions with the lowest and the {k} with the highest coverage "
                         "after allocation; every region is in {regions}, every cell in "
                         "{cells} (beside this workbook)."},
    "large_lowest": {"nl": "Laagste dekking na verdeling", "en": "Lowest coverage after"},
    "large_highest": {"nl": "Hoogste dekking na verdeling", "en": "Highest coverage after"},
    "provenance_title": {"nl": "Herkomst van elk cijfer: status, bron en alternatief",
                         "en": "Where each figure comes from: status, source and alternative"},
    "prov_table": {"nl": "Tabel", "en": "Table"},
    "prov_column": {"nl": "Kolom", "en": "Column"},
    "alternative": {"nl": "Alternatief", "en": "Alternative"},
    "too_large": {"nl": "{n} rijen: te veel voor dit blad; zie het invoerbestand.",
                  "en": "{n} rows: too many for this sheet; see the input file."},
    "not_binding": {"nl": "niet bindend: een kleine wijziging verandert de uitkomst niet",
                    "en": "not binding: a small change leaves the result unchanged"},
    "explain_budget": {
        "nl": "€1 mln meer budget verlaagt de gewogen onvervulde behoefte met {value}",
        "en": "€1 m more budget lowers weighted unmet need by {value}"},
    "explain_coverage_floor": {
        "nl": "de minimumdekking 1 procentpunt hoger kost {value} gewogen onvervulde behoefte",
        "en": "raising the floor by one percentage point costs {value} of weighted unmet need"},
    "explain_coverage_gap": {
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
    "explain_per_capita_cap": {
        "nl": "het plafond per inwoner 0,1 hoger verlaagt de gewogen onvervulde behoefte met "
              "{value}",
        "en": "raising the per-inhabitant cap ratio by 0.1 lowers weighted unmet need by {value}"},
    "explain_cap": {
        "nl": "€1.000 meer ruimte onder dit plafond verlaagt de gewogen onvervulde behoefte met "
              "{value}",
        "en": "€1,000 more room under this cap lowers weighted unmet need by {value}"},
    "title": {"nl": "Verdeling van het budget", "en": "Allocation of the budget"},
    "instance": {"nl": "Invoerbestand", "en": "Instance"},
    "status": {"nl": "Status", "en": "Status"},
    "budget": {"nl": "Budget", "en": "Budget"},
    "allocated": {"nl": "Toegekend", "en": "Allocated"},
    "unallocated": {"nl": "Niet toegekend", "en": "Not allocated"},
    "unmet_before": {"nl": "Gewogen onvervulde behoefte vóór verdeling",
                     "en": "Weighted unmet need before allocation"},
    "unmet_after": {"nl": "Gewogen onvervulde behoefte na verdeling",
                    "en": "Weighted unmet need after allocation"},
    "sheet_why": {"nl": "Waarom", "en": "Why"},
    "held_by": {"nl": "Wat het bedrag bepaalt", "en": "What sets the amount"},
    "why_text": {"nl": "Waarom dit bedrag", "en": "Why this amount"},
    "why_detail": {"nl": "Rekenwerk (voor analisten)", "en": "Arithmetic (for analysts)"},
    "held_absorbed": {"nl": "alles wat de regio kan opnemen", "en": "all it can absorb"},
    "held_marginal": {"nl": "deelt het resterende geld", "en": "shares the rest"},
    "held_priority": {"nl": "niets boven de regels", "en": "nothing beyond the rules"},
    "held_nothing": {"nl": "geen geld", "en": "no money"},
    "held_tier_threshold": {"nl": "drempel van het zwaarder wegende tekort",
                            "en": "threshold of the heavier-weighing shortfall"},
    "held_coverage_floor": {"nl": "minimumdekking", "en": "coverage floor"},
    "held_region_min": {"nl": "minimumbedrag per regio", "en": "minimum per region"},
    "held_max_min": {"nl": "max-min-niveau", "en": "max-min level"},
    "held_coverage_low": {"nl": "laagste dekking (dekkingsafstand)",
                          "en": "lowest coverage (gap)"},
    "held_per_capita_cap": {"nl": "plafond per inwoner", "en": "cap per inhabitant"},
    "held_region_max": {"nl": "maximumbedrag per regio", "en": "maximum per region"},
    "held_cofinancing": {"nl": "regionale cofinanciering", "en": "regional co-financing"},
    "held_change_cap": {"nl": "grens aan de verandering", "en": "limit on change"},
    "held_coverage_high": {"nl": "hoogste dekking (dekkingsafstand)",
                           "en": "highest coverage (gap)"},
    # why a region gets what it gets, after "<region> gets €X (€Y per inhabitant): "
    "why_coverage_floor": {"nl": "precies wat de minimumdekking van {floor} vraagt",
                           "en": "exactly what the coverage floor of {floor} requires"},
    "why_max_min": {"nl": "precies het niveau dat max-min de regio geeft: de laagste dekking "
                          "zo hoog als de regels en het budget toelaten",
                    "en": "exactly the level max-min gives the region: the lowest coverage "
                          "as high as the rules and the budget allow"},
    "why_region_min": {"nl": "precies het minimumbedrag per regio ({amount})",
                       "en": "exactly the minimum amount per region ({amount})"},
    "why_coverage_low": {"nl": "de laagste dekking die de maximale dekkingsafstand van {gap} "
                               "toestaat",
                         "en": "the lowest coverage the maximum coverage gap of {gap} allows"},
    "why_per_capita_cap": {"nl": "het plafond per inwoner ({per_head} per inwoner)",
                           "en": "the cap per inhabitant ({per_head} per inhabitant)"},
    "why_region_max": {"nl": "het maximumbedrag per regio ({amount})",
                       "en": "the maximum amount per region ({amount})"},
    "why_cofinancing": {"nl": "wat de regionale cofinanciering toelaat",
                        "en": "what regional co-financing allows"},
    "why_change_cap": {"nl": "de grens aan de verandering: ten hoogste {cap} per inwoner van "
                             "haar referentie {reference}",
                       "en": "the limit on change: at most {cap} per inhabitant from its "
                             "reference {reference}"},
    "why_coverage_high": {"nl": "de hoogste dekking die de maximale dekkingsafstand van {gap} "
                                "toestaat",
                          "en": "the highest coverage the maximum coverage gap of {gap} "
                                "allows"},
    "why_priority": {"nl": "niets boven wat de regels vragen",
                     "en": "nothing beyond what the rules require"},
    "why_nothing": {"nl": "geen geld, want elders dekt een euro meer gewogen behoefte",
                    "en": "no money, because a euro covers more weighted need elsewhere"},
    "plain_unmet_before": {"nl": "Onvervulde behoefte vóór verdeling (euro's)",
                           "en": "Unmet need before allocation (euros)"},
    "plain_unmet_after": {"nl": "Onvervulde behoefte na verdeling (euro's)",
                          "en": "Unmet need after allocation (euros)"},
    "coverage_all_before": {"nl": "Dekking van alle behoefte vóór verdeling",
                            "en": "Coverage of all need before allocation"},
    "coverage_all_after": {"nl": "Dekking van alle behoefte na verdeling",
                           "en": "Coverage of all need after allocation"},
    "per_head_lowest": {"nl": "Laagste bedrag per inwoner", "en": "Lowest amount per inhabitant"},
    "per_head_highest": {"nl": "Hoogste bedrag per inwoner",
                         "en": "Highest amount per inhabitant"},
    "per_head_text": {"nl": "{value} ({region})", "en": "{value} ({region})"},
    "objective": {"nl": "Doelfunctie: gewogen onvervulde behoefte plus extra gewicht diepe "
                        "tekorten",
                  "en": "Objective: weighted unmet need plus the extra weight of deep "
                        "shortfalls"},
    "coverage_min": {"nl": "Laagste dekking", "en": "Lowest coverage"},
    "coverage_max": {"nl": "Hoogste dekking", "en": "Highest coverage"},
    "marginal": {"nl": "Waarde van extra budget", "en": "Value of extra budget"},
    "sweep_weighted": {"nl": "gewogen onvervuld", "en": "weighted unmet"},
    "sweep_tiers": {"nl": "extra gewicht treden", "en": "tier penalty"},
    "sweep_objective": {"nl": "doelfunctie", "en": "objective"},
    "sweep_marginal": {"nl": "marginale waarde", "en": "marginal value"},
    "sweep_cannot_hold": {"nl": "de regels kunnen hier niet gelden",
                          "en": "the rules cannot hold here"},
    "sweep_tiers_note": {"nl": "De marginale waarde is die van de doelfunctie: gewogen "
                               "onvervulde behoefte plus het extra gewicht van de treden.",
                         "en": "The marginal value is that of the objective: weighted unmet "
                               "need plus the tier penalty."},
    "cmp_variant": {"nl": "variant", "en": "variant"},
    "cmp_status": {"nl": "status", "en": "status"},
    "cmp_budget": {"nl": "budget", "en": "budget"},
    "cmp_allocated": {"nl": "toegekend", "en": "allocated"},
    "cmp_unmet": {"nl": "gewogen onvervuld", "en": "weighted unmet"},
    "cmp_against": {"nl": "t.o.v. {base}", "en": "vs {base}"},
    "cmp_difference": {"nl": "verschil", "en": "difference"},
    "cmp_lowest": {"nl": "laagste dekking", "en": "lowest cov."},
    "cmp_highest": {"nl": "hoogste dekking", "en": "highest cov."},
    "cmp_price": {"nl": "prijs eerlijkheid", "en": "price of fairness"},
    "unlocked_line": {"nl": "totale investering per rijkseuro: {value}",
                      "en": "total investment per national euro: {value}"},
    "budget_eur": {"nl": "budget", "en": "budget"},
    "sens_head_alt": {"nl": "Elk aangenomen cijfer apart op zijn alternatief ({n} oplossingen, "
                            "elk volledig en gecontroleerd):",
                      "en": "Each assumed figure alone at its alternative ({n} solves, each "
                            "full and certified):"},
    "sens_head": {"nl": "Elke aanname {step} lager en hoger, apart ({n} aannames, elk een "
                        "volledige, gecontroleerde oplossing):",
                  "en": "Each assumption {step} lower and higher, alone ({n} assumptions, "
                        "each a full, certified solve):"},
    "sens_decisions": {"nl": "Wat het kabinet kiest (beslissingen, geen aannames: elk apart op "
                             "het alternatief, niet in de tornado):",
                       "en": "What the cabinet chooses (decisions, not assumptions: each at "
                             "its alternative alone, not in the tornado):"},
    "sheet_decisions": {"nl": "Keuzes kabinet", "en": "Cabinet's choices"},
    "decision": {"nl": "beslissing", "en": "decision"},
    "decision_weighted": {"nl": "gewogen onvervulde behoefte", "en": "weighted unmet need"},
    "decision_now": {"nl": "nu", "en": "now"},
    "decision_alternative": {"nl": "alternatief", "en": "alternative"},
    "decision_moved": {"nl": "verschuift het meest", "en": "moves most"},
    "decision_line": {"nl": "{what}: {now} → {alt}: gewogen onvervulde behoefte {before} → "
                            "{after}, verdeeld {allocated}; {region} verschuift het meest "
                            "({moved})",
                      "en": "{what}: {now} → {alt}: weighted unmet need {before} → {after}, "
                            "allocated {allocated}; {region} moves most ({moved})"},
    "decision_still": {"nl": "{what}: {now} → {alt}: de verdeling blijft gelijk",
                       "en": "{what}: {now} → {alt}: the allocation stays the same"},
    "decision_unsolved": {"nl": "{what}: {now} → {alt}: {status}",
                          "en": "{what}: {now} → {alt}: {status}"},
    "sens_base": {"nl": "nu", "en": "now"},
    "sens_range": {"nl": "bereik", "en": "range"},
    "sens_coverage": {"nl": "dekking", "en": "coverage"},
    "sens_most": {"nl": "verschuift het meest door", "en": "moved most by"},
    "sheet_sensitivity": {"nl": "Gevoeligheid", "en": "Sensitivity"},
    "sheet_tornado": {"nl": "Tornado", "en": "Tornado"},
    "sens_low": {"nl": "laagste", "en": "lowest"},
    "sens_high": {"nl": "hoogste", "en": "highest"},
    "sens_assumption": {"nl": "aanname", "en": "assumption"},
    "sens_down": {"nl": "aanname lager", "en": "assumption lower"},
    "sens_alternative": {"nl": "bij het alternatief", "en": "at its alternative"},
    "all_cells": {"nl": "alle cellen", "en": "every cell"},
    "sens_up": {"nl": "aanname hoger", "en": "assumption higher"},
    "status_optimal": {"nl": "optimaal", "en": "optimal"},
    "status_infeasible": {"nl": "onhaalbaar", "en": "infeasible"},
    "status_unbounded": {"nl": "onbegrensd", "en": "unbounded"},
    "status_time_limit": {"nl": "tijdslimiet", "en": "time_limit"},
    "status_error": {"nl": "fout", "en": "error"},
    "weight_sensitivity": {"nl": "Gevoeligheid voor de gewichten",
                           "en": "Sensitivity to the weights"},
    "marginal_text": {
        "nl": "€1 mln meer zou de gewogen onvervulde behoefte met {value} verlagen",
        "en": "€1 m more would lower weighted unmet need by {value}",
    },
    "next_text": {
        "nl": "{step} meer zou de gewogen onvervulde behoefte met {value} verlagen",
        "en": "{step} more would lower weighted unmet need by {value}",
    },
    "next_tiers": {
        "nl": " en het extra gewicht van diepe tekorten met {value}",
        "en": " and the extra weight of deep shortfalls by {value}",
    },
    "next_dual": {
        "nl": " (volgens de schaduwprijs van het budget, niet opnieuw opgelost; het extra "
              "gewicht van diepe tekorten telt mee)",
        "en": " (from the budget's shadow price, not re-solved; the extra weight of deep "
              "shortfalls included)",
    },
    "next_none": {
        "nl": "meer budget kan niet worden besteed: de regels vragen dat het hele budget "
              "wordt verdeeld en er is geen behoefte meer om het op te vangen",
        "en": "more budget cannot be spent: the rules require the whole budget to be "
              "allocated and no need is left to absorb it",
    },
    "unspent_need_covered": {
        "nl": "{a} van het budget blijft onbesteed: alle behoefte na de bestaande middelen is "
              "gedekt, meer geld dekt niets",
        "en": "{a} of the budget stays unspent: all need after existing funding is covered, "
              "more money would cover nothing"},
    "unspent_caps": {
        "nl": "{a} van het budget blijft onbesteed: elke cel heeft wat ze kan opnemen (de "
              "behoefte, of het plafond van de cel)",
        "en": "{a} of the budget stays unspent: every cell has what it can absorb (its need, "
              "or its cap)"},
    "unspent_rules": {
        "nl": "{a} van het budget blijft onbesteed: de regio's kunnen nog {room} opnemen, "
              "maar de regels houden dat tegen: {held}",
        "en": "{a} of the budget stays unspent: the regions could absorb {room} more, but "
              "the rules hold it back: {held}"},
    "unspent_no_gain": {
        "nl": "{a} van het budget blijft onbesteed: waar nog ruimte is, telt een euro niet "
              "mee in de gewogen onvervulde behoefte (gewicht 0)",
        "en": "{a} of the budget stays unspent: where room is left, a euro does not count in "
              "weighted unmet need (weight 0)"},
    "unspent": {"nl": "Onbesteed", "en": "Unspent"},
    "unspent_why": {"nl": "Waarom onbesteed", "en": "Why unspent"},
    "next_not_binding": {
        "nl": "{step} meer verandert niets: het budget bindt niet ({a} blijft onbesteed); {why}",
        "en": "{step} more changes nothing: the budget does not bind ({a} stays unspent); "
              "{why}"},
    "binds_need_covered": {"nl": "alle behoefte is gedekt", "en": "all need is covered"},
    "binds_caps": {"nl": "elke cel heeft wat ze kan opnemen",
                   "en": "every cell has what it can absorb"},
    "binds_rules": {"nl": "wat bindt: {held}", "en": "what binds: {held}"},
    "binds_no_gain": {"nl": "waar nog ruimte is weegt een euro 0",
                      "en": "where room is left a euro weighs 0"},
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
    "shadow": {"nl": "Waarde van een euro meer ruimte (schaduwprijs)", "en": "Shadow price"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "none": {"nl": "geen", "en": "none"},
    "optimal": {"nl": "optimaal en gecontroleerd", "en": "optimal and certified"},
    "infeasible": {"nl": "onhaalbaar", "en": "infeasible"},
    "time_limit": {"nl": "tijdslimiet bereikt", "en": "time limit reached"},
    "error": {"nl": "fout", "en": "error"},
    "unbounded": {"nl": "onbegrensd", "en": "unbounded"},
    "budget_rule": {"nl": "budget", "en": "budget"},
    "coverage_low": {"nl": "laagste dekking", "en": "lowest coverage"},
    "coverage_high": {"nl": "hoogste dekking", "en": "highest coverage"},
    "coverage_gap": {"nl": "maximaal dekkingsverschil", "en": "maximum coverage gap"},
    "min_share": {"nl": "minimumaandeel doel", "en": "minimum goal share"},
    "max_share": {"nl": "maximumaandeel doel", "en": "maximum goal share"},
    "region_min": {"nl": "minimumbedrag regio", "en": "regional minimum"},
    "region_max": {"nl": "maximumbedrag regio", "en": "regional maximum"},
    "max_min": {"nl": "max-min-niveau (gelijk getrokken dekking)",
                "en": "max-min level (equalised coverage)"},
    "explain_max_min": {
        "nl": "€1.000 minder voor het max-min-niveau van deze regio verlaagt de gewogen "
              "onvervulde behoefte met {value}",
        "en": "€1,000 less for this region's max-min level lowers weighted unmet need by "
              "{value}"},
    "explain_region_min": {
        "nl": "€1.000 minder minimum voor deze regio verlaagt de gewogen onvervulde behoefte "
              "met {value}",
        "en": "€1,000 less minimum for this region lowers weighted unmet need by {value}"},
    "explain_region_max": {
        "nl": "€1.000 meer maximum voor deze regio verlaagt de gewogen onvervulde behoefte "
              "met {value}",
        "en": "€1,000 more maximum for this region lowers weighted unmet need by {value}"},
    "cofinancing": {"nl": "cofinanciering", "en": "co-financing"},
    "shortfall_tier": {"nl": "tekorttrede", "en": "shortfall tier"},
    "tier_penalty": {"nl": "Extra gewicht diepe tekorten (treden; een weging, geen geld)",
                     "en": "Extra weight of deep shortfalls (tiers; a weight, not money)"},
    "tier_penalty_note": {"nl": "Over het extra gewicht", "en": "About the extra weight"},
    "tier_penalty_text": {
        "nl": "Onder de treden telt elke euro tekort die een regio dieper in een trede laat "
              "zakken extra zwaar mee. Dit getal is de som van die extra weging over alle "
              "regio's: het stuurt de keuze naar minder diepe tekorten, maar het is geen "
              "bedrag dat iemand uitgeeft of tekortkomt; het kan dus groter zijn dan de hele "
              "behoefte. De doelfunctie is de gewogen onvervulde behoefte plus deze weging.",
        "en": "Under the tiers each euro of shortfall that leaves a region deeper in a tier "
              "counts extra. This figure is that extra weight summed over the regions: it "
              "steers the choice towards shallower shortfalls, but it is no amount anyone "
              "spends or lacks, so it can exceed the whole need. The objective is weighted "
              "unmet need plus this weight."},
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
#: Each rule parameter's name, as its rule declares it (models.rules.params).
_LABELS.update({p.key: dict(p.name) for p in PARAMS})


_TEXTS: dict[str, dict[str, str]] = {
    # The infeasibility explanation (allocator.solving.explain), sentence by sentence.
    "inf_budget": {"en": "The rules cannot all hold with a budget of {value}.",
                   "nl": "De regels kunnen niet allemaal gelden bij een budget van {value}."},
    "inf_none": {"en": "No budget makes them hold together.",
                 "nl": "Bij geen enkel budget gelden ze samen."},
    "inf_low": {"en": "The smallest budget at which they hold is {value}.",
                "nl": "Het kleinste budget waarbij ze gelden is {value}."},
    "inf_high": {"en": "They hold only up to a budget of {value}.",
                 "nl": "Ze gelden alleen tot een budget van {value}."},
    "inf_irreducible": {"en": "These cannot hold together (an irreducible set: drop any one "
                              "and the rest can): {parts}.",
                        "nl": "Deze kunnen niet samen gelden (een kleinste tegenstrijdige "
                              "combinatie: laat er één weg en de rest kan): {parts}."},
    "inf_proof": {"en": "These cannot hold together (a conflict set from the infeasibility "
                        "proof, not necessarily minimal): {parts}.",
                  "nl": "Deze kunnen niet samen gelden (een conflictset uit het bewijs van "
                        "onhaalbaarheid, niet noodzakelijk minimaal): {parts}."},
    "inf_cells": {"en": "the net need or cap of {n} cell{s}",
                  "nl": "de netto behoefte of het plafond van {n} cel{s}"},
    "inf_in": {"en": "{rule} in {ids}", "nl": "{rule} in {ids}"},
    "inf_more": {"en": " and {n} more", "nl": " en {n} meer"},
    "inf_droppable": {"en": "Dropping any one of these rules would restore feasibility: {rules}.",
                      "nl": "Elk van deze regels schrappen maakt het haalbaar: {rules}."},
    "inf_unreachable": {"en": "coverage_floor {floor} is out of reach, whatever the budget, in: "
                              "{listed}, given their need, existing funding and caps.",
                        "nl": "minimumdekking {floor} is bij geen enkel budget haalbaar in: "
                              "{listed}, gegeven hun behoefte, bestaande middelen en plafonds."},
    "inf_at_most": {"en": "{region} (at most {value})", "nl": "{region} (hoogstens {value})"},
    "inf_single": {"en": "Single changes that would restore feasibility: {fixes}.",
                   "nl": "Losse wijzigingen die het haalbaar maken: {fixes}."},
    "inf_joint": {"en": "Or relax the per-region bounds together, by the fewest euros in all: "
                        "{fixes}.",
                  "nl": "Of verruim de grenzen per regio samen, met zo min mogelijk euro's: "
                        "{fixes}."},
    "repair_budget_eur": {"en": "set the budget to {value}", "nl": "zet het budget op {value}"},
    "repair_coverage_floor": {"en": "lower the coverage floor to {value}",
                              "nl": "verlaag de minimumdekking tot {value}"},
    "repair_max_coverage_gap": {"en": "allow a coverage gap of {value}",
                                "nl": "sta een dekkingsverschil toe van {value}"},
    "repair_per_capita_cap": {"en": "raise the per-capita cap ratio to {value}",
                                    "nl": "verhoog het plafond per inwoner tot {value}"},
    "repair_change_cap": {"en": "allow a change of {value} per inhabitant",
                                         "nl": "sta een verandering toe van {value} per inwoner"},
    "repair_region_min": {"en": "lower the minimum of {region} to {value}",
                          "nl": "verlaag het minimum van {region} tot {value}"},
    "repair_region_max": {"en": "raise the maximum of {region} to {value}",
                          "nl": "verhoog het maximum van {region} tot {value}"},
    # The engine's notes on a result.
    "sweep_none": {"en": "No budget makes the rules hold together; there is no curve.",
                   "nl": "Geen enkel budget laat de regels samen gelden; er is geen curve."},
    "sweep_traced": {"en": "{n} breakpoints between €{a} and €{b}, traced in {solves} LP "
                           "solves.",
                     "nl": "{n} knikpunten tussen €{a} en €{b}, gevonden met {solves} "
                           "LP-oplossingen."},
    "sweep_pivoted": {"en": "{n} breakpoints between €{a} and €{b}, traced in {pivots} simplex "
                            "pivots from one LP solve; {solves} LP solves in all, with the "
                            "check of segments spread over the curve.",
                      "nl": "{n} knikpunten tussen €{a} en €{b}, gevonden met {pivots} "
                            "simplexstappen vanuit één LP-oplossing; {solves} LP-oplossingen "
                            "in totaal, met de controle van verspreide segmenten."},
    "sweep_tie_broken": {"en": "Each breakpoint's allocation is a full solve ({k} more, "
                               "tie-broken and certified).",
                         "nl": "De verdeling bij elk knikpunt is een volledige oplossing ({k} "
                               "extra, met beslisregel en gecontroleerd)."},
    "sweep_not_tie_broken": {"en": "Allocations per breakpoint are stage-1 optima, not "
                                   "tie-broken (more than {limit} breakpoints).",
                             "nl": "De verdelingen per knikpunt zijn optima van stap 1, zonder "
                                   "beslisregel (meer dan {limit} knikpunten)."},
    "sweep_no_allocations": {"en": "Allocations and region figures per breakpoint are left "
                                   "out (breakpoints times cells is above {limit}); ask for "
                                   "the budgets you want with --budgets to see them.",
                             "nl": "Verdelingen en regiocijfers per knikpunt zijn weggelaten "
                                   "(knikpunten maal cellen is meer dan {limit}); vraag de "
                                   "budgetten die u wilt zien met --budgets."},
    "sweep_grid": {"en": "A grid of {n} budgets between €{a} and €{b}, in {solves} LP solves.",
                   "nl": "Een rooster van {n} budgetten tussen €{a} en €{b}, met {solves} "
                         "LP-oplossingen."},
    "sweep_short": {"en": "At {k} of them the rules cannot hold: they need at least €{low}.",
                    "nl": "Bij {k} daarvan kunnen de regels niet gelden: ze vragen minstens "
                          "€{low}."},
    "sweep_short_high": {"en": "At {k} of them the rules cannot hold: they need at least "
                               "€{low} and allow at most €{high}.",
                         "nl": "Bij {k} daarvan kunnen de regels niet gelden: ze vragen "
                               "minstens €{low} en staan hoogstens €{high} toe."},
    "sweep_sampled": {"en": "Max-min: {n} budgets between €{a} and €{b}, each a full solve "
                            "(max-min, tie-break, certificate). Under max-min the allocation "
                            "is not one LP's optimum in the budget, so the curve is sampled, "
                            "not traced: between two budgets the value shown is the straight "
                            "line, not a solve.",
                      "nl": "Max-min: {n} budgetten tussen €{a} en €{b}, elk een volledige "
                            "oplossing (max-min, beslisregel, controle). Onder max-min is de "
                            "verdeling niet het optimum van één LP in het budget; de curve is "
                            "daarom bemonsterd, niet gevolgd: tussen twee budgetten is de "
                            "getoonde waarde de rechte lijn, geen oplossing."},
    "robust_ok_expected": {"en": "Least expected weighted unmet need over {n} need scenarios, "
                                 "certified (duality gap {gap}).",
                           "nl": "Laagste verwachte gewogen onvervulde behoefte over {n} "
                                 "behoeftescenario's, gecontroleerd (dualiteitsverschil "
                                 "{gap})."},
    "robust_ok_worst": {"en": "Least worst-case weighted unmet need over {n} need scenarios, "
                              "certified (duality gap {gap}).",
                        "nl": "Laagste gewogen onvervulde behoefte in het slechtste van {n} "
                              "behoeftescenario's, gecontroleerd (dualiteitsverschil {gap})."},
    "robust_ok_expected_tiers": {
        "en": "Least expected objective (weighted unmet need plus the extra weight of deep "
              "shortfalls, a weight and not money) over {n} need scenarios, certified "
              "(duality gap {gap}).",
        "nl": "Laagste verwachte doelfunctie (gewogen onvervulde behoefte plus het extra "
              "gewicht van diepe tekorten, een weging en geen geld) over {n} "
              "behoeftescenario's, gecontroleerd (dualiteitsverschil {gap})."},
    "robust_ok_worst_tiers": {
        "en": "Least worst-case objective (weighted unmet need plus the extra weight of deep "
              "shortfalls, a weight and not money) over {n} need scenarios, certified "
              "(duality gap {gap}).",
        "nl": "Laagste doelfunctie (gewogen onvervulde behoefte plus het extra gewicht van "
              "diepe tekorten, een weging en geen geld) in het slechtste van {n} "
              "behoeftescenario's, gecontroleerd (dualiteitsverschil {gap})."},
    "robust_maxmin": {"en": "Max-min fairness: the lowest coverage of any region in any "
                            "scenario is raised first, then the next.",
                      "nl": "Max-min-eerlijkheid: de laagste dekking van een regio in welk "
                            "scenario ook wordt eerst verhoogd, dan de volgende."},
    "robust_gap_on_money": {
        "en": "The coverage gap's upper side counts the money given in each scenario (where "
              "it exceeds the need there, the coverage passes 100 %): money given is at least "
              "the need it meets, so the gap holds on that need too, exactly.",
        "nl": "De bovenkant van de dekkingsmarge telt in elk scenario het gegeven geld (waar "
              "dat de behoefte daar overtreft, komt de dekking boven 100 %): het gegeven geld "
              "is minstens de behoefte die het dekt, dus de marge geldt ook daarop, exact."},
    "robust_no_tie_break": {"en": "The split among equally good robust allocations is "
                                  "HiGHS's: the tie-break QP did not run to its end (it runs "
                                  "up to {limit} degrees of freedom).",
                            "nl": "De verdeling tussen even goede robuuste verdelingen is die "
                                  "van HiGHS: de beslisregel (QP) liep niet tot het einde (die "
                                  "draait tot {limit} vrijheidsgraden)."},
    "robust_infeasible": {"en": "No allocation satisfies the rules under every scenario "
                                "({status}); solve each scenario alone to see which one "
                                "conflicts.",
                          "nl": "Geen verdeling voldoet in elk scenario aan de regels "
                                "({status}); los elk scenario apart op om te zien welk botst."},
    "agenda_ok": {"en": "Optimal agenda (years: {years}; funders: {funders}), certified "
                        "(duality gap {gap}).",
                  "nl": "Optimale agenda (jaren: {years}; financiers: {funders}), "
                        "gecontroleerd (dualiteitsverschil {gap})."},
    "agenda_maxmin": {"en": "Max-min fairness: the lowest coverage of any region in any year "
                            "is raised first, then the next.",
                      "nl": "Max-min-eerlijkheid: de laagste dekking van een regio in welk "
                            "jaar ook wordt eerst verhoogd, dan de volgende."},
    "agenda_maxmin_period": {"en": "Max-min fairness: the lowest coverage of any region over "
                                   "the period is raised first, then the next.",
                             "nl": "Max-min-eerlijkheid: de laagste dekking van een regio over "
                                   "de hele periode wordt eerst verhoogd, dan de volgende."},
    "agenda_unfinished": {"en": "The tie-break QP did not finish; the split is one optimal "
                                "agenda.",
                          "nl": "De beslisregel (QP) kwam niet tot een einde; de verdeling is "
                                "één van de optimale agenda's."},
    "agenda_infeasible": {"en": "The agenda's rules cannot all hold ({status}): check the "
                                "floor against the envelopes and the ramp-up, year by year.",
                          "nl": "De regels van de agenda kunnen niet allemaal gelden "
                                "({status}): vergelijk de minimumdekking met de enveloppen en "
                                "de groeigrens, jaar voor jaar."},
    "note_stopped": {"en": "The solver stopped without an optimal answer ({status}); no "
                           "allocation is reported.",
                     "nl": "De solver stopte zonder optimaal antwoord ({status}); er wordt "
                           "geen verdeling gegeven."},
    "note_leximin": {"en": "Max-min fairness: each region's coverage is raised "
                           "lexicographically.",
                     "nl": "Max-min-eerlijkheid: de dekking van elke regio is lexicografisch "
                           "verhoogd."},
    "note_unfinished": {"en": "The tie-break did not finish; the allocation is one stage-1 "
                              "optimum.",
                        "nl": "De keuze tussen even goede verdelingen is niet afgerond; dit is "
                              "één optimale verdeling."},
    "note_declined_shape": {
        "en": "Stage 1 was solved on the whole LP: the reduced LP does not take its rules "
              "(shortfall tiers, or regions with very unequal numbers of cells).",
        "nl": "Stap 1 is op het hele model opgelost: het verkleinde model kan deze regels niet "
              "aan (tekorttreden, of regio's met sterk ongelijke aantallen cellen)."},
    "note_declined_solve": {
        "en": "Stage 1 was solved on the whole LP: the reduced LP did not reach an optimum.",
        "nl": "Stap 1 is op het hele model opgelost: het verkleinde model kwam niet tot een "
              "optimum."},
    "note_skipped": {"en": "Tie-break stage 3 (nearest to pro rata) was skipped: the tied cells "
                           "leave {free} degrees of freedom, above the limit of {limit}; the "
                           "allocation is the max-min optimum.",
                     "nl": "Stap 3 van de keuze tussen even goede verdelingen (zo dicht "
                           "mogelijk bij naar rato) is overgeslagen: de gelijke cellen laten "
                           "{free} vrijheidsgraden, boven de grens van {limit}; dit is het "
                           "max-min-optimum."},
    "note_no_converge": {"en": "Tie-break stage 3 (nearest to pro rata) did not converge; the "
                               "allocation is the max-min optimum.",
                         "nl": "Stap 3 van de keuze tussen even goede verdelingen (zo dicht "
                               "mogelijk bij naar rato) convergeerde niet; dit is het "
                               "max-min-optimum."},
    "note_no_price": {"en": "The price of fairness was not computed above {limit} cells (a "
                            "full LP per rule); --fairness-price forces it.",
                      "nl": "De prijs van de eerlijkheidsregels is boven {limit} cellen niet "
                            "berekend (een volledig LP per regel); --fairness-price dwingt "
                            "het af."},
}


def text(key: str, lang: str = "en", **values: object) -> str:
    """A sentence of the engine's explanations in ``lang``, with ``values`` filled in
    (numbers in the language's style: 12.000 and 4,7e-16 in Dutch)."""
    shown = {k: number(v, lang) if isinstance(v, (int, float)) and not isinstance(v, bool)
             else v for k, v in values.items()}
    return _TEXTS[key][lang].format(**shown)


def sentences(notes: list[tuple[str, dict[str, object]]], lang: str) -> str:
    """Message parts (a :func:`text` key and its values each) as one text in ``lang``: a
    study keeps its message as these, so that it reads in either language."""
    return " ".join(text(k, lang, **v) for k, v in notes)


class Worded:
    """A study's result whose message is kept as parts (``notes``: :func:`text` keys and
    their values), so that it reads in either language; ``message`` is the English one."""

    notes: list[tuple[str, dict[str, object]]]
    message: str

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return sentences(self.notes, lang) or self.message


def money(value: float, lang: str, decimals: int = 0) -> str:
    """An amount inside a sentence, with the separators of the language (never "€-0")."""
    if abs(value) < 0.5 * 10.0 ** -decimals:
        value = 0.0
    shown = f"€{value:,.{decimals}f}"
    return shown.translate(str.maketrans(",.", ".,")) if lang == "nl" else shown


def percent(value: float, lang: str, decimals: int = 2) -> str:
    shown = f"{value:.{decimals}%}"
    return shown.replace(".", ",") if lang == "nl" else shown


def number(value: float, lang: str) -> str:
    """A ratio or count inside a sentence: 1.5 / 1,5; 12,000 / 12.000."""
    shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return shown.translate(str.maketrans(",.", ".,")) if lang == "nl" else shown


def label(key: str, lang: str = "nl") -> str:
    """The label for ``key`` in ``lang``; a missing key is a programming error."""
    return _LABELS[key][lang]
