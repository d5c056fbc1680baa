"""The names of an instance's tables and columns: the format's own (English) names and the
Dutch ones a budget officer may use instead (``allocator template`` writes the Dutch ones
by default). Both are read everywhere, in any case; the rest of the pipeline sees only the
format's names, and messages point at a column by the name the file gives it.
"""

from __future__ import annotations

#: Dutch table (sheet or CSV file) names, by the format's name.
TABLES_NL = {
    "regions": "regios", "goals": "doelen", "needs": "behoeften", "policy": "beleid",
    "sources": "bronnen", "years": "jaren", "funders": "financiers", "envelopes": "budgetten",
    "streams": "stromen", "indicators": "indicatoren", "need_model": "behoeftemodel",
    "existing_streams": "bestaande_stromen",
}

#: Dutch column names, by the format's name (the same in every table).
COLUMNS_NL = {
    "region": "regio", "name": "naam", "population": "inwoners", "weight": "gewicht",
    "cofinancing_eur": "cofinanciering_eur", "reference_eur": "referentie_eur",
    "source": "bron", "goal": "doel", "min_share": "min_aandeel", "max_share": "max_aandeel",
    "need_eur": "behoefte_eur", "existing_eur": "bestaand_eur", "cap_eur": "plafond_eur",
    "key": "sleutel", "value": "waarde", "year": "jaar", "need_factor": "behoeftefactor",
    "funder": "financier", "national": "landelijk", "goals": "doelen", "regions": "regios",
    "max_package_share": "max_pakketaandeel", "carry_over_eur": "doorschuif_eur",
    "borrow_eur": "leen_eur", "amount_eur": "bedrag_eur", "probability": "kans",
    "meaning": "betekenis", "note": "toelichting", "unit": "eenheid", "of": "van",
    "stream": "stroom",
}

#: The notes a figure may carry in a column of its own beside it (``population_status``,
#: ``inwoners_bron``): its status, its source and an alternative value, by Dutch suffix.
NOTES_NL = {"status": "status", "source": "bron", "alternative": "alternatief"}

_TABLE_OF = {**{v: k for k, v in TABLES_NL.items()}, "regio's": "regions"}
_COLUMN_OF = {**{v: k for k, v in COLUMNS_NL.items()}, "regio's": "regions",
              "alternatief": "alternative"}
_NOTE_OF = {**{v: k for k, v in NOTES_NL.items()}, **{k: k for k in NOTES_NL}}


def table_name(name: str) -> str:
    """The format's name of a table given by its name (a sheet or a CSV file's stem)."""
    key = name.strip().lower()
    return _TABLE_OF.get(key, key)


def column_name(name: str) -> str:
    """The format's name of a column given by its (lower-cased, stripped) header; a figure's
    note column (``inwoners_bron``) becomes ``population_source``."""
    if name in _COLUMN_OF:
        return _COLUMN_OF[name]
    base, _, suffix = name.rpartition("_")
    if base and suffix in _NOTE_OF and base not in ("", "max", "min"):
        return f"{_COLUMN_OF.get(base, base)}_{_NOTE_OF[suffix]}"
    return name


def shown_table(name: str, lang: str) -> str:
    """A table's name as the template of ``lang`` writes it."""
    return TABLES_NL.get(name, name) if lang == "nl" else name


def shown_column(name: str, lang: str) -> str:
    """A column's name as the template of ``lang`` writes it."""
    if lang != "nl":
        return name
    if name in COLUMNS_NL or name in NOTES_NL:
        return COLUMNS_NL.get(name, NOTES_NL.get(name, name))
    base, _, suffix = name.rpartition("_")
    if base and suffix in NOTES_NL:
        return f"{COLUMNS_NL.get(base, base)}_{NOTES_NL[suffix]}"
    return name
