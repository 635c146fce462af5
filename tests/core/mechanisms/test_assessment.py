"""What residents say of their community, and whom service favours (ODD §7.11)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import assessment
from tests.conftest import small_model


def test_kept_values_are_numpys_where_bit_for_bit():
    """Keeping the values where a mask holds and 0.0 elsewhere gives NumPy's `where`, bit
    for bit, whatever the values: signed zeros, negatives, infinities and NaN included."""
    rng = np.random.default_rng(3)
    special = np.array([0.0, -0.0, -1.5, np.inf, -np.inf, np.nan], dtype=np.float32)
    values = np.concatenate([rng.random(500, dtype=np.float32), special])
    keep = rng.random(values.size) < 0.4
    for dtype in (np.float32, np.float64):
        v = values.astype(dtype)
        got = assessment.kept(v, keep)
        want = np.where(keep, v, 0.0)
        assert got.dtype == want.dtype
        assert got.tobytes() == want.tobytes()


def test_residents_evaluation_is_the_mean_satisfaction_of_those_who_take_part():
    """Per community: the mean satisfaction of its participating residents, or of all its
    residents where none take part — with participants everywhere, and without any in one
    community."""
    m = small_model(2)
    m.step()
    res, cm = m.residents, m.communities
    for silent in (None, 0):
        if silent is not None:
            res.participates[res.community == silent] = False
        got = assessment.residents_evaluation(m)
        for c in range(cm.n):
            mine = res.community == c
            part = mine & res.participates
            assert part.any() == (c != silent)
            sat = res.satisfaction.astype(float)
            want = sat[part].mean() if part.any() else sat[mine].mean()
            assert np.isclose(got[c], want, rtol=1e-5)
    m.remove_all_agents()
