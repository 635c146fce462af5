"""State variables of the organisations and places, one array per variable (ODD §2).

Organisations are Mesa agents (sim/core/agents), but their state lives here, one NumPy
array per variable indexed by the organisation's number within its type, so that a decision
or mechanism can update all organisations of a type at once. Each agent reads and writes its
own entries as plain attributes (`committee.skill`), through `sim.core.agents.base.column`.

What one mechanism hands to another within a month is a named column here too (for example
`Communities.needs_met`, written by services and read by satisfaction), never an entry of a
string-keyed dictionary: every variable's meaning is documented where it is declared.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

F = np.float64


def _zeros(n: int, dtype=F) -> np.ndarray:
    return np.zeros(n, dtype=dtype)


@dataclass
class Table:
    """Base: a set of equal-length arrays; `n` is the number of rows."""

    n: int

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name == "n" or f.metadata.get("per_row") is False:
                continue
            value = getattr(self, f.name)
            if value is None:
                dtype = f.metadata.get("dtype", F)
                shape = (self.n, *f.metadata.get("shape", ()))
                setattr(self, f.name, np.zeros(shape, dtype=dtype))

    def columns(self) -> list[str]:
        return [f.name for f in fields(self) if f.name != "n"]


def col(dtype=F, doc: str = "", shape: tuple[int, ...] = ()):
    """A state column (filled with zeros of `dtype` unless given)."""
    return field(default=None, metadata={"dtype": dtype, "doc": doc, "shape": shape})


def matrix(doc: str = ""):
    """A (rows × streets) state array, made by the owner of the table once sizes are known."""
    return field(default=None, metadata={"doc": doc, "per_row": False})


@dataclass
class Streets(Table):
    """Street offices (街道办)."""

    residents: np.ndarray = col(np.int64, "residents of the street")
    budget: np.ndarray = col(doc="service budget received this month (yuan)")
    retained: np.ndarray = col(doc="budget kept at street level this month (yuan)")
    devolved: np.ndarray = col(doc="budget devolved to communities this month (yuan)")
    task_hours: np.ndarray = col(doc="administrative task hours arriving this month")
    pushed_hours: np.ndarray = col(doc="task hours pushed down to communities this month")
    kept_task_hours: np.ndarray = col(doc="task hours the street does itself or pays for")
    refused_hours: np.ndarray = col(doc="task hours communities refused under the list")
    relabel_due: np.ndarray = col(doc="refused task hours it re-issues next month as list items")
    relabelled_hours: np.ndarray = col(doc="task hours it re-issued this month as list items")
    overhead: np.ndarray = col(doc="money spent on kept tasks, platform, evaluation (yuan)")
    renovation_budget: np.ndarray = col(doc="old-compound renovations it may start this year")
    own_capacity: np.ndarray = col(doc="task hours its own staff and seconded officers can do")
    owners_hours: np.ndarray = col(doc="of those, hours given to owners' organisations this month")
    summons: np.ndarray = col(doc="problems it summoned departments to this month")
    answered_share: np.ndarray = col(doc="share of its summons departments answered this month")
    cadre_changes: np.ndarray = col(doc="secretaries and directors who left office this month")
    promotions: np.ndarray = col(doc="secretaries promoted out of their community this month")


@dataclass
class Communities(Table):
    """Communities (社区): their residents' committee, party committee, property committee."""

    street: np.ndarray = col(np.int32, "index of the street office")
    residents: np.ndarray = col(np.int64, "residents living in the community")
    # residents' committee
    staff: np.ndarray = col(doc="community workers (full-time equivalents)")
    skill: np.ndarray = col(doc="mean productivity of staff")
    hours: np.ndarray = col(doc="staff hours available this month")
    tasks_pushed: np.ndarray = col(doc="task hours (at reference skill) pushed down this month")
    tasks_accepted: np.ndarray = col(doc="of those, task hours the RC accepted")
    tasks_relabelled: np.ndarray = col(doc="of the pushed, tasks re-issued as list items")
    task_hours: np.ndarray = col(doc="hours spent on accepted tasks this month")
    ledger_hours: np.ndarray = col(doc="hours on ledgers kept for the list and its refusals")
    admin_hours: np.ndarray = col(doc="hours spent on accepted tasks and inspections")
    caretaking_hours: np.ndarray = col(doc="hours caretaking compounds without management")
    friction_hours: np.ndarray = col(doc="hours reconciling the two committees' lines of work")
    formalism_hours: np.ndarray = col(doc="hours spent on scored paperwork")
    management_hours: np.ndarray = col(doc="hours spent managing devolved funds")
    mediation_hours: np.ndarray = col(doc="hours spent mediating disputes")
    committee_hours: np.ndarray = col(doc="hours given to the property-management committee")
    service_hours: np.ndarray = col(doc="hours left to serve residents directly")
    allocation: np.ndarray = col(
        doc="RC's split of free hours: paperwork, fund management, service", shape=(3,)
    )
    capacity_pipeline: np.ndarray = col(doc="capacity investment not yet matured (yuan)")
    # party organisation and cross-appointment
    grid_workers: np.ndarray = col(doc="grid workers under the party organisation")
    leader_performance: np.ndarray = col(doc="the party secretary's performance (1 = no overload)")
    director_performance: np.ndarray = col(doc="the RC director's performance")
    staff_performance: np.ndarray = col(doc="mean performance of RC members in their seats")
    coordination: np.ndarray = col(doc="coordination of the party committee and the RC (0-1)")
    oversight: np.ndarray = col(doc="independence of the party committee's check on the RC")
    convened: np.ndarray = col(np.int64, "standing joint ties the party committee keeps")
    # money by channel (yuan): inflow this month, idle stock, spent, lapsed, wasted
    inflow: np.ndarray = col(doc="money allocated to the community this month, all channels")
    in_block: np.ndarray = col(doc="block-grant money allocated this month")
    in_grid: np.ndarray = col(doc="grid-fund money allocated this month")
    in_ngo: np.ndarray = col(doc="NGO-project money allocated this month")
    idle_block: np.ndarray = col(doc="unspent block-grant money carried over")
    idle_grid: np.ndarray = col(doc="unspent grid funds carried over")
    idle_ngo: np.ndarray = col(doc="unspent NGO-project money carried over")
    idle_before: np.ndarray = col(doc="idle money at the start of the month, all channels")
    spent: np.ndarray = col(doc="money turned into services this month")
    lapsed: np.ndarray = col(doc="idle money lapsing this month")
    wasted: np.ndarray = col(doc="spent money lost to leakage this month")
    invested: np.ndarray = col(doc="money put into capacity building this month")
    absorption: np.ndarray = col(doc="share of available money spent, moving average")
    # hours bought or given this month (all categories)
    street_hours: np.ndarray = col(doc="hours of street-run services for the community")
    bought_hours: np.ndarray = col(doc="service hours bought with block grants and grid funds")
    grid_own_hours: np.ndarray = col(doc="grid workers' own service hours")
    ngo_hours: np.ndarray = col(doc="NGO service hours delivered, after referral losses")
    volunteer_hours: np.ndarray = col(doc="matched volunteer hours")
    participants: np.ndarray = col(doc="residents participating")
    supply_hours: np.ndarray = col(doc="service hours from every provider this month")
    supply: np.ndarray = col(doc="service hours available by category", shape=(3,))
    # outcomes of the month
    needs_met: np.ndarray = col(doc="share of need hours met this month")
    demand: np.ndarray = col(doc="need hours by category", shape=(3,))
    delivered: np.ndarray = col(doc="need hours met by category", shape=(3,))
    demand_vulnerable: np.ndarray = col(
        doc="vulnerable residents' need hours by category", shape=(3,)
    )
    delivered_vulnerable: np.ndarray = col(doc="vulnerable residents' hours met", shape=(3,))
    score: np.ndarray = col(doc="assessment score given by the street (0-1)")
    score_paper: np.ndarray = col(doc="paperwork part of the top-down score (0-1)")
    disputes: np.ndarray = col(doc="disputes arising this month")
    mediated: np.ndarray = col(doc="disputes mediated this month")
    escalated: np.ndarray = col(doc="disputes escalated this month")
    ngo: np.ndarray = col(np.int32, "NGO holding the project contract (-1 none)")
    ngo_months_left: np.ndarray = col(doc="months left on the NGO contract")
    ngo_coordination: np.ndarray = col(doc="coordination of the RC and its NGO (0-1)")
    pmc: np.ndarray = col(bool, "a property-management committee is convened")
    # the last election round
    round_turnout: np.ndarray = col(doc="adults who voted in person at its last RC election")
    round_contested: np.ndarray = col(doc="share of RC seats contested at its last round")
    round_defeats: np.ndarray = col(doc="party nominees defeated at its last round")


