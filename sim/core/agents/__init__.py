"""The organisation agents, one module per actor (ODD §2, §4): each class holds what its
organisation senses, wants and chooses."""

from .base import GovernanceAgent
from .convened_committee import ConvenedCommittee
from .department import Department
from .ngo import NGO
from .owners_committee import OwnersCommittee
from .party_branch import PartyBranch
from .party_committee import PartyCommittee
from .property_committee import PropertyCommittee
from .property_firm import PropertyFirm
from .residents_committee import ResidentsCommittee
from .street_office import StreetOffice

__all__ = [
    "ConvenedCommittee",
    "Department",
    "GovernanceAgent",
    "NGO",
    "OwnersCommittee",
    "PartyBranch",
    "PartyCommittee",
    "PropertyCommittee",
    "PropertyFirm",
    "ResidentsCommittee",
    "StreetOffice",
]
