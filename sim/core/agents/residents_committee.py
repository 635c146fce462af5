"""Residents' committee (居委会): the community's self-governance body (ODD §7.3, §7.4,
§7.11).

What it senses: the tasks pushed down by its street office, whether they are on the
responsibility list, its staff hours and skill, the disputes of last month, the money it
holds, what its street's assessment rewards (the lever `resident_assessment_weight`, the
weight of paperwork, third-party evaluation) and, along its peer edges, the scores and
practices of neighbouring communities.
What it wants: a good assessment score, and residents' needs met (weight
`rc_resident_motive`: the director faces residents at the next election) — and its leaders'
careers, which weigh the score or residents' evaluation as the street selects cadres
(`career_concern`, `cadre_selection_resident_weight`, §7.15).
What it chooses: (1) which pushed tasks to accept — all of them without a list; with a list
it refuses `off_list_refusal` of the tasks beyond the list (tasks its street re-issued as
list items it cannot refuse), less if its director is the party secretary, who answers to the
street's party working committee (`one_shoulder_deference`); every refusal asks ledgers of it
(`ledger_hours_per_refused_hour`); (2) how to split the hours left after tasks, inspections,
caretaking, reconciling its work with the party committee (`friction_hours` × (1 −
their coordination)), the property committee and mediation among scored paperwork, managing
devolved money and serving residents (`allocation`); (3) it learns: each month it works out
the split that would serve its objective best given the returns it perceives (its best
response: paperwork up to where its marginal score falls to the return of serving
residents, as much management as its idle money needs, the rest service) and closes
`rc_adaptation_rate` of the gap to it — habits and staff routines change slowly — and with
probability `peer_imitation_rate` it compares itself with a random peer of its street and, if
the peer scores higher, moves `peer_copy_weight` of the way to the peer's split.
"""

from __future__ import annotations

import numpy as np

from .. import types as T
from ..people import DIRECTOR, SECRETARY
from .base import GovernanceAgent, column
from .street_office import StreetOffice

PAPERWORK, MANAGEMENT, SERVICE = range(3)
USES = ("paperwork", "management", "service")


