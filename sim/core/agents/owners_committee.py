"""Owners' committee (业主委员会): owners' representatives who supervise the property firm
(ODD §7.6, §7.7).

What it senses: its members (who they are, their hours and other seats, whom they answer
to, what each gives), its firm's service and whether shirking was detected, the strikes
against the firm, the owners' support (participation), their grievances (disputes) and the
street's backing (a lever, `oc_support`).
What it wants: good service for the fees — as far as its members give their time and answer
to the owners.
What its members choose each month (`choose_efforts`): how much of their seat's hours to
give. They are volunteers: effort is worth their civic motivation × (`oc_value_base` +
`oc_support_weight` × support + `oc_grievance_weight` × grievance + `oc_backing_weight` ×
backing + `oc_peer_weight` × the other members' effort last month) and costs `oc_time_cost`
× (1 + the load of their other seats); each moves `oc_effort_adjust` of the way toward
min(1, worth / cost). A member who answers to the firm gives nothing to checking it.
What the committee then does: it *acts* (meets and checks the firm) in a month when at least
`oc_quorum_members` members give `oc_active_effort` or more; its monitoring intensity is its
members' hours given × performance against `oc_monitoring_hours`, and only an acting
committee monitors, answers detected shirking (`respond`: re-tender with a probability equal
to its independence, or sue) and co-opts owners into vacant seats. It functions while it has
acted within the last `oc_dormancy_months`, is dormant after that (formed, not functioning),
and captured when most members answer to the firm (`drift_to_firm`). A dormant committee
wakes when its members' effort rises again: a dispute, the street's backing, new members.

Its seat is a node of the network for every compound; the agent exists only while a
committee sits. A committee the street convened (ConvenedCommittee) decides the same way.
"""

from __future__ import annotations

import numpy as np

from ..mechanisms import coordination, disputes
from ..people import OC
from ..rows import among, row_sums
from ..state import OC_CAPTURED, OC_DORMANT, OC_ELECTED, OC_FUNCTIONING, OC_STATES
from .base import GovernanceAgent, column
from .property_committee import PropertyCommittee

INDEPENDENCE_FLOOR = 0.05
"""A member's independence below this counts as this (the chance to turn stays finite)."""


