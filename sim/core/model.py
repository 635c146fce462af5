"""GovernanceModel: the district, its organisations, people and residents, and the monthly
step (ODD §3 process overview and scheduling — the step order is written once, in `step`).

    model = GovernanceModel(rng=1, xa_one_shoulder=0.15)          # any parameter by keyword
    model = GovernanceModel.from_scenario("scenarios/baseline.toml", rng=1)
    model.run_for(120)
    model.datacollector.get_model_vars_dataframe()                # district series
    model.community_table()                                       # one row per community/step

Organisations decide in their classes (sim/core/agents), called here through Mesa's
AgentSets; mechanisms (sim/core/mechanisms) carry what no single organisation decides —
needs, votes, money accounting, disputes, residents' participation and trust. The model
knows nothing about files, the CLI, the browser or sweeps (`from_scenario` only asks
sim.core.scenario for validated values).
"""

from __future__ import annotations

import inspect
import unicodedata
import zlib
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from . import params as P
from . import scenario as S
from .agents import (
    NGO,
    Department,
    OwnersCommittee,
    PartyBranch,
    PartyCommittee,
    PropertyCommittee,
    PropertyFirm,
    ResidentsCommittee,
    StreetOffice,
)
from .agents.property_committee import convene_property_committee
from .agents.street_office import SelectionRecord
from .district import District
from .mechanisms import (
    coordination,
    devolution,
    disputes,
    elections,
    needs,
    ngo_market,
    owners_assembly,
    property_management,
    renovation,
    resident_participation,
    satisfaction,
    services,
    workload,
)
from .mechanisms.assessment import residents_evaluation
from .metrics import (
    DEPARTMENT_COLUMNS,
    OUTCOMES,
    STREET_COLUMNS,
    CommunityRecorder,
    CompoundRecorder,
    OutcomeCollector,
    TableRecorder,
    department_snapshot,
    district_outcomes,
    measure_cross_appointment,
    street_snapshot,
)
from .network import edge_index, set_edge
from .people import (
    BRANCH,
    BRANCH_SECRETARY,
    CADRE,
    DIRECTOR,
    KIND_NAMES,
    OC,
    OC_CHAIR,
    PC,
    PC_MEMBER,
    PROFESSIONAL,
    RC,
    RC_MEMBER,
    ROLE_NAMES,
    SECRETARY,
    VOLUNTEER,
    People,
    build_seats,
    shared_links,
)
from .policy import Levers, Timeline, parse_timeline
from .residents import TRUST_TARGETS, Residents
from .rows import among, distinct
from .state import (
    OC_KIND_NONE,
    OC_NONE,
    Communities,
    Compounds,
    Departments,
    Firms,
    Month,
    NGOs,
    Streets,
)
from .world import build_world

STREAMS = (
    "world",
    "needs",
    "property",
    "assembly",
    "disputes",
    "ngo",
    "participation",
    "elections",
    "organisations",
)
"""Independent random streams, one per stochastic mechanism, so a change in one mechanism's
draws does not shift another's (common random numbers across experiment arms)."""

MAX_SEED_DIGITS = 40
"""A typed seed with more digits than this is hashed like other text."""


def coerce_seed(rng: Any) -> Any:
    """Accept what a person types as a seed: blank → None (fresh entropy), ASCII digits
    (at most `MAX_SEED_DIGITS`) → int, any other text (including "-5", "²", "①") → a stable
    non-negative integer hash of it. Generators and non-negative ints pass through; a
    negative int is hashed like its text."""
    if isinstance(rng, str):
        text = unicodedata.normalize("NFC", rng.strip())
        if not text:
            return None
        if text.isascii() and text.isdigit() and len(text) <= MAX_SEED_DIGITS:
            return int(text)
        return zlib.crc32(text.encode("utf-8"))
    if isinstance(rng, float) and rng.is_integer():
        rng = int(rng)
    if isinstance(rng, int) and not isinstance(rng, bool) and rng < 0:
        return zlib.crc32(str(rng).encode("utf-8"))
    return rng


