"""The vectorised population: arrays, not objects, and their invariants over a run."""

from __future__ import annotations

import numpy as np

from sim.core import types as T
from sim.core.residents import HOUR_CATEGORIES, TRUST_TARGETS
from tests.conftest import small_model


def test_residents_are_arrays_indexed_by_compound():
    m = small_model(2)
    res = m.residents
    for name in ("compound", "community", "satisfaction", "participates", "owner", "vulnerable"):
        arr = getattr(res, name)
        assert isinstance(arr, np.ndarray) and arr.dtype != object and arr.shape == (res.n,)
    assert res.trust.shape == (res.n, len(TRUST_TARGETS))
    assert res.need.shape == (res.n, len(HOUR_CATEGORIES))
    assert np.array_equal(res.community, m.compounds.community[res.compound])
    assert np.array_equal(res.vulnerable, res.elderly | res.special)
    starts = res.compound_start
    for c in range(m.compounds.n):
        assert np.all(res.compound[starts[c] : starts[c + 1]] == c)
    assert m.compounds.residents.sum() == res.n


def test_attribute_shares_follow_parameters_and_compound_types():
    m = small_model(3, households_per_compound=200.0, share_elderly=0.3, owner_share=0.6)
    res, w = m.residents, m.world
    ratio = np.array([T.COMPOUND_TYPES[t].elderly_ratio for t in w.compound_type])
    expected = np.clip(0.3 * ratio, 0, 1)[res.compound].mean()
    assert abs(res.elderly.mean() - expected) < 0.02
    owner_ratio = np.array([T.COMPOUND_TYPES[t].owner_ratio for t in w.compound_type])
    heads = res.head
    assert (
        abs(res.owner[heads].mean() - np.clip(0.6 * owner_ratio, 0, 1)[res.compound[heads]].mean())
        < 0.03
    )


def test_states_stay_in_bounds_over_a_run():
    m = small_model(4)
    for _ in range(24):
        m.step()
        res = m.residents
        for arr in (res.satisfaction, res.trust, res.met):
            assert np.all((arr >= 0) & (arr <= 1))
        assert np.all(res.need >= 0) and np.all(res.backlog >= 0)
        assert np.all(res.backlog <= res.need + 1e-6)
        assert not np.any(res.pays & ~res.owner_heads)
