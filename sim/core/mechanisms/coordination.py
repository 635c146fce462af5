"""Coordination along the network, and checks blunted by shared people (ODD §7.5).

**Coordination.** A joint problem of two organisations — a dispute between owners and their
firm that the residents' committee (RC) or party committee (PC) mediates, care for a
vulnerable resident that needs the RC and its NGO, grid funds that need the PC and the RC,
an old-compound renovation that needs the street, the RC and the owners — is worked out
along the best path between them in the governance network. Each link of a path carries a
coordination factor: a shared person (`cross_appointment` edge) `coord_shared` × that
person's performance (an overloaded person coordinates less), a standing tie (`coordination`
edge) `coord_tie`, a formal relation (`hierarchy`, `contract`, `collaboration`)
`coord_formal`. A path's coordination is the product of its links; the pair's coordination
is that of its best path, and never below `coord_base` (organisations that have no path can
still phone each other). Best paths are shortest paths with link weights −log(factor)
(scipy.sparse.csgraph.dijkstra, searched no farther than −log(`coord_base`)), so shared
people and standing ties shorten paths and a missing tie lengthens them. Each batch of
sources is searched within its region — the nodes closer than that limit to one of them
(found by one multi-source search) — which gives the same distances as a search of the
whole network, since every prefix of a path within the limit is within it too, at a cost
that grows with the region rather than with the city. Where the compiled loops run
(`sim.core.kernels`), one compiled loop builds the graph of links, finding the shared people
from each person's seats (`kernels.compiled.link_graph`), and one compiled search per source
visits only the nodes within the limit (`kernels.compiled.path_lengths`), with the same
graph and lengths bit for bit.

**Checks.** A supervising body's check on a supervised one (the owners' committee on its
firm, the party committee on the RC's use of money, the property committee on firms) is
blunted by who sits where: for each seat of the supervising body held by a person who also
sits on the supervised body the check loses `conflict_direct`, and for one held by a person
who sits on an ally of the supervised body (an organisation with a `collaboration` or
`coordination` edge to it — an RC that works with the firm, a branch in a joint tie with it)
it loses `conflict_ally`; chairs and secretaries weigh `CHAIR_WEIGHT` times a member. The
result is the body's independence (0-1). Where the compiled loops run, the loss through each
seat is found by one compiled loop (`kernels.compiled.seat_conflicts`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .. import kernels
from ..people import OC, OC_CHAIR, PC, PMC, SECRETARY
from ..rows import distinct, in_sorted
from ..state import OC_NONE

FORMAL = ("hierarchy", "contract", "collaboration")
TIES = ("coordination",)
CHAIR_WEIGHT = 3.0
"""A chair's or secretary's seat counts this many times a member's in a body's check."""
BATCH = 128
"""Sources per shortest-path search: a batch is searched within its own region, so small
batches keep regions (and the distance matrix, batch × region) small at city scale."""


def link_factor(p: dict, kind: str) -> float | None:
    """Coordination factor of a link of `kind` (None: the edge carries no coordination)."""
    if kind in TIES:
        return p["coord_tie"]
    if kind in FORMAL:
        return p["coord_formal"]
    return None


def standing_links(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u, v, factor) of every edge that carries coordination but shared people (cached
    until such edges change)."""
    cache = model.cache.get("links")
    if cache is not None and cache[0] == model.ties_version:
        return cache[1]
    kinds = FORMAL + TIES
    factor = np.array([link_factor(model.p, k) for k in kinds])
    u, v, kind = model.edge_index.arrays(kinds)
    # line departments meet problems through summons (§7.14), not along these paths
    first_dept = model.world.node_offset.get("department", model.network.number_of_nodes())
    keep = v < first_dept
    out = u[keep], v[keep], factor[kind[keep]]
    model.cache["links"] = (model.ties_version, out)
    return out


