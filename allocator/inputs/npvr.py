"""The 11 NPVR regions and its three goals: ids, names, populations with their sources.

Used by ``instances/build_npvr.py`` (the default instance) and by ``allocator template
--regions npvr`` (a pre-filled input workbook), so that both name the regions alike.
Every population carries its status: SRC (read in the source), PROXY (a CBS area close to
the region), DERIVED (computed from sourced figures) or ASSUMED, a source note in Dutch (the
reports' language), and, where it is not read in a source, an alternative value with the
reason for it. ``instances/README.md`` lists every assumption with its alternative.
"""

from __future__ import annotations

from typing import NamedTuple

RIJKSOVERHEID = "rijksoverheid.nl, 20 december 2024 (namen van de 11 regio's)"
CBS = "CBS StatLine, bevolking per COROP-gebied"
BREDE_WELVAART = "CBS Monitor Brede Welvaart 2023"

#: Noord- and Midden-Limburg together (SRC: "more than 518,000"), the province (SRC,
#: 1-1-2024), and the split of the two northern regions (ASSUMED, 285 : 240).
LIMBURG_NORTH = 518_000
LIMBURG_TOTAL = 1_133_174
LIMBURG_SPLIT = (285, 240)
NOORD_LIMBURG = round(LIMBURG_NORTH * LIMBURG_SPLIT[0] / sum(LIMBURG_SPLIT))
MIDDEN_LIMBURG = LIMBURG_NORTH - NOORD_LIMBURG


class Region(NamedTuple):
    id: str
    name: str
    population: int
    status: str  # of the population
    source: str  # of the population, in Dutch
    multiplier: float  # welfare multiplier (ASSUMED): 1.2 named low by Brede Welvaart, ...
    alternative: int | None = None  # another defensible population, and why
    why: str = ""


REGIONS = [
    Region("kop-van-noord-holland", "Kop van Noord-Holland", 170_000, "SRC",
           "rijksoverheid.nl: ca. 170.000 (afgerond, zonder peildatum)", 1.2),
    Region("noord-en-oost-groningen", "Noord- en Oost-Groningen", 183_106, "PROXY",
           CBS + ", 1-1-2024: Oost-Groningen 138.008 + Delfzijl e.o. 45.098", 1.2,
           231_106, "met Het Hogeland (ca. 48.000), dat mogelijk bij de regio hoort"),
    Region("zuidoost-friesland", "Zuidoost Friesland", 190_822, "SRC",
           CBS + ", 1-1-2024 (COROP-gebied = regio)", 1.0),
    Region("noard-fryslan", "Noard-Fryslân", 195_000, "ASSUMED",
           "welke gemeenten de regio vormen is niet bekend; ligt tussen Noardeast-Fryslân "
           "alleen (45.870 op 1-1-2024, CBS) en COROP Noord-Friesland (328.771, met "
           "Leeuwarden)", 1.0,
           45_870, "alleen Noardeast-Fryslân (SRC): de ondergrens"),
    Region("zuid-en-oost-drenthe", "Zuid- en Oost-Drenthe", 171_098, "PROXY",
           CBS + ", 1-1-2024: COROP Zuidoost-Drenthe (Emmen, Coevorden, Borger-Odoorn)", 1.2,
           310_000, "het gebied van de Regio Deal, met Hoogeveen, Aa en Hunze en Hardenberg "
                    "(ca. 310.000, SRC)"),
    Region("twente", "Twente", 639_017, "SRC",
           CBS + ", 1-1-2023: COROP Twente (14 gemeenten; een recentere peildatum staat "
                 "niet in de bronnen)", 1.0),
    Region("achterhoek", "Achterhoek", 300_129, "SRC",
           CBS + ", 1-1-2022 (8 gemeenten; een recentere peildatum staat niet in de "
                 "bronnen)", 1.0),
    Region("noord-limburg", "Noord-Limburg", NOORD_LIMBURG, "ASSUMED",
           "Noord- en Midden-Limburg samen 518.000 (SRC: 'ruim 518.000'), verdeeld als "
           "285 : 240 (ASSUMED)", 1.1,
           LIMBURG_NORTH // 2, "de 518.000 gelijk verdeeld over Noord- en Midden-Limburg"),
    Region("midden-limburg", "Midden-Limburg", MIDDEN_LIMBURG, "ASSUMED",
           "Noord- en Midden-Limburg samen 518.000 (SRC: 'ruim 518.000'), verdeeld als "
           "285 : 240 (ASSUMED)", 1.1,
           LIMBURG_NORTH // 2, "de 518.000 gelijk verdeeld over Noord- en Midden-Limburg"),
    Region("zuid-limburg", "Zuid-Limburg", LIMBURG_TOTAL - LIMBURG_NORTH, "DERIVED",
           "Limburg 1.133.174 (1-1-2024, SRC) min Noord- en Midden-Limburg 518.000 (SRC); de "
           "drie Limburgse regio's tellen op tot de provincie", 1.2),
    Region("zeeuws-vlaanderen", "Zeeuws-Vlaanderen", 105_000, "ASSUMED",
           "'iets meer dan 100.000' (SRC, zonder peildatum), afgerond naar 105.000", 1.2,
           100_000, "de ondergrens uit de bron"),
]

# id, name, share of the need (ASSUMED 40/35/25)
GOALS = [
    ("veilig-en-leefbaar", "Veilige en leefbare regio's", 0.40),
    ("voorzieningen", "Duurzaam en bereikbaar voorzieningenniveau", 0.35),
    ("gezonde-toekomst", "Gezonde en kansrijke toekomst", 0.25),
]