class GovernanceModel(mesa.Model):
    """Urban grassroots governance in one district. Every parameter of sim.core.params is a
    keyword argument with its schema default; `rng` is the seed; `timeline` a list of
    scheduled policy changes (`[[policy]]` tables, sim.core.policy)."""

    def __init__(
        self,
        rng: Any = None,
        community_period: int = 1,
        timeline: Any = None,
        district: District | None = None,
        **params: Any,
    ) -> None:
        rng = coerce_seed(rng)
        super().__init__(rng=rng)
        self.p: dict[str, Any] = P.validate(params, where="GovernanceModel")
        if district is not None:  # a district read from tables fixes its own structure
            self.p = district.params(self.p)
        self.timeline: Timeline = parse_timeline(timeline)
        self.seed = rng if isinstance(rng, int) else None
        children = np.random.SeedSequence(int(self.rng.integers(2**63))).spawn(len(STREAMS))
        self.streams = {k: np.random.default_rng(s) for k, s in zip(STREAMS, children)}
        self.cache: dict[str, Any] = {}
        self.network_version = 0
        self.ties_version = 0
        self.edge_versions: dict[str, int] = {}
        self.dept_version = 0
        self.seats_version = 0
        self.month = Month()

        self.world = world = build_world(self.p, self.streams["world"], district)
        self.residents = Residents(world, self.p, self.streams["world"])
        self.owner_heads = np.flatnonzero(self.residents.owner_heads)
        self.network = world.graph
        self.edge_index = edge_index(self.network)
        self.grid = Network(self.network, layout=None, random=self.random)
        self.levers = Levers(
            self.p,
            world.street_of_community,
            world.community_of_compound,
            world.community_type,
            world.compound_type,
        )
        for change in self.timeline.changes:  # fail now on a street that does not exist
            for name in change.values:
                if name in self.levers.values:
                    self.levers.units(change, _scope(name), world.n_streets)
            if "branch_building" in change.values:  # ... or on more branches than members
                P.check_branch_target(
                    self.p, change.values["branch_building"], f"policy at month {change.month}"
                )
        self._init_state()
        self._init_agents()
        self._init_people()
        ngo_market.new_ngos(self, np.arange(self.ngos.n))
        self.election_offset = elections.election_offsets(
            self.p, self.communities.n, self.streams["elections"]
        )
        self.lawsuits = np.zeros(self.compounds.n, dtype=np.int64)
        self.reelection_mobilised = np.zeros(self.compounds.n)
        self.early_reelection = np.zeros(self.compounds.n, dtype=bool)
        self.last_round: dict[str, float] = {}
        self.selections = SelectionRecord()
        self.pmc_independence = np.ones(self.compounds.n)
        workload.loads(self)
        workload.aggregate(self)
        coordination.step(self)

        self.outcomes: dict[str, float] = {}
        self.datacollector = OutcomeCollector(tuple(OUTCOMES))
        self.community_recorder = CommunityRecorder(community_period)
        self.compound_recorder = CompoundRecorder(community_period)
        self.street_recorder = TableRecorder(
            street_snapshot, STREET_COLUMNS, "street", community_period
        )
        self.department_recorder = TableRecorder(
            department_snapshot, DEPARTMENT_COLUMNS, "department", community_period
        )

    # --- construction ------------------------------------------------------------------
    @classmethod
    def from_scenario(cls, path: str | Path, rng: Any = None, **overrides: Any) -> GovernanceModel:
        """Build from a scenario file (following `extends`), with optional overrides."""
        scenario = S.load_scenario(path, overrides)
        if rng is None:
            rng = scenario.seed
        return cls(
            rng=rng, timeline=scenario.timeline, district=scenario.district, **scenario.params
        )

    def _init_state(self) -> None:
        p, w, res = self.p, self.world, self.residents
        rng = self.streams["world"]
        cm = self.communities = Communities(w.n_communities)
        cm.street = w.street_of_community
        cm.residents = np.bincount(res.community, minlength=cm.n)
        st = self.streets = Streets(w.n_streets)
        st.residents = np.bincount(cm.street, weights=cm.residents, minlength=st.n).astype(np.int64)
        cm.staff = np.maximum(p["staff_per_1000"] * cm.residents / 1000.0, p["rc_seats"])
        sd = p["rc_skill_sd"]
        cm.skill = np.clip(
            p["rc_skill_mean"] * rng.lognormal(-(sd**2) / 2, sd, cm.n), 0.01, p["skill_max"]
        )
        cm.grid_workers = p["grid_workers_per_1000"] * cm.residents / 1000.0
        cm.score = np.full(cm.n, 0.5)
        cm.ngo = np.full(cm.n, -1, dtype=np.int32)
        cm.absorption = np.ones(cm.n)
        cm.leader_performance = np.ones(cm.n)
        cm.staff_performance = np.ones(cm.n)
        cm.coordination = np.full(cm.n, p["coord_tie"])
        cm.oversight = np.ones(cm.n)
        a0 = p["rc_initial_paperwork"]
        cm.allocation = np.tile([a0, (1 - a0) / 2, (1 - a0) / 2], (cm.n, 1))
        cp = self.compounds = Compounds(w.n_compounds)
        cp.community = w.community_of_compound
        cp.residents = np.bincount(res.compound, minlength=cp.n)
        cp.households = w.households_of_compound
        heads = self.owner_heads
        cp.owners = np.bincount(res.compound[heads], minlength=cp.n).astype(np.int64)
        cp.area = np.bincount(res.compound[heads], weights=res.area[heads], minlength=cp.n)
        cp.fee = w.fee
        cp.management = w.management.copy()
        cp.build_year = w.build_year
        cp.base_quality = property_management.base_quality(w.build_year, p)
        cp.has_branch = w.compound_has_branch.copy()
        cp.party_members = np.bincount(res.compound[res.party_member], minlength=cp.n).astype(
            np.int64
        )
        cp.oc_lapsed_month[:] = -1
        cp.oc_revived_month[:] = -1
        cp.oc_convened_month[:] = -1
        cp.oc_early_call[:] = -1e9
        cp.firm = w.firm_of_compound.copy()
        cp.effort = np.full(cp.n, p["shirk_threshold"])
        cp.collection = np.ones(cp.n)
        cp.independence = np.ones(cp.n)
        cp.harmony = np.ones(cp.n)
        cp.satisfaction = np.full(cp.n, p["initial_satisfaction"])
        cp.mediation_coordination = np.full(cp.n, p["coord_formal"])
        fm = self.firms = Firms(p["n_firms"])
        fm.capability = w.firm_capability
        fm.effort_cost = w.firm_effort_cost
        fm.compounds = np.bincount(cp.firm[cp.firm >= 0], minlength=fm.n)
        cp.quality = cp.base_quality * property_management.management_quality(self)
        self.ngos = NGOs(p["n_ngos"])
        dp = self.departments = Departments(p["n_departments"])
        dp.make_matrices(st.n)
        dp.push_intensity[:] = 1.0
        dp.responsiveness[:] = 0.5
        dp.mirrors[:] = 0.5
        dp.rating[:] = 1.0
        # mediation hours are reserved from last month's disputes: start from the expected
        expected = p["dispute_base"] + p["dispute_quality"] * (1 - cp.quality)
        cm.disputes = np.bincount(
            cp.community, weights=expected * cp.residents / 1000, minlength=cm.n
        )
        # collaboration ties: a firm works with the RC of each community it serves
        for c in np.flatnonzero(cp.firm >= 0):
            property_management.collaborate(self, int(cp.firm[c]), int(cp.community[c]), True)

    def _init_agents(self) -> None:
        off, w = self.world.node_offset, self.world
        self.street_offices = [
            StreetOffice(self, i, off["street_office"] + i) for i in range(w.n_streets)
        ]
        self.party_committees = [
            PartyCommittee(self, i, off["party_branch"] + i) for i in range(w.n_communities)
        ]
        self.branches = {
            c: PartyBranch(self, c, off["compound_branch"] + c)
            for c in np.flatnonzero(self.compounds.has_branch).tolist()
        }
        self.residents_committees = [
            ResidentsCommittee(self, i, off["residents_committee"] + i)
            for i in range(w.n_communities)
        ]
        self.firm_agents = [
            PropertyFirm(self, i, off["property_firm"] + i) for i in range(self.firms.n)
        ]
        self.ngo_agents = [NGO(self, i, off["ngo"] + i) for i in range(self.ngos.n)]
        self.department_agents = [
            Department(self, i, off["department"] + i) for i in range(self.departments.n)
        ]
        self.owners_committees: dict[int, OwnersCommittee] = {}
        self.property_committees: dict[int, PropertyCommittee] = {}

    def _init_people(self) -> None:
        """Seats and their first holders: the state before the first election round."""
        p, w, cm, cp = self.p, self.world, self.communities, self.compounds
        off = w.node_offset
        rng = self.streams["world"]
        comm = np.arange(cm.n)
        self.people = People()
        self.seats = build_seats(
            cm.n,
            cp.community,
            {
                "party_committee": off["party_branch"] + comm,
                "residents_committee": off["residents_committee"] + comm,
                "compound_branch": off["compound_branch"] + np.arange(cp.n),
                "owners_committee": off["owners_committee"] + np.arange(cp.n),
                "property_committee": off["property_committee"] + comm,
            },
            p,
        )
        self.seat_index = {}
        for s, key in enumerate(zip(self.seats.org.tolist(), self.seats.org_index.tolist())):
            self.seat_index.setdefault(key, []).append(s)
        self.seat_index = {k: np.array(v, dtype=np.int64) for k, v in self.seat_index.items()}
        self.role_seats = _role_table(self.seats)
        self.oc_seat_table = np.array(
            [self.seat_index[(OC, c)] for c in range(cp.n)], dtype=np.int64
        ).reshape(cp.n, int(p["oc_seats"]))
        for c in comm.tolist():
            pc_seats = self.seats_of(PC, c)
            self.fill(pc_seats, self.new_people(pc_seats.size, CADRE, c, party=True))
            secretary = int(self.seats.holder[self.seats_of(PC, c, SECRETARY)[0]])
            self.people.selection_weight[secretary] = self.levers.community(
                "cadre_selection_resident_weight"
            )[c]
            members = [int(h) for h in self.seats.holder[self.seats_of(PC, c, PC_MEMBER)]]
            director = self.seats_of(RC, c, DIRECTOR)
            # secretaries the street appointed earlier may live outside the community; one
            # the residents elected director lives in it
            outside = rng.random() < p["outside_cadre_share"]
            if rng.random() < p["initial_one_shoulder"]:
                self.fill(director, np.array([secretary]))
                outside = False
            else:
                self.fill(director, self.new_people(1, CADRE, c, party=True))
            self.people.resident[secretary] = not outside
            for s in self.seats_of(RC, c, RC_MEMBER).tolist():
                if members and rng.random() < p["initial_overlap"]:
                    self.fill(np.array([s]), np.array([members.pop(0)]))
                else:
                    party = rng.random() < p["rc_member_party_share"]
                    self.fill(np.array([s]), self.new_people(1, CADRE, c, party=party))
        for c in np.flatnonzero(cp.has_branch).tolist():
            self.fill(
                self.seats_of(BRANCH, c),
                self.new_people(1, VOLUNTEER, int(cp.community[c]), c, party=True),
            )
        existing = rng.random(cp.n) < p["oc_initial_share"]
        if w.district is not None:  # committees the district's tables list
            existing = w.district.fill("has_oc", existing)
        for c in np.flatnonzero(existing).tolist():
            owners_assembly.initial_committee(self, c, rng)
        self.compounds.oc_age = np.where(
            cp.oc_kind != OC_KIND_NONE, np.floor(rng.random(cp.n) * p["oc_term_months"]), 0
        )
        for c in np.flatnonzero(self.levers.community("professional_committee")).tolist():
            convene_property_committee(self, c, True)
        self.sync_shared_edges()

    # --- people and seats ----------------------------------------------------------------
    def new_people(
        self,
        k: int,
        kind: int,
        community: int,
        compound: int = -1,
        party: bool | np.ndarray = False,
        candidates: int = 1,
        resident: bool = True,
    ) -> np.ndarray:
        """Create `k` people of `kind` (CADRE, VOLUNTEER, PROFESSIONAL) living in
        `community` (and `compound`; `resident=False`: a cadre from outside it), with hours,
        skill, standing, age and civic motivation drawn from the people parameters; each is
        the most motivated of `candidates` (an election among several who stand); return
        their ids."""
        return self.add_people(
            self.draw_traits(k, kind, candidates), kind, community, compound, party, resident
        )

    def draw_traits(self, k: int, kind: int, candidates: int = 1) -> dict[str, np.ndarray]:
        """The traits of `k` new people of `kind` as `new_people` draws them from the
        `organisations` stream (skill, motivation of the most motivated of `candidates`,
        hours, standing, age, in this order), not yet added to the people table."""
        p, rng = self.p, self.streams["organisations"]
        hours, sd, ssd, a, b, age_mean, age_sd, msd = self._trait_parameters(kind)
        skill = (
            p["professional_skill"]
            if kind == PROFESSIONAL
            else rng.lognormal(-(ssd**2) / 2, ssd, k)
        )
        motivation = rng.lognormal(-(msd**2) / 2, msd, (max(candidates, 1), k)).max(axis=0)
        return {
            "hours": hours * rng.lognormal(-(sd**2) / 2, sd, k),
            "skill": skill,
            "standing": rng.beta(a, b, k),
            "age": np.minimum(np.maximum(rng.normal(age_mean, age_sd, k), 18.0), 95.0),
            "motivation": motivation,
        }

    def _trait_parameters(self, kind: int) -> tuple:
        """(mean hours, hours sd, skill sd, standing's beta a and b, mean age, age sd,
        motivation sd) of new people of `kind`, from the people parameters."""
        p = self.p
        hours = {
            CADRE: p["leader_hours"],
            VOLUNTEER: p["volunteer_leader_hours"],
            PROFESSIONAL: p["professional_hours"],
        }[kind]
        mean, sdv = p["standing_mean"], p["standing_sd"]
        var = min(sdv**2, mean * (1 - mean) * 0.99)
        conc = mean * (1 - mean) / var - 1
        age_mean = p["volunteer_age_mean"] if kind == VOLUNTEER else p["cadre_age_mean"]
        return (
            hours,
            p["leader_hours_sd"],
            p["leader_skill_sd"],
            mean * conc,
            (1 - mean) * conc,
            age_mean,
            p["age_sd"],
            p["motivation_sd"],
        )

    def draw_traits_each(self, count: int, kind: int, candidates: int = 1) -> dict[str, np.ndarray]:
        """The traits of `count` new people of `kind`, drawn one after the other: equal to
        concatenating `count` calls of `draw_traits(1, kind, candidates)` (the same draws
        from the `organisations` stream in the same order), with the parameters looked up
        once."""
        p, rng = self.p, self.streams["organisations"]
        hours, sd, ssd, a, b, age_mean, age_sd, msd = self._trait_parameters(kind)
        stand = (max(candidates, 1), 1)
        professional = kind == PROFESSIONAL
        skill, motivation = np.empty(count), np.empty(count)
        drawn_hours, standing, age = np.empty(count), np.empty(count), np.empty(count)
        for i in range(count):
            if not professional:
                skill[i] = rng.lognormal(-(ssd**2) / 2, ssd, 1)[0]
            motivation[i] = rng.lognormal(-(msd**2) / 2, msd, stand).max()
            drawn_hours[i] = rng.lognormal(-(sd**2) / 2, sd, 1)[0]
            standing[i] = rng.beta(a, b, 1)[0]
            age[i] = rng.normal(age_mean, age_sd, 1)[0]
        if professional:
            skill[:] = p["professional_skill"]
        return {
            "hours": hours * drawn_hours,
            "skill": skill,
            "standing": standing,
            "age": np.minimum(np.maximum(age, 18.0), 95.0),
            "motivation": motivation,
        }

    def add_people(
        self,
        traits: dict[str, np.ndarray],
        kind: int,
        community: int,
        compound: int = -1,
        party: bool | np.ndarray = False,
        resident: bool = True,
    ) -> np.ndarray:
        """Add people with drawn `traits` (`draw_traits`; one entry each) to the people
        table, living in `community` (and `compound`); return their ids."""
        return self.people.add(
            len(traits["standing"]),
            kind=kind,
            community=community,
            compound=compound,
            party_member=party,
            resident=resident,
            **traits,
        )

    def fill(self, seats: np.ndarray, people: np.ndarray) -> None:
        self.seats.fill(np.asarray(seats), np.asarray(people), self.steps)
        self.people.active[np.asarray(people)] = True
        self.seats_version += 1

    def vacate(self, seats: np.ndarray) -> None:
        self.seats.vacate(np.asarray(seats))
        self.seats_version += 1

    def replace_in_seat(self, seat: int, person: int) -> None:
        """Give `seat` to `person`; the former holder keeps any other seats."""
        old = int(self.seats.holder[seat])
        self.fill(np.array([seat]), np.array([person]))
        if old >= 0 and not np.any(self.seats.holder == old):
            self.people.active[old] = False

    def replace_secretary(self, community: int, person: int, promoted: bool = False) -> None:
        """The street's choice takes office as secretary; the former secretary leaves the
        party committee (and any seat held with it in the RC, which the new secretary takes
        over as acting holder until the next election)."""
        old = self.holder(SECRETARY, community)
        seats = self.seats_of(PC, community, SECRETARY)
        if old >= 0:
            mine = np.flatnonzero(
                (self.seats.holder == old)
                & (self.seats.community == community)
                & ((self.seats.org == PC) | (self.seats.org == RC))
            )
            seats = mine
            if promoted:  # leaves every seat for a post outside the community
                self.vacate(np.flatnonzero(self.seats.holder == old))
                self.people.active[old] = False
                self.month.promotions += 1
                self.streets.promotions[self.communities.street[community]] += 1
            self.month.cadre_changes += 1
            self.streets.cadre_changes[self.communities.street[community]] += 1
        self.fill(seats, np.repeat(person, seats.size))
        if old >= 0 and not np.any(self.seats.holder == old):
            self.people.active[old] = False

    def give_seat(self, role: int, index: int, person: int | None = None) -> int:
        """Hand the single seat `role` of organisation `index` to `person` (a new person of
        the seat's usual kind if None), as an appointment would; returns the holder."""
        org = {SECRETARY: PC, DIRECTOR: RC, BRANCH_SECRETARY: BRANCH, OC_CHAIR: OC}[role]
        seat = int(self.seats_of(org, index, role)[0])
        if person is None:
            c = int(self.seats.community[seat])
            kind = VOLUNTEER if org in (BRANCH, OC) else CADRE
            person = int(self.new_people(1, kind, c, party=True)[0])
        self.replace_in_seat(seat, person)
        self.sync_shared_edges()
        workload.loads(self)
        workload.aggregate(self)
        coordination.step(self)
        return person

    def seats_of(self, org: int, index: int, role: int | None = None) -> np.ndarray:
        seats = self.seat_index.get((org, index), np.zeros(0, dtype=np.int64))
        return seats if role is None else seats[self.seats.role[seats] == role]

    def org_members(self, org: int, index: int) -> np.ndarray:
        h = self.seats.holder[self.seats_of(org, index)]
        return h[h >= 0]

    def holder(self, role: int, index: int) -> int:
        """Holder of the single seat `role` of organisation `index` (−1: vacant or none)."""
        table = self.role_seats[role]
        if index >= len(table) or table[index, 0] < 0:
            return -1
        return int(self.seats.holder[table[index, 0]])

    def holder_of(self, role: int, indices: np.ndarray) -> np.ndarray:
        """`holder` of the seat `role` of each organisation in `indices`, at once."""
        table = self.role_seats[role]
        inside = indices < len(table)
        seat = np.full(len(indices), -1, dtype=np.int64)
        seat[inside] = table[indices[inside], 0]
        return np.where(seat >= 0, self.seats.holder[np.maximum(seat, 0)], -1)

    def holders(self, role: int, index: int) -> list[int]:
        """Holders of the seats `role` of organisation `index` (−1 where vacant)."""
        table = self.role_seats[role]
        if index >= len(table):
            return []
        seats = table[index]
        return self.seats.holder[seats[seats >= 0]].tolist()

    def holders_of_role(self, role: int) -> np.ndarray:
        """Holder of the single seat `role` of every organisation of its type, in order."""
        return self.seats.holder[self.seats.of(role)]

    def director_of(self, community: int) -> int:
        return self.holder(DIRECTOR, community)

    def sits_on(self, person: int, org: int, index: int) -> bool:
        return bool(np.any(self.seats.holder[self.seats_of(org, index)] == person))

    def is_cadre(self, person: int) -> bool:
        return int(self.people.kind[person]) == CADRE

    def two_committees_member(self, community: int, rng: np.random.Generator) -> int:
        """A member of the community's party committee or RC, other than its leaders."""
        pool = [
            h
            for h in self.holders(PC_MEMBER, community) + self.holders(RC_MEMBER, community)
            if h >= 0
        ]
        return int(pool[int(rng.integers(len(pool)))]) if pool else -1

    def seat_hours_given(self, org: int, index: int, skilled: bool = False) -> float:
        """Hours the members of organisation (`org`, `index`) give their seats, scaled by
        their performance (and skill)."""
        seats = self.seats_of(org, index)
        seats = seats[self.seats.holder[seats] >= 0]
        h = self.seats.holder[seats]
        given = self.seats.hours[seats] * self.people.performance[h]
        if skilled:
            given = given * self.people.skill[h]
        return float(given.sum())

    def people_in(self, node: int) -> list[dict[str, Any]]:
        """Who holds which seat of the organisation at network node `node`."""
        seats = np.flatnonzero(self.seats.node == node)
        out = []
        for s in seats.tolist():
            h = int(self.seats.holder[s])
            row: dict[str, Any] = {"seat": ROLE_NAMES[int(self.seats.role[s])], "person": h}
            if h >= 0:
                ppl = self.people
                others = np.flatnonzero((self.seats.holder == h) & (self.seats.node != node))
                row.update(
                    kind=KIND_NAMES[int(ppl.kind[h])],
                    load=float(ppl.load[h]),
                    performance=float(ppl.performance[h]),
                    standing=float(ppl.standing[h]),
                    party_member=bool(ppl.party_member[h]),
                    other_seats=[ROLE_NAMES[int(self.seats.role[o])] for o in others],
                )
            out.append(row)
        return out

    def shared_links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(u, v, person) for each pair of organisation nodes and person sitting on both
        (people.shared_links, cached per seats)."""
        hit = self.cache.get("shared_links")
        if hit is not None and hit[0] == self.seats_version:
            return hit[1]
        links = shared_links(self.seats)
        self.cache["shared_links"] = (self.seats_version, links)
        return links

    def sync_shared_edges(self) -> None:
        """Keep the network's `cross_appointment` edges equal to the pairs of organisations
        that share a person (the one-mode projection of the affiliation network). Who the
        shared people are is `shared_links()`; coordination and checks read them there for
        the pairs these edges join (coordination.py)."""
        if self.cache.get("synced") == self.seats_version:
            return
        n = max(self.network.number_of_nodes(), 1)
        u, v, _ = self.shared_links()  # u < v
        want = distinct(u * n + v)
        u, v, _ = self.edge_index.arrays(("cross_appointment",))
        have = distinct(u * n + v)
        for key in have[~among(have, want)].tolist():
            set_edge(self, key // n, key % n, "cross_appointment", False)
        for key in want[~among(want, have)].tolist():
            set_edge(self, key // n, key % n, "cross_appointment", True)
        self.cache["synced"] = self.seats_version

    # --- changes of contracts, ties and committees ---------------------------------------
    # --- quantities organisations read ---------------------------------------------------
    def residents_evaluation(self) -> np.ndarray:
        return self.cache_month("evaluation", lambda: residents_evaluation(self))

    def index_of(self, node: int) -> int:
        return int(self.network.nodes[node]["index"])

    def cache_month(self, key: str, make) -> Any:
        hit = self.cache.get(key)
        if hit is not None and hit[0] == self.steps:
            return hit[1]
        value = make()
        self.cache[key] = (self.steps, value)
        return value

    def vacant_seats(self) -> int:
        """Vacant seats of party committees, RCs and formed owners' committees."""
        seats, cp = self.seats, self.compounds
        vacant = seats.holder < 0
        oc = seats.in_org(OC)
        formed = cp.oc_state[np.minimum(seats.org_index[oc], cp.n - 1)] != OC_NONE
        committees = np.count_nonzero(vacant[seats.in_org(PC)]) + np.count_nonzero(
            vacant[seats.in_org(RC)]
        )
        return int(committees + np.count_nonzero(vacant[oc] & formed))

    # --- the month -----------------------------------------------------------------------
    def step(self) -> None:
        """One month. The order below is the model's schedule (ODD §3)."""
        self.month = Month()
        self.reelection_mobilised = np.zeros(self.compounds.n)
        self.early_reelection = np.zeros(self.compounds.n, dtype=bool)
        self.compounds.changed_firm[:] = False
        self.streets.cadre_changes[:] = 0
        self.streets.promotions[:] = 0
        self.apply_policies()  # §7.0 policy changes due this month
        needs.step(self)  # §7.1 needs arise
        elections.step(self)  # §7.13 election rounds due this month
        workload.step(self)  # §7.5 loads, performance, people leaving
        coordination.step(self)  # §7.5 coordination along paths; checks
        self.do(Department, "push")  # §7.14 departments push work to streets
        self.do(StreetOffice, "receive_tasks")  # §7.14 ... the access list refuses some
        self.do(StreetOffice, "plan_owners_work")  # §7.7 drives, backing, re-elections
        self.do(StreetOffice, "push_tasks")  # §7.3 the street keeps or pushes tasks
        self.do(ResidentsCommittee, "accept_tasks")  # §7.3 ... the RC accepts or refuses
        self.do(StreetOffice, "take_back_refused")
        self.do(StreetOffice, "devolve")  # §7.2 money down, by channel
        self.do(ResidentsCommittee, "allocate_hours")  # §7.11 the RCs split their hours
        self.do(PartyCommittee, "convene", PartyCommittee.reconsidering(self))  # §7.5 joint ties
        self.do(PartyCommittee, "build_branches", PartyCommittee.pushed(self))  # §7.7 branches
        devolution.absorb(self)  # §7.2 money spent within capacity
        ngo_market.tender(self)  # §7.9 NGOs bid, the street screens
        devolution.settle_ngo_channel(self, ngo_market.deliver(self))
        services.step(self)  # §7.4 hours meet needs
        self.do(OwnersCommittee, "act")  # §7.7 members choose their effort; who acts
        property_management.set_detection(self)  # §7.6 committees decide how to watch
        self.do(PropertyFirm, "set_effort")  # §7.6 firms choose effort
        property_management.set_quality(self)
        property_management.pay_fees(self)  # §7.6 owners pay or withhold
        property_management.detect(self)
        self.do(OwnersCommittee, "respond")  # §7.6 sanction, re-tender, sue
        self.do(PropertyFirm, "update_record")
        property_management.turnover(self)  # §7.6 exits and new firms
        renovation.step(self)  # §7.6 old-compound renovation
        owners_assembly.step(self)  # §7.7 committees form, elect, co-opt
        disputes.step(self)  # §7.8 disputes, mediation, escalation
        self.do(StreetOffice, "summon")  # §7.14 streets summon departments
        disputes.settle(self)  # §7.8 harm after answered summons
        resident_participation.step(self)  # §7.10 residents decide to participate
        satisfaction.step(self)  # §7.12 satisfaction, trust, standing
        self.do(StreetOffice, "assess")  # §7.11 the street scores communities
        self.do(StreetOffice, "rate_departments")  # §7.14 upward evaluation
        self.do(Department, "adapt")  # §7.14 departments respond to their rating
        self.do(StreetOffice, "promote")  # §7.15 yearly promotions
        self.do(ResidentsCommittee, "learn")  # §7.11 the RCs adapt their hours
        self.do(NGO, "evolve")  # §7.9 NGOs learn, drift, run deficits
        ngo_market.fail_and_enter(self)
        measure_cross_appointment(self)
        self.outcomes = district_outcomes(self)
        self.datacollector.collect(self)
        self.community_recorder.record(self)
        self.compound_recorder.record(self)
        self.street_recorder.record(self)
        self.department_recorder.record(self)

    def do(self, cls: type, method: str, only: np.ndarray | None = None) -> None:
        """Every organisation of type `cls` (those whose `index` is in `only`, if given)
        makes the decision `method`, in turn — by the class's rule for all at once where it
        has one (`cls.BATCHED`), which decides as each would in turn."""
        batched = getattr(cls, "BATCHED", {}).get(method)
        if batched is not None:
            getattr(cls, batched)(self, *(() if only is None else (only,)))
            return
        agents = self.agents_by_type.get(cls)
        if agents is None:
            return
        if only is None:
            agents.do(method)
            return
        wanted = set(np.asarray(only).tolist())
        for agent in list(agents) if wanted else ():  # in the AgentSet's order, as `do`
            if agent.index in wanted:
                getattr(agent, method)()

    def apply_policies(self) -> None:
        for change in self.timeline.due(self.steps):  # Mesa counts months from 1
            self.levers.apply(change, self.p, self.world.n_streets)
        want = self.levers.community("professional_committee").astype(bool)
        for c in np.flatnonzero(want != self.communities.pmc).tolist():
            convene_property_committee(self, c, bool(want[c]))

    # --- read-outs -----------------------------------------------------------------------
    def community_trust(self, target: str) -> np.ndarray:
        """Mean trust of each community's residents in an organisation type."""

        def make() -> np.ndarray:
            res = self.residents
            col = TRUST_TARGETS.index(target)
            return res.per_community(res.trust[:, col], self.communities.n) / np.maximum(
                self.communities.residents, 1
            )

        return self.cache_month(f"community_trust_{target}", make)

    def community_satisfaction(self) -> np.ndarray:
        """Mean satisfaction of each community's residents."""

        def make() -> np.ndarray:
            res = self.residents
            return res.per_community(res.satisfaction, self.communities.n) / np.maximum(
                self.communities.residents, 1
            )

        return self.cache_month("community_satisfaction", make)

    def compound_trust(self, target: str) -> np.ndarray:
        """Mean trust of each compound's residents in an organisation type."""

        def make() -> np.ndarray:
            res = self.residents
            col = TRUST_TARGETS.index(target)
            return res.per_compound(res.trust[:, col]) / np.maximum(self.compounds.residents, 1)

        return self.cache_month(f"compound_trust_{target}", make)

    def community_table(self):
        """Per-community outcomes, one row per community and recorded step."""
        return self.community_recorder.frame()

    def compound_table(self):
        """Per-compound outcomes, one row per compound and recorded step."""
        return self.compound_recorder.frame()

    def street_table(self):
        """Per-street outcomes (tasks, summons, ratings, cadres), one row per street and step."""
        return self.street_recorder.frame()

    def department_table(self):
        """Per-department outcomes, one row per department and recorded step."""
        return self.department_recorder.frame()


