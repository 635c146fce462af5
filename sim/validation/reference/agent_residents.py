"""The resident rules with one Mesa agent per resident: a reference build for benchmarks and
a distribution-equivalence test, not for research use (ODD §2 and §6 explain why the model's
residents are a vectorised population).

`AgentResidentsModel` is the `GovernanceModel` — same parameters, world, organisations,
schedule and organisation-level mechanisms — except that five resident rules run as plain
Python over `ResidentAgent` objects, with the formulas of the vectorised mechanisms:

- needs (ODD §7.1, sim.core.mechanisms.needs): each category's need is a gamma draw with shape
  `need_dispersion` and mean `need_k × m_ik`, plus the carried backlog;
- services (§7.4, sim.core.mechanisms.services): community demand is summed agent by agent; the
  community's hours are those of `services.community_supply`; each agent gets
  min(1, f × w_i) of its need, w_i = 1 + priority × vulnerable_i;
- fees (§7.6, sim.core.mechanisms.property_management): an owner household pays when quality +
  noise reaches its tolerance; firms' effort and supervision are the model's own;
- participation (§7.10, sim.core.mechanisms.resident_participation): the public-goods game is
  played over each agent's neighbour list (per-individual cost, r_g as in the model), then
  the synchronous Santos imitation rule with the population's payoff range as M, and
  mutation;
- satisfaction and trust (§7.12, sim.core.mechanisms.satisfaction).

The schedule is not copied: the model's own `GovernanceModel.step` runs with these five
rules in place of the vectorised ones. Random numbers come from the model's `random`
(Python's generator), so runs agree with the vectorised model in distribution, not draw by
draw. After a rule, the agents' state is written back to `model.residents` where an
organisation mechanism or a collector reads it (participation, satisfaction, trust, fees).
"""

from __future__ import annotations

import math
import types
from typing import Any

import mesa
import numpy as np

from sim.core import model as model_module
from sim.core.mechanisms import property_management, services
from sim.core.mechanisms import satisfaction as satisfaction_module
from sim.core.mechanisms.assessment import vulnerable_priority
from sim.core.model import GovernanceModel
from sim.core.residents import TRUST_TARGETS
from sim.core.state import OC_CAPTURED, OC_FUNCTIONING

PARTY, RC, OC, FIRM, NGO, STREET = range(len(TRUST_TARGETS))


class ResidentAgent(mesa.Agent):
    """One resident: the same state variables as a row of `sim.core.residents.Residents`."""

    def __init__(self, model: AgentResidentsModel, i: int) -> None:
        super().__init__(model)
        res = model.residents
        self.index = i
        self.compound = int(res.compound[i])
        self.community = int(res.community[i])
        self.vulnerable = bool(res.vulnerable[i])
        self.owner_head = bool(res.owner[i] and res.head[i])
        self.party_member = bool(res.party_member[i])
        self.tolerance = float(res.tolerance[i])
        self.motivation = float(res.motivation[i])
        self.need = [0.0, 0.0, 0.0]
        self.backlog = [float(x) for x in res.backlog[i]]
        self.met = [0.0, 0.0, 0.0]  # share of each category's need met
        self.satisfaction = float(res.satisfaction[i])
        self.trust = [float(x) for x in res.trust[i]]
        self.participates = bool(res.participates[i])
        self.payoff = 0.0
        self.pays = False
        self.neighbours: list[ResidentAgent] = []

    # --- needs (§7.1) ----------------------------------------------------------------------
    def draw_needs(self, shape: float, scale: list[float], vulnerable_scale: list[float]) -> None:
        draw = self.model.random.gammavariate
        scales = vulnerable_scale if self.vulnerable else scale
        self.need = [draw(shape, scales[k]) + self.backlog[k] for k in range(3)]

    # --- satisfaction and trust (§7.12) ------------------------------------------------------
    def needs_met(self) -> float:
        total = self.need[0] + self.need[1] + self.need[2]
        met = sum(self.met[k] * self.need[k] for k in range(3))
        return met / total if total > 0 else 1.0

    def update_satisfaction(
        self,
        w: list[float],
        rate: float,
        trust_rate: float,
        quality: float,
        harmony: float,
        party_signal: float,
        oc_signal: float | None,
        ngo_seen: bool,
        community_met: float,
    ) -> None:
        needs_met = self.needs_met()
        target = w[0] * needs_met + w[1] * quality + w[2] * harmony
        self.satisfaction += rate * (target - self.satisfaction)
        t = self.trust
        t[PARTY] += trust_rate * (party_signal - t[PARTY])
        t[RC] += trust_rate * (needs_met - t[RC])
        if oc_signal is not None:
            t[OC] += trust_rate * (oc_signal - t[OC])
        t[FIRM] += trust_rate * (quality - t[FIRM])
        if ngo_seen:
            care_legal = self.need[1] + self.need[2]
            signal = (
                (self.met[1] * self.need[1] + self.met[2] * self.need[2]) / care_legal
                if care_legal > 0
                else 1.0
            )
            t[NGO] += trust_rate * (signal - t[NGO])
        t[STREET] += trust_rate * (community_met - t[STREET])


