"""Common base of the organisation agents (ODD §2, §4).

An organisation agent is a Mesa `FixedAgent` on its node of the governance network. Its
monthly choices are methods of its class, called by the model's schedule in one way,
`model.do(Cls, "method")`: through Mesa's AgentSet, one organisation after the other, or,
where the class decides many at once (`BATCHED`), by that batched rule, which decides as
each would in turn (same draws, same order; tests/core/agents/test_batched_decisions.py).
Its state variables live in the model's per-type arrays (sim/core/state.py) so a decision
can read the state of many organisations at once; `column` exposes the agent's own entry as
a plain attribute that reads and writes that array. An organisation acts on another only
along an edge of the network: `ties(kind)` lists the organisations it is tied to by an edge
of that kind.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from mesa.discrete_space import FixedAgent


class column:  # noqa: N801 - used like a field declaration
    """Attribute backed by entry `agent.index` of array `model.<table>.<field>`."""

    def __init__(self, field: str | None = None) -> None:
        self.field = field

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = self.field or name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        value = getattr(getattr(agent.model, agent.table), self.field)[agent.index]
        return value.item() if isinstance(value, np.generic) else value

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(getattr(agent.model, agent.table), self.field)[agent.index] = value


class GovernanceAgent(FixedAgent):
    """An organisation on the governance network.

    Attributes:
        index: the organisation's number within its type (row of its state table)
        table: name of the model attribute holding its state arrays
        kind: node kind on the governance network
        node: its node id on the governance network
    """

    table: str = ""
    kind: str = ""
    BATCHED: ClassVar[dict[str, str]] = {}
    """Decisions the class takes for all its organisations at once: decision -> static method
    `(model)` that gives what each organisation's own method would, in turn; one the schedule
    asks of some organisations only takes `(model, indices)`."""

    def __init__(self, model, index: int, node: int) -> None:
        super().__init__(model)
        self.index = int(index)
        self.node = int(node)
        self.cell = model.grid[node]

    def ties(self, edge_kind: str, node_kind: str | None = None) -> list[int]:
        """Nodes tied to this organisation by an edge of `edge_kind` (of `node_kind`)."""
        g = self.model.network
        out = []
        for v, edges in g.adj[self.node].items():
            if edge_kind in edges and (node_kind is None or g.nodes[v]["kind"] == node_kind):
                out.append(v)
        return out

    def tied_to(self, node: int, edge_kind: str) -> bool:
        return self.model.network.has_edge(self.node, node, key=edge_kind)

    def seats(self) -> list[dict[str, Any]]:
        """Who holds which seat of this organisation (empty if it has no seats)."""
        return self.model.people_in(self.node)

    def describe(self) -> dict[str, Any]:
        """Its state variables this month, by name (for display)."""
        table = getattr(self.model, self.table)
        out: dict[str, Any] = {}
        for name in table.columns():
            value = getattr(table, name)
            if isinstance(value, np.ndarray) and value.ndim >= 1 and len(value) == table.n:
                v = value[self.index]
                out[name] = v.tolist() if isinstance(v, np.ndarray) else v.item()
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index}, node={self.node})"
