"""Compound party branch (小区党支部): leads owners' organising in its compound (ODD §7.7).

What it senses: whether its compound has an owners' committee, the compound's service
quality, its secretary's spare hours, and the pushes it is given (`party_led_formation`,
`xa_secretary_chairs_oc`).
What it chooses: (1) whether to convene an owners' assembly this month (lead_formation): with
the push of party-led formation, when service is poor and its secretary has hours; (2) at an
owners' election, whether its secretary stands for chair (stands_for_chair); the owners'
vote decides (sim.core.mechanisms.owners_assembly).
"""

from __future__ import annotations

from ..people import BRANCH_SECRETARY
from ..state import OC_NONE
from .base import GovernanceAgent


class PartyBranch(GovernanceAgent):
    """Zero or one per compound (`index` = compound)."""

    table = "compounds"
    kind = "party_branch"

    @property
    def secretary(self) -> int:
        return self.model.holder(BRANCH_SECRETARY, self.index)

    def lead_formation(self, u: float) -> bool:
        """Convene an owners' assembly this month? With the push's intensity times the
        compound's service shortfall times the secretary's performance (`u` uniform)."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        if cp.oc_state[self.index] != OC_NONE or self.secretary < 0:
            return False
        push = m.levers.at_compound("party_led_formation", self.index)
        if push <= 0:
            return False
        perf = m.people.performance[self.secretary]
        chance = p["oc_attempt_rate"] * p["party_attempt_boost"] * push * perf * (
            1 - cp.quality[self.index])
        return u < chance

    def stands_for_chair(self, u: float) -> bool:
        """Does its secretary stand for chair of the owners' committee?"""
        push = self.model.levers.at_compound("xa_secretary_chairs_oc", self.index)
        return self.secretary >= 0 and u < push
