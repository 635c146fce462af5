"""Party branch (党组织): community party committee, or a compound's party branch.

Coordinates the other organisations (ODD §7.5), deploys grid funds (§7.2), helps convene
owners' assemblies (§7.7), mediates disputes with the residents' committee (§7.8), and
holds cross-appointed seats (§7.5).
"""

from __future__ import annotations

from .base import GovernanceAgent


class PartyBranch(GovernanceAgent):
    """Community level: state in the community table (`index` = community).

    Compound-level branches (`level == "compound"`) use the compound table
    (`index` = compound); their cross-appointment state is `oc_chair_xa`.
    """

    kind = "party_branch"

    def __init__(self, model, index: int, node: int, level: str = "community") -> None:
        self.level = level
        self.table = "communities" if level == "community" else "compounds"
        super().__init__(model, index, node)

    @property
    def one_shoulder(self) -> bool:
        return self._community_value("one_shoulder")

    @property
    def coordination(self) -> float:
        return self._community_value("coordination")

    @property
    def leader_load(self) -> float:
        return self._community_value("leader_load")

    @property
    def leader_performance(self) -> float:
        return self._community_value("leader_performance")

    @property
    def grid_workers(self) -> float:
        return self._community_value("grid_workers")

    @property
    def community(self) -> int:
        if self.level == "community":
            return self.index
        return int(self.model.compounds.community[self.index])

    def _community_value(self, field: str):
        return getattr(self.model.communities, field)[self.community].item()
