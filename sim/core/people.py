"""People in seats: who holds which seat, and what that costs them (ODD §2, §7.5).

Cross-appointment (交叉任职) is a fact about people: one person holds seats in several
organisations. The leaders of a district — community party secretaries and committee
members, residents'-committee (RC) directors and members, compound party-branch
secretaries, owners'-committee (OC) chairs and members, members of a property-management
committee — are rows of `People`; the seats of every organisation are rows of `Seats`, each
with the person holding it (or −1 while vacant). Together they are the person–organisation
affiliation network (a two-mode network: one edge per filled seat). `affiliation_graph`
returns it as a networkx graph for analysis and drawing; the governance network carries the
one-mode projection as `shared_person` edges between organisations that share a person.

Seats change only through procedures (sim.core.mechanisms.elections, owners_assembly,
property_committee, and vacancies in workload): `Seats.fill` and `Seats.vacate` are the
only writers of `holder`. Realised cross-appointment shares are measured here from the
seats (`realised_shares`), never assigned.

Counts are small (about 1,500 people in the default district, 30,000 at city scale), so the
tables are plain NumPy arrays that grow by doubling; no mechanism loops over people monthly.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from .rows import among

# organisations that have seats
PC, RC, BRANCH, OC, PMC = range(5)
ORG_NAMES = (
    "party_committee",
    "residents_committee",
    "compound_branch",
    "owners_committee",
    "property_committee",
)

# roles
SECRETARY, PC_MEMBER, DIRECTOR, RC_MEMBER, BRANCH_SECRETARY, OC_CHAIR, OC_MEMBER, PMC_MEMBER = (
    range(8)
)
ROLE_NAMES = (
    "party_secretary",
    "party_committee_member",
    "rc_director",
    "rc_member",
    "branch_secretary",
    "oc_chair",
    "oc_member",
    "pmc_member",
)
ROLE_ORG = (PC, PC, RC, RC, BRANCH, OC, OC, PMC)
"""The organisation type of each role."""

# kinds of people (what their hours and pay are)
CADRE, VOLUNTEER, PROFESSIONAL = range(3)
KIND_NAMES = ("cadre", "volunteer", "professional")

PERSON_NODE_BASE = 10_000_000
"""Person node ids in the affiliation graph start here (organisation nodes keep the
governance network's ids)."""


class People:
    """The person table. Every array has one entry per person ever created; `active` marks
    people who still hold at least one seat or are in office."""

    FIELDS = {
        "kind": np.int8,  # CADRE, VOLUNTEER, PROFESSIONAL
        "community": np.int32,  # home community
        "compound": np.int32,  # home compound (-1: none, e.g. a cadre living elsewhere)
        "party_member": bool,
        "resident": bool,  # lives in the community (a cadre sent from outside does not)
        "age": np.float64,  # years
        "motivation": np.float64,  # civic motivation: what volunteering is worth (1 = typical)
        "hours": np.float64,  # hours a month the person can give to all seats
        "skill": np.float64,  # productivity multiplier (1 = typical)
        "standing": np.float64,  # standing with residents, 0-1: the votes they can win
        "tenure": np.float64,  # months in office since first seat
        "allied_firm": np.int32,  # firm the person answers to (-1: none), see owners_assembly
        "active": bool,
        "load": np.float64,  # hours asked by all seats / hours available (1 = full)
        "performance": np.float64,  # output multiplier in every seat, from the load
        "extra_hours": np.float64,  # standing hours beyond seats (a secretary's convening)
        "setup_hours": np.float64,  # one-off hours this month (setting up branches)
        "selection_weight": np.float64,  # residents' weight when the street appointed them
        "appointed_month": np.int64,  # month the street appointed them secretary (-1: never)
    }
    FILL = {
        "allied_firm": -1,
        "performance": 1.0,
        "selection_weight": np.nan,
        "resident": True,
        "appointed_month": -1,
    }
    """Value of a field for a person not yet created (zero where not listed)."""

    def __init__(self, capacity: int = 256) -> None:
        self.n = 0
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.full(capacity, self.FILL.get(name, 0), dtype=dtype))

    def _grow(self, need: int) -> None:
        cap = len(self.kind)
        if need <= cap:
            return
        new_cap = max(need, 2 * cap)
        for name, dtype in self.FIELDS.items():
            arr = np.full(new_cap, self.FILL.get(name, 0), dtype=dtype)
            arr[:cap] = getattr(self, name)
            setattr(self, name, arr)

    def add(self, k: int, **values: np.ndarray) -> np.ndarray:
        """Append `k` people with the given field values; return their ids."""
        start = self.n
        self._grow(start + k)
        new = slice(start, start + k)
        for name, value in values.items():
            getattr(self, name)[new] = value
        self.active[new] = True
        self.n = start + k
        return np.arange(start, start + k)

    def view(self, name: str) -> np.ndarray:
        """The field `name` for the people created so far."""
        return getattr(self, name)[: self.n]


