"""Community party organisation (社区党组织): coordinates, nominates and mobilises (ODD §7.5,
§7.7, §7.13).

What it senses: the disputes of recent months in each compound of its community (a moving
average over `convene_memory_months`), which compounds
it already convenes, the spare hours of its secretary and members (their other seats
included), the cross-appointment pushes it is given (levers), and at an election its own
members and the incumbents.
What it wants: harmony (few disputes, none escalating) and the policy pushes fulfilled.
What it chooses: (1) where to keep a standing joint tie — a regular meeting of the residents'
committee, the compound's owners' committee and its firm (三方联动) — for compounds whose
disputes run above `convene_threshold`, worst first, as many as its secretary can chair
(`convening_hours` each) without a load above `convening_max_load`; a tie is a
`coordination` edge of the network, and it is dropped when the compound calms down (below
half the threshold). A secretary who is also RC director has fewer hours to spare;
(2) whom to nominate at an election (nominate_director, nominate_member): its secretary for
RC director with the push `xa_one_shoulder`, its members for RC seats with the push
`xa_two_committee_overlap`; the vote decides (sim.core.mechanisms.elections); (3) under the
push `branch_building` (a target share of its compounds with a branch of their own), where to
build compound branches (build_branches): where at least `branch_min_party_members` party
members live, largest compounds first, as many as its members' spare hours allow this month
at `branch_setup_hours` each — hours charged to them, so building branches costs the
committee's other work.
"""

from __future__ import annotations

import numpy as np

from ..people import PC, PC_MEMBER, SECRETARY  # noqa: F401
from .base import GovernanceAgent, column


class PartyCommittee(GovernanceAgent):
    """One per community (`index` = community)."""

    table = "communities"
    kind = "party_branch"

    coordination = column()
    leader_performance = column()
    grid_workers = column()
    convened = column()

    def __init__(self, model, index: int, node: int) -> None:
        super().__init__(model, index, node)
        self.compounds = np.flatnonzero(model.compounds.community == index)

    # --- convening joint problems (§7.5) ------------------------------------------------
    def spare_hours(self) -> float:
        """Hours its secretary can give to joint ties before the load passes
        `convening_max_load` (their seats counted, earlier convening not)."""
        m = self.model
        k = m.holder(SECRETARY, self.index)
        if k < 0:
            return 0.0
        ppl = m.people
        seats = ppl.hours[k] * ppl.load[k] - ppl.extra_hours[k]
        return max(m.p["convening_max_load"] * ppl.hours[k] - seats, 0.0)

    def convene(self) -> None:
        """Keep standing joint ties where disputes run highest, within spare hours."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        c = self.compounds
        if c.size == 0:
            return
        rate = cp.dispute_rate[c]
        has_firm = cp.firm[c] >= 0
        keep = cp.convened[c] & (rate >= 0.5 * p["convene_threshold"])
        want = has_firm & ((rate >= p["convene_threshold"]) | keep)
        if not want.any() and not cp.convened[c].any():
            m.charge_convening(self.index, 0.0)
            self.convened = 0
            return
        capacity = int(self.spare_hours() // max(p["convening_hours"], 1e-9))
        order = np.argsort(-rate, kind="stable")
        chosen = np.zeros(c.size, dtype=bool)
        for j in order:
            if capacity <= 0:
                break
            if want[j]:
                chosen[j] = True
                capacity -= 1
        for j in np.flatnonzero(chosen != cp.convened[c]):
            m.set_joint_tie(int(c[j]), bool(chosen[j]))
        self.convened = int(chosen.sum())
        m.charge_convening(self.index, float(chosen.sum()) * p["convening_hours"])

    # --- branches in compounds (§7.7) ----------------------------------------------------
    def members_spare_hours(self) -> tuple[np.ndarray, np.ndarray]:
        """Its seat-holders (secretary and members) and the hours each can give this month
        before their load passes `convening_max_load`."""
        m = self.model
        people = np.unique(m.org_members(PC, self.index))
        ppl = m.people
        used = ppl.hours[people] * ppl.load[people]
        spare = np.maximum(m.p["convening_max_load"] * ppl.hours[people] - used, 0.0)
        return people, spare

    def build_branches(self) -> None:
        """Build compound branches toward the target share (see the module docstring)."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        c = self.compounds
        target = m.levers.community("branch_building")[self.index]
        if target <= 0 or c.size == 0:
            return
        need = int(np.ceil(target * c.size - 1e-9)) - int(cp.has_branch[c].sum())
        able = c[~cp.has_branch[c] & (cp.party_members[c] >= p["branch_min_party_members"])]
        if need <= 0 or able.size == 0:
            return
        people, spare = self.members_spare_hours()
        cost = p["branch_setup_hours"]
        can = able.size if cost <= 0 else int(spare.sum() // cost)
        k = min(need, able.size, can)
        if k <= 0:
            return
        order = np.argsort(-cp.residents[able], kind="stable")[:k]
        for compound in able[order].tolist():
            m.build_branch(compound)
        if cost > 0:
            m.people.setup_hours[people] += k * cost * spare / spare.sum()

    # --- nominations (§7.13) -------------------------------------------------------------
    def nominate_director(self, u: float) -> int:
        """Its nominee for RC director: the secretary with the push's probability (`u` is
        the uniform draw), else the incumbent director if not the secretary, else -1 (a
        new candidate is found)."""
        m = self.model
        push = m.levers.at("xa_one_shoulder", self.index)
        secretary = m.holder(SECRETARY, self.index)
        if secretary >= 0 and u < push:
            return secretary
        incumbent = m.director_of(self.index)
        return incumbent if incumbent >= 0 and incumbent != secretary else -1

    def nominate_member(self, u: float, taken: set[int]) -> int:
        """Its nominee for an RC member seat: one of its members not yet on the RC, with
        the overlap push's probability (`u`), else -1 (a candidate from outside)."""
        m = self.model
        push = m.levers.at("xa_two_committee_overlap", self.index)
        if u >= push:
            return -1
        for k in m.holders(PC_MEMBER, self.index):
            if k >= 0 and k not in taken:
                return int(k)
        return -1
