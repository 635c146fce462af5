"""NGO / social organisation (社会组织): delivers professional services under contracts
(ODD §7.9).

What it senses: the open project tenders of communities (their money and their residents'
mix of care and legal needs), its free contract places, its reserve and its income.
What it wants: to survive (reserve above zero) and to serve its mission.
What it chooses: (1) which tenders to bid for (`bid_value`): those that match its
specialisation, while it has free contract places; (2) its specialisation drifts toward the
needs of the communities it serves (`ngo_specialisation_rate`); it learns capability with
contract work, drifts from its mission as government money dominates its income (less under
third-party evaluation), and fails after `ngo_failure_months` months in deficit (`evolve`).
A failed NGO's slot on the network is refilled by a new NGO at `ngo_entry_rate`.
"""

from __future__ import annotations

import numpy as np

from ..rows import among, segment_sums
from .base import GovernanceAgent, column


class NGO(GovernanceAgent):
    """`index` = NGO slot."""

    table = "ngos"
    kind = "ngo"
    BATCHED = {"evolve": "evolve_all"}

    alive = column()
    capability = column()
    compliance = column()
    alignment = column()
    care_focus = column()
    reserve = column()
    gov_share = column()

    @property
    def communities(self) -> np.ndarray:
        """Indices of the communities holding a contract with this NGO."""
        return np.flatnonzero(self.model.communities.ngo == self.index)

    @property
    def drifted(self) -> bool:
        """Mission alignment has fallen below the model's drift threshold."""
        return self.alive and self.alignment < self.model.p["drift_threshold"]

    def match(self, community: int) -> float:
        """How well its specialisation fits the community's care/legal need mix (0-1)."""
        return float(self.matches(self.model, community)[self.index])

    def bid_value(self, community: int) -> float:
        """Its interest in a community's tender (0 = does not bid)."""
        return float(self.bid_values(self.model, community)[self.index])

    @staticmethod
    def matches(model, community: int) -> np.ndarray:
        """`match` of every NGO slot at once."""
        return NGO.match_rows(model, np.array([community]))[0]

    @staticmethod
    def match_rows(model, communities: np.ndarray) -> np.ndarray:
        """`matches` for each of `communities` (a row each), value for value as `matches`
        of that community alone."""
        demand = model.communities.demand[communities]
        need_care = demand[:, 1] / np.maximum(demand[:, 1] + demand[:, 2], 1e-9)
        return 1.0 - np.abs(model.ngos.care_focus - need_care[:, None])

    @staticmethod
    def bidding(model) -> np.ndarray:
        """Which NGO slots bid for tenders now: those operating with a free contract place."""
        ngos = model.ngos
        return ngos.alive & (ngos.contracts < model.p["ngo_max_contracts"])

    @staticmethod
    def bid_values(model, community: int) -> np.ndarray:
        """`bid_value` of every NGO slot at once: its match where it operates and has a free
        contract place, else 0 (the tender asks every NGO in one call)."""
        return np.where(NGO.bidding(model), NGO.matches(model, community), 0.0)

    def evolve(self) -> None:
        """Finance, drift, learning and specialisation, once a month after delivery."""
        if self.alive:
            self._evolve(self.model, np.array([self.index]))

    @staticmethod
    def evolve_all(model) -> None:
        """`evolve` of every operating NGO at once: each reads only its own state and the
        communities it serves, so the order does not matter."""
        NGO._evolve(model, np.flatnonzero(model.ngos.alive))

    @staticmethod
    def _evolve(model, live: np.ndarray) -> None:
        """`evolve` of the operating NGOs of slots `live` (in increasing order); the needs of
        an NGO's communities are summed as a sum of its own would (`segment_sums`)."""
        p, ngos, cm = model.p, model.ngos, model.communities
        if live.size == 0:
            return
        income = ngos.income[live]
        private = p["ngo_private_income"]
        reserve = (
            ngos.reserve[live] + p["ngo_overhead_margin"] * income + private - p["ngo_fixed_cost"]
        )
        ngos.reserve[live] = reserve
        share = income / np.maximum(income + private, 1e-9)
        gov = ngos.gov_share[live]
        gov = gov + p["drift_rate"] * (share - gov)
        ngos.gov_share[live] = gov
        # the communities each NGO serves, NGO by NGO, each NGO's in community order
        served = np.flatnonzero(among(cm.ngo, live))
        served = served[np.argsort(cm.ngo[served], kind="stable")]
        slot = cm.ngo[served]
        count = np.bincount(slot, minlength=ngos.n)
        evaluated = model.levers.community("third_party_evaluation")[served] != 0
        evaluated = np.bincount(slot, weights=evaluated, minlength=ngos.n)[live] > 0
        protect = np.where(evaluated, p["evaluation_drift_protection"], 0.0)
        target = 1 - p["drift_sensitivity"] * gov * (1 - protect)
        alignment = ngos.alignment[live]
        ngos.alignment[live] = alignment + p["drift_rate"] * (target - alignment)
        serving = live[count[live] > 0]
        if serving.size:
            capability = ngos.capability[serving]
            ngos.capability[serving] = capability + p["ngo_learning_rate"] * (1 - capability)
            demand = cm.demand[served]
            care = segment_sums(demand[:, 1], count[serving])
            legal = segment_sums(demand[:, 2], count[serving])
            need_care = care / np.maximum(care + legal, 1e-9)
            focus = ngos.care_focus[serving]
            ngos.care_focus[serving] = focus + p["ngo_specialisation_rate"] * (need_care - focus)
        months = ngos.deficit_months
        months[live] = np.where(ngos.reserve[live] < 0, months[live] + 1, 0)
