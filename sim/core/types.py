"""Community and compound types: the kinds of neighbourhood a district is made of (ODD §3, §5).

Chinese urban districts mix old quarters of pre-1990s walk-ups without professional
management (老旧小区), work-unit compounds (单位小区), commercial estates (商品房小区),
resettlement housing for former villagers (安置小区/回迁房) and mixed neighbourhoods. A
community's type sets the usual type of its compounds; each compound type has its own
distributions of build year, management mode, fee level, owner share, elderly share, floor
area and cohesion. Mechanisms read the compound's drawn attributes, not the type name:
fees (§7.6), owners' committees (§7.7), renovation (§7.6), care needs (§7.1).

Every number in `COMPOUND_TYPES` has its source or is marked as an assumption in `SOURCES`;
the community mix is a parameter group (`types`, CLDS 2014). A world read from files
(`sim.core.district`) may give any of these attributes per compound; what it leaves out is
drawn from these distributions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COMMUNITY_TYPES = ("old", "work_unit", "commercial", "village", "mixed")
"""Community types, in the order of the `community_mix_*` parameters."""

COMPOUND_TYPES_ORDER = ("old", "work_unit", "commercial", "resettlement")

MANAGEMENT_MODES = ("none", "caretaking", "self", "work_unit", "firm")
"""How a compound is managed: no one; caretaking by the street or RC (准物业); owners'
self-management (自管); the work unit or housing bureau; a professional firm."""
NONE, CARETAKING, SELF, WORK_UNIT, FIRM = range(len(MANAGEMENT_MODES))

TYPICAL_COMPOUND = {
    "old": "old",
    "work_unit": "work_unit",
    "commercial": "commercial",
    "village": "resettlement",
    "mixed": None,
}
"""The usual compound type of each community type (mixed: drawn from the district mix)."""


@dataclass(frozen=True)
class CompoundType:
    """Distributions of one compound type."""

    build_years: tuple[int, int]  # uniform range of build years
    management: tuple[float, ...]  # probabilities of MANAGEMENT_MODES
    owner_ratio: float  # owner-household share relative to `owner_share`
    elderly_ratio: float  # elderly share relative to `share_elderly`
    area_ratio: float  # mean floor area relative to `floor_area_mean`
    cohesion_shift: float  # shift of the standard-normal cohesion (assemblies)
    fee_discount: float  # fee relative to the listed median of its build era


COMPOUND_TYPES: dict[str, CompoundType] = {
    "old": CompoundType((1970, 1999), (0.25, 0.45, 0.10, 0.0, 0.20), 0.85, 1.6, 0.7, 0.2, 1.0),
    "work_unit": CompoundType(
        (1980, 2000), (0.10, 0.20, 0.0, 0.40, 0.30), 1.0, 1.5, 0.75, 0.3, 1.0
    ),
    "commercial": CompoundType(
        (2000, 2020), (0.0, 0.0, 0.05, 0.0, 0.95), 1.07, 0.7, 1.1, -0.2, 1.0
    ),
    "resettlement": CompoundType(
        (2005, 2020), (0.0, 0.35, 0.05, 0.0, 0.60), 1.13, 1.1, 0.9, 0.1, 0.5
    ),
}

FEE_BY_ERA = ((1990, 0.69), (2000, 0.89), (2010, 1.74), (9999, 2.47))
"""Median listed basic property fee (yuan/m²/month) by build era (< 1990, 1990s, 2000s,
2010+): the mean of the city medians of Beijing, Shanghai, Shenzhen, Guangzhou, Chengdu and
Wuhan in Lianjia listings scraped in September 2020 (FACTS: 'Median listed basic property
fee'); a compound's fee is that median × the type's `fee_discount` × a log-normal spread of
0.25."""

SOURCES = {
    "build_years": "assumption from the type definitions: old quarters and work-unit "
    "compounds predate the 2000s housing market; resettlement housing follows "
    "2000s land requisition",
    "management.old": "Lianjia listings 2020 (FACTS): 70% of pre-1990 compounds in Chengdu, "
    "38-94% across cities, lack a professional firm; split among none, "
    "caretaking and self-management is an assumption",
    "management.work_unit": "assumption: after housing reform many work units kept services "
    "or handed them to the street",
    "management.commercial": "Lianjia listings 2020 (FACTS): 1-8% of 2010+ compounds lack a firm",
    "management.resettlement": "assumption: low-fee firms or street caretaking",
    "owner_ratio": "assumption around the census district mean (owner_share)",
    "elderly_ratio": "Shanghai large affordable estates 2014: 34.7% of adults aged 60+ "
    "(FACTS) against 18.7% in the census; old and work-unit compounds age "
    "with their first residents (assumption for the ratios)",
    "area_ratio": "assumption: pre-2000 flats are small",
    "cohesion_shift": "assumption: long-standing neighbours organise more easily",
    "fee_discount": "assumption: resettlement housing charges about half the listed fee",
}


def community_mix(p: dict) -> np.ndarray:
    """Normalised community-type probabilities from the `community_mix_*` parameters."""
    w = np.array([p[f"community_mix_{t}"] for t in COMMUNITY_TYPES], dtype=float)
    if w.sum() <= 0:
        return np.full(len(w), 1 / len(w))
    return w / w.sum()


def district_compound_mix(p: dict) -> np.ndarray:
    """Compound-type probabilities of the district as a whole (mixed communities draw
    from it): the community mix mapped to typical compound types."""
    mix = community_mix(p)
    out = np.zeros(len(COMPOUND_TYPES_ORDER))
    for k, ctype in enumerate(COMMUNITY_TYPES[:-1]):
        out[COMPOUND_TYPES_ORDER.index(TYPICAL_COMPOUND[ctype])] += mix[k]
    return out / out.sum()


def fee_for(
    build_year: np.ndarray, discount: np.ndarray, rng: np.random.Generator, spread: float = 0.25
) -> np.ndarray:
    """Monthly fee per m² for compounds of these build years (see FEE_BY_ERA)."""
    edges = np.array([e for e, _ in FEE_BY_ERA])
    medians = np.array([m for _, m in FEE_BY_ERA])
    base = medians[np.searchsorted(edges, build_year, side="right")]
    return base * discount * rng.lognormal(-(spread**2) / 2, spread, size=len(build_year))
