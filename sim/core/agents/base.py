"""Common base of the organisation agents (ODD §2).

An organisation agent is a Mesa `FixedAgent` on its node of the governance network. Its
state variables live in the model's per-type arrays (sim/core/state.py) so mechanisms can act on
all organisations of a type at once; `column` exposes the agent's own entry as a plain
attribute that reads and writes that array.
"""

from __future__ import annotations

from typing import Any

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
        return getattr(getattr(agent.model, agent.table), self.field)[agent.index].item()

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(getattr(agent.model, agent.table), self.field)[agent.index] = value


class GovernanceAgent(FixedAgent):
    """An organisation on the governance network.

    Attributes:
        index: the organisation's number within its type (row of its state table)
        table: name of the model attribute holding its state arrays
        kind: node kind on the governance network
    """

    table: str = ""
    kind: str = ""

    def __init__(self, model, index: int, node: int) -> None:
        super().__init__(model)
        self.index = int(index)
        self.node = int(node)
        self.cell = model.grid._cells[node]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index}, node={self.node})"
