"""NGO / social organisation (社会组织): delivers professional services under contracts.

Bids for community projects; screening and third-party evaluation change who wins; grows
capability with experience, fails when reserves run out, drifts from its mission as
government money dominates its income (ODD §7.9). A slot on the network is re-filled by a
new NGO after one fails.
"""

from __future__ import annotations

import numpy as np

from .base import GovernanceAgent, column


class NGO(GovernanceAgent):
    """`index` = NGO slot."""

    table = "ngos"
    kind = "ngo"

    alive = column()
    capability = column()
    compliance = column()
    alignment = column()
    reserve = column()
    gov_share = column()

    @property
    def communities(self) -> np.ndarray:
        """Indices of the communities holding a contract with this NGO."""
        return np.flatnonzero(self.model.communities.ngo == self.index)

    @property
    def drifted(self) -> bool:
        """Mission alignment has fallen below the model's drift threshold."""
        return self.alive and self.alignment < self.model.p["drift_threshold"]