@dataclass
class Seats:
    """The seat table: fixed seats of every organisation; `holder` is −1 while vacant."""

    org: np.ndarray  # organisation type (PC, RC, BRANCH, OC, PMC)
    org_index: np.ndarray  # community (PC, RC, PMC) or compound (BRANCH, OC)
    role: np.ndarray  # SECRETARY, ...
    node: np.ndarray  # governance-network node of the organisation
    community: np.ndarray  # community the seat belongs to
    holder: np.ndarray  # person id, -1 vacant
    hours: np.ndarray  # hours a month the seat asks of its holder at full effort
    since: np.ndarray  # month the seat was last filled
    effort: np.ndarray  # share of the seat's hours its holder chooses to give (owners' seats)

    @property
    def n(self) -> int:
        return len(self.role)

    def of(self, role: int) -> np.ndarray:
        """Seat ids of a role, in order of their organisation index (one per organisation
        for single seats such as SECRETARY)."""
        return self._by_role[role]

    def in_org(self, org: int) -> np.ndarray:
        """Seat ids of every organisation of type `org` (PC, RC, ...), in seat order."""
        return self._by_org[org]

    def index(self) -> None:
        """Build the per-role and per-organisation-type lookups (called once the table is
        complete)."""
        self._by_role = {r: np.flatnonzero(self.role == r) for r in range(len(ROLE_NAMES))}
        self._by_org = {o: np.flatnonzero(self.org == o) for o in range(len(ORG_NAMES))}

    def fill(self, seats: np.ndarray, people: np.ndarray, month: int) -> None:
        self.holder[seats] = people
        self.since[seats] = month
        self.effort[seats] = 1.0

    def vacate(self, seats: np.ndarray) -> None:
        self.holder[seats] = -1


def build_seats(
    n_communities: int,
    compound_community: np.ndarray,
    node_of: dict[str, np.ndarray],
    p: dict,
) -> Seats:
    """Every seat of the district. `node_of` maps 'party_committee', 'residents_committee',
    'compound_branch', 'owners_committee' and 'property_committee' to the network node of
    each organisation. Every compound has the seat of a branch secretary and the seats of an
    owners' organisation, vacant while it has no branch or committee."""
    comm = np.arange(n_communities)
    comp = np.arange(len(compound_community))
    parts = []

    def add(org, index, role, node, community, hours):
        k = len(index)
        parts.append(
            (
                np.full(k, org),
                index,
                np.full(k, role),
                node,
                community,
                np.broadcast_to(hours, (k,)).astype(float),
            )
        )

    n_pc, n_rc = int(p["party_committee_seats"]), int(p["rc_seats"])
    add(PC, comm, SECRETARY, node_of["party_committee"], comm, p["seat_hours_secretary"])
    for _ in range(n_pc - 1):
        add(PC, comm, PC_MEMBER, node_of["party_committee"], comm, p["seat_hours_party_member"])
    add(RC, comm, DIRECTOR, node_of["residents_committee"], comm, p["seat_hours_director"])
    for _ in range(n_rc - 1):
        add(RC, comm, RC_MEMBER, node_of["residents_committee"], comm, p["seat_hours_rc_member"])
    add(
        BRANCH,
        comp,
        BRANCH_SECRETARY,
        node_of["compound_branch"],
        compound_community,
        p["seat_hours_branch"],
    )
    add(OC, comp, OC_CHAIR, node_of["owners_committee"], compound_community, p["seat_hours_oc"])
    for _ in range(int(p["oc_seats"]) - 1):
        add(
            OC,
            comp,
            OC_MEMBER,
            node_of["owners_committee"],
            compound_community,
            p["seat_hours_oc_member"],
        )
    for _ in range(int(p["pmc_seats"])):
        add(PMC, comm, PMC_MEMBER, node_of["property_committee"], comm, p["seat_hours_pmc"])
    cols = [np.concatenate([part[i] for part in parts]) for i in range(6)]
    n = len(cols[0])
    seats = Seats(
        org=cols[0].astype(np.int8),
        org_index=cols[1].astype(np.int32),
        role=cols[2].astype(np.int8),
        node=cols[3].astype(np.int64),
        community=cols[4].astype(np.int32),
        holder=np.full(n, -1, dtype=np.int64),
        hours=cols[5],
        since=np.zeros(n, dtype=np.int64),
        effort=np.ones(n),
    )
    seats.index()
    return seats