class OwnersCommittee(GovernanceAgent):
    """Zero or one per compound (`index` = compound)."""

    table = "compounds"
    kind = "owners_committee"
    BATCHED = {"act": "act_all", "respond": "respond_all"}
    elected = True
    """Elected by the owners' assembly (a convened committee is appointed by the street)."""

    oc_state = column()
    oc_age = column()
    independence = column()
    firm = column()

    @property
    def state(self) -> str:
        """'functioning', 'dormant' or 'captured'."""
        return OC_STATES[self.oc_state]

    @property
    def functioning(self) -> bool:
        return self.state == "functioning"

    @staticmethod
    def sitting(model) -> np.ndarray:
        """Compounds with a sitting committee (elected or convened), in the order of
        `model.owners_committees`."""
        return np.fromiter(
            model.owners_committees, dtype=np.int64, count=len(model.owners_committees)
        )

    def members(self) -> np.ndarray:
        return self.model.org_members(OC, self.index)

    # --- effort and activity (§7.7) ------------------------------------------------------
    def choose_effort(self) -> None:
        """Its members choose this month's effort (see the module docstring)."""
        self.choose_efforts(self.model, np.array([self.index]))

    @staticmethod
    def backing(model, compounds: np.ndarray) -> np.ndarray:
        """The street's backing as the members of each committee feel it (0-1): the support
        the street gives it this month (StreetOffice.plan_owners_work); a convened committee
        also has the backing of the street that appointed it (`convened_backing`)."""
        cp = model.compounds
        given = cp.oc_backing[compounds]
        convened = cp.oc_kind[compounds] != OC_ELECTED
        return np.where(convened, np.maximum(given, model.p["convened_backing"]), given)

    @staticmethod
    def choose_efforts(model, compounds: np.ndarray) -> None:
        """Every member of the committees of `compounds` chooses effort (each reads only
        its own committee's state of last month, so the order does not matter)."""
        if compounds.size == 0:
            return
        p, cp, people, seats = model.p, model.compounds, model.people, model.seats
        table = model.oc_seat_table[compounds]  # committee × seat
        holder = seats.holder[table]
        filled = holder >= 0
        who = np.maximum(holder, 0)
        support = np.minimum(cp.participation[compounds] / p["oc_support_participation"], 1.0)
        grievance = np.minimum(cp.dispute_rate[compounds] / p["oc_grievance_disputes"], 1.0)
        backing = OwnersCommittee.backing(model, compounds)
        effort = seats.effort[table]
        hours = seats.hours[table]
        count = filled.sum(axis=1)
        total = row_sums(effort, filled)
        peers = np.where(
            count[:, None] > 1,
            (total[:, None] - effort) / np.maximum(count[:, None] - 1, 1),
            0.0,
        )
        reasons = (
            p["oc_value_base"]
            + p["oc_support_weight"] * support
            + p["oc_grievance_weight"] * grievance
            + p["oc_backing_weight"] * backing
        )[:, None] + p["oc_peer_weight"] * peers
        worth = people.motivation[who] * reasons
        own = effort * hours / np.maximum(people.hours[who], 1e-9)
        other_load = np.maximum(people.load[who] - own, 0.0)
        cost = p["oc_time_cost"] * (1.0 + other_load)
        wanted = np.minimum(worth / cost, 1.0)
        firm = cp.firm[compounds][:, None]
        wanted = np.where((people.allied_firm[who] == firm) & (firm >= 0), 0.0, wanted)
        new = effort + p["oc_effort_adjust"] * (wanted - effort)
        seats.effort[table[filled]] = new[filled]
        active = filled & (new >= p["oc_active_effort"])
        # sums over each committee's filled seats (`row_sums` leaves out the others)
        cp.oc_effort[compounds] = row_sums(new, filled) / np.maximum(count, 1)
        cp.oc_hours[compounds] = row_sums(new * hours * people.performance[who], filled)
        cp.oc_acted[compounds] = active.sum(axis=1) >= p["oc_quorum_members"]

    def act(self) -> None:
        """Its members choose this month's effort; then it takes stock (functioning,
        dormant or captured)."""
        self.choose_effort()
        self.take_stock()

    @staticmethod
    def act_all(model) -> None:
        """`act` of every sitting committee: this month's efforts of all their members, then
        each committee's stock (`choose_efforts`, then `take_stock_all`; a committee's
        stock reads only its own members' efforts, so this is each acting in turn)."""
        sitting = OwnersCommittee.sitting(model)
        OwnersCommittee.choose_efforts(model, sitting)
        OwnersCommittee.take_stock_all(model, sitting)

    # --- health (§7.7) -------------------------------------------------------------------
    def take_stock(self) -> None:
        """Its state: captured if most members answer to the firm, functioning if it acted
        within the last `oc_dormancy_months`, dormant otherwise."""
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
        captured = (size > 0) & (firm >= 0) & (allied * 2 > size)
        acted = cp.oc_acted[compounds] & ~captured
        cp.oc_acted[compounds] = acted
        month = model.steps
        last = np.where(acted, month, cp.oc_last_active[compounds])
        cp.oc_last_active[compounds] = last
        recent = month - last < p["oc_dormancy_months"]
        cp.oc_state[compounds] = np.where(
            captured, OC_CAPTURED, np.where(recent, OC_FUNCTIONING, OC_DORMANT)
        )
        perf = people.performance[np.maximum(holder, 0)]  # `row_sums` leaves out vacant seats
        cp.oc_performance[compounds] = row_sums(perf, filled) / np.maximum(size, 1)

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
        self.turn(m, np.full(free.size, self.index), free, u)

    @staticmethod
    def turn(model, compounds: np.ndarray, free: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Members `free` (not answering to the firm) of the committees of `compounds` (one
        entry per member), with uniforms `u`: those whose draw is below their chance come
        to answer to the firm. Each member's chance reads only that member and that
        committee, so members of several committees are decided at once. Returns who
        turned, as a mask over `free`."""
        p, cp = model.p, model.compounds
        out = np.zeros(free.size, dtype=bool)
        look = np.flatnonzero(u < p["collusion_rate"] / INDEPENDENCE_FLOOR)  # largest chance
        if not look.size:
            return out
        free, u, compounds = free[look], u[look], compounds[look]
        independence = coordination.member_independence(model, free, compounds)
        party = model.people.party_member[free]
        chance = (
            p["collusion_rate"]
            * (1 - p["party_capture_protection"] * party)
            / np.maximum(independence, INDEPENDENCE_FLOOR)
        )
        watch = PropertyCommittee.watch_all(model)[compounds]
        chance = chance * (1 - p["professional_capture_protection"] * watch)
        turned = u < chance
        if turned.any():
            model.people.allied_firm[free[turned]] = cp.firm[compounds[turned]]
            model.month.collusions += int(np.count_nonzero(turned))
        out[look[turned]] = True
        return out

    @staticmethod
    def drift_all(model, compounds: np.ndarray) -> None:
        """`drift_to_firm` of the committees of `compounds`, in that order, with the same
        draws as one call after the other: all uniforms are drawn at once and only the
        committees where a member may turn decide further. If someone who turned sits on a
        later one of these committees whose draws assumed their old allegiance
        (`_drew_for_a_stale_allegiance`), the month is redone one committee at a time."""
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
        allied, collusions = people.allied_firm.copy(), model.month.collusions
        if looks.size:
            # the committees in which someone may turn, with their free members in order
            rows = np.zeros(len(compounds), dtype=bool)
            rows[np.flatnonzero(count > 0)[looks]] = True
            row = np.repeat(np.arange(len(compounds)), count)
            mine = rows[row]
            member, row = holder[free][mine], row[mine]
            turned = OwnersCommittee.turn(model, compounds[row], member, u[mine])
            if turned.any() and _drew_for_a_stale_allegiance(
                holder, firm, row[turned], member[turned], allied
            ):
                rng.bit_generator.state = before
                people.allied_firm[:] = allied
                model.month.collusions = collusions
                for c in compounds.tolist():
                    model.owners_committees[c].drift_to_firm()

    # --- supervision (§7.6) ----------------------------------------------------------------
    def monitor(self) -> float:
        """Monitoring intensity this month (0-1): what its members give allows."""
        return float(self.monitors(self.model, np.array([self.index]))[0])

    @staticmethod
    def monitors(model, compounds: np.ndarray) -> np.ndarray:
        """`monitor` of the committees of `compounds` at once: the hours their members give
        (effort × seat hours × performance) against `oc_monitoring_hours`; 0 unless the
        committee acts this month and supervises the compound's firm along a `supervision`
        tie of the network."""
        p, cp = model.p, model.compounds
        intensity = np.minimum(1.0, cp.oc_hours[compounds] / max(p["oc_monitoring_hours"], 1e-9))
        watching = supervises_firm(model, compounds)
        return np.where(cp.oc_acted[compounds] & watching, intensity, 0.0)

    def respond(self) -> None:
        """After this month's detection: re-tender at enough strikes, with a probability
        equal to its independence; sue when re-tendering fails and strikes pile up. Only a
        committee that acts this month responds."""
        m, p, cp = self.model, self.model.p, self.model.compounds
        i = self.index
        if not cp.oc_acted[i] or cp.oc_state[i] != OC_FUNCTIONING:
            return
        if cp.firm[i] < 0 or not cp.detected[i]:
            return
        rng = m.streams["organisations"]
        if cp.strikes[i] >= p["retender_strikes"]:
            if rng.random() < cp.independence[i]:
                # imported here: property_management reads this module's classes
                from ..mechanisms import property_management

                property_management.retender(m, i, chooser=self)
                return
            if cp.strikes[i] >= 2 * p["retender_strikes"]:
                disputes.sue_firm(m, i)

    @staticmethod
    def respond_all(model) -> None:
        """`respond` of every elected committee (the agents of exactly this class), in the
        schedule's order. Only a committee that acts, functions, has a firm, detected its
        shirking and counts `retender_strikes` strikes draws or acts; which ones do is read
        for all at once (a response changes only its own compound), and only they respond."""
        cp = model.compounds
        if not cp.detected.any():
            return
        may = (
            cp.detected
            & cp.oc_acted
            & (cp.oc_state == OC_FUNCTIONING)
            & (cp.firm >= 0)
            & (cp.strikes >= model.p["retender_strikes"])
        )
        elected = [
            agent
            for c in np.flatnonzero(may).tolist()
            if type(agent := model.owners_committees.get(c)) is OwnersCommittee
        ]
        if len(elected) > 1:  # more than one: in the AgentSet's order, as `do`
            chosen = set(elected)
            elected = [a for a in model.agents_by_type[OwnersCommittee] if a in chosen]
        for agent in elected:
            agent.respond()

    def choose_firm(self, bidders: np.ndarray) -> int:
        """Pick among bidding firms: capability against record (the firm's history)."""
        firms, p = self.model.firms, self.model.p
        value = firms.capability[bidders] - p["record_weight"] * firms.record[bidders]
        return int(bidders[np.argmax(value)])


def _drew_for_a_stale_allegiance(
    holder: np.ndarray, firm: np.ndarray, rows: np.ndarray, turned: np.ndarray, before: np.ndarray
) -> bool:
    """Did a member who turned (`turned[k]`, on committee row `rows[k]`, to that row's firm,
    answering to `before[turned[k]]` until then) also sit on a later committee (row of
    `holder`, whose firm is `firm`) that, one committee after the other, would have seen
    them differently: one with the firm they turned to (no longer free there) or the firm
    they answered to (free there now)? Then the batch's draws for that committee assumed
    the old allegiance and the month must be decided one committee at a time."""
    at, seat = np.nonzero(among(holder, turned))
    who = holder[at, seat]
    for k in range(turned.size):
        later = firm[at[(who == turned[k]) & (at > rows[k])]]
        old = before[turned[k]]
        if np.any((later == firm[rows[k]]) | ((later == old) & (later >= 0))):
            return True
    return False


def supervises_firm(model, compounds: np.ndarray) -> np.ndarray:
    """Per compound of `compounds`: is its owners' seat tied to its firm by a
    `supervision` edge (the owners' right to check the firm they contract)?"""
    cp, off = model.compounds, model.world.node_offset
    oc = off["owners_committee"] + compounds
    firm = off["property_firm"] + np.maximum(cp.firm[compounds], 0)
    return (cp.firm[compounds] >= 0) & coordination.has_edges(model, "supervision", oc, firm)
