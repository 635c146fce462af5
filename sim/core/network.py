"""Keeping the typed governance network current as contracts and committees change (ODD §3).

The network is a networkx MultiGraph (one edge per pair and kind) shared with the Mesa
`Network` space `model.grid`; these helpers change an edge of one kind and keep the
space's cell connections in step.
"""

from __future__ import annotations

from mesa.discrete_space import DiscreteSpace


def set_edge(model, u: int, v: int, kind: str, present: bool = True) -> None:
    """Add (present=True) or remove an edge of `kind` between nodes u and v."""
    g = model.network
    has = g.has_edge(u, v, key=kind)
    if present and not has:
        first = not g.has_edge(u, v)
        g.add_edge(u, v, key=kind, kind=kind)
        if first:
            DiscreteSpace.add_connection(model.grid, model.grid._cells[u], model.grid._cells[v])
    elif not present and has:
        g.remove_edge(u, v, key=kind)
        if not g.has_edge(u, v):
            DiscreteSpace.remove_connection(
                model.grid, model.grid._cells[u], model.grid._cells[v]
            )

