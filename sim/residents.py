"""Residents: a vectorised population, one array entry per resident (ODD §2, §6).

There is no Python object per resident. Residents are sorted by compound (and compounds by
community), so a compound's residents are the slice `compound_start[c]:compound_start[c+1]`
and per-compound or per-community sums are `np.bincount` calls. The social graph is a
sparse CSR adjacency matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .world import World

NEED_CATEGORIES = ("daily", "care", "legal", "property")
"""Need categories: daily services, care (elderly and special groups), legal aid and
counselling are served in hours; property needs are met by the firm's service quality."""
HOUR_CATEGORIES = NEED_CATEGORIES[:3]
TRUST_TARGETS = ("party", "rc", "oc", "firm", "ngo", "street")
"""Organisation types residents hold trust in (columns of `Residents.trust`)."""


class Residents:
    """State of every resident as arrays of length n (or n × k)."""

    def __init__(self, world: World, p: dict, rng: np.random.Generator) -> None:
        n = world.n_residents
        self.n = n
        self.compound = world.compound_of_resident
        self.community = world.community_of_compound[self.compound]
        self.household = world.household_of_resident
        self.head = world.head
        self.elderly = world.elderly
        self.special = world.special
        self.vulnerable = world.elderly | world.special
        self.owner = world.owner
        self.party_member = world.party_member
        self.area = world.area
        self.tolerance = world.tolerance
        self.social: sp.csr_matrix = world.social
        self.degree = np.diff(self.social.indptr).astype(np.int64)
        n_comp = world.n_compounds
        self.compound_start = np.searchsorted(self.compound, np.arange(n_comp + 1))

        # needs: unmet backlog carried over (hours), and the share met last month
        self.backlog = np.zeros((n, len(HOUR_CATEGORIES)), dtype=np.float32)
        self.need = np.zeros((n, len(HOUR_CATEGORIES)), dtype=np.float32)
        self.met = np.zeros((n, len(HOUR_CATEGORIES)), dtype=np.float32)
        # satisfaction and trust in [0, 1]
        self.satisfaction = np.full(n, p["initial_satisfaction"], dtype=np.float32)
        self.trust = np.full((n, len(TRUST_TARGETS)), p["initial_trust"], dtype=np.float32)
        # participation (strategy of the public-goods game) and its last payoff
        self.participates = rng.random(n) < p["participation_initial"]
        self.payoff = np.zeros(n, dtype=np.float32)
        self.motivation = (rng.exponential(1.0, n) * p["civic_motivation"]).astype(np.float32)
        # fees: paying this month (meaningful for owner household heads)
        self.pays = self.owner & self.head
        self.dispute_exposure = np.zeros(n, dtype=np.float32)

    @property
    def owner_heads(self) -> np.ndarray:
        """Mask of owner households (their heads), who pay fees and vote in assemblies."""
        return self.owner & self.head

    def per_compound(self, values: np.ndarray, n_compounds: int) -> np.ndarray:
        """Sum of `values` over each compound's residents."""
        return np.bincount(self.compound, weights=values, minlength=n_compounds)

    def per_community(self, values: np.ndarray, n_communities: int) -> np.ndarray:
        """Sum of `values` over each community's residents."""
        return np.bincount(self.community, weights=values, minlength=n_communities)