class ResidentsCommittee(GovernanceAgent):
    """One per community (`index` = community)."""

    table = "communities"
    kind = "residents_committee"
    BATCHED = {"allocate_hours": "allocate_all", "learn": "learn_all"}

    street = column()
    residents = column()
    staff = column()
    skill = column()
    hours = column()
    admin_hours = column()
    formalism_hours = column()
    management_hours = column()
    mediation_hours = column()
    service_hours = column()
    score = column()
    spent = column()
    idle_block = column()

    # --- tasks (§7.3) --------------------------------------------------------------------
    def accept_tasks(self) -> None:
        """Accept the pushed tasks, refusing part of those beyond the list if it has one
        (tasks re-issued as list items count within the list and cannot be refused); each
        refused hour asks `ledger_hours_per_refused_hour` of ledgers."""
        m, p, cm = self.model, self.model.p, self.model.communities
        i = self.index
        pushed = cm.tasks_pushed[i]
        accepted = pushed
        if m.levers.at("responsibility_list", i):
            hours = cm.staff[i] * p["staff_hours"]
            off_list = max(pushed - p["responsibility_list_cap"] * hours, 0.0)
            off_list = min(off_list, pushed - cm.tasks_relabelled[i])
            refusal = p["off_list_refusal"]
            if self.director_is_secretary():
                refusal *= 1 - p["one_shoulder_deference"]
            accepted = pushed - refusal * off_list
        cm.tasks_accepted[i] = accepted
        cm.ledger_hours[i] = p["ledger_hours_per_refused_hour"] * (pushed - accepted)

    def director_is_secretary(self) -> bool:
        m = self.model
        return m.holder(SECRETARY, self.index) >= 0 and (
            m.holder(SECRETARY, self.index) == m.holder(DIRECTOR, self.index)
        )

    # --- hours (§7.11) -------------------------------------------------------------------
    def allocate_hours(self) -> None:
        """Mandatory work first (tasks, inspections, caretaking, the property committee,
        mediating last month's disputes); the free hours are split by `allocation`."""
        self.allocate_all(self.model, np.array([self.index]))

    @staticmethod
    def mirror_hours(model) -> np.ndarray:
        """Per community: RC hours spent this month on the departments' mirrored offices of
        its street (§7.14)."""
        by_street = model.cache_month("mirror_hours", lambda: StreetOffice.mirror_hours_all(model))
        return by_street[model.communities.street]

    @staticmethod
    def caretaking_demand(model) -> np.ndarray:
        """Per community: RC hours caretaking its compounds that no one else manages."""

        def make() -> np.ndarray:
            cp = model.compounds
            mine = (cp.management == T.CARETAKING) & (cp.firm < 0)
            hh = np.bincount(
                cp.community, weights=cp.households * mine, minlength=model.communities.n
            )
            return model.p["caretaking_hours_per_100"] * hh / 100

        return model.cache_month("caretaking", make)

    @staticmethod
    def needs_weight(p: dict) -> float:
        """The share of needs met in residents' satisfaction (§7.12 weights)."""
        total = p["weight_needs"] + p["weight_property"] + p["weight_disputes"]
        return p["weight_needs"] / total if total > 0 else 1 / 3

    @staticmethod
    def allocate_all(model, committees: np.ndarray | None = None) -> None:
        """`allocate_hours` of the committees `committees` (all if None) at once: each
        claim on the hours takes what is left after the claims before it."""
        p, cm = model.p, model.communities
        i = np.arange(cm.n) if committees is None else committees
        hours = cm.staff[i] * p["staff_hours"]
        cm.hours[i] = hours
        # one power per committee, as in Python (NumPy's vectorised power may round the
        # last bit differently on some processors)
        skill_factor = np.array(
            [x ** p["task_skill_elasticity"] for x in (p["rc_skill_mean"] / cm.skill[i]).tolist()]
        )
        task_time = cm.tasks_accepted[i] * skill_factor
        inspections = p["inspections_per_month"] * p["inspection_hours"]
        mirrors = ResidentsCommittee.mirror_hours(model)[i]
        caretaking = ResidentsCommittee.caretaking_demand(model)[i]
        cm.admin_hours[i] = admin = np.minimum(
            hours, task_time + inspections + mirrors + cm.ledger_hours[i]
        )
        cm.task_hours[i] = np.minimum(task_time, admin)
        left = hours - admin
        cm.caretaking_hours[i] = np.minimum(left, caretaking)
        left = left - cm.caretaking_hours[i]
        cm.friction_hours[i] = np.minimum(left, p["friction_hours"] * (1 - cm.coordination[i]))
        left = left - cm.friction_hours[i]
        committee = np.where(cm.pmc[i], p["professional_committee_hours"], 0.0)
        cm.committee_hours[i] = np.minimum(left, committee)
        left = left - cm.committee_hours[i]
        cm.mediation_hours[i] = np.minimum(left, cm.disputes[i] * p["mediation_hours"])
        free = left - cm.mediation_hours[i]
        a = cm.allocation[i]
        cm.formalism_hours[i] = a[:, PAPERWORK] * free
        cm.management_hours[i] = np.minimum(a[:, MANAGEMENT], p["management_time_cap"]) * free
        cm.service_hours[i] = free - cm.formalism_hours[i] - cm.management_hours[i]

    # --- learning (§7.11) ----------------------------------------------------------------
    # The rule is written once, for all committees at once (`best_responses`, `learn_all`);
    # the methods of one committee read their own row.
    def weights(self) -> tuple[float, float]:
        """(weight of its score, weight of residents' needs met) in its objective."""
        score, needs = self.objective_weights(self.model)
        return float(score[self.index]), float(needs[self.index])

    def value_of_needs(self) -> float:
        """What one unit of needs met is worth to it."""
        return float(self.values_of_needs(self.model)[self.index])

    def best_response(self) -> np.ndarray:
        """The split of free hours that would serve its objective best this month."""
        return self.best_responses(self.model)[self.index]

    def learn(self) -> None:
        """Close `rc_adaptation_rate` of the gap to its best response; sometimes move toward
        a better-scoring peer's split."""
        p, cm = self.model.p, self.model.communities
        a = cm.allocation[self.index]
        self._settle(a + p["rc_adaptation_rate"] * (self.best_response() - a))

    @staticmethod
    def objective_weights(model) -> tuple[np.ndarray, np.ndarray]:
        """Per committee: (weight of its score, weight of residents' needs met) in its
        objective: its own aims (`rc_resident_motive`) plus its leaders' careers
        (`career_concern`), which follow how the street selects cadres (λ =
        `cadre_selection_resident_weight`: the top-down score or residents' evaluation)."""
        p = model.p
        lam = model.levers.community("cadre_selection_resident_weight")
        kappa = p["career_concern"]
        return 1 + kappa * (1 - lam), p["rc_resident_motive"] + kappa * lam

    @staticmethod
    def values_of_needs(model) -> np.ndarray:
        """Per committee, what one unit of needs met is worth to it: through residents'
        evaluation in its score, through third-party measurement, and directly (its aims and
        careers)."""
        lv = model.levers
        w = lv.community("resident_assessment_weight")
        evaluated = lv.community("third_party_evaluation").astype(bool)
        return ResidentsCommittee._value_of_needs(
            model, w, evaluated, *ResidentsCommittee.objective_weights(model)
        )

    @staticmethod
    def _value_of_needs(
        model, w: np.ndarray, evaluated: np.ndarray, score_weight: np.ndarray, needs_weight
    ) -> np.ndarray:
        """`values_of_needs` from the levers' values (`w`: residents' weight in the score,
        `evaluated`: third-party evaluation) and the objective's weights."""
        wn = ResidentsCommittee.needs_weight(model.p)
        return score_weight * (w * wn + (1 - w) * evaluated) + needs_weight * wn

    @staticmethod
    def best_responses(model) -> np.ndarray:
        """Per committee, the split of free hours that would serve its objective best this
        month: the paperwork score h / (h + S) pays wp (1 − w) S / (h + S)² an hour, an hour
        of service raises needs met by its productivity / demand, an hour of management buys
        `spend_per_management_hour` / `cost_per_service_hour` hours while money is idle.
        A committee without free hours keeps its split."""
        p, cm, lv = model.p, model.communities, model.levers
        free = cm.formalism_hours + cm.management_hours + cm.service_hours
        w = lv.community("resident_assessment_weight")
        evaluated = lv.community("third_party_evaluation").astype(bool)
        score_weight, needs_weight = ResidentsCommittee.objective_weights(model)
        paper_weight = np.where(
            evaluated, 0.0, score_weight * p["paperwork_score_weight"] * (1 - w)
        )
        d = cm.demand
        demand = np.maximum(d[:, 0] + d[:, 1] + d[:, 2], 1.0)
        productivity = cm.skill * cm.staff_performance
        value = ResidentsCommittee._value_of_needs(model, w, evaluated, score_weight, needs_weight)
        r_service = value * productivity / demand
        s = p["paperwork_return_scale"]
        with np.errstate(all="ignore"):  # the branches not taken may divide by zero
            interior = np.minimum(np.maximum(np.sqrt(paper_weight * s / r_service) - s, 0.0), free)
        paper = np.where(paper_weight <= 0, 0.0, np.where(r_service <= 0, free, interior))
        rate = p["spend_per_management_hour"] * productivity
        needed = (cm.idle_block + cm.in_block) / np.maximum(rate, 1e-9)
        manage = np.minimum(np.minimum(needed, p["management_time_cap"] * free), free - paper)
        with np.errstate(all="ignore"):
            split = np.stack([paper, manage, free - paper - manage], axis=1) / free[:, None]
        return np.where(free[:, None] > 0, split, cm.allocation)

    @staticmethod
    def learn_all(model) -> None:
        """`learn` of every committee, in order: each closes `rc_adaptation_rate` of the gap
        to its best response, then may look at a peer (whose split this month is already
        learnt if the peer came earlier)."""
        p, cm = model.p, model.communities
        before = cm.allocation
        learnt = before + p["rc_adaptation_rate"] * (
            ResidentsCommittee.best_responses(model) - before
        )
        # `_settle` of each committee in turn (committees in index order), writing into
        # `learnt` and reading a peer's split where `_settle` would find it: in `learnt` if
        # the peer came earlier, else still last month's in `before` (written back at the
        # end: one assignment instead of one per committee)
        draw = model.streams["organisations"].random
        pick = model.streams["organisations"].integers
        rate, c = p["peer_imitation_rate"], p["peer_copy_weight"]
        score = cm.score
        for committee in model.residents_committees:
            if draw() < rate:
                peers = committee.peers()
                if peers:
                    i = committee.index
                    peer = peers[int(pick(len(peers)))]
                    if score[peer] > score[i]:
                        seen = learnt if peer < i else before
                        learnt[i] = (1 - c) * learnt[i] + c * seen[peer]
        before[:] = learnt

    def _settle(self, a: np.ndarray) -> None:
        """Take the split `a`, or with probability `peer_imitation_rate` move it toward a
        random peer's split if the peer scores higher."""
        m, p, cm = self.model, self.model.p, self.model.communities
        i = self.index
        if m.streams["organisations"].random() < p["peer_imitation_rate"]:
            peers = self.peers()
            if peers:
                peer = peers[int(m.streams["organisations"].integers(len(peers)))]
                if cm.score[peer] > cm.score[i]:
                    c = p["peer_copy_weight"]
                    a = (1 - c) * a + c * cm.allocation[peer]
        cm.allocation[i] = a

    def peers(self) -> list[int]:
        """The communities whose committees it compares itself with (its `peer` ties, in the
        network's order; cached until a `peer` edge changes)."""
        m = self.model
        hit = m.cache.get("rc_peers")
        version = m.edge_versions.get("peer", 0)
        if hit is None or hit[0] != version:
            hit = (version, {})
            m.cache["rc_peers"] = hit
        peers = hit[1].get(self.index)
        if peers is None:
            peers = hit[1][self.index] = [m.index_of(v) for v in self.ties("peer")]
        return peers

    @property
    def burden_share(self) -> float:
        """Share of staff hours consumed by administrative tasks and inspections."""
        return self.admin_hours / self.hours if self.hours > 0 else 0.0

    @property
    def trust(self) -> float:
        """Residents' mean trust in their residents' committee."""
        return float(self.model.community_trust("rc")[self.index])