@dataclass
class Compounds(Table):
    """Residential compounds (小区): management, firm contract, owners' committee."""

    community: np.ndarray = col(np.int32, "index of the community")
    residents: np.ndarray = col(np.int64, "residents living in the compound")
    households: np.ndarray = col(np.int64, "households")
    owners: np.ndarray = col(np.int64, "owner households")
    area: np.ndarray = col(doc="floor area of owner households (m²)")
    fee: np.ndarray = col(doc="property fee (yuan per m² per month)")
    management: np.ndarray = col(np.int8, "management mode (types.MANAGEMENT_MODES)")
    build_year: np.ndarray = col(np.int64, "year the compound was built")
    base_quality: np.ndarray = col(doc="quality the buildings allow (renovation raises it)")
    has_branch: np.ndarray = col(bool, "compound has its own party branch")
    firm: np.ndarray = col(np.int32, "index of the serving firm (-1 none)")
    effort: np.ndarray = col(doc="firm's effort in this compound (0-1)")
    quality: np.ndarray = col(doc="property-service quality (0-1)")
    collection: np.ndarray = col(doc="share of owner households paying fees this month")
    strikes: np.ndarray = col(doc="accumulated detections of shirking")
    low_collection_months: np.ndarray = col(doc="consecutive months below break-even")
    detection: np.ndarray = col(doc="chance shirking is detected this month")
    detected: np.ndarray = col(bool, "shirking detected this month")
    changed_firm: np.ndarray = col(bool, "the firm changed this month (re-tender or exit)")
    # owners' organisation: an elected committee (业主委员会) or one the street convened
    # (物业管理委员会); state 0 none, 1 functioning, 2 dormant, 3 captured
    oc_kind: np.ndarray = col(np.int8, "owners' organisation: 0 none, 1 elected, 2 convened")
    oc_state: np.ndarray = col(np.int8, "owners' committee state (OC_STATES)")
    oc_age: np.ndarray = col(doc="months since the committee was elected or convened")
    oc_last_active: np.ndarray = col(doc="last month the committee acted (met and checked)")
    oc_acted: np.ndarray = col(bool, "the committee acted this month")
    oc_effort: np.ndarray = col(doc="mean effort of the committee's members this month (0-1)")
    oc_hours: np.ndarray = col(doc="hours the committee's members gave this month")
    oc_lapsed_month: np.ndarray = col(doc="month its last committee lapsed (-1: never)")
    oc_revived_month: np.ndarray = col(doc="month it last elected a committee after a lapse")
    oc_lapses: np.ndarray = col(np.int64, "elected committees that lapsed here since the start")
    oc_convened_month: np.ndarray = col(doc="month the street last convened its committee")
    oc_backing: np.ndarray = col(doc="the street's backing of its committee this month (0-1)")
    oc_early_call: np.ndarray = col(doc="month the street last called an early re-election")
    party_members: np.ndarray = col(np.int64, "party members among its residents")
    independence: np.ndarray = col(doc="independence of the OC's check on the firm (0-1)")
    oc_performance: np.ndarray = col(doc="mean performance of the OC's members")
    convened: np.ndarray = col(bool, "the party organisation keeps a joint RC-OC-firm tie")
    renovation_left: np.ndarray = col(doc="months of renovation work left (0: none under way)")
    renovated: np.ndarray = col(bool, "renovated during the run")
    renovation_coordination: np.ndarray = col(
        doc="coordination of the street with the owners of a compound under renovation"
    )
    participation: np.ndarray = col(doc="share of residents participating")
    satisfaction: np.ndarray = col(doc="mean residents' satisfaction, end of last month")
    harmony: np.ndarray = col(doc="dispute harmony this month (1 = no harm)")
    xa_intensity: np.ndarray = col(doc="cross-appointment around the compound (0-1)")
    disputes: np.ndarray = col(doc="disputes arising this month")
    dispute_rate: np.ndarray = col(doc="disputes per 1,000 residents a month, moving average")
    mediated: np.ndarray = col(doc="disputes mediated this month")
    escalated: np.ndarray = col(np.int64, "disputes escalated this month")
    unresolved: np.ndarray = col(np.int64, "disputes neither mediated nor escalated")
    mediation_coordination: np.ndarray = col(
        doc="coordination of the mediators with the parties (0-1)"
    )