# --- measurement ------------------------------------------------------------------------------


def holder_of(seats: Seats, role: int) -> np.ndarray:
    """Holder of the single seat `role` of each organisation (−1 vacant)."""
    return seats.holder[seats.of(role)]


def holds(seats: Seats, people: People, org: int) -> np.ndarray:
    """Per person: the index of the organisation of type `org` where they hold a seat
    (−1 if none; the first if several)."""
    out = np.full(people.n, -1, dtype=np.int64)
    mask = (seats.org == org) & (seats.holder >= 0)
    h, idx = seats.holder[mask], seats.org_index[mask]
    out[h[::-1]] = idx[::-1]  # the first seat wins
    return out


def members_of(seats: Seats, org: int, n_orgs: int) -> list[np.ndarray]:
    """Holders of every seat of each organisation of type `org` (vacant seats left out)."""
    mask = (seats.org == org) & (seats.holder >= 0)
    idx, h = seats.org_index[mask], seats.holder[mask]
    order = np.argsort(idx, kind="stable")
    idx, h = idx[order], h[order]
    bounds = np.searchsorted(idx, np.arange(n_orgs + 1))
    return [h[bounds[i] : bounds[i + 1]] for i in range(n_orgs)]


def person_orgs(seats: Seats, people: People, org: int) -> list[set[int]]:
    """Per person, the set of organisations of type `org` where they sit (for small checks)."""
    out: list[set[int]] = [set() for _ in range(people.n)]
    mask = (seats.org == org) & (seats.holder >= 0)
    for h, i in zip(seats.holder[mask], seats.org_index[mask]):
        out[int(h)].add(int(i))
    return out


