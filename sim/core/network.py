"""Keeping the typed governance network current as contracts and committees change (ODD §3).

The network is a networkx MultiGraph (one edge per pair and kind) shared with the Mesa
`Network` space `model.grid`; these helpers change an edge of one kind and keep the
space's cell connections in step. Every change bumps `model.network_version` (and the
version of its kind, `model.edge_versions[kind]`), so what is
computed from the network (coordination paths) is recomputed only when it changed.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import DiscreteSpace

COORDINATING = frozenset({"hierarchy", "contract", "collaboration", "coordination"})
"""Edge kinds along which joint problems travel (coordination.py)."""


class EdgeIndex:
    """Every edge as (smaller node, larger node, kind): an ordered set kept by `set_edge`
    (iteration in the order edges were added), which also keeps the edges as NumPy arrays so
    that mechanisms read all edges of some kinds at once (`arrays`)."""

    def __init__(self, edges=()) -> None:
        self._slot: dict[tuple[int, int, str], int] = {}
        self._codes: dict[str, int] = {}
        size = 64
        self._u = np.zeros(size, dtype=np.int64)
        self._v = np.zeros(size, dtype=np.int64)
        self._kind = np.full(size, -1, dtype=np.int64)  # -1: a free slot
        self._used = 0
        for edge in edges:
            self.add(edge)

    def __iter__(self):
        return iter(self._slot)

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, edge: object) -> bool:
        return edge in self._slot

    def add(self, edge: tuple[int, int, str]) -> None:
        if edge in self._slot:
            return
        if self._used == self._u.size:
            self._compact()
        u, v, kind = edge
        i = self._used
        self._u[i], self._v[i] = u, v
        self._kind[i] = self._codes.setdefault(kind, len(self._codes))
        self._slot[edge] = i
        self._used += 1

    def discard(self, edge: tuple[int, int, str]) -> None:
        i = self._slot.pop(edge, None)
        if i is not None:
            self._kind[i] = -1

    def arrays(self, kinds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(u, v, kind) of the edges of `kinds`, kind as its position in `kinds`."""
        wanted = np.full(len(self._codes) + 1, -1, dtype=np.int64)  # last: free slots
        for j, kind in enumerate(kinds):
            if kind in self._codes:
                wanted[self._codes[kind]] = j
        k = wanted[self._kind[: self._used]]
        keep = np.flatnonzero(k >= 0)
        return self._u[keep], self._v[keep], k[keep]

    def _compact(self) -> None:
        """Drop free slots, keeping the order; grow when still full."""
        live = np.flatnonzero(self._kind[: self._used] >= 0)
        size = max(64, 2 * live.size)
        for name in ("_u", "_v", "_kind"):
            old = getattr(self, name)
            new = np.full(size, -1, dtype=np.int64)
            new[: live.size] = old[live]
            setattr(self, name, new)
        remap = np.full(self._used, -1, dtype=np.int64)
        remap[live] = np.arange(live.size)
        self._slot = {e: int(remap[i]) for e, i in self._slot.items()}
        self._used = live.size


def edge_index(graph) -> EdgeIndex:
    """Every edge of `graph` in an `EdgeIndex`."""
    return EdgeIndex((min(u, v), max(u, v), k) for u, v, k in graph.edges(keys=True))


def set_edge(model, u: int, v: int, kind: str, present: bool = True) -> None:
    """Add (present=True) or remove an edge of `kind` between nodes u and v. Whether it is
    there is read from `model.edge_index`, which holds exactly the network's edges."""
    edge = (u, v, kind) if u < v else (v, u, kind)
    index = model.edge_index
    if (edge in index) == present:  # already as asked
        return
    g = model.network
    if present:
        first = v not in g.adj[u]  # the pair's first edge
        g.add_edge(u, v, key=kind, kind=kind)
        index.add(edge)
    else:
        g.remove_edge(u, v, key=kind)
        index.discard(edge)
    model.network_version += 1
    model.ties_version += kind in COORDINATING
    model.edge_versions[kind] = model.edge_versions.get(kind, 0) + 1
    model.dept_version += _departmental(g, u, v)
    if present:
        if first:
            DiscreteSpace.add_connection(model.grid, model.grid[u], model.grid[v])
    elif v not in g.adj[u]:  # the pair's last edge
        DiscreteSpace.remove_connection(model.grid, model.grid[u], model.grid[v])


def _departmental(g, u: int, v: int) -> bool:
    """Does the edge touch a line department (whose ties to streets are cached)?"""
    return g.nodes[u]["kind"] == "department" or g.nodes[v]["kind"] == "department"