OC_NONE, OC_FUNCTIONING, OC_DORMANT, OC_CAPTURED = 0, 1, 2, 3
OC_STATES = ("none", "functioning", "dormant", "captured")
OC_KIND_NONE, OC_ELECTED, OC_CONVENED = 0, 1, 2
OC_KINDS = ("none", "elected", "convened")


@dataclass
class Firms(Table):
    """Property-management firms (物业服务企业)."""

    capability: np.ndarray = col(doc="quality delivered per unit effort")
    effort_cost: np.ndarray = col(doc="quadratic cost of effort relative to fee revenue")
    record: np.ndarray = col(doc="record of detected shirking, moving average (0-1)")
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
    care_focus: np.ndarray = col(doc="share of its work in care (the rest legal aid)")
    reserve: np.ndarray = col(doc="financial reserve (yuan)")
    gov_share: np.ndarray = col(doc="share of income from government, moving average")
    deficit_months: np.ndarray = col(doc="consecutive months with negative reserve")
    contracts: np.ndarray = col(np.int64, "communities under contract")
    income: np.ndarray = col(doc="government income this month (yuan)")
    failed: np.ndarray = col(np.int64, "NGOs that failed in this slot, cumulative")
    generation: np.ndarray = col(np.int64, "how many NGOs have occupied the slot")


