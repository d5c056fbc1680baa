"""Largest-remainder rounding: whole euros that add up exactly to the rounded total."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def largest_remainder(values: ArrayLike, total: int | None = None) -> NDArray[np.int64]:
    """Round ``values`` (>= 0) to integers whose sum is ``total`` (default: round(sum)).

    Each value moves to its floor or its ceiling; the units left over go to the largest
    fractional parts, ties to the earlier position, so the result is deterministic.
    """
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return np.zeros(0, dtype=np.int64)
    target = int(round(float(v.sum()))) if total is None else int(total)
    base = np.floor(v)
    short = target - int(base.sum())
    order = np.argsort(-(v - base), kind="stable")
    out = base.astype(np.int64)
    if short > 0:
        out[order[:short]] += 1
    elif short < 0:  # only when an explicit total is below the sum of floors
        out[order[::-1][: -short]] -= 1
    return out