# --- the five resident rules ------------------------------------------------------------------


def needs_step(model: AgentResidentsModel) -> None:
    p = model.p
    shape = p["need_dispersion"]
    mean = [p["need_daily"], p["need_care"], p["need_legal"]]
    mult = p["vulnerable_need_multiplier"]
    scale = [m / shape for m in mean]
    vulnerable_scale = [scale[0], scale[1] * mult, scale[2] * mult]
    for agent in model.resident_agents:
        agent.draw_needs(shape, scale, vulnerable_scale)


def services_step(model: AgentResidentsModel) -> None:
    p, n = model.p, model.communities.n
    priorities = vulnerable_priority(model)
    demand, demand_v = np.zeros((n, 3)), np.zeros((n, 3))
    for c, members in enumerate(model.community_agents):
        row, row_v = demand[c], demand_v[c]
        for agent in members:
            for k in range(3):
                row[k] += agent.need[k]
                if agent.vulnerable:
                    row_v[k] += agent.need[k]
    supply = services.community_supply(model, demand)
    model.communities.supply_hours = supply.sum(axis=1)
    frac = services.fraction(supply, demand + priorities[:, None] * demand_v)
    carry = p["backlog_carryover"]
    delivered, delivered_v = np.zeros((n, 3)), np.zeros((n, 3))
    for c, members in enumerate(model.community_agents):
        f_c = frac[c].tolist()
        got, got_v = delivered[c], delivered_v[c]
        priority = float(priorities[c])
        for agent in members:
            w = 1.0 + priority if agent.vulnerable else 1.0
            for k in range(3):
                share = min(f_c[k] * w, 1.0)
                hours = share * agent.need[k]
                agent.met[k] = share
                agent.backlog[k] = carry * (agent.need[k] - hours)
                got[k] += hours
                if agent.vulnerable:
                    got_v[k] += hours
    services.book(model.communities, supply, demand, delivered, demand_v, delivered_v)


def fees_step(model: AgentResidentsModel) -> None:
    p, cp = model.p, model.compounds
    quality, served = cp.quality.tolist(), (cp.firm >= 0).tolist()
    noise, gauss = p["quality_noise"], model.random.gauss
    paid = np.zeros(cp.n)
    paid_area = np.zeros(cp.n)
    pays = model.residents.pays
    area = model.residents.area
    for agent in model.owner_head_agents:
        c = agent.compound
        agent.pays = served[c] and quality[c] + noise * gauss(0.0, 1.0) >= agent.tolerance
        pays[agent.index] = agent.pays
        if agent.pays:
            paid[c] += 1
            paid_area[c] += area[agent.index]
    cp.collection = np.where((cp.firm >= 0) & (cp.owners > 0), paid / np.maximum(cp.owners, 1), 0.0)
    revenue = cp.fee * paid_area
    model.firms.revenue = np.bincount(
        np.maximum(cp.firm, 0), weights=revenue * (cp.firm >= 0), minlength=model.firms.n
    )


def participation_step(model: AgentResidentsModel) -> None:
    p, cp, cm = model.p, model.compounds, model.communities
    agents = model.resident_agents
    te, synergy = p["trust_efficacy"], p["participation_synergy"]
    crowding = (1 - p["initiative_crowding_out"] * cp.xa_intensity).tolist()
    platform = model.levers.community("volunteer_platform").astype(bool)
    costs = (
        p["participation_cost"] * (1 - np.where(platform, p["platform_cost_cut"], 0.0))
    ).tolist()
    duties = (p["party_member_duty"] * cm.leader_performance).tolist()
    # the public-goods game: every agent centres a group of itself and its neighbours
    per_group = [
        costs[a.community] / (len(a.neighbours) + 1) if a.participates else 0.0 for a in agents
    ]
    share = []
    for a in agents:
        pot = per_group[a.index] + sum(per_group[b.index] for b in a.neighbours)
        efficacy = (1 - te) + te * 0.5 * (a.trust[PARTY] + a.trust[RC])
        r = synergy * efficacy * crowding[a.compound]
        share.append(r * pot / (len(a.neighbours) + 1))
    for a in agents:
        payoff = share[a.index] + sum(share[b.index] for b in a.neighbours)
        if a.participates:
            payoff += a.motivation + duties[a.community] * a.party_member - costs[a.community]
        a.payoff = payoff
    payoffs = [a.payoff for a in agents]
    m = max(max(payoffs) - min(payoffs), 1e-9) if agents else 1.0
    # synchronous imitation of a random neighbour, then mutation
    rnd, revise = model.random.random, p["revision_share"]
    mutation = revise * p["participation_mutation"]
    new = [a.participates for a in agents]
    for a in agents:
        if a.neighbours and rnd() < revise:
            b = a.neighbours[int(rnd() * len(a.neighbours))]
            diff = b.payoff - a.payoff
            if diff > 0 and rnd() * m < diff:
                new[a.index] = b.participates
        if rnd() < mutation:
            new[a.index] = rnd() < 0.5
    participants = np.zeros(cp.n)
    for a, s in zip(agents, new):
        a.participates = s
        if s:
            participants[a.compound] += 1
    model.residents.participates = np.array(new, dtype=bool)
    model.residents.payoff = np.array(payoffs, dtype=np.float32)
    cp.participation = participants / np.maximum(cp.residents, 1)
    cm.participants = np.bincount(cp.community, weights=participants, minlength=cm.n)
    match = np.where(platform, p["volunteer_match_platform"], p["volunteer_match_base"])
    share = p["volunteer_coordination_share"]
    match = match * (1 - share + share * cm.coordination)
    cm.volunteer_hours = cm.participants * p["volunteer_hours"] * match


