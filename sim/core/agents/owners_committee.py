"""Owners' committee (业主委员会): owners' representatives who supervise the property firm
(ODD §7.6, §7.7).

What it senses: its members (who they are, their hours and other seats, whom they answer
to), its firm's service quality and whether shirking was detected, the strikes against the
firm, and residents' support (participation).
What it wants: good service for the fees — as far as its members answer to the owners.
What it chooses each month: (1) how closely to monitor the firm (`monitor`: its members'
seat hours × performance against `oc_monitoring_hours`); (2) after a detection (`respond`),
to sanction, to re-tender at `retender_strikes` strikes — with a probability equal to its
independence, which shared people with the firm's allies blunt (coordination.checks) — or,
when re-tendering fails and strikes mount, to sue; (3) its members may come to answer to the
firm (`drift_to_firm`): the chance rises as a member's independence falls, and a party
member resists (`party_capture_protection`). It is functioning with at least
`oc_quorum_members` active members, stalled below that, captured when most members answer
to the firm. Its seat is a node of the network for every compound; the agent exists only
while a committee is formed.
"""

from __future__ import annotations

import numpy as np

from ..people import OC
from ..state import OC_CAPTURED, OC_FUNCTIONING, OC_STALLED, OC_STATES
from .base import GovernanceAgent, column

INDEPENDENCE_FLOOR = 0.05
"""A member's independence below this counts as this (the chance to turn stays finite)."""


class OwnersCommittee(GovernanceAgent):
    """Zero or one per compound (`index` = compound)."""

    table = "compounds"
    kind = "owners_committee"

    oc_state = column()
    oc_age = column()
    independence = column()
    firm = column()

    @property
    def state(self) -> str:
        """'functioning', 'stalled' or 'captured'."""
        return OC_STATES[self.oc_state]

    @property
    def functioning(self) -> bool:
        return self.state == "functioning"

    def members(self) -> np.ndarray:
        return self.model.org_members(OC, self.index)

    # --- health (§7.7) -------------------------------------------------------------------
    def take_stock(self) -> None:
        """Its state from its members: captured if most answer to the firm, stalled below
        the quorum of active members, else functioning."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        members = self.members()
        firm = cp.firm[self.index]
        allied = int(np.count_nonzero(m.people.allied_firm[members] == firm)) if firm >= 0 else 0
        if members.size and firm >= 0 and allied * 2 > members.size:
            state = OC_CAPTURED
        elif members.size < p["oc_quorum_members"]:
            state = OC_STALLED
        else:
            state = OC_FUNCTIONING
        cp.oc_state[self.index] = state
        perf = m.people.performance[members]
        cp.oc_performance[self.index] = float(perf.mean()) if members.size else 0.0

    def drift_to_firm(self) -> None:
        """Each member not yet answering to the firm may come to: more likely the less
        independent the member (other seats with the firm's allies), less likely for a party
        member, and less under an active property-management committee."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        firm = int(cp.firm[self.index])
        if firm < 0:
            return
        members = self.members()
        free = members[m.people.allied_firm[members] != firm]
        if free.size == 0:
            return
        rng = m.streams["organisations"]
        u = rng.random(free.size)
        bound = p["collusion_rate"] / INDEPENDENCE_FLOOR  # the largest chance below
        look = u < bound
        if not look.any():
            return
        free, u = free[look], u[look]
        independence = m.member_independence(free, self.index)
        party = m.people.party_member[free]
        chance = (p["collusion_rate"] * (1 - p["party_capture_protection"] * party)
                  / np.maximum(independence, INDEPENDENCE_FLOOR))
        chance = chance * (1 - p["professional_capture_protection"] * m.pmc_watch(self.index))
        turned = free[u < chance]
        if turned.size:
            m.people.allied_firm[turned] = firm
            m.month.collusions += int(turned.size)

    # --- supervision (§7.6) ----------------------------------------------------------------
    def monitor(self) -> float:
        """Monitoring intensity this month (0-1): what its members' hours allow."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        if cp.oc_state[self.index] != OC_FUNCTIONING:
            return 0.0
        hours = m.seat_hours_given(OC, self.index)
        return float(min(1.0, hours / max(p["oc_monitoring_hours"], 1e-9)))

    def respond(self) -> None:
        """After this month's detection: re-tender at enough strikes, with a probability
        equal to its independence; sue when re-tendering fails and strikes pile up."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        i = self.index
        if cp.oc_state[i] != OC_FUNCTIONING or cp.firm[i] < 0 or not cp.detected[i]:
            return
        rng = m.streams["organisations"]
        if cp.strikes[i] >= p["retender_strikes"]:
            if rng.random() < cp.independence[i]:
                m.retender(i, chooser=self)
                return
            if cp.strikes[i] >= 2 * p["retender_strikes"]:
                m.sue_firm(i)

    def choose_firm(self, bidders: np.ndarray) -> int:
        """Pick among bidding firms: capability against record (the firm's history)."""
        firms, p = self.model.firms, self.model.p
        value = firms.capability[bidders] - p["record_weight"] * firms.record[bidders]
        return int(bidders[np.argmax(value)])
