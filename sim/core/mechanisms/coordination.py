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
people and standing ties shorten paths and a missing tie lengthens them.

**Checks.** A supervising body's check on a supervised one (the owners' committee on its
firm, the party committee on the RC's use of money, the property committee on firms) is
blunted by who sits where: for each seat of the supervising body held by a person who also
sits on the supervised body the check loses `conflict_direct`, and for one held by a person
who sits on an ally of the supervised body (an organisation with a `collaboration` or
`coordination` edge to it — an RC that works with the firm, a branch in a joint tie with it)
it loses `conflict_ally`; chairs and secretaries weigh `CHAIR_WEIGHT` times a member. The
result is the body's independence (0-1).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ..people import OC, OC_CHAIR, PC, PMC, SECRETARY
from ..state import OC_NONE

FORMAL = ("hierarchy", "contract", "collaboration")
TIES = ("coordination",)
CHAIR_WEIGHT = 3.0
"""A chair's or secretary's seat counts this many times a member's in a body's check."""
BATCH = 512
"""Sources per shortest-path call (bounds memory at city scale)."""


def link_factor(p: dict, kind: str) -> float | None:
    """Coordination factor of a link of `kind` (None: the edge carries no coordination)."""
    if kind in TIES:
        return p["coord_tie"]
    if kind in FORMAL:
        return p["coord_formal"]
    return None


def link_graph(model) -> sp.csr_matrix:
    """Symmetric matrix of the best coordination factor of a link between two nodes, over
    every edge but shared people (cached until such edges change)."""
    cache = model.cache.get("links")
    if cache is not None and cache[0] == model.ties_version:
        return cache[1]
    p = model.p
    factor = {k: link_factor(p, k) for k in set(FORMAL + TIES)}
    edges = [(u, v, factor[k]) for u, v, k in model.edge_index if k in factor]
    out = _similarity(edges, model.network.number_of_nodes())
    model.cache["links"] = (model.ties_version, out)
    return out


def _similarity(edges: list[tuple[int, int, float]], n: int) -> sp.csr_matrix:
    """Symmetric CSR of factors, keeping the largest factor of duplicate pairs."""
    if not edges:
        return sp.csr_matrix((n, n))
    u, v, f = (np.asarray(x) for x in zip(*edges))
    a, b, w = np.r_[u, v], np.r_[v, u], np.r_[f, f]
    key = a.astype(np.int64) * n + b
    order = np.lexsort((-w, key))  # per pair, the best link first
    key, w, a, b = key[order], w[order], a[order], b[order]
    first = np.r_[True, key[1:] != key[:-1]]
    return sp.csr_matrix((w[first], (a[first], b[first])), shape=(n, n))


def shared_links(model) -> list[tuple[int, int, float]]:
    """(u, v, factor) for every pair of organisations sharing a person, with the factor
    `coord_shared` × the best performance among the people they share."""
    perf = model.people.performance
    f = model.p["coord_shared"]
    return [(u, v, f * max(perf[h] for h in people))
            for (u, v), people in model.shared_people().items()]


