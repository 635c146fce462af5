"""GovernanceModel: the district, its organisations and residents, and the monthly step
(ODD §4 process overview and scheduling — the step order is written once, in `step`).

    model = GovernanceModel(rng=1, xa_one_shoulder=0.15)          # any parameter by keyword
    model = GovernanceModel.from_scenario("scenarios/baseline.toml", rng=1)
    model.run_for(120)
    model.datacollector.get_model_vars_dataframe()                # district series
    model.community_table()                                       # one row per community/step

The model knows nothing about files, the CLI, the browser or sweeps (`from_scenario` only
asks sim.core.params for validated values).
"""

from __future__ import annotations

import inspect
import zlib
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from . import params as P
from . import scenario as S
from .agents import (
    NGO,
    OwnersCommittee,
    PartyBranch,
    PropertyFirm,
    ResidentsCommittee,
    StreetOffice,
)
from .mechanisms import (
    assessment,
    burden,
    coordination,
    devolution,
    disputes,
    needs,
    ngo_market,
    owners_assembly,
    property_management,
    resident_participation,
    satisfaction,
    services,
)
from .metrics import OUTCOMES, CommunityRecorder, district_outcomes
from .network import set_edge
from .residents import TRUST_TARGETS, Residents
from .state import OC_FUNCTIONING, OC_NONE, OC_STALLED, Communities, Compounds, Firms, NGOs, Streets
from .world import build_world

STREAMS = ("world", "needs", "property", "assembly", "disputes", "ngo", "participation")
"""Independent random streams, one per stochastic mechanism, so a change in one mechanism's
draws does not shift another's (common random numbers across experiment arms)."""


def coerce_seed(rng: Any) -> Any:
    """Accept what a person types as a seed: blank → None (fresh entropy), digits → int,
    other text (including "-5") → a stable non-negative integer hash of it. Generators and
    non-negative ints pass through; a negative int is hashed like its text."""
    if isinstance(rng, str):
        text = rng.strip()
        if not text:
            return None
        if text.isdigit():
            return int(text)
        return zlib.crc32(text.encode("utf-8"))  # any other text, e.g. "-5" or "abc"
    if isinstance(rng, float) and rng.is_integer():
        rng = int(rng)
    if isinstance(rng, int) and not isinstance(rng, bool) and rng < 0:
        return zlib.crc32(str(rng).encode("utf-8"))
    return rng


