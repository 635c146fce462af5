"""State variables of the organisations, one array per variable (ODD §2).

Organisations are Mesa agents (sim/core/agents), but their state lives here, one NumPy array per
variable indexed by the organisation's number within its type, so that every mechanism can
update all organisations of a type at once. Each agent reads and writes its own entries as
plain attributes (`committee.skill`), through `sim.core.agents.base.column`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

F = np.float64


def _zeros(n: int, dtype=F) -> np.ndarray:
    return np.zeros(n, dtype=dtype)


@dataclass
class Table:
    """Base: a set of equal-length arrays; `n` is the number of organisations."""

    n: int

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name == "n":
                continue
            value = getattr(self, f.name)
            if value is None:
                dtype = f.metadata.get("dtype", F)
                setattr(self, f.name, _zeros(self.n, dtype))

    def columns(self) -> list[str]:
        return [f.name for f in fields(self) if f.name != "n"]


def col(dtype=F, doc: str = ""):
    """A state column (filled with zeros of `dtype` unless given)."""
    return field(default=None, metadata={"dtype": dtype, "doc": doc})


@dataclass
class Streets(Table):
    """Street offices (街道办)."""

    budget: np.ndarray = col(doc="service budget received this month (yuan)")
    retained: np.ndarray = col(doc="budget kept at street level this month (yuan)")
    devolved: np.ndarray = col(doc="budget devolved to communities this month (yuan)")
    task_hours: np.ndarray = col(doc="administrative task hours arriving this month")
    kept_task_hours: np.ndarray = col(doc="task hours the street does itself")
    overhead: np.ndarray = col(doc="money spent on kept tasks, platform, evaluation (yuan)")


@dataclass
class Communities(Table):
    """Communities (社区): their residents' committee and community party committee."""

    street: np.ndarray = col(np.int32, "index of the street office")
    residents: np.ndarray = col(np.int64, "residents living in the community")
    # residents' committee
    staff: np.ndarray = col(doc="community workers (full-time equivalents)")
    skill: np.ndarray = col(doc="mean productivity of staff")
    hours: np.ndarray = col(doc="staff hours available this month")
    admin_hours: np.ndarray = col(doc="hours consumed by pushed-down tasks and inspections")
    formalism_hours: np.ndarray = col(doc="hours spent on scored paperwork")
    management_hours: np.ndarray = col(doc="hours spent managing devolved funds")
    mediation_hours: np.ndarray = col(doc="hours spent mediating disputes")
    committee_hours: np.ndarray = col(doc="hours given to the professional committee")
    service_hours: np.ndarray = col(doc="hours left to serve residents directly")
    capacity_pipeline: np.ndarray = col(doc="capacity investment not yet matured (yuan)")
    # party organisation and cross-appointment
    grid_workers: np.ndarray = col(doc="grid workers under the party organisation")
    one_shoulder: np.ndarray = col(bool, "party secretary is also RC director (一肩挑)")
    overlap: np.ndarray = col(doc="share of RC members also on the party committee")
    leader_load: np.ndarray = col(doc="party secretary's workload / available hours")
    leader_performance: np.ndarray = col(doc="performance multiplier of the leadership")
    coordination: np.ndarray = col(doc="coordination index among local organisations")
    xa_intensity: np.ndarray = col(doc="mean cross-appointment intensity (0-1)")
    # money by channel (yuan): inflow this month, idle stock, spent, lapsed, wasted
    inflow: np.ndarray = col(doc="money allocated to the community this month, all channels")
    idle_block: np.ndarray = col(doc="unspent block-grant money carried over")
    idle_grid: np.ndarray = col(doc="unspent grid funds carried over")
    idle_ngo: np.ndarray = col(doc="unspent NGO-project money carried over")
    spent: np.ndarray = col(doc="money turned into services this month")
    lapsed: np.ndarray = col(doc="idle money lapsing this month")
    wasted: np.ndarray = col(doc="spent money lost to leakage this month")
    invested: np.ndarray = col(doc="money put into capacity building this month")
    # assessment
    score: np.ndarray = col(doc="assessment score given by the street (0-1)")
    # outcomes of the month
    disputes: np.ndarray = col(doc="disputes arising this month")
    mediated: np.ndarray = col(doc="disputes mediated this month")
    escalated: np.ndarray = col(doc="disputes escalated this month")
    ngo: np.ndarray = col(np.int32, "NGO holding the project contract (-1 none)")
    ngo_months_left: np.ndarray = col(doc="months left on the NGO contract")


@dataclass
class Compounds(Table):
    """Residential compounds (小区): owners' committee seat, firm contract, branch."""

    community: np.ndarray = col(np.int32, "index of the community")
    residents: np.ndarray = col(np.int64, "residents living in the compound")
    owners: np.ndarray = col(np.int64, "owner households")
    has_branch: np.ndarray = col(bool, "compound has its own party branch")
    firm: np.ndarray = col(np.int32, "index of the serving firm (-1 none)")
    effort: np.ndarray = col(doc="firm's effort in this compound (0-1)")
    quality: np.ndarray = col(doc="property-service quality (0-1)")
    collection: np.ndarray = col(doc="share of owner households paying fees this month")
    strikes: np.ndarray = col(doc="accumulated detections of shirking")
    low_collection_months: np.ndarray = col(doc="consecutive months below exit threshold")
    # owners' committee: 0 none, 1 functioning, 2 stalled, 3 captured
    oc_state: np.ndarray = col(np.int8, "owners' committee state")
    oc_age: np.ndarray = col(doc="months since the committee was elected")
    oc_chair_xa: np.ndarray = col(bool, "compound party secretary chairs the OC")
    oc_member_xa: np.ndarray = col(bool, "a 'two committees' member sits on the OC")
    independence: np.ndarray = col(doc="OC's independence in supervising the firm (0-1)")
    participation: np.ndarray = col(doc="share of residents participating")


OC_NONE, OC_FUNCTIONING, OC_STALLED, OC_CAPTURED = 0, 1, 2, 3
OC_STATES = ("none", "functioning", "stalled", "captured")


@dataclass
class Firms(Table):
    """Property-management firms (物业服务企业)."""

    capability: np.ndarray = col(doc="quality delivered per unit effort")
    revenue: np.ndarray = col(doc="fees collected this month (yuan)")
    compounds: np.ndarray = col(np.int64, "compounds served")
    lost: np.ndarray = col(np.int64, "compounds lost (re-tender or exit), cumulative")


@dataclass
class NGOs(Table):
    """NGOs / social organisations (社会组织)."""

    alive: np.ndarray = col(bool, "the slot holds an operating NGO")
    capability: np.ndarray = col(doc="service quality delivered (0-1)")
    compliance: np.ndarray = col(doc="formal compliance: party organisation, management (0-1)")
    alignment: np.ndarray = col(doc="mission alignment, 1 = no drift")
    reserve: np.ndarray = col(doc="financial reserve (yuan)")
    gov_share: np.ndarray = col(doc="share of income from government, moving average")
    deficit_months: np.ndarray = col(doc="consecutive months with negative reserve")
    contracts: np.ndarray = col(np.int64, "communities under contract")
    income: np.ndarray = col(doc="government income this month (yuan)")
    failed: np.ndarray = col(np.int64, "NGOs that failed in this slot, cumulative")
    generation: np.ndarray = col(np.int64, "how many NGOs have occupied the slot")