def path_coordination(model, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Coordination of each (source, target) pair of network nodes, from its best path."""
    p = model.p
    n = model.network.number_of_nodes()
    similarity = link_graph(model).maximum(_similarity(shared_links(model), n)).tocsr()
    graph = similarity.copy()
    graph.data = -np.log(np.clip(graph.data, 1e-9, 1.0)) + 1e-12  # 0 would read as no edge
    limit = -np.log(max(p["coord_base"], 1e-9))
    out = np.full(len(sources), p["coord_base"])
    unique = np.unique(sources)
    for k in range(0, unique.size, BATCH):
        batch = unique[k:k + BATCH]
        dist = dijkstra(graph, directed=False, indices=batch, limit=limit)
        row = np.searchsorted(batch, sources)
        mine = (row < batch.size) & (batch[np.minimum(row, batch.size - 1)] == sources)
        d = dist[row[mine], targets[mine]]
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

    src = [pc, rc[cp.community], pc[cp.community], rc[cp.community], pc[cp.community]]
    dst = [rc, oc, oc, np.maximum(firm, 0), np.maximum(firm, 0)]
    has_ngo = ngo >= 0
    src.append(rc[has_ngo])
    dst.append(ngo[has_ngo])
    renovating = np.flatnonzero(cp.renovation_left > 0)
    src.append(off["street_office"] + cm.street[cp.community[renovating]])
    dst.append(oc[renovating])
    values = path_coordination(model, np.concatenate(src), np.concatenate(dst))
    parts = np.split(values, np.cumsum([len(s) for s in src])[:-1])
    cm.coordination = parts[0]
    with_oc = np.maximum(parts[1], parts[2])   # the better mediator reaches the owners
    with_firm = np.maximum(parts[3], parts[4])  # ... and the firm
    cp.mediation_coordination = np.where(firm >= 0, 0.5 * (with_oc + with_firm), with_oc)
    cm.ngo_coordination = np.zeros(n)
    cm.ngo_coordination[has_ngo] = parts[5]
    cp.renovation_coordination = np.zeros(cp.n)
    cp.renovation_coordination[renovating] = parts[6]
    checks(model)


# --- checks ------------------------------------------------------------------------------------


def _person_nodes(model) -> dict[int, set[int]]:
    """Per person, the network nodes of the organisations where they sit (cached until the
    seats change)."""
    cache = model.cache.get("person_nodes")
    if cache is not None and cache[0] == model.seats_version:
        return cache[1]
    seats = model.seats
    out: dict[int, set[int]] = {}
    filled = seats.holder >= 0
    for h, node in zip(seats.holder[filled].tolist(), seats.node[filled].tolist()):
        out.setdefault(h, set()).add(node)
    model.cache["person_nodes"] = (model.seats_version, out)
    return out


def allied(model, node: int, other: int) -> bool:
    """Is `other` an ally of `node`: tied to it by a collaboration or coordination edge?"""
    key = (min(node, other), max(node, other))
    index = model.edge_index
    return (*key, "collaboration") in index or (*key, "coordination") in index


def conflict(model, nodes: set[int], supervised: int) -> float:
    """Loss of a check from one seat held by a person who also sits on `nodes`."""
    p = model.p
    if supervised in nodes:
        return p["conflict_direct"]
    if any(allied(model, supervised, n) for n in nodes):
        return p["conflict_ally"]
    return 0.0


def independence_of(model, seat_ids: np.ndarray, supervised: int,
                    where: dict[int, set[int]] | None = None) -> float:
    """Independence (0-1) of the body holding `seat_ids` in its check on node `supervised`."""
    seats = model.seats
    where = _person_nodes(model) if where is None else where
    lost = weight = 0.0
    for s in seat_ids.tolist():
        h = int(seats.holder[s])
        if h < 0:
            continue
        w = CHAIR_WEIGHT if seats.role[s] in (OC_CHAIR, SECRETARY) else 1.0
        weight += w
        own = seats.node[s]
        lost += w * conflict(model, where.get(h, set()) - {own}, supervised)
    return 1.0 if weight == 0 else max(0.0, 1.0 - lost / weight)


def member_independence(model, people: np.ndarray, compound: int) -> np.ndarray:
    """Per OC member: 1 − conflict of that member's other seats with the compound's firm."""
    cp = model.compounds
    firm = int(cp.firm[compound])
    out = np.ones(len(people))
    if firm < 0:
        return out
    fnode = model.world.node_offset["property_firm"] + firm
    own = model.world.node_offset["owners_committee"] + compound
    where = _person_nodes(model)
    for k, h in enumerate(people.tolist()):
        out[k] -= conflict(model, where.get(h, set()) - {own}, fnode)
    return np.clip(out, 0.0, 1.0)


def checks(model) -> None:
    """Independence of every check this month (recomputed when seats or ties changed)."""
    stamp = (model.seats_version, model.ties_version, model.steps == 0)
    if model.cache.get("checks") == stamp:
        return
    model.cache["checks"] = stamp
    cm, cp, off = model.communities, model.compounds, model.world.node_offset
    where = _person_nodes(model)
    by_org = model.seat_index
    rc0 = off["residents_committee"]
    cm.oversight = np.array([independence_of(model, by_org[(PC, c)], rc0 + c, where)
                             for c in range(cm.n)])
    independence = np.ones(cp.n)
    for c in np.flatnonzero((cp.oc_state != OC_NONE) & (cp.firm >= 0)):
        fnode = off["property_firm"] + int(cp.firm[c])
        independence[c] = independence_of(model, by_org[(OC, int(c))], fnode, where)
    cp.independence = independence
    pmc_independence = np.ones(cp.n)
    for c in np.flatnonzero(cm.pmc):
        served = np.flatnonzero((cp.community == c) & (cp.firm >= 0))
        for j in served:
            fnode = off["property_firm"] + int(cp.firm[j])
            pmc_independence[j] = independence_of(model, by_org[(PMC, int(c))], fnode, where)
    model.pmc_independence = pmc_independence
