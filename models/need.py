r"""The need built from verdeelmaatstaven: measures per region, weights per goal.

This is how the Dutch state already shares money over areas (the Gemeentefonds: measures
times weights times a payout factor). Each indicator i gives a measure per region,

    m_ri = v_ri                      (a count: inhabitants, addresses, ...)
    m_ri = v_ri * m_rj               (a share "of" another indicator j: the share aged 65+
                                      of the inhabitants is the number aged 65+)

and each goal g has a national need N_g and a weight w_gi for each indicator in its split.
Region r's share of indicator i is s_ri = m_ri / sum_r m_ri, and

    need_rg = N_g * sum_i w_gi s_ri / sum_i w_gi

so every goal's national need is shared out in full, and the contribution of indicator i to
cell (r, g), N_g w_gi s_ri / sum_i w_gi, is the derivation a reader sees. The need is linear
in the national needs and, indicator by indicator, in each region's share: a change in a
sourced figure (a population, a share aged 65+) moves the need, and so the allocation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.data import FloatArray


@dataclass(frozen=True)
class NeedModel:
    """The arrays of a need model: ``values`` (regions x indicators), ``of`` (per indicator
    the index of the indicator it is a share of, -1 for a count), ``weights`` (goals x
    indicators) and ``national`` (per goal, euros)."""

    values: FloatArray
    of: np.ndarray
    weights: FloatArray
    national: FloatArray

    def measures(self) -> FloatArray:
        """m_ri: the value, times the measure it is a share of."""
        base = self.values.copy()
        shares = np.flatnonzero(self.of >= 0)
        base[:, shares] = self.values[:, shares] * self.values[:, self.of[shares]]
        return base

    def shares(self) -> FloatArray:
        """s_ri = m_ri / sum_r m_ri (every indicator in use has a positive total)."""
        m = self.measures()
        total = m.sum(axis=0)
        return np.divide(m, total, out=np.zeros_like(m), where=total > 0)

    def contributions(self) -> FloatArray:
        """(regions x goals x indicators): N_g w_gi s_ri / sum_i w_gi, in euros."""
        w = self.weights
        norm = w.sum(axis=1, keepdims=True)
        split = np.divide(w, norm, out=np.zeros_like(w), where=norm > 0)  # (G, I)
        return self.shares()[:, None, :] * (self.national[:, None] * split)[None, :, :]

    def need(self) -> FloatArray:
        """need_rg (regions x goals), in euros."""
        return self.contributions().sum(axis=2)
