"""Satisfaction and trust follow experience (ODD §7.12)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import satisfaction
from tests.conftest import small_model


def test_satisfaction_moves_toward_weighted_experience_at_its_rate():
    m = small_model(
        1, satisfaction_rate=0.5, weight_needs=1.0, weight_property=1.0, weight_disputes=0.0
    )
    m.step()
    res, cp = m.residents, m.compounds
    res.satisfaction[:] = 0.2
    res.met[:] = 1.0
    cp.quality[:] = 0.6
    satisfaction.step(m)
    assert np.allclose(res.satisfaction, 0.2 + 0.5 * ((1.0 + 0.6) / 2 - 0.2), atol=1e-6)


def test_trust_in_the_firm_tracks_quality_and_unseen_bodies_keep_their_trust():
    m = small_model(2, trust_rate=1.0, oc_initial_share=0.0)
    m.step()
    m.compounds.quality[:] = 0.7
    before = m.residents.trust[:, 2].copy()
    satisfaction.step(m)
    assert np.allclose(m.residents.trust[:, 3], 0.7)
    assert np.array_equal(m.residents.trust[:, 2], before)  # no owners' committee seen
