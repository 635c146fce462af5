"""Needs arise by category and vulnerability (ODD §7.1); hours meet them by weighted
shares within each community (ODD §7.4)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.mechanisms import needs
from tests.conftest import small_model
from tests.helpers import effect


def test_vulnerable_residents_need_more_care_and_legal_help():
    m = small_model(
        1,
        households_per_compound=150.0,
        vulnerable_need_multiplier=4.0,
        need_dispersion=50.0,
        backlog_carryover=0.0,
    )
    needs.step(m)
    res = m.residents
    v = res.vulnerable
    ratio = res.need[v].mean(axis=0) / res.need[~v].mean(axis=0)
    assert abs(ratio[0] - 1.0) < 0.05  # daily needs alike
    assert np.all(np.abs(ratio[1:] - 4.0) < 0.2)  # care and legal ×4
    assert abs(res.need[~v, 0].mean() - m.p["need_daily"]) < 0.01


def test_unmet_need_carries_over():
    m = small_model(2, backlog_carryover=0.5)
    m.residents.backlog[:] = 1.0
    needs.step(m)
    assert np.all(m.residents.need >= 1.0)


def test_allocation_shares_supply_by_weighted_need():
    m = small_model(3, vulnerable_priority=1.0, resident_assessment_weight=0.0)
    m.step()
    res, cm = m.residents, m.communities
    k, c = 0, 0
    members = res.community == c
    w = 1.0 + res.vulnerable[members]
    fraction = cm.supply[c, k] / (w * res.need[members, k]).sum()
    expected = np.minimum(fraction * w, 1.0)
    assert np.allclose(res.met[members, k], expected, atol=1e-5)
    delivered = (res.met[members, k] * res.need[members, k]).sum()
    assert delivered <= cm.supply[c, k] * (1 + 1e-5)  # float32 sums


def test_priority_for_vulnerable_residents_raises_their_needs_met():
    est = effect(
        "needs_met_vulnerable", {"vulnerable_priority": 3.0}, base={"vulnerable_priority": 0.0}
    )
    assert est.low > 0, est
    other = effect(
        "needs_met_other", {"vulnerable_priority": 3.0}, base={"vulnerable_priority": 0.0}
    )
    assert other.high < 0, other  # the cost: others get less


@pytest.mark.parametrize("shape", [1, 2, 3, 4])
def test_fast_gamma_draws_multiply_the_uniforms_of_one_array_drawn_at_once(shape, monkeypatch):
    """A resident's need multiplies their uniforms from one (shape, n) array filled at once,
    though only the first row is held whole (the rest is drawn chunk by chunk)."""
    monkeypatch.setattr(needs, "CHUNK", 1000)
    n = 2_500  # chunks of 1,000, 1,000 and 500
    out = needs.standard_gamma(np.random.default_rng(3), shape, np.empty(n, np.float32), None, 0.5)
    u = 1 - np.random.default_rng(3).random((shape, n), dtype=np.float32)
    expected = u[0].copy()
    for j in range(1, shape):
        expected *= u[j]
    expected = np.log(expected) * np.float32(-0.5)
    assert out.tobytes() == expected.tobytes()
