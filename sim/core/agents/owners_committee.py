"""Owners' committee (业主委员会): formed by owners, supervises the property firm.

Formation needs an owners' assembly meeting the Civil-Code quorum; a committee can
function, stall, be captured or lapse (ODD §7.7); it detects shirking and re-tenders the
firm (§7.6). Its seat is a node of the network for every compound; the agent exists only
while a committee is formed.
"""

from __future__ import annotations

from ..state import OC_STATES
from .base import GovernanceAgent, column


class OwnersCommittee(GovernanceAgent):
    """Zero or one per compound (`index` = compound)."""

    table = "compounds"
    kind = "owners_committee"

    oc_state = column()
    oc_age = column()
    oc_chair_xa = column()
    oc_member_xa = column()
    independence = column()
    firm = column()

    @property
    def state(self) -> str:
        """'functioning', 'stalled' or 'captured'."""
        return OC_STATES[self.oc_state]

    @property
    def functioning(self) -> bool:
        return self.state == "functioning"
