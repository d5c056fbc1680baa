"""The 11 NPVR regions and its three goals: ids, names, populations with their sources.

Used by ``instances/build_npvr.py`` (the default instance) and by ``allocator template
--regions npvr`` (a pre-filled input workbook), so that both name the regions alike.
Every population carries its status: SRC (read in the source), PROXY (a CBS area close to
the region), DERIVED (computed from sourced figures) or ASSUMED.
"""

from __future__ import annotations

RIJKSOVERHEID = "rijksoverheid.nl, 20 Dec 2024 (names of the 11 regions)"
CBS = "CBS StatLine, population by COROP area"
BREDE_WELVAART = "CBS Monitor Brede Welvaart 2023"

# id, name, population, status of the population figure, its source note,
# welfare multiplier (1.2 named low by the Brede Welvaart monitor, 1.1 other Limburg, 1.0 else)
REGIONS = [
    ("kop-van-noord-holland", "Kop van Noord-Holland", 170_000, "SRC",
     "rijksoverheid.nl, approximate", 1.2),
    ("noord-en-oost-groningen", "Noord- en Oost-Groningen", 183_106, "PROXY",
     CBS + ", 1-1-2024: Oost-Groningen 138,008 + Delfzijl e.o. 45,098", 1.2),
    ("zuidoost-friesland", "Zuidoost Friesland", 190_822, "SRC",
     CBS + ", 1-1-2024 (COROP = region)", 1.0),
    ("noard-fryslan", "Noard-Fryslân", 195_000, "ASSUMED",
     "COROP Noord-Friesland (328,771) includes Leeuwarden", 1.0),
    ("zuid-en-oost-drenthe", "Zuid- en Oost-Drenthe", 171_098, "PROXY",
     CBS + ", 1-1-2024: COROP Zuidoost-Drenthe", 1.2),
    ("twente", "Twente", 639_017, "SRC", CBS + ", 1-1-2023: COROP Twente", 1.0),
    ("achterhoek", "Achterhoek", 300_129, "SRC", CBS + ", 1-1-2022", 1.0),
    ("noord-limburg", "Noord-Limburg", 285_000, "ASSUMED",
     "Noord- + Midden-Limburg together > 518,000 (SRC); split assumed", 1.1),
    ("midden-limburg", "Midden-Limburg", 240_000, "ASSUMED",
     "Noord- + Midden-Limburg together > 518,000 (SRC); split assumed", 1.1),
    ("zuid-limburg", "Zuid-Limburg", 615_000, "DERIVED",
     "Limburg 1,133,174 (1-1-2024) minus ~518,000", 1.2),
    ("zeeuws-vlaanderen", "Zeeuws-Vlaanderen", 105_000, "ASSUMED",
     "'iets meer dan 100.000' (SRC, undated)", 1.2),
]

# id, name, share of the need (ASSUMED 40/35/25)
GOALS = [
    ("veilig-en-leefbaar", "Veilige en leefbare regio's", 0.40),
    ("voorzieningen", "Duurzaam en bereikbaar voorzieningenniveau", 0.35),
    ("gezonde-toekomst", "Gezonde en kansrijke toekomst", 0.25),
]