def _link_rows(
    u: np.ndarray, v: np.ndarray, f: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, indices, data) of the symmetric CSR of the factors `f` of links u–v, keeping
    the largest factor of duplicate pairs."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    if u.size == 0:
        return indptr, np.zeros(0, dtype=np.int64), np.zeros(0)
    key = np.concatenate((u, v)) * n + np.concatenate((v, u))
    order = np.argsort(key)  # any order within a pair will do: its largest factor is kept
    key = key[order]
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    data = np.maximum.reduceat(np.concatenate((f, f))[order], first)
    key = key[first]  # sorted by (row, column) and without duplicates: the CSR's own order
    row = key // n
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    return indptr, key - row * n, data


def edge_keys(model, kind: str) -> np.ndarray:
    """Sorted keys (smaller node × n + larger node) of the network's edges of `kind`
    (cached until an edge of that kind changes)."""
    hit = model.cache.get(f"keys_{kind}")
    version = model.edge_versions.get(kind, 0)
    if hit is None or hit[0] != version:
        n = max(model.network.number_of_nodes(), 1)
        u, v, _ = model.edge_index.arrays((kind,))
        hit = (version, distinct(u * n + v))
        model.cache[f"keys_{kind}"] = hit
    return hit[1]


def has_edges(model, kind: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per pair (u, v): is there an edge of `kind` between them?"""
    n = max(model.network.number_of_nodes(), 1)
    return in_sorted(np.minimum(u, v) * n + np.maximum(u, v), edge_keys(model, kind))


def shared_links(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u, v, factor) for every `cross_appointment` edge of the network, with the factor
    `coord_shared` × the best performance among the people it stands for."""
    u, v, person = model.shared_links()
    tied = has_edges(model, "cross_appointment", u, v)
    u, v, person = u[tied], v[tied], person[tied]
    if u.size == 0:
        return u, v, np.zeros(0)
    n = model.network.number_of_nodes()
    key = u * n + v
    order = np.argsort(key, kind="stable")
    first = np.flatnonzero(np.r_[True, np.diff(key[order]) != 0])
    best = np.maximum.reduceat(model.people.performance[person[order]], first)
    pair = order[first]
    return u[pair], v[pair], model.p["coord_shared"] * best.astype(np.float64)


def path_coordination(model, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Coordination of each (source, target) pair of network nodes, from its best path."""
    p = model.p
    n = model.network.number_of_nodes()
    compiled = kernels.active(model.residents.n)
    if compiled is None:
        links = zip(standing_links(model), shared_links(model))
        indptr, indices, factor = _link_rows(*(np.concatenate(pair) for pair in links), n)
    else:  # the shared links and the graph of all links as one compiled loop
        order, start = seats_by_holder(model)
        indptr, indices, factor = compiled.link_graph(
            *standing_links(model),
            order,
            start,
            model.seats.node,
            model.people.performance,
            float(p["coord_shared"]),
            edge_keys(model, "cross_appointment"),
            n,
        )
    weight = -np.log(np.clip(factor, 1e-9, 1.0)) + 1e-12  # 0 would read as no edge
    limit = -np.log(max(p["coord_base"], 1e-9))
    if compiled is not None:  # the searches below as one compiled loop, source by source
        order = np.argsort(sources, kind="stable")
        lengths = np.empty(len(sources))
        compiled.path_lengths(
            indptr, indices, weight, limit, sources[order], targets[order], lengths
        )
        out = np.empty(len(sources))
        out[order] = np.maximum(np.exp(-lengths), p["coord_base"])
        return out
    graph = sp.csr_matrix((weight, indices, indptr), shape=(n, n))
    out = np.full(len(sources), p["coord_base"])
    unique = distinct(sources)
    # the graph is symmetric, so a directed search over its rows follows every link both ways
    for k in range(0, unique.size, BATCH):
        batch = unique[k : k + BATCH]
        if unique.size <= BATCH:  # one search: its region would be most of the network
            region, sub = np.arange(n), graph
        else:
            near = dijkstra(graph, indices=batch, limit=limit, min_only=True)
            region = np.flatnonzero(np.isfinite(near))  # sorted; every path within limit
            sub = graph[region][:, region]
        dist = dijkstra(sub, indices=np.searchsorted(region, batch), limit=limit)
        row = np.searchsorted(batch, sources)
        mine = (row < batch.size) & (batch[np.minimum(row, batch.size - 1)] == sources)
        col = np.searchsorted(region, targets[mine])
        inside = (col < region.size) & (region[np.minimum(col, region.size - 1)] == targets[mine])
        d = np.full(col.size, np.inf)
        d[inside] = dist[row[mine][inside], col[inside]]
        out[mine] = np.maximum(np.exp(-d), p["coord_base"])
    return out


def step(model) -> None:
    """This month's coordination of the pairs that meet joint problems."""
    cm, cp, off = model.communities, model.compounds, model.world.node_offset
    n, comm = cm.n, np.arange(cm.n)
    pc = off["party_branch"] + comm
    rc = off["residents_committee"] + comm
    oc = off["owners_committee"] + np.arange(cp.n)
    firm = np.where(cp.firm >= 0, off["property_firm"] + np.maximum(cp.firm, 0), -1)
    ngo = np.where(cm.ngo >= 0, off["ngo"] + np.maximum(cm.ngo, 0), -1)

    # the residents' committee mediates and refers; paths may run through the party
    # committee (a shared secretary, the two-committee tie) or any other organisation
    src = [rc, rc[cp.community], rc[cp.community]]
    dst = [pc, oc, np.maximum(firm, 0)]
    has_ngo = ngo >= 0
    src.append(rc[has_ngo])
    dst.append(ngo[has_ngo])
    renovating = np.flatnonzero(cp.renovation_left > 0)
    src.append(off["street_office"] + cm.street[cp.community[renovating]])
    dst.append(oc[renovating])
    values = path_coordination(model, np.concatenate(src), np.concatenate(dst))
    ends = np.cumsum([0] + [len(s) for s in src]).tolist()
    parts = [values[a:b] for a, b in zip(ends[:-1], ends[1:])]
    cm.coordination = parts[0]
    with_oc, with_firm = parts[1], parts[2]
    cp.mediation_coordination = np.where(firm >= 0, 0.5 * (with_oc + with_firm), with_oc)
    cm.ngo_coordination = np.zeros(n)
    cm.ngo_coordination[has_ngo] = parts[3]
    cp.renovation_coordination = np.zeros(cp.n)
    cp.renovation_coordination[renovating] = parts[4]
    checks(model)


# --- checks ------------------------------------------------------------------------------------


def member_independence(model, people: np.ndarray, compound: int | np.ndarray) -> np.ndarray:
    """Per OC member: 1 − the conflict of that member's other seats with the compound's firm
    (read from this month's checks, brought up to date first). `compound` is the
    committee's compound, or one per member."""
    checks(model)
    people = np.asarray(people)
    table = model.oc_seat_table[np.broadcast_to(compound, people.shape)]  # member × seat
    sits = model.seats.holder[table] == people[..., None]
    last = table.shape[-1] - 1 - np.argmax(sits[..., ::-1], axis=-1)  # its last seat there
    conflict = np.take_along_axis(model.seat_conflict[table], last[..., None], axis=-1)[..., 0]
    return np.clip(1.0 - np.where(sits.any(axis=-1), conflict, 0.0), 0.0, 1.0)


def seats_by_holder(model) -> tuple[np.ndarray, np.ndarray]:
    """(order, start): the filled seats sorted by holder (each holder's in seat order), and
    where each person's run of seats starts in `order` (person k's seats are
    order[start[k]:start[k + 1]]); cached until seats change."""
    hit = model.cache.get("seats_by_holder")
    if hit is None or hit[0] != model.seats_version:
        holder, n = model.seats.holder, model.people.n
        compiled = kernels.active(model.residents.n)
        if compiled is not None:  # the lines below as one compiled loop
            order, start = compiled.group_by_holder(holder, n)
        else:
            filled = np.flatnonzero(holder >= 0)
            order = filled[np.argsort(holder[filled], kind="stable")]
            start = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(holder[filled], minlength=n), out=start[1:])
        hit = (model.seats_version, order, start)
        model.cache["seats_by_holder"] = hit
    return hit[1], hit[2]


def seat_conflicts(model, seat_ids: np.ndarray, supervised: np.ndarray) -> np.ndarray:
    """For each pair (seat, supervised node): the check lost through that seat's holder —
    `conflict_direct` if they also sit on the supervised body, `conflict_ally` if they sit
    on an ally of it, else 0 (vacant seats lose nothing). Vectorised over all pairs."""
    p, seats = model.p, model.seats
    out = np.zeros(len(seat_ids))
    order, start = seats_by_holder(model)
    n = max(model.network.number_of_nodes(), 1)
    hit = model.cache.get("allied_keys")
    if hit is None or hit[0] != model.ties_version:
        u, v, _ = model.edge_index.arrays(("collaboration", "coordination"))
        hit = (model.ties_version, distinct(u * n + v))
        model.cache["allied_keys"] = hit
    allied_keys = hit[1]
    compiled = kernels.active(model.residents.n)
    if compiled is not None:  # the lines below as one compiled loop
        compiled.seat_conflicts(
            np.asarray(seat_ids, dtype=np.int64),
            np.asarray(supervised, dtype=np.int64),
            seats.holder,
            seats.node,
            order,
            start,
            edge_keys(model, "cross_appointment"),
            allied_keys,
            n,
            float(p["conflict_direct"]),
            float(p["conflict_ally"]),
            out,
        )
        return out
    holder = seats.holder[seat_ids]
    lo = start[np.maximum(holder, 0)]
    count = np.where(holder >= 0, start[np.maximum(holder, 0) + 1] - lo, 0)
    if count.sum() == 0:
        return out
    pair = np.repeat(np.arange(len(seat_ids)), count)  # one row per (pair, holder's seat)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    node = seats.node[order[np.repeat(lo, count) + offset]]
    own = seats.node[seat_ids][pair]
    target = supervised[pair]
    # a person links the two bodies only along the network's cross_appointment edge
    other = (node != own) & has_edges(model, "cross_appointment", own, node)
    keys = np.minimum(node, target) * n + np.maximum(node, target)
    direct = other & (node == target)
    ally = other & ~direct & in_sorted(keys, allied_keys)
    loss = np.where(direct, p["conflict_direct"], np.where(ally, p["conflict_ally"], 0.0))
    np.maximum.at(out, pair, loss)
    return out


def independences(
    model, bodies: np.ndarray, seat_ids: np.ndarray, lost: np.ndarray, n_bodies: int
) -> np.ndarray:
    """Independence (0-1) of each body in its check, from its seats (`bodies[k]` owns
    `seat_ids[k]`, whose holder's other seats cost the check `lost[k]`, from
    `seat_conflicts`); chairs and secretaries weigh `CHAIR_WEIGHT`."""
    weight = _check_seats(model).weight[seat_ids] * (model.seats.holder[seat_ids] >= 0)
    w = np.bincount(bodies, weights=weight, minlength=n_bodies)
    loss = np.bincount(bodies, weights=lost * weight, minlength=n_bodies)
    return np.where(w > 0, np.maximum(1.0 - loss / np.maximum(w, 1e-12), 0.0), 1.0)


class CheckSeats:
    """The seats of the three kinds of check, from the seat table (fixed for a model's
    life): the party committee's seats with their communities and the RC nodes they check,
    the owners' committees' seats with their compounds, the property committees' seats
    grouped by community, and each seat's weight in a check."""

    def __init__(self, model) -> None:
        seats, off = model.seats, model.world.node_offset
        self.pc = seats.in_org(PC)
        self.pc_body = seats.org_index[self.pc]
        self.rc_node = off["residents_committee"] + self.pc_body
        self.oc = seats.in_org(OC)
        self.oc_compound = seats.org_index[self.oc]
        pmc = seats.in_org(PMC)  # by community, each community's in seat order
        self.pmc = pmc[np.argsort(seats.org_index[pmc], kind="stable")]
        n_communities = model.communities.n
        self.pmc_count = np.bincount(seats.org_index[pmc], minlength=n_communities)
        self.pmc_start = np.cumsum(self.pmc_count) - self.pmc_count
        chair = (seats.role == OC_CHAIR) | (seats.role == SECRETARY)
        self.weight = np.where(chair, CHAIR_WEIGHT, 1.0)


def _check_seats(model) -> CheckSeats:
    """`CheckSeats` of the model's seat table (built once)."""
    hit = model.cache.get("check_seats")
    if hit is None or hit[0] is not model.seats:
        hit = (model.seats, CheckSeats(model))
        model.cache["check_seats"] = hit
    return hit[1]


def _supervision(model, fixed: CheckSeats) -> tuple[np.ndarray, np.ndarray]:
    """(per community: does its party committee hold a supervision tie to its RC; per
    compound: does its community's property committee hold one to its owners' committee),
    cached until a supervision edge changes."""
    version = model.edge_versions.get("supervision", 0)
    hit = model.cache.get("supervised")
    if hit is not None and hit[0] == version:
        return hit[1]
    cm, cp, seats, off = model.communities, model.compounds, model.seats, model.world.node_offset
    u = np.concatenate((seats.node[fixed.pc], off["property_committee"] + cp.community))
    v = np.concatenate((fixed.rc_node, off["owners_committee"] + np.arange(cp.n)))
    tied = has_edges(model, "supervision", u, v)
    checked = tied[: fixed.pc.size]
    # a party committee checks its RC if any of its seats' nodes holds the tie
    pc_on = np.bincount(fixed.pc_body, weights=checked, minlength=cm.n) > 0
    out = pc_on, tied[fixed.pc.size :]
    model.cache["supervised"] = (version, out)
    return out


def checks(model) -> None:
    """Independence of every check this month: the party committee's on the RC, each owners'
    committee's on its firm, each property committee's on each firm it watches. The seats
    of all three kinds of check are weighed in one pass (`seat_conflicts` per pair), and
    their bodies' independences in one more (`independences`, the bodies of each kind
    numbered after those of the kinds before)."""
    ev = model.edge_versions
    stamp = (
        model.seats_version,
        model.ties_version,
        ev.get("supervision", 0),
        ev.get("cross_appointment", 0),
        model.steps == 0,
    )
    if model.cache.get("checks") == stamp:
        return
    model.cache["checks"] = stamp
    cm, cp, seats, off = model.communities, model.compounds, model.seats, model.world.node_offset
    fixed = _check_seats(model)
    pc_on, pmc_supervises = _supervision(model, fixed)
    formed = (cp.oc_state != OC_NONE) & (cp.firm >= 0)
    # the party committee on the RC
    pc, pc_body = fixed.pc, fixed.pc_body
    # each formed owners' committee on its firm
    watched = formed[fixed.oc_compound]
    oc, compound = fixed.oc[watched], fixed.oc_compound[watched]
    firm_node = off["property_firm"] + cp.firm[compound]
    # each property committee on the firms of the compounds it watches
    watched_compounds = np.flatnonzero(cm.pmc[cp.community] & (cp.firm >= 0) & pmc_supervises)
    count = fixed.pmc_count[cp.community[watched_compounds]]
    pmc_body = np.repeat(watched_compounds, count)
    first = fixed.pmc_start[cp.community[watched_compounds]] - (np.cumsum(count) - count)
    pmc = fixed.pmc[np.repeat(first, count) + np.arange(pmc_body.size)]
    pmc_target = off["property_firm"] + cp.firm[pmc_body]

    ends = (pc.size, pc.size + oc.size)
    seat_ids = np.concatenate((pc, oc, pmc))
    lost = seat_conflicts(model, seat_ids, np.concatenate((fixed.rc_node, firm_node, pmc_target)))
    bodies = np.concatenate((pc_body, cm.n + compound, cm.n + cp.n + pmc_body))
    independence = independences(model, bodies, seat_ids, lost, cm.n + 2 * cp.n)
    # a party committee without its supervision tie to the RC does not check it at all
    cm.oversight = np.where(pc_on, independence[: cm.n], 0.0)
    model.seat_conflict = np.zeros(seats.n)
    model.seat_conflict[oc] = lost[ends[0] : ends[1]]
    cp.independence = np.where(formed, independence[cm.n : cm.n + cp.n], 1.0)
    model.pmc_independence = np.ones(cp.n)
    model.pmc_independence[watched_compounds] = independence[cm.n + cp.n :][watched_compounds]
