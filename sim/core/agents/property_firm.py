"""Property-management firm (物业服务企业): serves several compounds for fees.

Chooses effort per compound from fees, supervision and the risk of losing the contract;
may be sanctioned, re-tendered, or exit a compound over arrears (ODD §7.6).
"""

from __future__ import annotations

import numpy as np

from .base import GovernanceAgent, column


class PropertyFirm(GovernanceAgent):
    """`index` = firm."""

    table = "firms"
    kind = "property_firm"

    capability = column()
    revenue = column()
    lost = column()

    @property
    def compounds(self) -> np.ndarray:
        """Indices of the compounds this firm serves."""
        return np.flatnonzero(self.model.compounds.firm == self.index)

    @property
    def mean_effort(self) -> float:
        served = self.compounds
        return float(self.model.compounds.effort[served].mean()) if served.size else 0.0
