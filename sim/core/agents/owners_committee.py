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
from ..rows import row_means, row_sums
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

    @staticmethod
    def sitting(model) -> np.ndarray:
        """Compounds with a sitting committee, in the order of `model.owners_committees`."""
        return np.fromiter(
            model.owners_committees, dtype=np.int64, count=len(model.owners_committees)
        )

    def members(self) -> np.ndarray:
        return self.model.org_members(OC, self.index)

    # --- health (§7.7) -------------------------------------------------------------------
    def take_stock(self) -> None:
        """Its state from its members: captured if most answer to the firm, stalled below
        the quorum of active members, else functioning."""
        self.take_stock_all(self.model, np.array([self.index]))

    @staticmethod
    def take_stock_all(model, compounds: np.ndarray) -> None:
        """`take_stock` of the committees of `compounds` at once (each reads only its own
        members, so the order does not matter)."""
        p, cp, people = model.p, model.compounds, model.people
        holder = model.seats.holder[model.oc_seat_table[compounds]]  # committee × seat
        filled = holder >= 0
        size = filled.sum(axis=1)
        firm = cp.firm[compounds]
        allied = (filled & (people.allied_firm[np.maximum(holder, 0)] == firm[:, None])).sum(axis=1)
        cp.oc_state[compounds] = np.where(
            (size > 0) & (firm >= 0) & (allied * 2 > size),
            OC_CAPTURED,
            np.where(size < p["oc_quorum_members"], OC_STALLED, OC_FUNCTIONING),
        )
        perf = np.where(filled, people.performance[np.maximum(holder, 0)], 0.0)
        cp.oc_performance[compounds] = row_means(perf, filled)

    def drift_to_firm(self) -> None:
        """Each member not yet answering to the firm may come to: more likely the less
        independent the member (other seats with the firm's allies), less likely for a party
        member, and less under an active property-management committee."""
        m, cp = self.model, self.model.compounds
        firm = int(cp.firm[self.index])
        if firm < 0:
            return
        members = self.members()
        free = members[m.people.allied_firm[members] != firm]
        if free.size == 0:
            return
        u = m.streams["organisations"].random(free.size)
        self._turn(free, u)

    def _turn(self, free: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Members `free` (not answering to the firm) with uniforms `u`: those whose draw is
        below their chance come to answer to the firm; returns them."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        look = u < p["collusion_rate"] / INDEPENDENCE_FLOOR  # the largest chance below
        if not look.any():
            return free[:0]
        free, u = free[look], u[look]
        independence = m.member_independence(free, self.index)
        party = m.people.party_member[free]
        chance = (
            p["collusion_rate"]
            * (1 - p["party_capture_protection"] * party)
            / np.maximum(independence, INDEPENDENCE_FLOOR)
        )
        chance = chance * (1 - p["professional_capture_protection"] * m.pmc_watch(self.index))
        turned = free[u < chance]
        if turned.size:
            m.people.allied_firm[turned] = cp.firm[self.index]
            m.month.collusions += int(turned.size)
        return turned

    @staticmethod
    def drift_all(model, compounds: np.ndarray) -> None:
        """`drift_to_firm` of the committees of `compounds`, in that order, with the same
        draws as one call after the other: all uniforms are drawn at once and only the
        committees where a member may turn decide further. If someone who turned sits on
        another of these committees with the same firm (whose draws then assumed them still
        free), the month is redone one committee at a time."""
        cp, people = model.compounds, model.people
        rng = model.streams["organisations"]
        holder = model.seats.holder[model.oc_seat_table[compounds]]
        firm = cp.firm[compounds]
        free = (
            (holder >= 0)
            & (firm[:, None] >= 0)
            & (people.allied_firm[np.maximum(holder, 0)] != firm[:, None])
        )
        count = free.sum(axis=1)
        before = rng.bit_generator.state
        u = rng.random(int(count.sum()))
        start = np.cumsum(count) - count
        bound = model.p["collusion_rate"] / INDEPENDENCE_FLOOR
        looks = (
            np.flatnonzero(np.logical_or.reduceat(u < bound, start[count > 0]))
            if u.size
            else np.zeros(0, dtype=np.int64)
        )
        rows = np.flatnonzero(count > 0)[looks]
        allied, collusions = people.allied_firm.copy(), model.month.collusions
        turned: list[int] = []
        for r in rows.tolist():
            committee = model.owners_committees[int(compounds[r])]
            turned += committee._turn(
                holder[r][free[r]], u[start[r] : start[r] + count[r]]
            ).tolist()
        turned_people = np.unique(turned)  # who turned (once each, wherever they turned)
        if np.isin(holder, turned_people).sum() > turned_people.size:
            rng.bit_generator.state = before  # a turned member sits on two of them
            people.allied_firm[:] = allied
            model.month.collusions = collusions
            for c in compounds.tolist():
                model.owners_committees[c].drift_to_firm()

    # --- supervision (§7.6) ----------------------------------------------------------------
    def monitor(self) -> float:
        """Monitoring intensity this month (0-1): what its members' hours allow."""
        return float(self.monitors(self.model, np.array([self.index]))[0])

    @staticmethod
    def monitors(model, compounds: np.ndarray) -> np.ndarray:
        """`monitor` of the committees of `compounds` at once: the hours their members give
        their seats (× performance) against `oc_monitoring_hours`; 0 unless functioning."""
        p, seats = model.p, model.seats
        table = model.oc_seat_table[compounds]
        holder = seats.holder[table]
        given = row_sums(
            seats.hours[table] * model.people.performance[np.maximum(holder, 0)], holder >= 0
        )
        intensity = np.minimum(1.0, given / max(p["oc_monitoring_hours"], 1e-9))
        return np.where(model.compounds.oc_state[compounds] == OC_FUNCTIONING, intensity, 0.0)

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
