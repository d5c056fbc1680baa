"""Rules that only a multi-year agenda states: their rows are in :mod:`models.agenda`. With
one year they hold trivially (there is no year before it, and the period is the year), so
every command accepts them; they are listed for the support table."""

from __future__ import annotations

from models.rules.base import Rule

RAMP_UP = Rule(
    "ramp_up", ("policy:ramp_factor", "policy:ramp_amount_eur"),
    "a region's money grows at most by a factor plus an amount a year (one year: nothing "
    "to grow from)")
FLOOR_OVER_PERIOD = Rule(
    "equity_over", ("policy:equity_over=period",),
    "the coverage floor over the whole period instead of every year (one year: the same)")