def satisfaction_step(model: AgentResidentsModel) -> None:
    p, cp, cm = model.p, model.compounds, model.communities
    w = [p["weight_needs"], p["weight_property"], p["weight_disputes"]]
    w = [x / sum(w) for x in w] if sum(w) > 0 else [1 / 3] * 3
    quality, harmony = cp.quality.tolist(), cp.harmony.tolist()
    community_met = cm.needs_met.tolist()
    mediation = np.where(cp.disputes > 0, cp.mediated / np.maximum(cp.disputes, 1), np.nan).tolist()
    state = cp.oc_state.tolist()
    ngo_seen = (cm.ngo >= 0).tolist()
    community_of = cp.community.tolist()
    rate, trust_rate = p["satisfaction_rate"], p["trust_rate"]
    res = model.residents
    satisfaction = np.empty(res.n, dtype=np.float32)
    trust = np.empty((res.n, len(TRUST_TARGETS)), dtype=np.float32)
    for a in model.resident_agents:
        c = a.compound
        met_here = community_met[community_of[c]]
        party = met_here if math.isnan(mediation[c]) else mediation[c]
        oc = (
            (0.0 if state[c] == OC_CAPTURED else quality[c])
            if state[c] in (OC_FUNCTIONING, OC_CAPTURED)
            else None
        )
        a.update_satisfaction(
            w, rate, trust_rate, quality[c], harmony[c], party, oc, ngo_seen[a.community], met_here
        )
        satisfaction[a.index] = a.satisfaction
        trust[a.index] = a.trust
    res.satisfaction = satisfaction
    res.trust = np.asfortranarray(trust)
    cp.satisfaction = res.per_compound(satisfaction) / np.maximum(cp.residents, 1)
    satisfaction_module.update_standing(model)


RESIDENT_RULES: dict[str, Any] = {
    "needs": types.SimpleNamespace(step=needs_step),
    "services": types.SimpleNamespace(step=services_step),
    "property_management": types.SimpleNamespace(
        set_detection=property_management.set_detection,
        set_quality=property_management.set_quality,
        pay_fees=fees_step,
        detect=property_management.detect,
        turnover=property_management.turnover,
    ),
    "resident_participation": types.SimpleNamespace(step=participation_step),
    "satisfaction": types.SimpleNamespace(step=satisfaction_step),
}
"""The mechanism modules of `sim.core.model` that this build replaces, by the name `step` uses."""


class AgentResidentsModel(GovernanceModel):
    """`GovernanceModel` with one `ResidentAgent` per resident for the resident rules."""

    def __init__(self, rng: Any = None, community_period: int = 1, **params: Any) -> None:
        super().__init__(rng=rng, community_period=community_period, **params)
        res = self.residents
        self.resident_agents = [ResidentAgent(self, i) for i in range(res.n)]
        social = res.social
        for a in self.resident_agents:
            a.neighbours = [
                self.resident_agents[j]
                for j in social.indices[social.indptr[a.index] : social.indptr[a.index + 1]]
            ]
        self.community_agents = [
            self.resident_agents[res.community_start[c] : res.community_start[c + 1]]
            for c in range(self.communities.n)
        ]
        self.owner_head_agents = [a for a in self.resident_agents if a.owner_head]
        # the model's own schedule, with the resident rules above in place of the vectorised
        # mechanisms (read at construction, so timing wrappers installed before it apply)
        namespace = {**vars(model_module), **RESIDENT_RULES}
        self._reference_step = types.FunctionType(GovernanceModel.step.__code__, namespace, "step")

    def step(self) -> None:
        """One month: `GovernanceModel.step` with the per-agent resident rules."""
        self._reference_step(self)
