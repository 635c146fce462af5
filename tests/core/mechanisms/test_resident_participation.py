"""Participation in the model: the public-goods game on the social graph (ODD §7.10)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import resident_participation
from tests.conftest import small_model
from tests.helpers import effect


def test_only_revising_residents_change_and_volunteer_hours_follow_participation():
    m = small_model(1, revision_share=0.0)
    m.step()
    before = m.residents.participates.copy()
    resident_participation.step(m)
    assert np.array_equal(before, m.residents.participates)
    res, cp = m.residents, m.compounds
    share = np.bincount(res.compound, weights=res.participates, minlength=cp.n) / cp.residents
    assert np.allclose(cp.participation, share)
    cm, p = m.communities, m.p
    share = p["volunteer_coordination_share"]
    match = p["volunteer_match_base"] * (1 - share + share * cm.coordination)
    assert np.allclose(cm.volunteer_hours, cm.participants * p["volunteer_hours"] * match)
    assert np.isclose(cm.participants.sum(), res.participates.sum())


def test_platform_raises_participation_and_needs_met():
    assert effect("participation_rate", {"volunteer_platform": True}).low > 0
    assert effect("needs_met", {"volunteer_platform": True}).low > 0


def test_higher_time_cost_lowers_participation():
    assert effect("participation_rate", {"participation_cost": 3.0}).high < 0
