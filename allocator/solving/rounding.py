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
    :data:`SNAP_EUR` of a whole number is that number and moves only when nothing else can.
    ``up`` / ``down`` (booleans per value) say whether the value may be rounded up / down:
    False for a value on a maximum / minimum. The units each group is short of its total
    go to its largest fractional parts (ties to the earlier position), first among the
    values that may move that way; so every value ends at its floor or its ceiling.
    """
    v = np.maximum(np.asarray(values, dtype=float), 0.0)
    n = v.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    n_groups = int(g.max()) + 1 if totals is None else len(np.atleast_1d(totals))
    near = np.rint(v)
    v = np.where(np.abs(v - near) <= SNAP_EUR, near, v)
    base = np.floor(v)
    frac = v - base
    if down is not None:  # on a minimum: its ceiling, not its floor
        forced = (frac > 0) & ~np.asarray(down, dtype=bool)
        base[forced] += 1.0
        frac[forced] = 0.0
    may_up = np.ones(n, dtype=bool) if up is None else np.asarray(up, dtype=bool)
    target = (np.rint(np.bincount(g, v, minlength=n_groups)) if totals is None
              else np.asarray(totals, dtype=float).reshape(-1))
    short = (target - np.bincount(g, base, minlength=n_groups)).astype(np.int64)
    out = base.astype(np.int64)
    # priority within a group: values that may go up, by fractional part; then the rest
    key = np.where(frac > 0, np.where(may_up, 2.0, 1.0) + frac, 0.0)
    order = np.lexsort((np.arange(n), -key, g))
    rank = np.arange(n) - np.searchsorted(g[order], g[order], side="left")
    pick = order[rank < short[g[order]]]
    out[pick] += 1
    if (short < 0).any():  # a total below the sum of floors: take from the smallest parts
        back = np.lexsort((np.arange(n)[::-1], key, g))
        rank = np.arange(n) - np.searchsorted(g[back], g[back], side="left")
        take = back[rank < -short[g[back]]]
        out[take] -= 1
    return out