def realised_shares(
    seats: Seats,
    n_communities: int,
    compound_community: np.ndarray,
    oc_formed: np.ndarray,
    has_branch: np.ndarray,
) -> dict[str, np.ndarray]:
    """The four cross-appointment measures, per community, read off the seats:

    - `one_shoulder`: the party secretary is also RC director (0/1);
    - `overlap`: share of filled RC seats held by party-committee members;
    - `secretary_chairs_oc`: among the community's formed OCs in compounds with a branch,
      share whose chair is the compound's branch secretary;
    - `member_on_oc`: among the community's formed OCs, share with a 'two committees'
      (party committee or RC) member on it.
    NaN where the measure has no denominator (no formed OC)."""
    sec, director = holder_of(seats, SECRETARY), holder_of(seats, DIRECTOR)
    one_shoulder = ((sec >= 0) & (sec == director)).astype(float)

    pc_mask = (seats.org == PC) & (seats.holder >= 0)
    rc_mask = (seats.org == RC) & (seats.holder >= 0)
    # a person sits on the party committee of community c: pairs (person, community)
    pc_pairs = seats.holder[pc_mask] * n_communities + seats.org_index[pc_mask]
    rc_h, rc_c = seats.holder[rc_mask], seats.org_index[rc_mask]
    on_pc = among(rc_h * n_communities + rc_c, pc_pairs)
    filled = np.bincount(rc_c, minlength=n_communities)
    overlap = np.bincount(rc_c, weights=on_pc, minlength=n_communities) / np.maximum(filled, 1)

    n_comp = len(compound_community)
    chair = np.full(n_comp, -1, dtype=np.int64)
    chair_seats = seats.of(OC_CHAIR)
    chair[seats.org_index[chair_seats]] = seats.holder[chair_seats]
    branch_sec = np.full(n_comp, -1, dtype=np.int64)
    bs = seats.of(BRANCH_SECRETARY)
    branch_sec[seats.org_index[bs]] = seats.holder[bs]
    eligible = oc_formed & has_branch
    chairs = eligible & (chair >= 0) & (chair == branch_sec)

    two_committees = seats.holder[pc_mask | rc_mask]
    oc_mask = (seats.org == OC) & (seats.holder >= 0)
    cadre_on = np.zeros(n_comp, bool)
    oc_h, oc_c = seats.holder[oc_mask], seats.org_index[oc_mask]
    is_cadre = among(oc_h, two_committees)
    cadre_on[oc_c[is_cadre]] = True
    member = oc_formed & cadre_on

    def community_share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        a = np.bincount(compound_community, weights=num, minlength=n_communities)
        b = np.bincount(compound_community, weights=den, minlength=n_communities)
        return np.where(b > 0, a / np.maximum(b, 1), np.nan)

    return {
        "one_shoulder": one_shoulder,
        "overlap": overlap,
        "secretary_chairs_oc": community_share(chairs, eligible),
        "member_on_oc": community_share(member, oc_formed),
    }


def affiliation_graph(seats: Seats, people: People) -> nx.Graph:
    """The person–organisation affiliation network: person nodes (`PERSON_NODE_BASE + id`,
    kind 'person') tied to the network node of every organisation where they hold a seat;
    each edge carries the role names."""
    g = nx.Graph()
    filled = np.flatnonzero(seats.holder >= 0)
    for s in filled:
        person, org = int(seats.holder[s]), int(seats.node[s])
        pnode = PERSON_NODE_BASE + person
        if pnode not in g:
            g.add_node(
                pnode,
                kind="person",
                person=person,
                person_kind=KIND_NAMES[int(people.kind[person])],
            )
        if org not in g:
            g.add_node(org, kind=ORG_NAMES[int(seats.org[s])])
        if g.has_edge(pnode, org):
            g.edges[pnode, org]["roles"].append(ROLE_NAMES[int(seats.role[s])])
        else:
            g.add_edge(pnode, org, roles=[ROLE_NAMES[int(seats.role[s])]])
    return g


def shared_links(seats: Seats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u, v, person): one row per pair of organisation nodes (u < v) and person sitting on
    both; people in order of their id, each person's pairs in order of (u, v)."""
    filled = seats.holder >= 0
    h, node = seats.holder[filled], seats.node[filled]
    counts = np.bincount(h) if h.size else np.zeros(0, dtype=np.int64)
    multi = counts[h] >= 2
    h, node = h[multi], node[multi]
    order = np.lexsort((node, h))
    h, node = h[order], node[order]
    distinct = np.ones(h.size, dtype=bool)
    distinct[1:] = (h[1:] != h[:-1]) | (node[1:] != node[:-1])
    h, node = h[distinct], node[distinct]  # each person's organisations, once each
    starts = np.ones(h.size, dtype=bool)
    starts[1:] = h[1:] != h[:-1]
    first_of = np.flatnonzero(starts)
    size = np.diff(first_of, append=h.size)
    after = np.repeat(size, size) - 1 - (np.arange(h.size) - np.repeat(first_of, size))
    a = np.repeat(np.arange(h.size), after)  # each organisation with every later one
    b = a + 1 + np.arange(a.size) - np.repeat(np.cumsum(after) - after, after)
    return node[a], node[b], h[a]


def seats_per_person(seats: Seats, n_people: int) -> np.ndarray:
    """Number of seats each person holds."""
    filled = seats.holder >= 0
    return np.bincount(seats.holder[filled], minlength=n_people)
