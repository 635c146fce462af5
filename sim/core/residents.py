"""Residents: a vectorised population, one array entry per resident (ODD §2, §6).

There is no Python object per resident. Residents are sorted by compound (and compounds by
community), so a compound's residents are the slice `compound_start[c]:compound_start[c+1]`.
Per-compound and per-community sums are segment sums over those slices (`np.add.reduceat`,
one pass, float64 results; float32 inputs are summed pairwise in float32), and a compound's
value reaches its residents by `np.repeat` — both far cheaper than `np.bincount` or fancy
indexing with the resident's compound. Per-category arrays (`need`, `met`, `backlog`) and
`trust` are n × k arrays in column-major order, so one category or one organisation type
(`need[:, k]`, `trust[:, k]`) is a contiguous vector. The social graph is a sparse CSR
adjacency matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from . import kernels
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
        self.age_band = world.age_band  # sim.core.world.AGE_BANDS
        self.adult = world.age_band > 0
        self.area = world.area
        self.tolerance = world.tolerance
        self.social: sp.csr_matrix = world.social
        self.n_compounds = n_comp = world.n_compounds
        self.n_communities = n_comm = world.n_communities
        self.compound_start = np.searchsorted(self.compound, np.arange(n_comp + 1))
        self.community_start = np.searchsorted(self.community, np.arange(n_comm + 1))
        self.compound_size = np.diff(self.compound_start)
        self.community_size = np.diff(self.community_start)
        # segment sums need residents sorted by compound and compounds by community
        self._sorted = bool(
            np.all(np.diff(self.compound) >= 0) and np.all(np.diff(self.community) >= 0)
        )
        self._adults: np.ndarray | None = None  # per community, counted at first use

        # needs: unmet backlog carried over (hours), and the share met last month
        k = len(HOUR_CATEGORIES)
        self.backlog = np.zeros((n, k), dtype=np.float32, order="F")
        self.need = np.zeros((n, k), dtype=np.float32, order="F")
        self.met = np.zeros((n, k), dtype=np.float32, order="F")
        # satisfaction and trust in [0, 1]
        self.satisfaction = np.full(n, p["initial_satisfaction"], dtype=np.float32)
        self.trust = np.full(
            (n, len(TRUST_TARGETS)), p["initial_trust"], dtype=np.float32, order="F"
        )
        # participation (strategy of the public-goods game) and its last payoff
        self.participates = rng.random(n) < p["participation_initial"]
        self.payoff = np.zeros(n, dtype=np.float32)
        self.motivation = (rng.exponential(1.0, n) * p["civic_motivation"]).astype(np.float32)
        # fees: paying this month (meaningful for owner household heads)
        self.pays = self.owner & self.head
        self._by_vulnerability: dict[tuple[float, float], np.ndarray] = {}
        self._scratch: dict[str, np.ndarray] = {}

    @property
    def sorted(self) -> bool:
        """Whether residents are sorted by compound and compounds by community (then a
        compound's or community's residents are one slice)."""
        return self._sorted

    @property
    def owner_heads(self) -> np.ndarray:
        """Mask of owner households (their heads), who pay fees and vote in assemblies."""
        return self.owner & self.head

    def writable(self, name: str) -> np.ndarray:
        """The per-category state array `name` ("need", "met" or "backlog"), ready to be
        overwritten in place: n × 3, float32, column-major, sharing memory with no other
        state array (a fresh array replaces one that does not qualify)."""
        arr = getattr(self, name)
        others = [getattr(self, k) for k in ("need", "met", "backlog") if k != name]
        if not (
            isinstance(arr, np.ndarray)
            and arr.shape == (self.n, len(HOUR_CATEGORIES))
            and arr.dtype == np.float32
            and arr.flags.f_contiguous
            and arr.flags.writeable
            and not any(np.may_share_memory(arr, o) for o in others)
        ):
            arr = np.empty((self.n, len(HOUR_CATEGORIES)), dtype=np.float32, order="F")
            setattr(self, name, arr)
        return arr

    def scratch(self, name: str, shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
        """A persistent work array (contents undefined), reused every month: large
        temporaries that are allocated afresh each month cost page faults at city scale."""
        arr = self._scratch.get(name)
        if arr is None or arr.shape != shape or arr.dtype != dtype:
            arr = self._scratch[name] = np.empty(shape, dtype=dtype)
        return arr

    def by_vulnerability(self, vulnerable: float, other: float) -> np.ndarray:
        """Read-only float32 array: `vulnerable` for vulnerable residents, `other` for the
        rest (cached: a handful of such arrays are used every month)."""
        key = (float(vulnerable), float(other))
        cache = self._by_vulnerability
        arr = cache.get(key)
        if arr is None:
            if len(cache) >= 8:
                cache.clear()
            arr = np.where(self.vulnerable, np.float32(vulnerable), np.float32(other))
            arr.flags.writeable = False
            cache[key] = arr
        return arr

    @property
    def adults_per_community(self) -> np.ndarray:
        """Adults in each community (read-only; residents neither move nor age within a
        run, so they are counted once)."""
        if self._adults is None:
            self._adults = self.per_community(self.adult)
            self._adults.flags.writeable = False
        return self._adults

    def per_compound(self, values: np.ndarray, n_compounds: int | None = None) -> np.ndarray:
        """Sum of `values` over each compound's residents (float64). `values` has the
        residents on its last axis: shape (n,) or (k, n), e.g. `need.T`."""
        return self._sums(
            values,
            self.compound_start,
            self.compound_size,
            self.compound,
            self.n_compounds if n_compounds is None else n_compounds,
        )

    def per_community(self, values: np.ndarray, n_communities: int | None = None) -> np.ndarray:
        """Sum of `values` over each community's residents (float64); see `per_compound`."""
        return self._sums(
            values,
            self.community_start,
            self.community_size,
            self.community,
            self.n_communities if n_communities is None else n_communities,
        )

    def at_compound(self, values: np.ndarray) -> np.ndarray:
        """Per-resident array holding each resident's compound value (`values[compound]`)."""
        if not self._sorted:
            return np.asarray(values)[self.compound]
        return np.repeat(values, self.compound_size)

    def at_community(self, values: np.ndarray) -> np.ndarray:
        """Per-resident array holding each resident's community value."""
        if not self._sorted:
            return np.asarray(values)[self.community]
        return np.repeat(values, self.community_size)

    def _sums(
        self, values: np.ndarray, start: np.ndarray, size: np.ndarray, index: np.ndarray, n_out: int
    ) -> np.ndarray:
        v = np.asarray(values)
        out = np.zeros((*v.shape[:-1], max(n_out, size.size)))
        if v.shape[-1] == 0:
            return out[..., :n_out]
        if not self._sorted:
            rows = v.reshape(-1, v.shape[-1])
            flat = out.reshape(-1, out.shape[-1])
            for j, row in enumerate(rows):
                flat[j] = np.bincount(index, weights=row, minlength=flat.shape[1])
            return out[..., :n_out]
        dtype = None
        if v.dtype == np.bool_ and v.ndim == 1:
            compiled = kernels.active(self.n)
            if compiled is not None:  # counted by one compiled loop (exact, as below)
                counts = np.empty(size.size, dtype=np.int64)
                compiled.segment_counts(v, start, counts)
                out[: size.size] = counts
                return out[:n_out]
        if v.dtype == np.bool_:
            v, dtype = v.view(np.int8), np.int64
        elif v.dtype.kind in "iu":
            dtype = np.int64
        nonempty = size > 0
        if nonempty.all():
            out[..., : size.size] = np.add.reduceat(v, start[:-1], axis=-1, dtype=dtype)
        else:
            sums = np.add.reduceat(v, start[:-1][nonempty], axis=-1, dtype=dtype)
            out[..., np.flatnonzero(nonempty)] = sums
        return out[..., :n_out]
