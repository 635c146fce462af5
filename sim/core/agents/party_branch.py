"""Compound party branch (小区党支部): leads owners' organising in its compound (ODD §7.7).

A branch exists where enough party members live and either it was there at the start or a
community party committee built it (PartyCommittee.build_branches, under the push
`branch_building`); its secretary is a resident party member.
What it senses: whether its compound has an elected owners' committee, the compound's
service quality, its secretary's performance, and the pushes it is given
(`party_led_formation`, `xa_secretary_chairs_oc`).
What it chooses: (1) whether to convene an owners' assembly this month (lead_formation): with
the push of party-led formation, when service is poor and its secretary has hours — where no
committee sits, or only one the street convened; (2) at an owners' election, whether its
secretary stands for chair (stands_for_chair: the push `xa_secretary_chairs_oc` weighed
against the separation norm, the secretary's standing, the chance owners vote them down and
the load, as a party committee weighs its nominations); the owners' vote decides
(sim.core.mechanisms.owners_assembly). A branch also mobilises its party members to vote in
residents'-committee elections (sim.core.mechanisms.elections).
"""

from __future__ import annotations

import numpy as np

from ..mechanisms import elections
from ..network import set_edge
from ..people import BRANCH, BRANCH_SECRETARY, OC, OC_CHAIR, VOLUNTEER
from ..state import OC_ELECTED
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
        return bool(self.lead_formations(self.model, np.array([self.index]), np.array([u]))[0])

    @staticmethod
    def lead_formations(model, compounds: np.ndarray, u: np.ndarray) -> np.ndarray:
        """`lead_formation` of the branches of `compounds` at once (uniforms `u`): a branch
        convenes only where its compound has no elected committee, it has a secretary and a
        push."""
        p, cp = model.p, model.compounds
        secretary = model.holder_of(BRANCH_SECRETARY, compounds)
        push = model.levers.compound("party_led_formation")[compounds]
        able = (cp.oc_kind[compounds] != OC_ELECTED) & (secretary >= 0) & (push > 0)
        perf = model.people.performance[np.maximum(secretary, 0)]
        chance = (
            p["oc_attempt_rate"]
            * p["party_attempt_boost"]
            * push
            * perf
            * (1 - cp.quality[compounds])
        )
        return able & (u < chance)

    def stands_for_chair(self, context: tuple) -> bool:
        """Does its secretary stand for chair of the owners' committee? When it is worth it
        (elections.nomination_value with the push `xa_secretary_chairs_oc`, the owners'
        election as `context`) and the secretary accepts the load (at most
        `decline_load`)."""
        m = self.model
        secretary = self.secretary
        if secretary < 0:
            return False
        push = m.levers.at_compound("xa_secretary_chairs_oc", self.index)
        seat = int(m.seats_of(OC, self.index, OC_CHAIR)[0])
        return elections.best_nominee(m, np.array([secretary]), seat, push, context) >= 0


def build_branch(model, compound: int) -> None:
    """Set up the party branch of `compound`: tied to its community's party committee
    and to the compound's owners, its secretary a party member living there."""
    cp, off = model.compounds, model.world.node_offset
    node = off["compound_branch"] + compound
    community = int(cp.community[compound])
    cp.has_branch[compound] = True
    set_edge(model, off["party_branch"] + community, node, "hierarchy")
    set_edge(model, node, off["owners_committee"] + compound, "coordination")
    model.branches[compound] = PartyBranch(model, compound, node)
    secretary = model.new_people(1, VOLUNTEER, community, compound, party=True)
    model.fill(model.seats_of(BRANCH, compound), secretary)
    model.month.branches_built += 1
