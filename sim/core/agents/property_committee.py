"""Community property-management committee (物业管理委员会 / 环境和物业管理委员会): convened by
the street with professional members; supervises the community's firms and owners'
committees (ODD §7.6).

It exists where the lever `professional_committee` is on: the street appoints
`pmc_professional_seats` professionals, and the residents' committee's director sits on it
as convenor (a 'two committees' member, and so a shared person with the committee that
works with the firms); the other seats go to owners. What it chooses: how to spread its
members' hours over the firm-served compounds of the community (`watch`: monitoring
intensity per compound), which sets its chance to detect shirking
(`detect_professional` × its independence from the firm × intensity) and damps the drift of
owners'-committee members toward the firm. It costs the residents' committee
`professional_committee_hours` a month.
"""

from __future__ import annotations

import numpy as np

from ..mechanisms import coordination
from ..network import set_edge
from ..people import PMC, PROFESSIONAL, VOLUNTEER
from .base import GovernanceAgent


class PropertyCommittee(GovernanceAgent):
    """Zero or one per community (`index` = community)."""

    table = "communities"
    kind = "property_committee"

    def members(self) -> np.ndarray:
        return self.model.org_members(PMC, self.index)

    @staticmethod
    def watch_all(model) -> np.ndarray:
        """Per compound: monitoring intensity of its community's property committee, where
        a `supervision` edge ties the committee to the compound's owners."""
        cp, off = model.compounds, model.world.node_offset
        if not model.property_committees:  # no one watches anywhere
            return np.zeros(cp.n)
        watch = np.zeros(model.communities.n)
        for c, committee in model.property_committees.items():
            watch[c] = committee.watch()
        tied = coordination.has_edges(
            model,
            "supervision",
            off["property_committee"] + cp.community,
            off["owners_committee"] + np.arange(cp.n),
        )
        return np.where(tied, watch[cp.community], 0.0)

    def watch(self) -> float:
        """Monitoring intensity per firm-served compound of the community (0-1)."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        served = np.count_nonzero((cp.community == self.index) & (cp.firm >= 0))
        if served == 0:
            return 0.0
        hours = m.seat_hours_given(PMC, self.index, skilled=True)
        need = p["oc_monitoring_hours"] * served
        return float(min(1.0, hours / max(need, 1e-9)))


def convene_property_committee(model, community: int, present: bool) -> None:
    """The street convenes (or disbands) the community's property-management committee:
    professionals, the RC director as convenor, owners."""
    cm, off = model.communities, model.world.node_offset
    if bool(cm.pmc[community]) == present:
        return
    node = off["property_committee"] + community
    seats = model.seats_of(PMC, community)
    street = off["street_office"] + int(cm.street[community])
    cp = model.compounds
    if present:
        k = model.p["pmc_professional_seats"]
        pros = model.new_people(min(k, seats.size), PROFESSIONAL, community)
        holders = list(pros)
        director = model.director_of(community)
        if director >= 0 and len(holders) < seats.size:
            holders.append(director)
        while len(holders) < seats.size:
            holders.append(int(model.new_people(1, VOLUNTEER, community)[0]))
        model.fill(seats, np.array(holders[: seats.size]))
        model.property_committees[community] = PropertyCommittee(model, community, node)
    else:
        model.vacate(seats)
        model.property_committees.pop(community).remove()
    set_edge(model, street, node, "hierarchy", present)
    set_edge(model, node, off["residents_committee"] + community, "coordination", present)
    for c in np.flatnonzero(cp.community == community).tolist():
        set_edge(model, node, off["owners_committee"] + c, "supervision", present)
    cm.pmc[community] = present
    model.sync_shared_edges()
