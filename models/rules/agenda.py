"""Rules that only a multi-year agenda states: their rows are in :mod:`models.agenda`. With
one year they hold trivially (there is no year before it, and the period is the year), so
every command accepts them; they are listed for the support table."""

from __future__ import annotations

from models.rules.base import Rule
from models.rules.params import MAX_EUR, MAX_FACTOR, Param

RAMP_UP = Rule(
    "ramp_up", ("policy:ramp_factor", "policy:ramp_amount_eur"),
    "a region's money grows at most by a factor plus an amount a year (one year: nothing "
    "to grow from)",
    params=(
        Param("ramp_factor", "ratio", flag="--ramp-factor", metavar="F", ge=0, le=MAX_FACTOR,
              agenda=True, name={"nl": "maximale groeifactor per jaar",
                                 "en": "maximum growth factor a year"},
              help={"nl": "agenda: de toekenning van een regio is in een jaar ten hoogste F "
                          "maal die van het jaar ervoor (plus ramp_amount_eur)",
                    "en": "agenda: a region's allocation in a year at most F times the year "
                          "before (plus ramp_amount_eur)"}),
        Param("ramp_amount_eur", "money", flag="--ramp-amount", metavar="EUR", ge=0,
              le=MAX_EUR, scaled=True, agenda=True,
              name={"nl": "maximale groei per jaar (euro)",
                    "en": "maximum growth a year (euro)"},
              help={"nl": "agenda: ... plus ten hoogste dit bedrag in euro",
                    "en": "agenda: ... plus at most this many euros"}),
    ))
FLOOR_OVER_PERIOD = Rule(
    "equity_over", ("policy:equity_over=period",),
    "the coverage floor over the whole period instead of every year (one year: the same)",
    params=(Param(
        "equity_over", "choice", flag="--equity-over", choices=("year", "period"),
        default="year", off="year", agenda=True,
        name={"nl": "minimumdekking per jaar of over de periode",
              "en": "coverage floor per year or over the period"},
        help={"nl": "agenda: de minimumdekking geldt elk jaar (year) of over de hele periode "
                    "(period)",
              "en": "agenda: the coverage floor holds every year (year) or over the whole "
                    "period (period)"}),))
