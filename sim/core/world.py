"""World builder: the district, its residents and the typed governance network (ODD §3, §6).

`build_world(params, rng)` draws the nested structure street → community → compound →
household → resident, the community and compound types (sim.core.types) with each compound's
build year, management mode and fee, the residents' social graph, the firms' and NGOs'
initial positions, and the organisations' typed network. No lever is read here: two arms of
an experiment with the same seed share the same world (common random numbers), and what a
lever changes is decided later by the agents.

A district read from tables (`sim.core.district`, `build_world(p, rng, district)`) gives the
structure and any attributes it lists; everything else is drawn as above, with the same
draws whichever attributes are given. Where its compounds table gives coordinates, the world
keeps them as `World.compound_lonlat` (longitude and latitude per compound, NaN where
unknown; all NaN in a drawn world): they place compounds on a map and change no draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp

from . import kernels
from . import types as T
from .district import NO_DISTRICT, District

# Node kinds of the governance network and edge kinds between them (ODD §3).
NODE_KINDS = (
    "street_office",
    "party_branch",
    "residents_committee",
    "owners_committee",
    "property_committee",
    "property_firm",
    "ngo",
    "department",
)
EDGE_KINDS = (
    "hierarchy",
    "coordination",
    "contract",
    "supervision",
    "cross_appointment",
    "collaboration",
    "peer",
)
"""`cross_appointment`: the two organisations share a person (people.py); `collaboration`: a
firm works with the residents' committee of a community it serves (物业协助, helping with its
tasks); `peer`: neighbouring communities of one street, who compare their practices."""


@dataclass
class World:
    """Everything the builder draws. Arrays are indexed within their own level.

    `compound_lonlat` is where each compound lies: an (n_compounds, 2) float array of
    longitude and latitude in degrees, NaN where unknown. It is given by a district's
    tables (their `longitude` and `latitude` columns, docs/DATA.md) and never drawn, so a
    drawn world has NaN throughout; maps read it, no mechanism does."""

    n_streets: int
    street_of_community: np.ndarray
    community_of_compound: np.ndarray
    households_of_compound: np.ndarray
    # types (sim.core.types): names per community and compound, compound attributes
    community_type: np.ndarray  # str
    compound_type: np.ndarray  # str
    build_year: np.ndarray  # per compound
    management: np.ndarray  # per compound: index into types.MANAGEMENT_MODES at the start
    fee: np.ndarray  # per compound: property fee, yuan per m² per month
    # residents (sorted by compound, then household)
    compound_of_resident: np.ndarray
    household_of_resident: np.ndarray
    head: np.ndarray  # first member of each household: carries ownership, fees, area
    elderly: np.ndarray
    special: np.ndarray
    owner: np.ndarray
    party_member: np.ndarray
    age_band: np.ndarray  # AGE_BANDS index: under 18, 18-29, 30-39, 40-49, 50-59, 60-69, 70+
    area: np.ndarray  # floor area of the household (m²), on heads, 0 elsewhere
    tolerance: np.ndarray  # quality below which the household withholds fees
    social: sp.csr_matrix
    # organisations
    firm_of_compound: np.ndarray  # -1 where the compound is not managed by a firm
    firm_capability: np.ndarray
    firm_effort_cost: np.ndarray
    compound_has_branch: np.ndarray
    cohesion: np.ndarray  # per compound: standard-normal readiness to take part in assemblies
    # per compound: the chances residents were drawn with (types × district means, or given)
    owner_share: np.ndarray = None  # a household owns its home
    elderly_share: np.ndarray = None  # a resident is aged 60+
    floor_area: np.ndarray = None  # mean floor area of a household's home (m²)
    district: District | None = None  # the tables the world was read from, if any
    graph: nx.MultiGraph = field(repr=False, default=None)
    node_offset: dict[str, int] = field(default_factory=dict)
    # per compound: longitude and latitude (degrees), an (n_compounds, 2) float array with
    # NaN where unknown — given by a district's `longitude` and `latitude` columns, never
    # drawn (a drawn world has NaN throughout); for maps, not read by any mechanism
    compound_lonlat: np.ndarray = field(repr=False, default=None)

    def __post_init__(self) -> None:
        if self.compound_lonlat is None:
            self.compound_lonlat = np.full((len(self.community_of_compound), 2), np.nan)

    @property
    def n_communities(self) -> int:
        return len(self.street_of_community)

    @property
    def n_compounds(self) -> int:
        return len(self.community_of_compound)

    @property
    def n_residents(self) -> int:
        return len(self.compound_of_resident)


MEMORY_BYTES = {
    "resident": 170,
    "tie_end": 10,
    "compound": 7_600,
    "community": 13_000,
    "organisation": 1_600,
    "compiled_loops": 120_000_000,
}
"""Bytes a built model holds per expected item (`expected_counts`), and once where it runs
the compiled loops (`compiled_loops`: Numba's runtime and the loops' machine code, loaded
for populations of `sim.core.kernels.MIN_RESIDENTS` or more): fitted to the peak memory of
built models by `benchmarks/bench_limits.py --fit`, rounded up."""


def expected_counts(p: dict, district: District | None = None) -> dict[str, float]:
    """Expected sizes of the world `build_world` makes from validated parameters `p`:
    communities, compounds, residents, social-tie ends and firms plus NGOs. With a
    `district` read from tables, the streets, communities and compounds are counted in its
    tables, and so are the households it gives (the others are expected as drawn)."""
    if district is None:
        communities = p["n_streets"] * max(p["communities_per_street"], 1.0)
        compounds = communities * max(p["compounds_per_community"], 1.0)
        households = compounds * max(p["households_per_compound"], 5.0)
        organisations = float(p["n_firms"] + p["n_ngos"])
    else:
        communities = float(len(district.community_id))
        compounds = float(len(district.compound_id))
        given = district.given.get("households")
        listed = given.values[given.mask].astype(float).sum() if given is not None else 0.0
        drawn = compounds - (int(given.mask.sum()) if given is not None else 0)
        households = listed + drawn * max(p["households_per_compound"], 5.0)
        organisations = float(max(int(p["n_firms"]), district.firms_needed()) + p["n_ngos"])
    residents = households * max(p["household_size"], 1.0)
    return {
        "communities": communities,
        "compounds": compounds,
        "residents": residents,
        "tie_ends": residents * 2 * max(p["social_degree"] // 2, 1),
        "organisations": organisations,
    }


def estimate_memory(p: dict, district: District | None = None) -> int:
    """Bytes a model built from validated parameters `p` (and `district`, if read from
    tables) is expected to hold at its peak, from the expected sizes alone (nothing is
    built)."""
    n = expected_counts(p, district)
    b = MEMORY_BYTES
    return int(
        b["resident"] * n["residents"]
        + b["tie_end"] * n["tie_ends"]
        + b["compound"] * n["compounds"]
        + b["community"] * n["communities"]
        + b["organisation"] * n["organisations"]
        + b["compiled_loops"] * kernels.would_compile(int(n["residents"]))
    )


AGE_BANDS = ("under_18", "18_29", "30_39", "40_49", "50_59", "60_69", "70_plus")
"""Residents' age bands (ODD §5): the elderly (60+) are split by `share_70_plus`, the others
into minors (`share_minors` of all residents) and four adult bands of equal size; household
heads are adults."""


def draw_age_bands(
    p: dict, elderly: np.ndarray, head: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Each resident's age band, consistent with the `elderly` flag already drawn."""
    u = rng.random(elderly.size)
    minor = p["share_minors"] / max(1.0 - p["share_elderly"], 1e-9)
    adult = np.minimum(1 + np.floor((u - minor) / max(1 - minor, 1e-9) * 4), 4)
    young = np.where(u < minor, 0, adult)
    young = np.where(head & (young == 0), 1 + np.floor(u * 4 / max(minor, 1e-9)), young)
    old = np.where(u < p["share_70_plus"], 6, 5)
    return np.where(elderly, old, young).astype(np.int8)


