"""Messages to a user (input problems, refusals, errors) kept as a template and its values,
so that each reads in Dutch (the default) or English.

A message is written once, in English, where it arises::

    Message("must be >= {minimum}, got {value}", minimum=0, value="-5")

and :data:`DUTCH` holds its Dutch template under the English one. Values are filled in at
the moment of reading, in the language's number style (``{total:,.0f}`` reads 1,234,567 in
English and 1.234.567 in Dutch; a plain number 12,000 / 12.000 and 1.5 / 1,5). A value that
is itself a :class:`Message` is read in the same language.

``str(message)`` is the English text: what Python code, logs and the API see.
``tests/test_messages.py`` checks that every template in the code has a Dutch one with the
same fields.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

LANGUAGES = ("nl", "en")


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, Message):
            return format(value.text(self.lang), format_spec)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if numeric and not format_spec:
            format_spec = "," if isinstance(value, int) else "g"
        shown = super().format_field(value, format_spec)
        if numeric and self.lang == "nl":
            shown = shown.translate(str.maketrans(",.", ".,"))
        return shown


class Message:
    """A sentence for a user: an English ``template`` (``str.format`` fields) and its values."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, /, **values: object) -> None:
        self.template = template
        self.values = values

    def filled(self, **values: object) -> Message:
        """The same message with more values (a row's cell, for instance)."""
        out = Message.__new__(Message)
        out.template, out.values = self.template, {**self.values, **values}
        return out

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``; English where no Dutch template is known."""
        template = self.template if lang == "en" else DUTCH.get(self.template, self.template)
        return _Formatter(lang).vformat(template, (), self.values)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return str(self) == str(other)
        return isinstance(other, str) and str(self) == other

    def __hash__(self) -> int:
        return hash(str(self))


def read(message: object, lang: str) -> str:
    """``message`` in ``lang``: a :class:`Message` (or anything with ``text(lang)``) read in
    that language, anything else as its text."""
    text = getattr(message, "text", None)
    return text(lang) if callable(text) else str(message)


def fields(template: str) -> set[str]:
    """The names of the fields a template fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


