"""Street office (街道办): allocates budget and tasks downward, assesses communities.

Driven by the mechanisms of ODD §7.2 (devolution), §7.3 (administrative burden) and
§7.11 (assessment).
"""

from __future__ import annotations

from .base import GovernanceAgent, column


class StreetOffice(GovernanceAgent):
    """One per street. State: this month's budget, what it keeps and devolves, task hours."""

    table = "streets"
    kind = "street_office"

    budget = column()
    retained = column()
    devolved = column()
    task_hours = column()
    kept_task_hours = column()
    overhead = column()

    @property
    def communities(self) -> list:
        """The residents' committees of this street."""
        return [rc for rc in self.model.residents_committees if rc.street == self.index]