@dataclass
class Departments(Table):
    """District line departments (职能部门); matrices are departments × streets."""

    push_intensity: np.ndarray = col(doc="share of its own duties it pushes down (0-1)")
    responsiveness: np.ndarray = col(doc="chance it answers a summons within the month")
    mirrors: np.ndarray = col(doc="how far it insists on mirrored offices (0-1)")
    rating: np.ndarray = col(doc="mean rating the streets gave it (0-1)")
    own_hours: np.ndarray = col(doc="task hours it did itself this month")
    on_list: np.ndarray = matrix("streets' own task hours pushed to each street")
    off_list: np.ndarray = matrix("its own duties pushed to each street (hours)")
    refused: np.ndarray = matrix("of those, hours each street refused under an access list")
    acceptance: np.ndarray = matrix(
        "share of its pushed duties each street accepted, moving average"
    )
    summons: np.ndarray = matrix("problems each street summoned it to this month")
    answered: np.ndarray = matrix("of those, how many it answered")
    ratings: np.ndarray = matrix("rating each street gave it this month (0-1)")
    burden_if_all: np.ndarray = matrix(
        "burden each street would count if it pushed all its duties (0-1)"
    )
    mirror_burden: np.ndarray = matrix("burden each street counts from its mirrored offices (0-1)")

    def make_matrices(self, n_streets: int) -> None:
        for f in fields(self):
            if f.metadata.get("per_row") is False:
                setattr(self, f.name, np.zeros((self.n, n_streets)))
        self.acceptance[:] = 1.0


@dataclass
class Month:
    """District-level counts of this month's events, read by the collectors."""

    sanctions: int = 0
    retendered: int = 0
    firm_exits: int = 0
    firm_entries: int = 0
    oc_formed: int = 0
    oc_lapsed: int = 0
    oc_revived: int = 0
    oc_convened_new: int = 0
    oc_replaced: int = 0
    convened_ended: int = 0
    branches_built: int = 0
    reelections: int = 0
    reelections_held: int = 0
    assemblies: int = 0
    assembly_turnout: float = float("nan")
    ngo_failed: int = 0
    renovations_started: int = 0
    renovations_done: int = 0
    elections: int = 0
    contested: int = 0
    election_turnout: float = float("nan")
    nominees_won: int = 0
    nominees: int = 0
    cadre_changes: int = 0
    promotions: int = 0
    resignations: int = 0
    collusions: int = 0
    convened_new: int = 0
    cadres_sent: int = 0
