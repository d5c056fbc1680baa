"""The command line's help in Dutch: each English help text of ``allocator.cli`` with its
Dutch one (the rule parameters' help comes from their declarations, models.rules.params).
``allocator --help`` is Dutch unless ``--lang en`` or ``ALLOCATOR_LANG=en``;
``tests/test_help.py`` keeps every help text translated. Plain Python: ``--help`` stays
fast."""

from __future__ import annotations

HELP_NL: dict[str, str] = {
    # argparse's own words
    "positional arguments": "positionele argumenten",
    "options": "opties",
    "show this help message and exit": "toon deze hulp en stop",
    "show program's version number and exit": "toon het versienummer en stop",
    # the program and its commands
    "Share a public budget over regions and goals so that the least weighted need stays "
    "unmet.":
        "Verdeel een publiek budget over regio's en doelen zodat zo min mogelijk gewogen "
        "behoefte onvervuld blijft.",
    "show the traceback of an unexpected error": "toon de traceback van een onverwachte fout",
    "solve an instance and write its report": "los een invoerbestand op en schrijf het rapport",
    "check an instance without solving it": "controleer een invoerbestand zonder op te lossen",
    "trace the exact response curve over the budget":
        "volg de exacte curve van de onvervulde behoefte over het budget",
    "solve named policy variants and lay them side by side":
        "los benoemde beleidsvarianten op en zet ze naast elkaar",
    "one allocation for uncertain needs, with each scenario's regret":
        "één verdeling voor onzekere behoefte, met het extra tekort per scenario",
    "budgets x policy variants x need scenarios, on Dask if asked":
        "budgetten x beleidsvarianten x behoeftescenario's, op Dask als gevraagd",
    "the multi-year agenda over funders: who pays what":
        "de meerjarige agenda over financiers: wie betaalt wat",
    "move each assumption 10 %% down and up: each region's range and what moves it most":
        "beweeg elke aanname 10 %% omlaag en omhoog: de bandbreedte per regio en wat haar "
        "het meest beweegt",
    "write an instance workbook ready to fill in":
        "schrijf een invoerwerkmap om in te vullen",
    "write a reproducible synthetic instance (CSV folder)":
        "schrijf een reproduceerbaar kunstmatig invoerbestand (map met CSV-bestanden)",
    "write the instance's LP for another solver (MPS or LP)":
        "schrijf het LP van het invoerbestand voor een andere solver (MPS of LP)",
    "a local web page and HTTP API over the engine":
        "een lokale webpagina en HTTP-API op de rekenkern",
    "print the JSON Schema of every command's --json":
        "toon het JSON-schema van de --json van elke opdracht",
    "language of the terminal, the messages and the reports (default nl: Dutch; the "
    "environment variable ALLOCATOR_LANG changes the default)":
        "taal van de terminal, de meldingen en de rapporten (standaard nl: Nederlands; de "
        "omgevingsvariabele ALLOCATOR_LANG verandert de standaard)",
    # solve
    "Solve an instance (xlsx workbook or CSV folder). Flags override the policy sheet.":
        "Los een invoerbestand op (xlsx-werkmap of map met CSV-bestanden). Vlaggen gaan voor "
        "het beleidsblad.",
    "policy (the instance's policy sheet, then --policy, then these; 'none' switches a rule "
    "off)":
        "beleid (het beleidsblad van het invoerbestand, dan --policy, dan deze; 'geen' zet "
        "een regel uit)",
    "instance workbook (.xlsx) or CSV folder": "invoerwerkmap (.xlsx) of map met CSV-bestanden",
    "annual budget in euros": "jaarbudget in euro",
    "report workbook (default reports/<instance>.xlsx)":
        "rapportwerkmap (standaard reports/<invoer>.xlsx)",
    "write no Excel report": "schrijf geen Excel-rapport",
    "also write the result as JSON": "schrijf de uitkomst ook als JSON",
    "skip the weight sensitivity (each weight ±10 %% alone, re-solved; computed up to 60 "
    "weights)":
        "sla de gevoeligheid voor de gewichten over (elk gewicht alleen ±10 %%, opnieuw "
        "opgelost; berekend tot 60 gewichten)",
    "also write the allocation as CSV: region, goal, amount_eur in whole euros (the fast "
    "read for a large instance)":
        "schrijf de verdeling ook als CSV: regio, doel, amount_eur in hele euro's (snel te "
        "lezen bij een groot invoerbestand)",
    "how to choose among equally good allocations (default lexicographic)":
        "hoe te kiezen tussen even goede verdelingen (standaard lexicographic)",
    "how stage 1 is solved: auto (the reduced LP from 20,000 cells, where the rules allow "
    "it; else HiGHS's simplex, or interior point above 200,000 columns), aggregate (the "
    "reduced LP at any size), simplex or ipm (HiGHS on the whole LP)":
        "hoe stap 1 wordt opgelost: auto (het verkleinde LP vanaf 20.000 cellen, waar de "
        "regels het toelaten; anders de simplexmethode van HiGHS, of inwendig punt boven "
        "200.000 kolommen), aggregate (het verkleinde LP bij elke omvang), simplex of ipm "
        "(HiGHS op het hele LP)",
    "solver time limit in seconds": "tijdslimiet van de solver in seconden",
    "price each equity rule with extra LPs (default: up to 100,000 cells)":
        "bereken de prijs van elke verdelingsregel met extra LP's (standaard: tot 100.000 "
        "cellen)",
    "say what €1 m more does from a re-solve (default: up to 100,000 cells; otherwise from "
    "the budget's shadow price)":
        "zeg wat €1 mln meer doet uit een nieuwe oplossing (standaard: tot 100.000 cellen; "
        "anders uit de schaduwprijs van het budget)",
    "print nothing but errors": "toon niets dan fouten",
    # sweep
    "Weighted unmet need as a function of the budget: every breakpoint and the marginal "
    "value of a euro between them.":
        "De gewogen onvervulde behoefte als functie van het budget: elk knikpunt en de "
        "marginale waarde van een euro ertussen.",
    "lowest budget": "laagste budget",
    "highest budget": "hoogste budget",
    "evaluate N budgets instead of the exact curve (from --from to --to exactly when both "
    "are given)":
        "reken N budgetten door in plaats van de exacte curve (precies van --from tot --to "
        "als beide gegeven zijn)",
    "evaluate exactly these budgets (e.g. 100e6,250e6,500e6,1e9); one at which the rules "
    "cannot hold is marked so":
        "reken precies deze budgetten door (bijv. 100e6,250e6,500e6,1e9), elk volledig "
        "opgelost met per regio het bedrag; een budget waarbij de regels niet kunnen gelden "
        "wordt zo gemarkeerd",
    "workbook (default reports/<instance>-sweep.xlsx)":
        "werkmap (standaard reports/<invoer>-sweep.xlsx)",
    "also write JSON": "schrijf ook JSON",
    "write no workbook": "schrijf geen werkmap",
    # compare
    "Solve an instance under each scenario of a table (CSV or workbook: a name column, an "
    "optional policy column naming a preset, then policy keys as columns; a blank cell keeps "
    "the value before it, 'none' switches that rule off).":
        "Los een invoerbestand op onder elk scenario van een tabel (CSV of werkmap: een "
        "kolom name, eventueel een kolom policy met een voorinstelling, dan beleidssleutels "
        "als kolommen; een lege cel houdt de waarde ervoor, 'geen' zet die regel uit).",
    "workbook (default reports/<instance>-compare.xlsx)":
        "werkmap (standaard reports/<invoer>-compare.xlsx)",
    # robust
    "The allocation with the least expected (or worst-case) weighted unmet need over need "
    "scenarios (a table: scenario, probability, region, goal, factor or need_eur), and for "
    "each scenario the regret of committing to it.":
        "De verdeling met de laagste verwachte (of slechtste) gewogen onvervulde behoefte "
        "over behoeftescenario's (een tabel: scenario, probability, region, goal, factor of "
        "need_eur), en per scenario het extra tekort als men zich eraan bindt.",
    "need scenarios (CSV or workbook)": "behoeftescenario's (CSV of werkmap)",
    "workbook (default reports/<instance>-robust.xlsx)":
        "werkmap (standaard reports/<invoer>-robust.xlsx)",
    # grid
    "Weighted unmet need and the value of a euro at every point of a grid of budgets, "
    "policy variants and need scenarios; serial, or on Dask (local processes or a "
    "cluster).":
        "Gewogen onvervulde behoefte en de waarde van een euro in elk punt van een rooster "
        "van budgetten, beleidsvarianten en behoeftescenario's; na elkaar, of op Dask "
        "(lokale processen of een cluster).",
    "N budgets from FROM to TO, or a list": "N budgetten van FROM tot TO, of een lijst",
    "policy variants (the table of 'allocator compare')":
        "beleidsvarianten (de tabel van 'allocator compare')",
    "need scenarios (the table of 'allocator robust')":
        "behoeftescenario's (de tabel van 'allocator robust')",
    "solve every point fully (tie-break, certificate) and keep each region's allocation":
        "los elk punt volledig op (keuze tussen even goede verdelingen, controle) en bewaar "
        "de verdeling per regio",
    "run on N local Dask processes": "reken op N lokale Dask-processen",
    "run on an existing Dask cluster (tcp://host:8786)":
        "reken op een bestaand Dask-cluster (tcp://host:8786)",
    "workbook (default reports/<instance>-grid.xlsx)":
        "werkmap (standaard reports/<invoer>-grid.xlsx)",
    "no progress bar, no table": "geen voortgangsbalk, geen tabel",
    "also write the points as CSV": "schrijf de punten ook als CSV",
    # agenda
    "Solve an agenda instance (years, funders, envelopes, existing streams; a v1 instance is "
    "one year and one funder) and write who pays what per year, region and goal.":
        "Los een agenda op (jaren, financiers, budgetten, bestaande stromen; een gewoon "
        "invoerbestand is één jaar en één financier) en schrijf wie wat betaalt per jaar, "
        "regio en doel.",
    "the national funder's envelope in every year": "het budget van het Rijk in elk jaar",
    "workbook (default reports/<instance>.xlsx)": "werkmap (standaard reports/<invoer>.xlsx)",
    # sensitivity
    "Move every ASSUMED figure (the region and goal weights, and the policy values the "
    "policy sheet marks ASSUMED) down and up by --step alone, each a full certified solve, "
    "and report each region's range and the assumption that moves it most.":
        "Beweeg elk AANGENOMEN (ASSUMED) getal (de gewichten van regio's en doelen, en de "
        "beleidswaarden die het beleidsblad ASSUMED noemt) alleen omlaag en omhoog met "
        "--step, elk een volledige gecontroleerde oplossing, en geef per regio de "
        "bandbreedte en de aanname die haar het meest beweegt.",
    "only these: 'weights', 'policy', or names such as twente, coverage_floor, region:twente":
        "alleen deze: 'weights', 'policy', of namen zoals twente, coverage_floor, "
        "region:twente",
    "the relative move of each assumption (default 0.10)":
        "de relatieve beweging van elke aanname (standaard 0.10)",
    "instead: every ASSUMED figure at its stated alternative, one at a time (the need cells "
    "one column at a time)":
        "in plaats daarvan: elk ASSUMED getal op zijn opgegeven alternatief, één tegelijk (de "
        "behoeftecellen een kolom tegelijk)",
    "solve on N local Dask processes": "los op met N lokale Dask-processen",
    "solve on the Dask cluster at ADDRESS (tcp://host:8786)":
        "los op op het Dask-cluster op ADDRESS (tcp://host:8786)",
    "workbook (default reports/<instance>-sensitivity.xlsx)":
        "werkmap (standaard reports/<invoer>-sensitivity.xlsx)",
    # template, generate, export, serve, schema
    "Write an input workbook with its sheets, instructions and Excel data validation.":
        "Schrijf een invoerwerkmap met de bladen, instructies en Excel-gegevensvalidatie.",
    "workbook to write": "werkmap om te schrijven",
    "pre-fill the 11 NPVR regions and goals": "vul de 11 NPVR-regio's en de doelen vooraf in",
    "replace an existing file": "vervang een bestaand bestand",
    "folder to write": "map om te schrijven",
    "equity rules to switch on, comma separated, from: floor, gap, shares, per-capita; "
    "'none' for none (default floor)":
        "verdelingsregels om aan te zetten, gescheiden door komma's, uit: floor, gap, "
        "shares, per-capita; 'none' voor geen (standaard floor)",
    "easy: loose rules (almost nothing binds); binding: every rule on, spread weights, and "
    "the rules bind at the optimum (checked: the folder's binding.csv says which)":
        "easy: ruime regels (bijna niets bindt); binding: elke regel aan, gespreide "
        "gewichten, en de regels binden in het optimum (gecontroleerd: binding.csv in de map "
        "zegt welke)",
    "write into a folder that is not empty (its tables are replaced)":
        "schrijf in een map die niet leeg is (de tabellen worden vervangen)",
    "Write the stage-1 LP of the instance, every rule in force, as an MPS (.mps) or CPLEX LP "
    "(.lp) file with readable names, for benchmarking other solvers.":
        "Schrijf het LP van stap 1 van het invoerbestand, met elke regel die geldt, als MPS- "
        "(.mps) of CPLEX-LP-bestand (.lp) met leesbare namen, om andere solvers te meten.",
    "Serve the what-if page (a budget slider over the exact curve, policy controls that "
    "re-solve, the report of what is on screen) and the HTTP API (POST /solve, /sweep, "
    "/compare, /validate; OpenAPI at /docs). Binds to 127.0.0.1 unless --host is given.":
        "Bied de wat-als-pagina aan (een budgetschuif over de exacte curve, beleidsknoppen "
        "die opnieuw oplossen, het rapport van wat op het scherm staat) en de HTTP-API "
        "(POST /solve, /sweep, /compare, /validate; OpenAPI op /docs). Luistert op "
        "127.0.0.1 tenzij --host is gegeven.",
    "the instance the page opens with (default instances/npvr-2026.xlsx)":
        "het invoerbestand waarmee de pagina opent (standaard instances/npvr-2026.xlsx)",
    "port (default 8000; 0: any free)": "poort (standaard 8000; 0: een vrije)",
    "address to bind (default 127.0.0.1: this computer only)":
        "adres om op te luisteren (standaard 127.0.0.1: alleen deze computer)",
    "solves at once, each in a worker process of its own (default 2)":
        "berekeningen tegelijk, elk in een eigen werkproces (standaard 2)",
    "requests that may wait for a worker; beyond, 503 with Retry-After (default 8)":
        "verzoeken die op een werkproces mogen wachten; daarboven 503 met Retry-After "
        "(standaard 8)",
    "a worker still running after S seconds is stopped and the request answered 504 "
    "(default 30)":
        "een werkproces dat na S seconden nog rekent wordt gestopt en het verzoek krijgt 504 "
        "(standaard 30)",
    "the memory each worker may hold; a request that needs more is answered 413 (default "
    "2048)":
        "het geheugen dat elk werkproces mag gebruiken; een verzoek dat meer vraagt krijgt 413 "
        "(standaard 2048)",
    "The JSON Schema (2020-12) of the results that --json writes, generated from the result "
    "models.":
        "Het JSON-schema (2020-12) van de uitkomsten die --json schrijft, gemaakt uit de "
        "modellen van de uitkomsten.",
    "write it to a file instead of the terminal": "schrijf het naar een bestand in plaats "
                                                  "van de terminal",
}