#: The Dutch template of every message, under its English one.
DUTCH: Mapping[str, str] = {
    # --- reading files (allocator.inputs.read) ---------------------------------------------
    "no such file or folder": "dit bestand of deze map bestaat niet",
    "no such file": "dit bestand bestaat niet",
    "a CSV instance is a folder holding regions.csv, goals.csv, needs.csv and policy.csv; give "
    "the folder":
        "een CSV-instantie is een map met regions.csv, goals.csv, needs.csv en policy.csv; geef "
        "de map op",
    "missing file (or {dutch}.csv)": "bestand ontbreekt (of {dutch}.csv)",
    "missing sheet '{sheet}' (or '{dutch}')": "tabblad '{sheet}' ontbreekt (of '{dutch}')",
    "the sheets '{first}' and '{second}' are both the table {table}; keep one":
        "de tabbladen '{first}' en '{second}' zijn allebei de tabel {table}; houd er één",
    "the files '{first}.csv' and '{second}.csv' are both the table {table}; keep one":
        "de bestanden '{first}.csv' en '{second}.csv' zijn allebei de tabel {table}; houd er "
        "één",
    "sheet {sheet}: {message}": "tabblad {sheet}: {message}",
    "the column '{name}' appears {times} times (columns {letters}); keep one, so that no value "
    "is read from the wrong one":
        "de kolom '{name}' staat er {times} keer in (kolommen {letters}); houd er één, zodat "
        "geen waarde uit de verkeerde wordt gelezen",
    "unpacks to {size:,.0f} MB, above the limit of {limit:,.0f} MB; give large instances as CSV":
        "pakt uit tot {size:,.0f} MB, boven de grens van {limit:,.0f} MB; geef grote instanties "
        "als CSV",
    "part {part} is compressed {ratio} to 1, above the limit of {limit} to 1 (a zip bomb?)":
        "onderdeel {part} is {ratio} op 1 gecomprimeerd, boven de grens van {limit} op 1 (een "
        "zipbom?)",
    "refused: the workbook declares XML entities, which no Excel file needs (an entity bomb?) "
    "({reason})":
        "geweigerd: de werkmap declareert XML-entiteiten, die geen Excel-bestand nodig heeft "
        "(een entiteitenbom?) ({reason})",
    "not an Excel workbook (.xlsx), or it is damaged: it is no readable zip archive, as every "
    ".xlsx file is":
        "geen Excel-werkmap (.xlsx), of de werkmap is beschadigd: het is geen leesbaar "
        "zip-archief, wat elk .xlsx-bestand is",
    "not an Excel workbook (.xlsx), or it is damaged ({reason})":
        "geen Excel-werkmap (.xlsx), of de werkmap is beschadigd ({reason})",
    "sheet {sheet} has {rows} rows, above the limit of {limit}; give large instances as CSV":
        "tabblad {sheet} heeft {rows} rijen, boven de grens van {limit}; geef grote instanties "
        "als CSV",
    "sheet {sheet} has {columns} columns, above the limit of {limit}":
        "tabblad {sheet} heeft {columns} kolommen, boven de grens van {limit}",
    "sheet {sheet} has more than {limit} rows, the limit; give large instances as CSV":
        "tabblad {sheet} heeft meer dan {limit} rijen, de grens; geef grote instanties als CSV",
    "cell {cell} holds a formula without a saved value; open the file in Excel and save it, or "
    "type the value":
        "cel {cell} bevat een formule zonder opgeslagen waarde; open het bestand in Excel en sla "
        "het op, of typ de waarde in",
    "not a readable text file (broken UTF-16)":
        "geen leesbaar tekstbestand (beschadigde UTF-16)",
    "a binary file, not CSV text": "een binair bestand, geen CSV-tekst",
    "not a text file in UTF-8 or Windows-1252; save it as CSV (UTF-8)":
        "geen tekstbestand in UTF-8 of Windows-1252; sla het op als CSV (UTF-8)",
    "{size:,.0f} MB, above the limit of {limit:,.0f} MB":
        "{size:,.0f} MB, boven de grens van {limit:,.0f} MB",
    "the header line cannot be read ({reason})": "de kopregel is niet te lezen ({reason})",
    "{columns} columns, above the limit of {limit}":
        "{columns} kolommen, boven de grens van {limit}",
    "{fields} fields where the header has {expected}":
        "{fields} velden waar de kopregel er {expected} heeft",
    "not a readable CSV table ({reason})": "geen leesbare CSV-tabel ({reason})",
    # --- checking tables (allocator.inputs.validate) -----------------------------------------
    "holds the control character {character}, which a workbook cannot hold and a terminal may "
    "act on; delete it (text pasted from a PDF often carries one)":
        "bevat het stuurteken {character}, dat een werkmap niet kan bevatten en waarop een "
        "terminal kan reageren; verwijder het (tekst die uit een pdf is geplakt bevat er vaak "
        "een)",
    "{count} more rows with the same problem": "nog {count} rijen met hetzelfde probleem",
    "missing column '{column}'": "kolom '{column}' ontbreekt",
    "a header but no rows: give at least one row":
        "een kopregel maar geen rijen: geef ten minste één rij",
    "missing value": "waarde ontbreekt",
    "id longer than {limit} characters: '{value}'":
        "code langer dan {limit} tekens: '{value}'",
    "id holds a control character (tab, line break or similar)":
        "code bevat een stuurteken (tab, regeleinde of iets dergelijks)",
    "duplicate id '{id}', first on row {first}": "code '{id}' komt dubbel voor, eerst op rij "
                                                 "{first}",
    "must be a number, got '{value}'": "moet een getal zijn, gevonden: '{value}'",
    "'{value}' is ambiguous: a thousands separator or a decimal separator? Write the number "
    "without thousands separators":
        "'{value}' is dubbelzinnig: een scheidingsteken voor duizendtallen of een decimaalteken? "
        "Schrijf het getal zonder scheidingstekens voor duizendtallen",
    "must be a number, not a percentage, got '{value}'":
        "moet een getal zijn, geen percentage, gevonden: '{value}'",
    "must be {op} {limit}, got {value}": "moet {op} {limit} zijn, gevonden: {value}",
    "must be <= {limit}, got {value}": "moet <= {limit} zijn, gevonden: {value}",
    "must be a whole number, got {value}": "moet een geheel getal zijn, gevonden: {value}",
    "must not exceed max_eur on the same row, got {value}":
        "mag niet groter zijn dan max_eur op dezelfde rij, gevonden: {value}",
    "must not exceed max_share on the same row, got {value}":
        "mag niet groter zijn dan max_share op dezelfde rij, gevonden: {value}",
    "the min_share values sum to {total:g}; at most 1 can be reserved":
        "de waarden van min_share tellen op tot {total:g}; ten hoogste 1 kan worden "
        "gereserveerd",
    "unknown region '{value}' (not in regions)": "onbekende regio '{value}' (niet in regions)",
    "the need comes from the need model (need_model): leave need_eur empty, or leave the "
    "need model out, got {value}":
        "de behoefte komt uit het behoeftemodel (behoeftemodel): laat behoefte_eur leeg, of "
        "laat het behoeftemodel weg, gevonden: {value}",
    "indicators without a need model: add the table need_model (behoeftemodel) that says how "
    "each goal's need is split over them, or leave the indicators out":
        "maatstaven zonder behoeftemodel: voeg de tabel behoeftemodel toe die zegt hoe de "
        "behoefte van elk doel over de maatstaven wordt verdeeld, of laat de maatstaven weg",
    "'{value}' comes from the regions' population: leave this row out":
        "'{value}' komt uit het aantal inwoners van de regio's: laat deze rij weg",
    "a second value of '{value}' for the same region":
        "een tweede waarde van '{value}' voor dezelfde regio",
    "unknown indicator '{value}' (not in indicators, and not inhabitants)":
        "onbekende maatstaf '{value}' (niet in indicatoren, en niet inwoners)",
    "a second weight of '{value}' for the same goal":
        "een tweede gewicht van '{value}' voor hetzelfde doel",
    "goal '{goal}' has no indicator with a weight above 0: its need cannot be split over the "
    "regions":
        "doel '{goal}' heeft geen maatstaf met een gewicht boven 0: de behoefte ervan kan niet "
        "over de regio's worden verdeeld",
    "missing value: the need model splits each goal's national need_eur over the regions":
        "ontbrekende waarde: het behoeftemodel verdeelt de landelijke behoefte_eur van elk doel "
        "over de regio's",
    "indicator '{indicator}' is a share of different indicators on different rows ({names}): "
    "give one":
        "maatstaf '{indicator}' is op verschillende rijen een aandeel van verschillende "
        "maatstaven ({names}): geef er één",
    "indicator '{indicator}' is a share of '{of}', which is not a count in indicators (a "
    "count, or inhabitants)":
        "maatstaf '{indicator}' is een aandeel van '{of}', en dat is geen aantal in "
        "indicatoren (een aantal, of inwoners)",
    "indicator '{indicator}' has no value for {regions}: the need model needs it in every "
    "region":
        "maatstaf '{indicator}' heeft geen waarde voor {regions}: het behoeftemodel heeft haar "
        "in elke regio nodig",
    "indicator '{indicator}' is 0 in every region: it cannot split a need":
        "maatstaf '{indicator}' is 0 in elke regio: ze kan geen behoefte verdelen",
    "unknown goal '{value}' (not in goals)": "onbekend doel '{value}' (niet in goals)",
    "missing column 'reference_eur' (change_cap is set)":
        "kolom 'reference_eur' ontbreekt (change_cap is ingesteld)",
    "missing value (change_cap is set)": "waarde ontbreekt (change_cap is ingesteld)",
    "the needs add up to €{total:,.0f}, above the limit of €{limit:,.0f}":
        "de behoeften tellen op tot €{total:,.0f}, boven de grens van €{limit:,.0f}",
    "unknown policy key '{key}' as a column {known}":
        "onbekende beleidssleutel '{key}' als kolom {known}",
    "{count} policy variants, above the limit of {limit}":
        "{count} beleidsvarianten, boven de grens van {limit}",
    "{reason}, got {value}": "{reason}, gevonden: {value}",
    "(did you mean '{key}'?)": "(bedoelt u '{key}'?)",
    "(known: {keys})": "(bekend: {keys})",
    "missing key": "sleutel ontbreekt",
    "unknown policy key '{key}' {known}": "onbekende beleidssleutel '{key}' {known}",
    "duplicate key '{key}', first on row {first}":
        "sleutel '{key}' komt dubbel voor, eerst op rij {first}",
    "'{key}' is required (a row with key {key})": "'{key}' is verplicht (een rij met sleutel "
                                                  "{key})",
    "{key}: {reason}, got {value}": "{key}: {reason}, gevonden: {value}",
    "{key}: {reason}, got {value} (given on the command line)":
        "{key}: {reason}, gevonden: {value} (opgegeven op de opdrachtregel)",
    "give a 'factor' or a 'need_eur' column": "geef een kolom 'factor' of 'need_eur'",
    "give a factor or a need_eur on a row, not both":
        "geef op een rij een factor of een need_eur, niet beide",
    "missing value (or a need_eur)": "waarde ontbreekt (of een need_eur)",
    "a need_eur needs both a region and a goal": "een need_eur vraagt om een regio én een doel",
    "unknown region '{value}' (not in the instance)":
        "onbekende regio '{value}' (niet in de instantie)",
    "unknown goal '{value}' (not in the instance)":
        "onbekend doel '{value}' (niet in de instantie)",
    "probability {value} differs from {earlier} given for '{name}' earlier":
        "kans {value} verschilt van de eerder voor '{name}' gegeven {earlier}",
    "the instance has no need row for ({region}, {goal})":
        "de instantie heeft geen behoefterij voor ({region}, {goal})",
    "scenario '{name}' has no probability (the others do)":
        "scenario '{name}' heeft geen kans (de andere wel)",
    "the probabilities sum to {total:g}, not 1": "de kansen tellen op tot {total:g}, niet tot 1",
    "{count} need scenarios, above the limit of {limit}":
        "{count} behoeftescenario's, boven de grens van {limit}",
    "scenario '{name}' makes a need of €{high:,.0f} (needs in all €{total:,.0f}), above the "
    "limit of €{limit:,.0f} per need and €{total_limit:,.0f} in all":
        "scenario '{name}' geeft een behoefte van €{high:,.0f} (alle behoeften samen "
        "€{total:,.0f}), boven de grens van €{limit:,.0f} per behoefte en €{total_limit:,.0f} "
        "in totaal",
    "no scenarios": "geen scenario's",
    "duplicate pair ({region}, {goal}), first on row {first}":
        "paar ({region}, {goal}) komt dubbel voor, eerst op rij {first}",
    # --- policy values (allocator.inputs.instance, presets) ----------------------------------
    "must be {op} {limit}": "moet {op} {limit} zijn",
    "must be a number": "moet een getal zijn",
    "must be true or false": "moet waar of onwaar zijn",
    "must be one of {choices}": "moet een van deze zijn: {choices}",
    "must be tiers, as 'unmet fraction: multiplier; ...', or 'none'":
        "moeten treden zijn, als 'onvervuld deel: vermenigvuldiger; ...', of 'geen'",
    "must be a number, not true or false": "moet een getal zijn, niet waar of onwaar",
    "must be numbers, not true or false": "moeten getallen zijn, niet waar of onwaar",
    "give at least one tier, as 'unmet fraction: multiplier'":
        "geef ten minste één schijf, als 'onvervuld deel: vermenigvuldiger'",
    "each unmet fraction must lie strictly between 0% and 100%":
        "elk onvervuld deel moet strikt tussen 0% en 100% liggen",
    "the unmet fractions must increase from tier to tier":
        "de onvervulde delen moeten van schijf tot schijf stijgen",
    "a multiplier must be at most {limit:g}": "een vermenigvuldiger is ten hoogste {limit:g}",
    "the multipliers must be at least 1 and must not decrease (deeper shortfalls weigh more), "
    "or the penalty is not convex":
        "de vermenigvuldigers moeten ten minste 1 zijn en mogen niet dalen (diepere tekorten "
        "wegen zwaarder), anders is de straf niet convex",
    "change_cap needs a reference_eur for every region (regions sheet)":
        "change_cap vraagt om een reference_eur voor elke regio (tabblad regions)",
    "{table} '{id}' {column}: no status": "{table} '{id}' {column}: geen status",
    "{table} '{id}' {column}: no source": "{table} '{id}' {column}: geen bron",
    "{table} '{id}' {column}: ASSUMED without an alternative":
        "{table} '{id}' {column}: ASSUMED zonder alternatief",
    "{table} '{id}' {column}: status '{status}' is none of SRC, PROXY, DERIVED, ASSUMED":
        "{table} '{id}' {column}: status '{status}' is geen van SRC, PROXY, DERIVED, ASSUMED",
    "{key}: {reason}": "{key}: {reason}",
    "no such policy preset (known: {known}; or give a .toml file)":
        "deze beleidsvoorinstelling bestaat niet (bekend: {known}; of geef een .toml-bestand)",
    "not a readable TOML file: {reason}": "geen leesbaar TOML-bestand: {reason}",
    "[policy] must be a table of policy keys": "[policy] moet een tabel van beleidssleutels zijn",
    "off must be a list of policy keys": "off moet een lijst van beleidssleutels zijn",
    "the existing money comes from existing_streams (bestaande_stromen): leave existing_eur "
    "empty, or leave the streams out, got {value}":
        "het bestaande geld komt uit bestaande_stromen: laat bestaand_eur leeg, of laat de "
        "stromen weg, gevonden: {value}",
    "a second amount of stream '{value}' for the same region and goal":
        "een tweede bedrag van stroom '{value}' voor dezelfde regio en hetzelfde doel",
    "no needs row for this region and goal '{value}': the stream has no cell to pay into":
        "geen behoefterij voor deze regio en doel '{value}': de stroom heeft geen cel om in "
        "te betalen",
    "[weights] takes regions = a number above 0 or an indicator's name":
        "[weights] neemt regions = een getal boven 0 of de naam van een indicator",
    "[need_model] takes indicator = a weight of 0 or more":
        "[need_model] neemt indicator = een gewicht van 0 of meer",
    "unknown table '{key}' (known: description, policy, off, weights, need_model)":
        "onbekende tabel '{key}' (bekend: description, policy, off, weights, need_model)",
    "this preset sets weights in the need model, but {name} types its need in (it has no "
    "need_model sheet)":
        "deze voorinstelling zet gewichten in het behoeftemodel, maar {name} vult de behoefte "
        "zelf in (er is geen blad behoeftemodel)",
    "[need_model] {indicator}: no such indicator in the need model of {name}":
        "[need_model] {indicator}: het behoeftemodel van {name} kent deze indicator niet",
    "[need_model] leaves goal '{goal}' with no indicator to split its need over the regions":
        "[need_model] laat doel '{goal}' zonder indicator om de behoefte over de regio's te "
        "verdelen",
    "[weights] regions = '{indicator}': {name} has no such indicator":
        "[weights] regions = '{indicator}': {name} heeft deze indicator niet",
    "[weights] regions = '{indicator}': every region needs a value above 0 (not: {regions})":
        "[weights] regions = '{indicator}': elke regio heeft een waarde boven 0 nodig (niet: "
        "{regions})",
    "unknown policy key '{key}' (known: {keys})": "onbekende beleidssleutel '{key}' (bekend: "
                                                  "{keys})",
    "budget_eur cannot be switched off": "budget_eur kan niet worden uitgezet",
    # --- the agenda's tables (allocator.studies.agenda) --------------------------------------
    "unknown goal '{goal}' for funder '{funder}' (not in goals)":
        "onbekend doel '{goal}' voor financier '{funder}' (niet in goals)",
    "unknown region '{region}' for funder '{funder}' (not in regions)":
        "onbekende regio '{region}' voor financier '{funder}' (niet in regions)",
    "the national funder '{funder}' pays in every region: leave its regions blank":
        "de landelijke financier '{funder}' betaalt in elke regio: laat zijn regio's leeg",
    "duplicate year {year}, first on row {first}": "jaar {year} komt dubbel voor, eerst op rij "
                                                   "{first}",
    "years must be in increasing order": "de jaren moeten oplopen",
    "years must follow each other without gaps (carry-over and ramp-up run from one year to "
    "the next)":
        "de jaren moeten zonder gaten op elkaar volgen (doorschuiven en groei lopen van het ene "
        "jaar naar het volgende)",
    "must be true or false, got '{value}'": "moet waar of onwaar zijn, gevonden: '{value}'",
    "mark one funder national (true): the one whose euro the report counts as unlocking the "
    "rest":
        "markeer één financier als landelijk (waar): die waarvan het rapport de euro telt als "
        "hefboom voor de rest",
    "a second funder marked national (the first is on row {first}); exactly one funder is "
    "national":
        "een tweede financier is als landelijk gemarkeerd (de eerste staat op rij {first}); "
        "precies één financier is landelijk",
    "a 'year' column needs a years sheet listing the horizon":
        "een kolom 'year' vraagt om een tabblad years met de looptijd",
    "no needs for year {year}": "geen behoeften voor jaar {year}",
    "year {year} lists other (region, goal) pairs than year {first}: give every pair every "
    "year":
        "jaar {year} noemt andere paren (regio, doel) dan jaar {first}: geef elk paar elk jaar",
    "unknown funder '{value}' (not in funders)": "onbekende financier '{value}' (niet in "
                                                 "funders)",
    "year {value} is not in the years sheet": "jaar {value} staat niet op het tabblad years",
    "'{value}' lies outside the regions of this row's funder (funders sheet)":
        "'{value}' valt buiten de regio's van de financier van deze rij (tabblad funders)",
    "The agenda failed its independent check (largest violation €{violation:,.2f}, duality gap "
    "{gap:.1e}).":
        "De agenda doorstond de onafhankelijke controle niet (grootste overschrijding "
        "€{violation:,.2f}, dualiteitskloof {gap:.1e}).",
    # --- studies ------------------------------------------------------------------------------
    "the expected objective needs a probability column (or use --objective worst-case)":
        "het verwachte doel vraagt om een kolom probability (of gebruik --objective worst-case)",
    "The robust allocation failed its check (largest violation €{violation:,.2f}, relative "
    "duality gap {gap:.1e}).":
        "De robuuste verdeling doorstond de controle niet (grootste overschrijding "
        "€{violation:,.2f}, relatieve dualiteitskloof {gap:.1e}).",
    "The grid point at €{budget:,.2f} ({policy}, {needs}) failed its independent check "
    "(largest violation €{violation:,.2f} in {rule}, relative duality gap {gap:.2e}).":
        "Het rasterpunt bij €{budget:,.2f} ({policy}, {needs}) doorstond de onafhankelijke "
        "controle niet (grootste overschrijding €{violation:,.2f} in {rule}, relatieve "
        "dualiteitskloof {gap:.2e}).",
    "the grid has {points} points (budgets x policy variants x need scenarios), above the "
    "limit of {limit}":
        "het raster heeft {points} punten (budgetten x beleidsvarianten x behoeftescenario's), "
        "boven de grens van {limit}",
    "no Dask scheduler answered at {address} within {seconds} s ({reason})":
        "geen Dask-scheduler antwoordde op {address} binnen {seconds} s ({reason})",
    "'{text}': write FROM:TO:N, for example 1e8:1e9:10":
        "'{text}': schrijf VAN:TOT:N, bijvoorbeeld 1e8:1e9:10",
    "'{text}': write FROM:TO:N with numbers, for example 1e8:1e9:10":
        "'{text}': schrijf VAN:TOT:N met getallen, bijvoorbeeld 1e8:1e9:10",
    "'{text}': N must be a whole number >= 1": "'{text}': N moet een geheel getal >= 1 zijn",
    "'{text}': N must be at most {limit}": "'{text}': N is ten hoogste {limit}",
    "'{text}': budgets above €{limit:,.0f} are beyond the limit":
        "'{text}': budgetten boven €{limit:,.0f} gaan over de grens",
    "'{text}': need 0 < FROM <= TO": "'{text}': nodig is 0 < VAN <= TOT",
    "'{text}': budgets must be numbers > 0, separated by commas":
        "'{text}': budgetten moeten getallen > 0 zijn, gescheiden door komma's",
    "'{text}': budgets must be numbers > 0": "'{text}': budgetten moeten getallen > 0 zijn",
    "'{text}': {count} budgets, above the limit of {limit}":
        "'{text}': {count} budgetten, boven de grens van {limit}",
    "--budgets: give 1 to {limit} budgets": "--budgets: geef 1 tot {limit} budgetten",
    "--budgets {value:g}: give budgets from €0 to €{limit:,.0f}":
        "--budgets {value:g}: geef budgetten van €0 tot €{limit:,.0f}",
    "--steps {steps}: give 1 to {limit} budgets": "--steps {steps}: geef 1 tot {limit} "
                                                  "budgetten",
    "{flag} {value:g}: give a budget from €0 to €{limit:,.0f}":
        "{flag} {value:g}: geef een budget van €0 tot €{limit:,.0f}",
    "--from {start:,.0f} lies above --to {stop:,.0f}: give the lower budget first":
        "--from {start:,.0f} ligt boven --to {stop:,.0f}: geef het lagere budget eerst",
    "the curve runs from €{low:,.0f} (the least budget at which the rules hold) to "
    "€{top:,.0f} (beyond which nothing more can be placed); €{start:,.0f} to {stop} lies "
    "outside it":
        "de curve loopt van €{low:,.0f} (het kleinste budget waarbij de regels gelden) tot "
        "€{top:,.0f} (daarboven valt niets meer te besteden); €{start:,.0f} tot {stop} ligt "
        "erbuiten",
    "€{stop:,.0f}": "€{stop:,.0f}",
    "the top": "de bovenkant",
    "The curve was not traced to its end in {limit} LP solves (from €{budget:,.2f} on it "
    "was left open); it is not reported. Ask for the budgets you want with --budgets.":
        "De curve is niet tot het einde gevonden in {limit} LP-oplossingen (vanaf "
        "€{budget:,.2f} bleef ze open); ze wordt niet getoond. Vraag de budgetten die u wilt "
        "zien met --budgets.",
    "The curve failed its independent check at €{budget:,.2f} (largest violation "
    "€{violation:,.2f} in {rule}, relative duality gap {gap:.2e}); it is not reported.":
        "De curve doorstond de onafhankelijke controle niet bij €{budget:,.2f} (grootste "
        "overschrijding €{violation:,.2f} in {rule}, relatieve dualiteitskloof {gap:.2e}); ze "
        "wordt niet getoond.",
    "The allocation failed its independent check (largest violation €{violation:,.2f} in "
    "{rule}, relative duality gap {gap:.2e}); it is not reported as optimal.":
        "De verdeling doorstond de onafhankelijke controle niet (grootste overschrijding "
        "€{violation:,.2f} in {rule}, relatieve dualiteitskloof {gap:.2e}); ze wordt niet als "
        "optimaal gemeld.",
    # --- writing files (allocator.output) ----------------------------------------------------
    "the disk is full": "de schijf is vol",
    "the disk quota is used up": "het schijfquotum is op",
    "the file system is read-only": "het bestandssysteem is alleen-lezen",
    "permission denied": "geen toestemming",
    "the file is too large for this file system": "het bestand is te groot voor dit "
                                                  "bestandssysteem",
    "could not write {path}: {reason}": "kon {path} niet schrijven: {reason}",
    "{path} would be written twice in one run": "{path} zou in één run twee keer worden "
                                                "geschreven",
    "{flag} {path} is an input of this run ({original}); it would be overwritten. Choose "
    "another output file":
        "{flag} {path} is invoer van deze run ({original}); het zou worden overschreven. Kies "
        "een ander uitvoerbestand",
    "{flag} {path} lies in the instance folder {folder}; an output there would change the "
    "instance. Choose a file outside it":
        "{flag} {path} ligt in de instantiemap {folder}; uitvoer daar zou de instantie "
        "veranderen. Kies een bestand daarbuiten",
    "{flag} {path} and {other_flag} {other} are the same file; give each output its own file":
        "{flag} {path} en {other_flag} {other} zijn hetzelfde bestand; geef elke uitvoer een "
        "eigen bestand",
    "{flag} {path} is a folder; give a file name": "{flag} {path} is een map; geef een "
                                                   "bestandsnaam",
    "{flag} {path} cannot be created: {parent} is a file, not a folder":
        "{flag} {path} kan niet worden gemaakt: {parent} is een bestand, geen map",
    "{flag} {path} cannot be written: the folder {parent} is read-only":
        "{flag} {path} kan niet worden geschreven: de map {parent} is alleen-lezen",
    # --- the web app (allocator.web) --------------------------------------------------------
    "--port must be 0..65535": "--port moet 0..65535 zijn",
    "serve needs the web extra: pip install 'allocator[web]' (or make serve)":
        "serve heeft de web-extra nodig: pip install 'allocator[web]' (of make serve)",
    "allocator serve: open http://{host}:{port}/ (the API at http://{host}:{port}/docs); "
    "Ctrl-C stops it":
        "allocator serve: open http://{host}:{port}/ (de API op http://{host}:{port}/docs); "
        "Ctrl-C stopt het",
    "give the variants as a file field 'scenarios'":
        "geef de varianten als bestandsveld 'scenarios'",
    "the scenarios file is above the upload limit":
        "het scenariobestand is groter dan de uploadgrens",
    "no instance with token '{token}' (upload one with POST /validate)":
        "geen invoerbestand met token '{token}' (upload er een met POST /validate)",
    "the JSON body must be an object": "de JSON moet een object zijn",
    "not a readable zip archive": "geen leesbaar zip-archief",
    "table '{table}' must be a list of rows, the first the header":
        "tabel '{table}' moet een lijst van rijen zijn, de eerste de kopregel",
    "missing table '{table}'": "tabel '{table}' ontbreekt",
    "give an Excel workbook (.xlsx) or a zip of the CSV tables (.zip)":
        "geef een Excel-werkmap (.xlsx) of een zip van de CSV-tabellen (.zip)",
    "budgets: give budgets separated by commas, for example 100e6,250e6,500e6,1e9":
        "budgets: geef budgetten gescheiden door komma's, bijvoorbeeld "
        "100e6,250e6,500e6,1e9",
    "{key}: unknown field (did you mean '{near}'?)":
        "{key}: onbekend veld (bedoelde u '{near}'?)",
    "{key}: unknown field": "{key}: onbekend veld",
    "{field}: must be a number, not true or false":
        "{field}: moet een getal zijn, niet waar of onwaar",
    "the request body is above the limit of {limit:,.0f} MB":
        "de aanvraag is groter dan de grens van {limit:,.0f} MB",
    "the JSON body holds {value}, which is no number: give a number or leave the cell empty":
        "de JSON bevat {value}, en dat is geen getal: geef een getal of laat de cel leeg",
    "the JSON body names '{key}' twice: give it once":
        "de JSON noemt '{key}' twee keer: geef het één keer",
    "the JSON body is not UTF-8 (byte {at})": "de JSON is geen UTF-8 (byte {at})",
    "the JSON body is not valid JSON: {reason} (line {line}, column {column})":
        "de JSON is geen geldige JSON: {reason} (regel {line}, kolom {column})",
    "the JSON body nests deeper than {limit} levels":
        "de JSON is dieper genest dan {limit} niveaus",
    "the multipart body names no boundary": "het formulier noemt geen grens (boundary)",
    "the multipart body is cut off: it does not end with its closing boundary":
        "het formulier is afgebroken: het eindigt niet met zijn slotgrens",
    "the form cannot be read: {reason}": "het formulier is niet te lezen: {reason}",
    "the field '{field}' is given twice: give it once":
        "het veld '{field}' is twee keer gegeven: geef het één keer",
    "{field}: must be a file (an .xlsx workbook or a .zip of the CSV tables), got text":
        "{field}: moet een bestand zijn (een .xlsx-werkmap of een .zip met de CSV-tabellen), "
        "gevonden: tekst",
    "{field}: must be text, got a file": "{field}: moet tekst zijn, gevonden: een bestand",
    "content type '{kind}' is not read: send JSON (application/json) or a form "
    "(multipart/form-data)":
        "inhoudstype '{kind}' wordt niet gelezen: stuur JSON (application/json) of een "
        "formulier (multipart/form-data)",
    "{part} unpacks to more than {limit:,.0f} MB; give large instances as CSV":
        "{part} pakt uit tot meer dan {limit:,.0f} MB; geef grote invoer als CSV",
    "{part} cannot be unpacked: {reason}": "{part} is niet uit te pakken: {reason}",
    "tables '{a}' and '{b}' are the same table: give one":
        "de tabellen '{a}' en '{b}' zijn dezelfde tabel: geef er één",
    "row {row} has {n} values, its header {width}: give one value per column":
        "rij {row} heeft {n} waarden, de kop {width}: geef één waarde per kolom",
    "this server answers to {hosts}, not to '{host}'":
        "deze server antwoordt op {hosts}, niet op '{host}'",
    "a request from another site ({origin}) is refused: use this server's own page":
        "een verzoek van een andere site ({origin}) wordt geweigerd: gebruik de eigen "
        "pagina van deze server",
    "the server is busy with other solves: try again in {seconds} s":
        "de server is bezig met andere berekeningen: probeer het over {seconds} s opnieuw",
    "the request took longer than the limit of {limit:g} s and was stopped":
        "het verzoek duurde langer dan de grens van {limit:g} s en is gestopt",
    "--workers must be 1..64, --queue 0..1000, --time-limit above 0 s, at most a day, and "
    "--memory 256..1048576 MB":
        "--workers moet 1..64 zijn, --queue 0..1000, --time-limit boven 0 s, ten hoogste een "
        "dag, en --memory 256..1048576 MB",
    "the request needs more memory than this server allows per solve ({memory} MB; "
    "allocator serve --memory)":
        "het verzoek vraagt meer geheugen dan deze server per berekening toestaat ({memory} MB; "
        "allocator serve --memory)",
    "nothing to vary: no ASSUMED figure states a usable alternative":
        "niets te variëren: geen AANGENOMEN (ASSUMED) getal heeft een bruikbaar alternatief",
    "nothing to vary: no ASSUMED figure states a usable alternative among --vary":
        "niets te variëren: geen AANGENOMEN (ASSUMED) getal binnen --vary heeft een bruikbaar "
        "alternatief",
    "nothing to vary: no assumption": "niets te variëren: geen aanname",
    "nothing to vary: no assumption matches --vary":
        "niets te variëren: geen aanname past bij --vary",
    "{id}: the alternative of {column} is no number, got '{value}'":
        "{id}: het alternatief van {column} is geen getal, gevonden: '{value}'",
    "{id}: the alternative of {column} {reason}": "{id}: het alternatief van {column} {reason}",
    "{key}: the alternative {reason}, got {value}":
        "{key}: het alternatief {reason}, gevonden: {value}",
    "this server asks for its access key: open the address it printed when it started":
        "deze server vraagt om zijn toegangssleutel: open het adres dat hij bij het starten "
        "toonde",
    "allocator serve: open http://{host}:{port}/?key={key} (the key is asked of every "
    "request: the API takes it as ?key= or the header X-Allocator-Key); Ctrl-C stops it":
        "allocator serve: open http://{host}:{port}/?key={key} (de sleutel wordt bij elk "
        "verzoek gevraagd: de API neemt hem als ?key= of de kop X-Allocator-Key); Ctrl-C "
        "stopt hem",
    "listening on {host}: every computer that reaches this address and has the key printed "
    "below can use the page and the API, upload instances and run solves":
        "luistert op {host}: elke computer die dit adres bereikt en de sleutel hieronder "
        "heeft, kan de pagina en de API gebruiken, invoer uploaden en berekeningen starten",
    "{field}: must be true or false, got '{value}'":
        "{field}: moet waar of onwaar zijn, gevonden: '{value}'",
    "{field}: the same rule is given twice ({key})":
        "{field}: dezelfde regel is twee keer gegeven ({key})",
    "{field}: must be a number, got '{value}'": "{field}: moet een getal zijn, gevonden: "
                                                "'{value}'",
    # --- the command line (allocator.cli) ----------------------------------------------------
    "the input has 1 problem; nothing was written.":
        "de invoer heeft 1 probleem; er is niets geschreven.",
    "the input has {n} problems; nothing was written.":
        "de invoer heeft {n} problemen; er is niets geschreven.",
    "nothing was written; earlier files are unchanged":
        "er is niets geschreven; eerdere bestanden zijn ongewijzigd",
    "written before it stopped: {files}": "geschreven voordat het stopte: {files}",
    "{error}; {note}.": "{error}; {note}.",
    "terminated; {note}.": "beëindigd; {note}.",
    "interrupted; {note}.": "onderbroken; {note}.",
    "unexpected error ({kind}: {reason}); {note}. Run again with --debug to see where it "
    "happened, and report it.":
        "onverwachte fout ({kind}: {reason}); {note}. Voer de opdracht opnieuw uit met --debug "
        "om te zien waar het gebeurde, en meld het.",
    "--step {step:g}: give a fraction between 0 and 1":
        "--step {step:g}: geef een fractie tussen 0 en 1",
    "--out {path}: give a .mps or .lp file": "--out {path}: geef een .mps- of .lp-bestand",
    "money in units of €{unit}; the objective is weighted unmet need in those units, its "
    "constant included":
        "geld in eenheden van €{unit}; het doel is de gewogen onvervulde behoefte in die "
        "eenheden, de constante inbegrepen",
    "{path} exists (a filled-in instance?); give another name, or --force to replace it":
        "{path} bestaat al (een ingevulde instantie?); geef een andere naam, of --force om het "
        "te vervangen",
    "--budgets {reason}": "--budgets {reason}",
    "--workers must be 1..1024": "--workers moet 1..1024 zijn",
    "--budgets '{text}': give budgets separated by commas, for example 100e6,250e6,500e6,1e9":
        "--budgets '{text}': geef budgetten gescheiden door komma's, bijvoorbeeld "
        "100e6,250e6,500e6,1e9",
    "unknown rule '{rule}' in --rules; known: {known}":
        "onbekende regel '{rule}' in --rules; bekend: {known}",
    "--regions must be 1..{regions} and --goals 1..{goals}":
        "--regions moet 1..{regions} zijn en --goals 1..{goals}",
    "{path} is a file; give a folder to write the tables in":
        "{path} is een bestand; geef een map om de tabellen in te schrijven",
    "{path} is not empty; give a new folder, or --force to replace its tables":
        "{path} is niet leeg; geef een nieuwe map, of --force om de tabellen te vervangen",
    "{rule} {k} of {n} rows": "{rule} {k} van {n} rijen",
    "binding at the optimum: {bound}; not binding: {loose}":
        "bindend in het optimum: {bound}; niet bindend: {loose}",
    "written: {path}/ ({regions} regions x {goals} goals, {what})":
        "geschreven: {path}/ ({regions} regio's x {goals} doelen, {what})",
    "rules: {rules}": "regels: {rules}",
    "family: binding": "familie: binding",
    "none": "geen",
    "{path}: valid — {regions} regions, {goals} goals, {cells} cells, total need €{need:,.0f}":
        "{path}: geldig — {regions} regio's, {goals} doelen, {cells} cellen, totale behoefte "
        "€{need:,.0f}",
    "... and {n} more rows without a status or source":
        "... en nog {n} rijen zonder status of bron",
    "agenda: {years} years ({first}–{last}), {funders} funders, {streams} existing streams":
        "agenda: {years} jaren ({first}–{last}), {funders} financiers, {streams} bestaande "
        "stromen",
}
