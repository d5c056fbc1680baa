"""An instance workbook ready to fill in: the four sheets, instructions, and data validation.

Excel's own data validation guards the cells while a budget officer types (drop-downs for the
region and goal ids in ``needs``, limits on amounts and shares, true/false for ``spend_all``);
``allocator solve`` validates again on reading, so the workbook is a convenience, not a trust
boundary. A filled-in template is an instance as it stands.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from allocator.inputs.names import shown_column, shown_table
from allocator.inputs.npvr import GOALS, REGIONS
from allocator.output import atomic_write
from allocator.reports.workbook import save_reproducibly
from models.rules import PARAMS

#: Rows prepared with validation in each table (Excel extends nothing by itself).
ROWS = 2000

INSTRUCTIONS = {
    "nl": [
        "Invulinstructie",
        "Vul de bladen regios, doelen, behoeften en beleid in; laat de kopregels staan.",
        "regios: één regel per regio: regio (een unieke code), naam, inwoners (geheel getal "
        "> 0), gewicht (> 0, standaard 1).",
        "doelen: één regel per doel: doel (code), naam, gewicht; min_aandeel en max_aandeel "
        "tussen 0 en 1 (mag leeg).",
        "behoeften: één regel per regio en doel: kies de codes uit de lijst; behoefte_eur en "
        "bestaand_eur in euro per jaar (>= 0); plafond_eur leeg = geen plafond.",
        "beleid: een sleutel per regel, met zijn waarde; budget_eur is verplicht. De kolom "
        "toelichting zegt wat elke sleutel doet; een lege waarde zet de regel uit.",
        "Zet bij elk getal in status of het gemeten (SRC), benaderd (PROXY), afgeleid "
        "(DERIVED) of aangenomen (ASSUMED) is, en in bron waar het vandaan komt: het rapport "
        "toont beide.",
        "Of bouw de behoefte op uit verdeelmaatstaven: zet bij elk doel de landelijke "
        "behoefte_eur, in indicatoren per regio de waarde van elke maatstaf (van = inwoners "
        "voor een aandeel van de inwoners) en in behoeftemodel het gewicht van elke maatstaf "
        "per doel; laat dan behoefte_eur in behoeften leeg. Inwoners is altijd een maatstaf. "
        "Laat beide bladen leeg als u de behoefte zelf invult.",
        "Of geef het bestaande geld per stroom: in bestaande_stromen per regio de stroom "
        "(bijvoorbeeld Regio Deals), het doel (leeg = over de doelen van de regio naar de "
        "behoefte) en bedrag_eur per jaar; laat dan bestaand_eur in behoeften leeg. De "
        "uitleg per regio noemt dan elke stroom bij naam.",
        "De Engelse namen van bladen en kolommen (regions, need_eur, ...) worden ook gelezen.",
        "Daarna: allocator solve BESTAND.xlsx",
    ],
    "en": [
        "How to fill in",
        "Fill in the sheets regions, goals, needs and policy; keep the header rows.",
        "regions: one row per region: id (unique), name, population (whole number > 0), "
        "weight (> 0, default 1).",
        "goals: one row per goal: id, name, weight; min_share and max_share between 0 and 1 "
        "(may be empty).",
        "needs: one row per region and goal: pick the ids from the list; need_eur and "
        "existing_eur in euros a year (>= 0); empty cap_eur = no cap.",
        "policy: one key a row, with its value; budget_eur is required. The note column says "
        "what each key does; an empty value switches the rule off.",
        "Give every figure a status, measured (SRC), approximated (PROXY), derived (DERIVED) "
        "or assumed (ASSUMED), and a source saying where it comes from: the report shows "
        "both.",
        "Or build the need from verdeelmaatstaven: give each goal its national need_eur, "
        "each region the value of each measure in indicators (of = inhabitants for a share "
        "of the inhabitants) and each measure's weight per goal in need_model; then leave "
        "need_eur in needs empty. Inhabitants is always a measure. Leave both sheets empty "
        "when you type in the need yourself.",
        "Or give the existing money by stream: in existing_streams, per region the stream "
        "(for example Regio Deals), the goal (empty = over the region's goals by need) and "
        "amount_eur a year; then leave existing_eur in needs empty. Each region's "
        "explanation then names every stream.",
        "The Dutch names of sheets and columns (regios, behoefte_eur, ...) are read too.",
        "Then: allocator solve FILE.xlsx",
    ],
}

HEADERS = {
    "regions": ["region", "name", "population", "weight", "status", "source"],
    "goals": ["goal", "name", "weight", "min_share", "max_share", "status", "source",
              "need_eur"],
    "needs": ["region", "goal", "need_eur", "existing_eur", "cap_eur", "status", "source"],
    "policy": ["key", "value", "note", "status", "source"],
    # the need from verdeelmaatstaven (docs/format.md): left empty, the need is typed in
    "indicators": ["region", "indicator", "value", "unit", "of", "status", "source",
                   "alternative"],
    "need_model": ["goal", "indicator", "weight", "status", "source"],
    # the existing money by stream (docs/format.md): left empty, existing_eur is typed in
    "existing_streams": ["stream", "region", "goal", "amount_eur", "status", "source",
                         "alternative"],
}

#: The policy rows the template offers, with what each does (the policy sheet's note).
#: The policy sheet's rows: every declared parameter (models.rules.params) with its default
#: and what it does (the ``toelichting`` column); the budget first, as the one to fill in.
POLICY_ROWS = [(p.key, None if p.required else p.default, p.help) for p in PARAMS]

#: How the template writes true and false, as its drop-down offers them.
BOOLEANS = {"nl": ("waar", "onwaar"), "en": ("true", "false")}


def _number(kind: str, low: float, high: float | None, operator: str, message: str
            ) -> DataValidation:
    dv = DataValidation(type=kind, operator=operator, formula1=str(low),
                        formula2=None if high is None else str(high), allow_blank=True,
                        showErrorMessage=True, errorTitle="allocator", error=message)
    return dv


def _validate(ws: Worksheet, dv: DataValidation, cells: str) -> None:
    ws.add_data_validation(dv)
    dv.add(cells)


def write_template(path: str | Path, *, regions: str | None = None, lang: str = "nl") -> Path:
    """Write the template; ``regions="npvr"`` pre-fills the 11 NPVR regions and 3 goals."""
    wb = Workbook()
    info = wb.active
    info.title = "Instructies" if lang == "nl" else "Instructions"
    for i, text in enumerate(INSTRUCTIONS[lang], start=1):
        cell = info.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True)
        cell.font = Font(bold=i == 1)
    info.column_dimensions["A"].width = 120

    sheets = {}
    for name, header in HEADERS.items():
        ws = wb.create_sheet(shown_table(name, lang))
        ws.append([shown_column(c, lang) for c in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for j in range(1, len(header) + 1):
            ws.column_dimensions[chr(64 + j)].width = 22
        if name == "policy":
            ws.column_dimensions["C"].width = 70
        sheets[name] = ws

    if regions == "npvr":
        for region in REGIONS:
            sheets["regions"].append([region.id, region.name, region.population, 1,
                                      region.status, region.source])
        for gid, name, _ in GOALS:
            sheets["goals"].append([gid, name, 1, None, None, "ASSUMED",
                                    "gelijke gewichten" if lang == "nl" else "equal weights"])
        for region in REGIONS:
            for gid, *_ in GOALS:
                sheets["needs"].append([region.id, gid, None, None, None])  # empty: 0
    elif regions is not None:
        raise ValueError(f"unknown region set {regions!r}; known: npvr")
    true, false = BOOLEANS[lang]
    for key, value, note in POLICY_ROWS:
        shown = (true if value else false) if isinstance(value, bool) else value
        sheets["policy"].append([key, shown, note[lang]])

    last = ROWS + 1
    regions_sheet, goals_sheet = shown_table("regions", lang), shown_table("goals", lang)
    ids = DataValidation(type="list", formula1=f"{regions_sheet}!$A$2:$A${last}",
                         allow_blank=False, showErrorMessage=True, errorTitle="allocator",
                         error=f"Kies een regiocode uit het blad {regions_sheet}."
                         if lang == "nl" else "Pick a region id from the regions sheet.")
    _validate(sheets["needs"], ids, f"A2:A{last}")
    goal_ids = DataValidation(type="list", formula1=f"{goals_sheet}!$A$2:$A${last}",
                              allow_blank=False, showErrorMessage=True, errorTitle="allocator",
                              error=f"Kies een doelcode uit het blad {goals_sheet}."
                              if lang == "nl" else "Pick a goal id from the goals sheet.")
    _validate(sheets["needs"], goal_ids, f"B2:B{last}")
    amount = "Een bedrag in euro, 0 of meer." if lang == "nl" else "An amount in euros, >= 0."
    _validate(sheets["needs"], _number("decimal", 0, None, "greaterThanOrEqual", amount),
              f"C2:E{last}")
    share = "Een aandeel tussen 0 en 1." if lang == "nl" else "A share between 0 and 1."
    _validate(sheets["goals"], _number("decimal", 0, 1, "between", share), f"D2:E{last}")
    positive = "Een getal groter dan 0." if lang == "nl" else "A number above 0."
    _validate(sheets["goals"], _number("decimal", 0, None, "greaterThan", positive),
              f"C2:C{last}")
    _validate(sheets["regions"], _number("decimal", 0, None, "greaterThan", positive),
              f"D2:D{last}")
    whole = "Een geheel getal groter dan 0." if lang == "nl" else "A whole number above 0."
    _validate(sheets["regions"], _number("whole", 1, None, "greaterThanOrEqual", whole),
              f"C2:C{last}")
    policy = sheets["policy"]
    # each row's check, from its parameter's declaration: a share between 0 and 1, an
    # amount or ratio from its lower bound, a drop-down for true/false and for a choice
    for row, p in enumerate(PARAMS, start=2):
        cell = f"B{row}"
        if p.kind == "fraction":
            _validate(policy, _number("decimal", 0, 1, "between", share), cell)
        elif p.kind in ("money", "ratio"):
            strict = p.gt is not None
            low = float(p.gt if p.gt is not None else (p.ge or 0))
            _validate(policy, _number("decimal", low, None,
                                      "greaterThan" if strict else "greaterThanOrEqual",
                                      positive), cell)
        elif p.kind == "bool":
            _validate(policy, DataValidation(type="list", formula1=f'"{true},{false}"',
                                             allow_blank=True), cell)
        elif p.kind == "choice":
            _validate(policy, DataValidation(type="list", formula1=f'"{",".join(p.choices)}"',
                                             allow_blank=True), cell)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    return atomic_write(path, lambda tmp: save_reproducibly(wb, tmp, when))
