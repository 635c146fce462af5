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
RC director, its members for RC member seats, each when the nomination is worth it —
the push (`xa_one_shoulder`, `xa_two_committee_overlap`) against the separation norm
(`one_shoulder_norm`), the person's standing with residents, the chance they lose the vote,
and the load the seat adds (nomination_value) — and only people the round's rules admit and
who accept the load (at most `decline_load`); the vote decides
(sim.core.mechanisms.elections); (3) under the
push `branch_building` (a target share of its compounds with a branch of their own), where to
build compound branches (build_branches): where at least `branch_min_party_members` party
members live, largest compounds first, as many as its members' spare hours allow this month
at `branch_setup_hours` each — hours charged to them, so building branches costs the
committee's other work.
"""

from __future__ import annotations

import numpy as np

from ..mechanisms import elections
from ..network import set_edge
from ..people import DIRECTOR, OC, OC_MEMBER, PC, PC_MEMBER, RC, RC_MEMBER, SECRETARY
from .base import GovernanceAgent, column
from .party_branch import build_branch


class PartyCommittee(GovernanceAgent):
    """One per community (`index` = community)."""

    table = "communities"
    kind = "party_branch"
    BATCHED = {"convene": "convene_all"}

    coordination = column()
    leader_performance = column()
    grid_workers = column()
    convened = column()

    @staticmethod
    def reconsidering(model) -> np.ndarray:
        """Communities whose party committee has a reason to reconsider its joint ties this
        month: a compound with a firm crossed the threshold, or a convened one calmed down."""
        cp, p = model.compounds, model.p
        rate = cp.dispute_rate
        new = ~cp.convened & (cp.firm >= 0) & (rate >= p["convene_threshold"])
        calm = cp.convened & (rate < 0.5 * p["convene_threshold"])
        return np.unique(cp.community[new | calm])

    @staticmethod
    def pushed(model) -> np.ndarray:
        """Communities whose party committee is pushed to build compound branches."""
        return np.flatnonzero(model.levers.community("branch_building") > 0)

    def __init__(self, model, index: int, node: int) -> None:
        super().__init__(model, index, node)
        self.compounds = np.flatnonzero(model.compounds.community == index)
        self.compound_list: list[int] = self.compounds.tolist()

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
        self.convene_all(self.model, np.array([self.index]))

    @staticmethod
    def convene_all(model, communities: np.ndarray | None = None) -> None:
        """`convene` of the party committees of `communities` (all if None), one after the
        other in the schedule's order: what each compound asks (its dispute rate, its
        firm, whether it is convened) is read for all at once — a committee's ties change
        only its own compounds — and each committee's spare hours when its turn comes (a
        secretary of two committees has less for the second)."""
        p, cp = model.p, model.compounds
        rate = cp.dispute_rate
        keep = cp.convened & (rate >= 0.5 * p["convene_threshold"])
        want = ((cp.firm >= 0) & ((rate >= p["convene_threshold"]) | keep)).tolist()
        convened = cp.convened.tolist()
        worse = (-rate).tolist()  # a compound's place when sorting worst first
        hours = p["convening_hours"]
        wanted = None if communities is None else set(np.asarray(communities).tolist())
        for agent in model.agents_by_type.get(PartyCommittee, ()):
            i = agent.index
            if wanted is not None and i not in wanted:
                continue
            own = agent.compound_list  # in compound order
            if not own:
                continue
            if not any(want[j] for j in own) and not any(convened[j] for j in own):
                charge_convening(model, i, 0.0)
                model.communities.convened[i] = 0
                continue
            # its compounds worst first, ties in compound order (a stable sort)
            worst_first = sorted(own, key=worse.__getitem__)
            capacity = int(agent.spare_hours() // max(hours, 1e-9))
            chosen = set()
            for j in worst_first:
                if capacity <= 0:
                    break
                if want[j]:
                    chosen.add(j)
                    capacity -= 1
            for j in own:
                if (j in chosen) != convened[j]:
                    set_joint_tie(model, j, j in chosen)
            model.communities.convened[i] = len(chosen)
            charge_convening(model, i, float(len(chosen)) * hours)

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
            build_branch(m, compound)
        if cost > 0:
            m.people.setup_hours[people] += k * cost * spare / spare.sum()

    # --- nominations (§7.13) -------------------------------------------------------------
    @property
    def secretary(self) -> int:
        return self.model.holder(SECRETARY, self.index)

    def load_with(self, person: int, seat: int) -> float:
        return elections.load_with(self.model, person, seat)

    def can_stand(self, person: int, seat: int) -> bool:
        """May `person` stand for `seat` under the round's rules, and would they accept the
        load it adds (at most `decline_load`)?"""
        ok = elections.eligible(self.model, np.array([person]))[0]
        return bool(ok and not elections.declines(self.model, person, seat))

    def nomination_value(self, person: int, seat: int, push: float, context: tuple) -> float:
        return elections.nomination_value(self.model, person, seat, push, context)

    def nominate_director(self, context: tuple) -> tuple[int, bool]:
        """Its nominee for RC director, and whether someone declined: its secretary if the
        rules let them stand, they accept the load and the nomination is worth it (push
        `xa_one_shoulder`); else the incumbent director if eligible; else -1 (a new
        candidate stands)."""
        m = self.model
        seat = int(m.seats_of(RC, self.index, DIRECTOR)[0])
        push = m.levers.at("xa_one_shoulder", self.index)
        secretary = self.secretary
        declined = False
        if secretary >= 0 and elections.eligible(m, np.array([secretary]))[0]:
            if elections.declines(m, secretary, seat):
                declined = True
            elif self.nomination_value(secretary, seat, push, context) > 0:
                return secretary, False
        incumbent = m.director_of(self.index)
        if (
            incumbent >= 0
            and incumbent != secretary
            and elections.eligible(m, np.array([incumbent]))[0]
        ):
            return incumbent, declined
        return -1, declined

    def nominate_member(self, taken: set[int], context: tuple) -> tuple[int, bool]:
        """Its nominee for an RC member seat, and whether someone declined: the member of
        the party committee, not yet standing, for whom the nomination is worth most (push
        `xa_two_committee_overlap`), if worth anything and they accept; else -1."""
        m = self.model
        push = m.levers.at("xa_two_committee_overlap", self.index)
        seat = int(m.seats_of(RC, self.index, RC_MEMBER)[0])
        best, best_value, declined = -1, 0.0, False
        for k in m.holders(PC_MEMBER, self.index):
            if k < 0 or k in taken or not elections.eligible(m, np.array([k]))[0]:
                continue
            if elections.declines(m, k, seat):
                declined = True
                continue
            value = self.nomination_value(k, seat, push, context)
            if value > best_value:
                best, best_value = int(k), value
        return best, declined and best < 0

    def nominate_for_owners(self, compound: int, context: tuple) -> int:
        """Its nominee for a member seat of the owners' committee of `compound` (one of its
        own or the RC's members, push `xa_two_committee_member_on_oc`): the one for whom the
        nomination is worth most, if worth anything and they accept the load; else -1.
        `context` is the owners' election: their trust in the party, the party members
        among them, a contest always."""
        m = self.model
        push = m.levers.compound("xa_two_committee_member_on_oc")[compound]
        if push <= 0:
            return -1
        seat = int(m.seats_of(OC, compound, OC_MEMBER)[0])
        pool = np.array(
            m.holders(PC_MEMBER, self.index) + m.holders(RC_MEMBER, self.index), dtype=np.int64
        )
        return elections.best_nominee(m, pool[pool >= 0], seat, push, context)


def set_joint_tie(model, compound: int, present: bool) -> None:
    """The party organisation convenes (or drops) a standing tie of the compound's RC,
    owners' committee seat and firm (and branch)."""
    cp, off = model.compounds, model.world.node_offset
    if present and cp.firm[compound] < 0:
        return
    rc = off["residents_committee"] + int(cp.community[compound])
    oc = off["owners_committee"] + compound
    pairs = [(rc, oc)]
    if cp.firm[compound] >= 0:
        firm = off["property_firm"] + int(cp.firm[compound])
        pairs.append((rc, firm))
        if compound in model.branches:
            pairs.append((model.branches[compound].node, firm))
    for u, v in pairs:
        set_edge(model, u, v, "coordination", present)
    if present and not cp.convened[compound]:
        model.month.convened_new += 1
    cp.convened[compound] = present


def charge_convening(model, community: int, hours: float) -> None:
    """Book the hours the party committee's standing ties ask of its secretary."""
    secretary = model.holder(SECRETARY, community)
    if secretary >= 0:
        model.people.extra_hours[secretary] = hours
