"""Residents' committee (居委会): the community's self-governance body.

Serves residents' needs within its staff hours (ODD §7.4), carries administrative tasks
from above (§7.3), absorbs block grants (§7.2), mediates disputes (§7.8), and splits its
hours by what the street's assessment rewards (§7.11).
"""

from __future__ import annotations

from .base import GovernanceAgent, column


class ResidentsCommittee(GovernanceAgent):
    """One per community (`index` = community)."""

    table = "communities"
    kind = "residents_committee"

    street = column()
    residents = column()
    staff = column()
    skill = column()
    hours = column()
    admin_hours = column()
    formalism_hours = column()
    management_hours = column()
    mediation_hours = column()
    service_hours = column()
    overlap = column()
    score = column()
    spent = column()
    idle_block = column()

    @property
    def budget(self) -> float:
        """Money the committee holds unspent (block grant)."""
        return self.idle_block

    @property
    def burden_share(self) -> float:
        """Share of staff hours consumed by administrative tasks and inspections."""
        return self.admin_hours / self.hours if self.hours > 0 else 0.0

    @property
    def trust(self) -> float:
        """Residents' mean trust in their residents' committee."""
        return float(self.model.community_trust("rc")[self.index])
