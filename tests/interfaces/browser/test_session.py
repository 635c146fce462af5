"""A session's run: refused before building when too large, recorded every month, marked as
modified when it no longer matches its scenario, and given reforms on its policy timeline."""

from __future__ import annotations

import time

import pytest

from sim.core.params import ScenarioError, defaults
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


def test_a_reform_scheduled_in_chosen_streets_applies_there_from_its_month(run):
    assert run.month == 4
    run.schedule({"month": 6, "set": {"responsibility_list": True}, "streets": [0]})
    assert run.modified and run.policy == run.model.timeline.to_list()
    run.step()  # month 5: not yet
    assert run.model.levers.street("responsibility_list").tolist() == [False, False]
    run.step()  # month 6: in street 0 only
    assert run.model.levers.street("responsibility_list").tolist() == [True, False]


@pytest.mark.parametrize(
    "entry, says",
    [
        ({"month": 4, "set": {"responsibility_list": True}}, "month = 4 has begun already"),
        (
            {"month": 9, "set": {"responsibility_list": True}, "streets": [7]},
            "street 7 does not exist",
        ),
        ({"month": 9, "set": {"n_streets": 3}}, "cannot change during a run"),
        ({"month": 9, "set": {"xa_one_shoulder": 2.0}}, "xa_one_shoulder"),
    ],
)
def test_a_reform_the_timeline_cannot_hold_is_refused_with_a_reason(run, entry, says):
    with pytest.raises(ScenarioError, match=says) as err:
        run.schedule(entry)
    assert "\n" not in str(err.value)
    assert run.policy == [] and not run.model.timeline


def test_the_same_reform_twice_is_refused_and_scheduled_once(run):
    entry = {"month": 7, "set": {"responsibility_list": True}, "streets": [1]}
    run.schedule(entry)
    with pytest.raises(ScenarioError, match="already scheduled for month 7"):
        run.schedule(dict(entry))
    run.schedule({**entry, "streets": [0]})  # elsewhere, it is another reform
    assert len(run.policy) == 2 and len(run.model.timeline.changes) == 2


def test_a_scheduled_reform_can_be_dropped_until_its_month_begins(run):
    run.schedule({"month": 5, "set": {"responsibility_list": True}})
    run.schedule({"month": 8, "set": {"xa_one_shoulder": 0.0}})
    run.step()
    with pytest.raises(ScenarioError, match="begun already"):
        run.unschedule(0)
    run.unschedule(1)
    assert [e["month"] for e in run.policy] == [5]
    assert [c.month for c in run.model.timeline.changes] == [5]


def test_a_scenario_s_timeline_is_the_run_s():
    policy = [{"month": 2, "set": {"responsibility_list": True}, "streets": [1]}]
    r = start_run(TWO_STREETS, "1", policy=policy)
    assert r.policy == policy and r.model.timeline.to_list() == policy
    for _ in range(2):
        r.step()
    assert r.model.levers.street("responsibility_list").tolist() == [False, True]
