"""The organisation agents, one module per actor (ODD §2)."""

from .base import GovernanceAgent
from .ngo import NGO
from .owners_committee import OwnersCommittee
from .party_branch import PartyBranch
from .property_firm import PropertyFirm
from .residents_committee import ResidentsCommittee
from .street_office import StreetOffice

__all__ = [
    "GovernanceAgent",
    "NGO",
    "OwnersCommittee",
    "PartyBranch",
    "PropertyFirm",
    "ResidentsCommittee",
    "StreetOffice",
]