def _role_table(seats) -> dict[int, np.ndarray]:
    """Per role: seat ids of each organisation (rows: organisation index), −1 padded."""
    out = {}
    for role in range(len(ROLE_NAMES)):
        ids = seats.of(role)
        if ids.size == 0:
            out[role] = np.full((0, 1), -1, dtype=np.int64)
            continue
        idx = seats.org_index[ids]
        width = int(np.bincount(idx).max())
        table = np.full((int(idx.max()) + 1, width), -1, dtype=np.int64)
        fill = np.zeros(table.shape[0], dtype=np.int64)
        for s, i in zip(ids.tolist(), idx.tolist()):
            table[i, fill[i]] = s
            fill[i] += 1
        out[role] = table
    return out


def _scope(name: str) -> str:
    from .policy import LEVER_SCOPE

    return LEVER_SCOPE[name]


def _signature() -> inspect.Signature:
    params = [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("rng", inspect.Parameter.KEYWORD_ONLY, default=None),
        inspect.Parameter("community_period", inspect.Parameter.KEYWORD_ONLY, default=1),
        inspect.Parameter("timeline", inspect.Parameter.KEYWORD_ONLY, default=None),
        inspect.Parameter("district", inspect.Parameter.KEYWORD_ONLY, default=None),
    ]
    params += [
        inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default, annotation=p.type.__name__
        )
        for p in P.PARAMS
    ]
    return inspect.Signature(params)


# Tools that inspect the constructor (mesa.batch_run, SolaraViz) see every parameter and
# its default explicitly.
GovernanceModel.__init__.__signature__ = _signature()
