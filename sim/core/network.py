"""Keeping the typed governance network current as contracts and committees change (ODD §3).

The network is a networkx MultiGraph (one edge per pair and kind) shared with the Mesa
`Network` space `model.grid`; these helpers change an edge of one kind and keep the
space's cell connections in step. Every change bumps `model.network_version`, so what is
computed from the network (coordination paths) is recomputed only when it changed.
"""

from __future__ import annotations

from mesa.discrete_space import DiscreteSpace

COORDINATING = frozenset({"hierarchy", "contract", "collaboration", "coordination"})
"""Edge kinds along which joint problems travel (coordination.py)."""


def edge_index(graph) -> dict[tuple[int, int, str], None]:
    """Every edge as (smaller node, larger node, kind): an ordered set kept by `set_edge`."""
    return {(min(u, v), max(u, v), k): None for u, v, k in graph.edges(keys=True)}


def set_edge(model, u: int, v: int, kind: str, present: bool = True) -> None:
    """Add (present=True) or remove an edge of `kind` between nodes u and v."""
    g = model.network
    has = g.has_edge(u, v, key=kind)
    if present and not has:
        first = not g.has_edge(u, v)
        g.add_edge(u, v, key=kind, kind=kind)
        model.network_version += 1
        model.ties_version += kind in COORDINATING
        model.dept_version += _departmental(g, u, v)
        model.edge_index[(min(u, v), max(u, v), kind)] = None
        if first:
            DiscreteSpace.add_connection(model.grid, model.grid._cells[u], model.grid._cells[v])
    elif not present and has:
        g.remove_edge(u, v, key=kind)
        model.network_version += 1
        model.ties_version += kind in COORDINATING
        model.dept_version += _departmental(g, u, v)
        model.edge_index.pop((min(u, v), max(u, v), kind), None)
        if not g.has_edge(u, v):
            DiscreteSpace.remove_connection(
                model.grid, model.grid._cells[u], model.grid._cells[v]
            )



def _departmental(g, u: int, v: int) -> bool:
    """Does the edge touch a line department (whose ties to streets are cached)?"""
    return g.nodes[u]["kind"] == "department" or g.nodes[v]["kind"] == "department"