def _counts(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    """n counts of at least 1 with the given mean (1 + Poisson)."""
    return 1 + rng.poisson(max(mean - 1.0, 0.0), size=n)


def draw_types(
    p: dict,
    n_comm: int,
    community_of_compound: np.ndarray,
    rng: np.random.Generator,
    given: District = NO_DISTRICT,
) -> dict[str, np.ndarray]:
    """Community types, and per compound its type, build year, management mode and fee
    (the values `given` lists replace the draws, each before what depends on it)."""
    community_type = given.fill(
        "community_type",
        np.array(T.COMMUNITY_TYPES)[
            rng.choice(len(T.COMMUNITY_TYPES), size=n_comm, p=T.community_mix(p))
        ],
    )
    n_comp = len(community_of_compound)
    district = rng.choice(len(T.COMPOUND_TYPES_ORDER), size=n_comp, p=T.district_compound_mix(p))
    typical = np.array(
        [
            -1
            if T.TYPICAL_COMPOUND[c] is None
            else T.COMPOUND_TYPES_ORDER.index(T.TYPICAL_COMPOUND[c])
            for c in community_type
        ],
        dtype=int,
    )[community_of_compound]
    pure = (rng.random(n_comp) < p["type_purity"]) & (typical >= 0)
    kind = np.where(pure, typical, district)
    compound_type = given.fill("compound_type", np.array(T.COMPOUND_TYPES_ORDER)[kind])
    kind = np.searchsorted(T.COMPOUND_TYPES_ORDER, compound_type, sorter=_TYPE_SORTER)
    kind = _TYPE_SORTER[kind]
    build_year = np.zeros(n_comp, dtype=np.int64)
    management = np.zeros(n_comp, dtype=np.int8)
    discount = np.zeros(n_comp)
    u_year, u_mode = rng.random(n_comp), rng.random(n_comp)
    for k, name in enumerate(T.COMPOUND_TYPES_ORDER):
        ct = T.COMPOUND_TYPES[name]
        here = kind == k
        lo, hi = ct.build_years
        build_year[here] = lo + np.floor(u_year[here] * (hi - lo + 1)).astype(np.int64)
        management[here] = np.searchsorted(np.cumsum(ct.management), u_mode[here], side="right")
        discount[here] = ct.fee_discount
    management = given.fill("management", np.minimum(management, len(T.MANAGEMENT_MODES) - 1))
    build_year = given.fill("build_year", build_year)
    fee = given.fill("fee", T.fee_for(build_year, discount, rng))
    return {
        "community_type": community_type,
        "compound_type": compound_type,
        "build_year": build_year,
        "management": management,
        "fee": fee,
    }


_TYPE_SORTER = np.argsort(T.COMPOUND_TYPES_ORDER)


def compound_attribute(compound_type: np.ndarray, attribute: str) -> np.ndarray:
    """Per compound, an attribute of its type's table (e.g. 'owner_ratio')."""
    table = {name: getattr(T.COMPOUND_TYPES[name], attribute) for name in T.COMPOUND_TYPES}
    return np.array([table[c] for c in compound_type], dtype=float)


def build_world(p: dict, rng: np.random.Generator, district: District | None = None) -> World:
    """Draw a district from validated parameters `p` with the generator `rng`; with a
    `district` read from tables, take its structure and the values it gives."""
    if district is None:
        given = NO_DISTRICT
        n_streets = p["n_streets"]
        comm_per_street = _counts(rng, n_streets, p["communities_per_street"])
        street_of_community = np.repeat(np.arange(n_streets, dtype=np.int32), comm_per_street)
        comp_per_comm = _counts(rng, len(street_of_community), p["compounds_per_community"])
        community_of_compound = np.repeat(
            np.arange(len(street_of_community), dtype=np.int32), comp_per_comm
        )
    else:  # the structure is given; its draws are made all the same, so that a drawn
        # world written as tables builds again into the same world with the same seed
        given, p = district, district.params(p)
        n_streets = district.n_streets
        street_of_community = district.street_of_community
        community_of_compound = district.community_of_compound
        _counts(rng, n_streets, p["communities_per_street"])
        _counts(rng, len(street_of_community), p["compounds_per_community"])
    n_comm = len(street_of_community)
    n_comp = len(community_of_compound)
    types = draw_types(p, n_comm, community_of_compound, rng, given)
    ctype = types["compound_type"]

    sigma = p["size_heterogeneity"]
    hh = p["households_per_compound"] * rng.lognormal(-(sigma**2) / 2, sigma, size=n_comp)
    households_of_compound = given.fill("households", np.maximum(np.rint(hh), 5).astype(np.int64))
    n_hh = int(households_of_compound.sum())

    # households → residents
    compound_of_household = np.repeat(np.arange(n_comp, dtype=np.int32), households_of_compound)
    hh_size = 1 + rng.poisson(max(p["household_size"] - 1.0, 0.0), size=n_hh)
    # 32-bit where the households fit (an index only: half the memory, 15 MB at city scale)
    household_of_resident = np.repeat(
        np.arange(n_hh, dtype=np.int32 if n_hh < 2**31 else np.int64), hh_size
    )
    compound_of_resident = compound_of_household[household_of_resident]
    n_res = len(household_of_resident)
    head = np.zeros(n_res, dtype=bool)
    head[np.concatenate(([0], np.cumsum(hh_size)[:-1]))] = True

    owner_p = given.fill(
        "owner_share", np.clip(p["owner_share"] * compound_attribute(ctype, "owner_ratio"), 0, 1)
    )
    owner_hh = rng.random(n_hh) < owner_p[compound_of_household]
    owner = owner_hh[household_of_resident]
    sd_area = p["floor_area_sd"]
    area_mean = given.fill(
        "floor_area", p["floor_area_mean"] * compound_attribute(ctype, "area_ratio")
    )
    area_hh = area_mean[compound_of_household] * rng.lognormal(
        -(sd_area**2) / 2, sd_area, size=n_hh
    )
    area = np.where(head, area_hh[household_of_resident], 0.0)
    tol_hh = _beta_mean_sd(rng, p["fee_tolerance_mean"], p["fee_tolerance_sd"], n_hh)
    tolerance = tol_hh[household_of_resident]
    elderly_p = given.fill(
        "elderly_share",
        np.clip(p["share_elderly"] * compound_attribute(ctype, "elderly_ratio"), 0, 1),
    )
    elderly = rng.random(n_res) < elderly_p[compound_of_resident]
    special = rng.random(n_res) < p["share_special"]
    party_member = rng.random(n_res) < p["party_member_share"]
    age_band = draw_age_bands(p, elderly, head, rng)

    social = _social_graph(
        rng,
        compound_of_resident,
        community_of_compound,
        p["social_degree"],
        p["social_cross_compound_share"],
    )

    # firms: each serves several compounds of unequal market share; only compounds
    # managed by a firm have one
    n_firms = p["n_firms"]
    share = rng.dirichlet(np.ones(n_firms))
    firm_draw = rng.choice(n_firms, size=n_comp, p=share).astype(np.int32)
    firm_of_compound = given.fill(
        "firm", np.where(types["management"] == T.FIRM, firm_draw, -1).astype(np.int32)
    )
    firm_capability = np.clip(
        rng.normal(p["firm_capability_mean"], p["firm_capability_sd"], n_firms), 0.05, 1.0
    )
    sd_cost = p["firm_effort_cost_sd"]
    firm_effort_cost = p["effort_cost"] * rng.lognormal(-(sd_cost**2) / 2, sd_cost, n_firms)

    world = World(
        n_streets=n_streets,
        street_of_community=street_of_community,
        community_of_compound=community_of_compound,
        households_of_compound=households_of_compound,
        community_type=types["community_type"],
        compound_type=ctype,
        build_year=types["build_year"],
        management=types["management"],
        fee=types["fee"],
        compound_of_resident=compound_of_resident,
        household_of_resident=household_of_resident,
        head=head,
        elderly=elderly,
        special=special,
        owner=owner,
        party_member=party_member,
        age_band=age_band,
        area=area,
        tolerance=tolerance.astype(np.float32),
        social=social,
        firm_of_compound=firm_of_compound,
        firm_capability=firm_capability,
        firm_effort_cost=firm_effort_cost,
        compound_has_branch=given.fill(
            "has_branch", rng.random(n_comp) < p["compound_party_branch_share"]
        ),
        cohesion=rng.standard_normal(n_comp) + compound_attribute(ctype, "cohesion_shift"),
        owner_share=owner_p,
        elderly_share=elderly_p,
        floor_area=area_mean,
        district=district,
        compound_lonlat=None if district is None else district.compound_lonlat(),
    )
    world.graph, world.node_offset = build_network(world, p)
    return world


def _beta_mean_sd(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    """Beta draws with the given mean and sd (sd shrunk to the largest a Beta allows)."""
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    var = min(sd**2, mean * (1 - mean) * 0.99)
    k = mean * (1 - mean) / var - 1
    return rng.beta(mean * k, (1 - mean) * k, size=n)


def _social_graph(
    rng: np.random.Generator,
    compound_of_resident: np.ndarray,
    community_of_compound: np.ndarray,
    degree: int,
    cross_share: float,
) -> sp.csr_matrix:
    """Sparse symmetric social graph: ties mostly within the compound, some within the
    community. Each resident draws degree/2 partners; the union is symmetrised."""
    n = len(compound_of_resident)
    n_comp = len(community_of_compound)
    comp_start = np.searchsorted(compound_of_resident, np.arange(n_comp + 1))
    community_of_resident = community_of_compound[compound_of_resident]
    n_comm = int(community_of_compound.max()) + 1 if n_comp else 0
    comm_start = np.searchsorted(community_of_resident, np.arange(n_comm + 1))

    half = max(degree // 2, 1)
    # temporaries are dropped as soon as they are used and the tie lists are 32-bit where
    # the residents fit, so that the build's peak memory stays near the graph's own size
    # (at city scale these lists are several times the finished graph)
    index = np.int32 if n < 2**31 else np.int64
    src = np.repeat(np.arange(n, dtype=index), half)
    cross = rng.random(src.size) < cross_share
    comp = compound_of_resident[src]
    comm = community_of_resident[src]
    lo = np.where(cross, comm_start[comm], comp_start[comp])
    hi = np.where(cross, comm_start[comm + 1], comp_start[comp + 1])
    del cross, comp, comm
    hi -= lo
    dst = lo + (rng.random(src.size) * hi).astype(np.int64)
    del lo, hi
    keep = dst != src
    src, dst = src[keep], dst[keep].astype(index)
    del keep
    rows, cols = np.concatenate([src, dst]), np.concatenate([dst, src])
    del src, dst
    data = np.ones(rows.size, dtype=np.int8)
    adj = sp.coo_matrix((data, (rows, cols)), shape=(n, n))
    del rows, cols, data
    adj = adj.tocsr()
    adj.sort_indices()
    # a simple graph (duplicates summed by tocsr are set back to 1), float32: the
    # participation game multiplies it with float32 vectors every month (an int8 matrix
    # would be converted, a copy of every tie, on each product). Every weight is the same
    # one, so the weights are one number seen nnz times (a read-only view without memory
    # of its own; 90 MB at city scale): the compiled loops never read them, and a SciPy
    # product makes a passing copy
    ones = np.broadcast_to(np.float32(1.0), (adj.nnz,))
    return sp.csr_matrix((ones, adj.indices, adj.indptr), shape=(n, n), copy=False)


def build_network(world: World, p: dict) -> tuple[nx.MultiGraph, dict[str, int]]:
    """The typed governance network: integer node ids, node attrs `kind`, `index`,
    `level`; one edge per (pair, kind) with attr `kind`.

    Nodes in order: street offices, community party committees, compound party branches (one
    per compound: tied into the network only while the compound has a branch), residents'
    committees, owners'-organisation seats (one per compound: the owners, with an elected
    or a street-convened committee or none), property-management-committee seats (one per
    community), firms, NGO slots, line departments. Edges that change during a run —
    contracts, collaboration, convened ties, branches built, shared people — are kept
    current by the model (`sim.core.network`).
    """
    g = nx.MultiGraph()
    offset: dict[str, int] = {}
    nid = 0

    def add_nodes(key: str, kind: str, n: int, level: str) -> None:
        nonlocal nid
        offset[key] = nid
        if level == "compound":  # a compound's bodies say where they are even without ties
            home = world.community_of_compound.tolist()
            g.add_nodes_from(
                (nid + i, {"kind": kind, "index": i, "level": level, "community": home[i]})
                for i in range(n)
            )
        else:
            g.add_nodes_from(
                (nid + i, {"kind": kind, "index": i, "level": level}) for i in range(n)
            )
        nid += n

    n_comm, n_comp = world.n_communities, world.n_compounds
    branch_compounds = np.flatnonzero(world.compound_has_branch)
    add_nodes("street_office", "street_office", world.n_streets, "street")
    add_nodes("party_branch", "party_branch", n_comm, "community")
    add_nodes("compound_branch", "party_branch", n_comp, "compound")
    add_nodes("residents_committee", "residents_committee", n_comm, "community")
    add_nodes("owners_committee", "owners_committee", n_comp, "compound")
    add_nodes("property_committee", "property_committee", n_comm, "community")
    add_nodes("property_firm", "property_firm", p["n_firms"], "district")
    add_nodes("ngo", "ngo", p["n_ngos"], "district")
    add_nodes("department", "department", p["n_departments"], "district")

    so, pb, rc = offset["street_office"], offset["party_branch"], offset["residents_committee"]
    oc, firm, cb = offset["owners_committee"], offset["property_firm"], offset["compound_branch"]

    def edges(u, v, kind):
        g.add_edges_from(((int(a), int(b), kind, {"kind": kind}) for a, b in zip(u, v)))

    comm = np.arange(n_comm)
    comp = np.arange(n_comp)
    edges(so + world.street_of_community, pb + comm, "hierarchy")
    edges(so + world.street_of_community, rc + comm, "hierarchy")
    edges(so + world.street_of_community, rc + comm, "supervision")
    edges(pb + comm, rc + comm, "coordination")
    edges(pb + comm, rc + comm, "supervision")
    edges(rc + world.community_of_compound, oc + comp, "hierarchy")
    served = world.firm_of_compound >= 0
    edges(oc + comp[served], firm + world.firm_of_compound[served], "contract")
    edges(oc + comp[served], firm + world.firm_of_compound[served], "supervision")
    # community party committee leads compound branches; branches coordinate their compound
    edges(pb + world.community_of_compound[branch_compounds], cb + branch_compounds, "hierarchy")
    edges(cb + branch_compounds, oc + branch_compounds, "coordination")
    # every line department reaches every street
    dept = offset["department"]
    for d in range(p["n_departments"]):
        edges(np.full(world.n_streets, dept + d), so + np.arange(world.n_streets), "hierarchy")
    # neighbouring communities of one street are peers: they compare their practices
    for s in range(world.n_streets):
        members = rc + np.flatnonzero(world.street_of_community == s)
        if len(members) > 1:
            edges(members[:-1], members[1:], "peer")
    return g, offset
