"""A session's run: refused before building when too large, recorded every month, and
marked as modified when it no longer matches its scenario."""

from __future__ import annotations

import time

import pytest

from sim.core.params import defaults
from sim.interfaces.browser.guard import Limits
from sim.interfaces.browser.session import WorldTooLarge, start_run

from .conftest import TWO_STREETS


def test_a_world_above_the_cap_is_refused_before_anything_is_built():
    t = time.perf_counter()
    with pytest.raises(WorldTooLarge, match="per session"):
        start_run({"n_streets": 1000}, "1", limits=Limits(session_mb=1500))
    assert time.perf_counter() - t < 1.0  # 1000 streets would take minutes and 7 GB


def test_each_month_is_recorded(run):
    assert run.month == run.history.latest == run.model.steps == 4
    run.step()
    assert run.month == 5


def test_a_run_knows_whether_it_matches_its_scenario():
    base = {**defaults(), **TWO_STREETS}
    same = start_run(base, "1", "alpha", base)
    changed = start_run({**base, "xa_one_shoulder": 0.1}, "1", "alpha", base)
    assert not same.modified and changed.modified
    assert same.seed == 1 and not same.drawn


def test_a_blank_seed_is_drawn_and_shown():
    r = start_run(TWO_STREETS, "  ")
    assert r.drawn and isinstance(r.seed, int)
