"""Rounding to whole euros, once: amounts that add up to their totals and cross no bound.

:func:`largest_remainder` rounds one list to a total. :func:`round_groups` rounds many lists
at once (the cells of each region to that region's total), each value to its floor or its
ceiling, and keeps a value that sits on a bound on its side of it: a region held at its
maximum is never rounded up past it, one held at a minimum never down below it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: A value within this many euros of a whole euro *is* that euro: the solver's tolerances
#: leave amounts such as 9,999,999.9999997 where the rules say 10,000,000, and rounding
#: such a value must not move it by a euro across the bound it sits on.
SNAP_EUR = 0.05
#: Fractional parts are compared to this many decimals (a micro-euro).
TIE_DECIMALS = 6


def largest_remainder(values: ArrayLike, total: int | None = None) -> NDArray[np.int64]:
    """Round ``values`` (>= 0) to integers whose sum is ``total`` (default: round(sum)).

    Each value moves to its floor or its ceiling; the units left over go to the largest
    fractional parts, ties to the earlier position, so the result is deterministic.
    """
    v = np.asarray(values, dtype=float)
    return round_groups(v, None if total is None else np.array([int(total)]))


def round_groups(values: ArrayLike, totals: ArrayLike | None = None,
                 groups: ArrayLike | None = None, *, up: ArrayLike | None = None,
                 down: ArrayLike | None = None) -> NDArray[np.int64]:
    """Whole numbers for ``values`` (>= 0) that add up, per group, to ``totals``.

    ``groups`` gives each value's group (0..G-1; default one group); ``totals`` the whole
    number each group adds up to (default: the rounded sum of its values). A value within
    :data:`SNAP_EUR` of a whole number is that number. ``up`` / ``down`` (booleans per
    value) mark values on a maximum / minimum: a value on a minimum takes its ceiling, and
    values on a bound move across it only when no other value of their group can. The units
    a group is short of its total go to its largest fractional parts (ties to the earlier
    position); units it has too many (where snapping or a minimum raised values) are taken
    from the values raised most or nearest their floor, never from a zero. Every value ends
    within a euro of its exact value, or, where minimums take more than their share, within
    two.
    """
    v = np.maximum(np.asarray(values, dtype=float), 0.0)
    n = v.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    n_groups = int(g.max()) + 1 if totals is None else len(np.atleast_1d(totals))
    target = (np.rint(np.bincount(g, v, minlength=n_groups)) if totals is None
              else np.asarray(totals, dtype=float).reshape(-1))
    near = np.rint(v)
    base = np.where(np.abs(v - near) <= SNAP_EUR, near, np.floor(v))
    above = v - base  # in [0, 1) where not snapped; within SNAP_EUR of 0 where snapped
    may_up = np.ones(n, dtype=bool) if up is None else np.asarray(up, dtype=bool)
    may_down = np.ones(n, dtype=bool) if down is None else np.asarray(down, dtype=bool)
    # a value on a minimum that lies between two whole euros takes the upper one: its
    # floor would cross the minimum (the euro is found among the other values below)
    lifted = ~may_down & (above > SNAP_EUR)
    base[lifted] += 1.0
    above[lifted] -= 1.0
    short = (target - np.bincount(g, base, minlength=n_groups)).astype(np.int64)
    out = base.astype(np.int64)
    index = np.arange(n)
    # parts within a micro-euro of each other are a tie (to the earlier position): the
    # solver's last digits do not decide which of two halves goes up
    part = np.round(above, TIE_DECIMALS)
    if (short > 0).any():
        # first the values free to go up, by their part above the whole euro
        order = np.lexsort((index, -part, ~may_up, g))
        rank = index - np.searchsorted(g[order], g[order], side="left")
        out[order[rank < short[g[order]]]] += 1
    if (short < 0).any():
        # first the values free to go down that snapping raised most; a zero never
        order = np.lexsort((index, part, ~may_down, base <= 0, g))
        rank = index - np.searchsorted(g[order], g[order], side="left")
        out[order[rank < -short[g[order]]]] -= 1
    return out
