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


def test_office_holders_standing_follows_trust_in_the_bodies_they_sit_on():
    """Each seat reads its organisation's trust (party committee and branch: the party; RC;
    OC); seats of other kinds (the property committee) read nothing; a person's signal is
    the mean over their seats, and standing moves toward it at `standing_rate`."""
    from sim.core.people import BRANCH, OC, PC, RC

    m = small_model(4, professional_committee=True, standing_rate=0.3)
    m.run_for(3)
    seats, people = m.seats, m.people
    filled = np.flatnonzero(seats.holder >= 0)
    org, idx = seats.org[filled], seats.org_index[filled]
    assert (~np.isin(org, [PC, RC, BRANCH, OC])).any()  # property-committee seats among them
    trust = {
        PC: m.community_trust("party"),
        RC: m.community_trust("rc"),
        BRANCH: m.compound_trust("party"),
        OC: m.compound_trust("oc"),
    }
    signal = np.select(
        [org == k for k in trust],
        [v[np.minimum(idx, len(v) - 1)] for v in trust.values()],
        default=np.nan,
    )
    keep = ~np.isnan(signal)
    n = people.n
    total = np.bincount(seats.holder[filled][keep], weights=signal[keep], minlength=n)
    count = np.bincount(seats.holder[filled][keep], minlength=n)
    seen = count > 0
    expected = people.standing[:n].copy()
    expected[seen] += 0.3 * (total[seen] / count[seen] - expected[seen])
    satisfaction.update_standing(m)
    assert people.standing[:n].tobytes() == expected.tobytes()