class GovernanceModel(mesa.Model):
    """Urban grassroots governance in one district. Every parameter of sim.core.params is a
    keyword argument with its schema default; `rng` is the seed."""

    def __init__(self, rng: Any = None, community_period: int = 1, **params: Any) -> None:
        rng = coerce_seed(rng)
        super().__init__(rng=rng)
        self.p: dict[str, Any] = P.validate(params, where="GovernanceModel")
        self.seed = rng if isinstance(rng, int) else None
        children = np.random.SeedSequence(int(self.rng.integers(2**63))).spawn(len(STREAMS))
        self.streams = {k: np.random.default_rng(s) for k, s in zip(STREAMS, children)}
        self.flows: dict[str, Any] = {}

        self.world = world = build_world(self.p, self.streams["world"])
        self.residents = Residents(world, self.p, self.streams["world"])
        self.network = world.graph
        self.grid = Network(self.network, layout=None, random=self.random)
        self._init_state()
        self._init_agents()
        coordination.assign_cross_appointment(self)
        self._init_committees()
        self._init_cross_appointment_edges()
        ngo_market.new_ngos(self, np.arange(self.ngos.n))

        self.outcomes: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={k: partial(_read_outcome, name=k) for k in OUTCOMES}
        )
        self.community_recorder = CommunityRecorder(community_period)

    # --- construction ------------------------------------------------------------------
    @classmethod
    def from_scenario(cls, path: str | Path, rng: Any = None, **overrides: Any) -> GovernanceModel:
        """Build from a scenario file (following `extends`), with optional overrides."""
        scenario = S.load_scenario(path, overrides)
        if rng is None:
            rng = scenario.seed
        return cls(rng=rng, **scenario.params)

    def _init_state(self) -> None:
        p, w, res = self.p, self.world, self.residents
        rng = self.streams["world"]
        self.streets = Streets(w.n_streets)
        cm = self.communities = Communities(w.n_communities)
        cm.street = w.street_of_community
        cm.residents = np.bincount(res.community, minlength=cm.n)
        cm.staff = p["staff_per_1000"] * cm.residents / 1000.0
        sd = p["rc_skill_sd"]
        cm.skill = np.clip(
            p["rc_skill_mean"] * rng.lognormal(-sd**2 / 2, sd, cm.n), 0.01, p["skill_max"]
        )
        cm.grid_workers = p["grid_workers_per_1000"] * cm.residents / 1000.0
        cm.score = np.full(cm.n, 0.5)
        cm.ngo = np.full(cm.n, -1, dtype=np.int32)
        cm.leader_performance = np.ones(cm.n)
        cp = self.compounds = Compounds(w.n_compounds)
        cp.community = w.community_of_compound
        cp.residents = np.bincount(res.compound, minlength=cp.n)
        cp.owners = np.bincount(res.compound, weights=res.owner_heads, minlength=cp.n).astype(np.int64)
        cp.has_branch = w.compound_has_branch
        cp.firm = w.firm_of_compound.copy()
        cp.effort = np.full(cp.n, p["shirk_threshold"])
        cp.collection = np.ones(cp.n)
        cp.independence = np.ones(cp.n)
        fm = self.firms = Firms(p["n_firms"])
        fm.capability = w.firm_capability
        fm.compounds = np.bincount(cp.firm, minlength=fm.n)
        cp.quality = fm.capability[cp.firm] * cp.effort
        self.ngos = NGOs(p["n_ngos"])
        self.flows["compound_satisfaction"] = np.full(cp.n, 0.5)
        self.flows["harmony"] = np.ones(cp.n)
        # mediation hours are reserved from last month's disputes: start from the expected
        expected = p["dispute_base"] + p["dispute_quality"] * (1 - cp.quality)
        cm.disputes = np.bincount(cp.community, weights=expected * cp.residents / 1000, minlength=cm.n)

    def _init_agents(self) -> None:
        off, w = self.world.node_offset, self.world
        self.street_offices = [
            StreetOffice(self, i, off["street_office"] + i) for i in range(w.n_streets)
        ]
        self.party_branches = [
            PartyBranch(self, i, off["party_branch"] + i) for i in range(w.n_communities)
        ]
        branch_of = self.network.graph["branch_of_compound"]
        self.party_branches += [
            PartyBranch(self, c, node, level="compound") for c, node in sorted(branch_of.items())
        ]
        self.residents_committees = [
            ResidentsCommittee(self, i, off["residents_committee"] + i)
            for i in range(w.n_communities)
        ]
        self.property_firms = [
            PropertyFirm(self, i, off["property_firm"] + i) for i in range(self.firms.n)
        ]
        self.ngo_agents = [NGO(self, i, off["ngo"] + i) for i in range(self.ngos.n)]
        self.owners_committees: dict[int, OwnersCommittee] = {}

    def _init_committees(self) -> None:
        """Committees already formed at the start (`oc_initial_share`)."""
        p, w = self.p, self.world
        rng = self.streams["world"]
        u = rng.random(self.compounds.n)
        u_func = rng.random(self.compounds.n)
        age = rng.random(self.compounds.n) * p["oc_term_months"]
        chair = self.compounds.has_branch & (w.u_chair < p["xa_secretary_chairs_oc"])
        member = w.u_member < p["xa_two_committee_member_on_oc"]
        for c in np.flatnonzero(u < p["oc_initial_share"]):
            state = OC_FUNCTIONING if u_func[c] < p["oc_initial_functioning"] else OC_STALLED
            self.set_owners_committee(int(c), state, bool(chair[c]), bool(member[c]))
            self.compounds.oc_age[c] = np.floor(age[c])

    def _init_cross_appointment_edges(self) -> None:
        off, cm = self.world.node_offset, self.communities
        shared = np.flatnonzero(cm.one_shoulder | (cm.overlap > 0))
        for c in shared:
            set_edge(self, off["party_branch"] + int(c), off["residents_committee"] + int(c),
                     "cross_appointment")

    # --- changes of contracts and committees (keep arrays, agents and network in step) ----
    def assign_firm(self, compound: int, firm: int) -> None:
        """Give `compound` to `firm` (-1: no firm) with a fresh contract."""
        cp, off = self.compounds, self.world.node_offset
        seat = off["owners_committee"] + compound
        old = int(cp.firm[compound])
        if old >= 0:
            self.firms.compounds[old] -= 1
            for kind in ("contract", "supervision"):
                set_edge(self, seat, off["property_firm"] + old, kind, False)
        cp.firm[compound] = firm
        cp.strikes[compound] = 0.0
        cp.low_collection_months[compound] = 0
        if firm >= 0:
            self.firms.compounds[firm] += 1
            cp.effort[compound] = self.p["shirk_threshold"]
            for kind in ("contract", "supervision"):
                set_edge(self, seat, off["property_firm"] + firm, kind, True)

    def set_owners_committee(
        self, compound: int, state: int, chair_xa: bool = False, member_xa: bool = False
    ) -> None:
        """Elect (state != OC_NONE) or dissolve the owners' committee of `compound`."""
        cp, off = self.compounds, self.world.node_offset
        seat = off["owners_committee"] + compound
        cp.oc_state[compound] = state
        cp.oc_age[compound] = 0
        cp.oc_chair_xa[compound] = chair_xa and state != OC_NONE
        cp.oc_member_xa[compound] = member_xa and state != OC_NONE
        branch = self.network.graph["branch_of_compound"].get(compound)
        if branch is not None:
            set_edge(self, branch, seat, "cross_appointment", bool(cp.oc_chair_xa[compound]))
        rc = off["residents_committee"] + int(cp.community[compound])
        set_edge(self, rc, seat, "cross_appointment", bool(cp.oc_member_xa[compound]))
        agent = self.owners_committees.get(compound)
        if state == OC_NONE and agent is not None:
            agent.remove()
            del self.owners_committees[compound]
        elif state != OC_NONE and agent is None:
            self.owners_committees[compound] = OwnersCommittee(self, compound, seat)

    def set_ngo_contract(self, community: int, ngo: int) -> None:
        """Give the project contract of `community` to NGO slot `ngo` (-1: none)."""
        cm, off = self.communities, self.world.node_offset
        rc = off["residents_committee"] + community
        old = int(cm.ngo[community])
        if old >= 0:
            self.ngos.contracts[old] -= 1
            set_edge(self, rc, off["ngo"] + old, "contract", False)
        cm.ngo[community] = ngo
        if ngo >= 0:
            self.ngos.contracts[ngo] += 1
            set_edge(self, rc, off["ngo"] + ngo, "contract", True)
        else:
            cm.ngo_months_left[community] = 0

    # --- the month -----------------------------------------------------------------------
    def step(self) -> None:
        """One month. The order of mechanisms is the model's schedule (ODD §4)."""
        needs.step(self)                    # §7.1 needs arise
        burden.step(self)                   # §7.3 tasks pushed down take RC hours
        devolution.allocate(self)           # §7.2 budgets flow down into channels
        coordination.step(self)             # §7.5 workloads, coordination, independence
        assessment.split_hours(self)        # §7.11 RC splits free hours by what is scored
        devolution.absorb(self)             # §7.2 block grant and grid funds are absorbed
        ngo_market.tender(self)             # §7.9 projects are tendered
        devolution.settle_ngo_channel(self, ngo_market.deliver(self))
        services.step(self)                 # §7.4 hours meet needs
        property_management.step(self)      # §7.6 effort, fees, supervision, turnover
        owners_assembly.step(self)          # §7.7 committees form, stall, are captured
        disputes.step(self)                 # §7.8 disputes arise, are mediated or escalate
        resident_participation.step(self)   # §7.10 residents decide to participate
        satisfaction.step(self)             # §7.12 satisfaction and trust
        assessment.score(self)              # §7.11 the street scores communities
        ngo_market.evolve(self)             # §7.9 NGOs learn, drift, fail, enter
        self.outcomes = district_outcomes(self)
        self.datacollector.collect(self)
        self.community_recorder.record(self)

    # --- read-outs -----------------------------------------------------------------------
    def community_trust(self, target: str) -> np.ndarray:
        """Mean trust of each community's residents in an organisation type."""
        res = self.residents
        col = TRUST_TARGETS.index(target)
        return res.per_community(res.trust[:, col], self.communities.n) / np.maximum(
            self.communities.residents, 1
        )

    def community_table(self):
        """Per-community outcomes, one row per community and recorded step."""
        return self.community_recorder.frame()


def _read_outcome(model: GovernanceModel, name: str) -> float:
    """Model reporter: one outcome computed once this step by `district_outcomes`."""
    return model.outcomes.get(name, float("nan"))


def _signature() -> inspect.Signature:
    params = [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("rng", inspect.Parameter.KEYWORD_ONLY, default=None),
        inspect.Parameter("community_period", inspect.Parameter.KEYWORD_ONLY, default=1),
    ]
    params += [
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default,
                          annotation=p.type.__name__)
        for p in P.PARAMS
    ]
    return inspect.Signature(params)


# Tools that inspect the constructor (mesa.batch_run, SolaraViz) see every parameter and
# its default explicitly.
GovernanceModel.__init__.__signature__ = _signature()
