"""Community and compound types change outcomes in the documented direction (ODD §7.0b,
docs/DATA.md): over paired seeds, a district of old quarters has lower property-service
quality, fewer compounds served by a firm and larger care needs per resident than a district
of commercial estates. Each difference is a mean over seeds with its 95% interval."""

from __future__ import annotations

from functools import lru_cache

from sim.core import types as T
from sim.core.model import GovernanceModel
from sim.experiments.stats import paired_difference
from tests.conftest import MEDIUM
from tests.helpers import SEEDS, effect


def only(kind: str) -> dict:
    """A district whose communities are all of one type, with compounds of their type."""
    mix = {f"community_mix_{t}": float(t == kind) for t in T.COMMUNITY_TYPES}
    return {**mix, "type_purity": 1.0}


OLD, COMMERCIAL = only("old"), only("commercial")


def show(what: str, est) -> None:
    """The estimate as docs/DATA.md quotes it (`pytest tests/core/test_types.py -s`)."""
    print(
        f"\nold quarters − commercial estates, {what}: {est.mean:+.3f} "
        f"[{est.low:+.3f}, {est.high:+.3f}] over {est.n} paired seeds"
    )


def test_old_quarters_have_lower_property_quality_than_commercial_estates():
    est = effect("property_quality", OLD, base=COMMERCIAL, steps=24)
    show("property-service quality, months 13-24", est)
    assert est.high < 0, est


def test_old_quarters_have_fewer_compounds_served_by_a_firm():
    est = effect("unserved_compounds", OLD, base=COMMERCIAL, steps=24)
    show("share of compounds without a firm, months 13-24", est)
    assert est.low > 0, est


@lru_cache(maxsize=32)
def care_need_per_resident(kind: str, seed: int, months: int = 6) -> float:
    m = GovernanceModel(rng=seed, **{**MEDIUM, **only(kind)})
    need = 0.0
    for _ in range(months):
        m.step()
        need += float(m.communities.demand[:, 1].sum())
    per_resident = need / months / m.residents.n
    m.remove_all_agents()
    return per_resident


def test_elderly_heavy_old_quarters_have_larger_care_needs_per_resident():
    old = [care_need_per_resident("old", s) for s in SEEDS]
    commercial = [care_need_per_resident("commercial", s) for s in SEEDS]
    est, _ = paired_difference(old, commercial)
    show(
        f"care need hours per resident a month (commercial: "
        f"{sum(commercial) / len(commercial):.3f})",
        est,
    )
    assert est.low > 0, est
    assert T.COMPOUND_TYPES["old"].elderly_ratio > T.COMPOUND_TYPES["commercial"].elderly_ratio
