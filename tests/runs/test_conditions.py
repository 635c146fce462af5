"""Conditions a researcher can measure in a district are read off the run's people and
communities, not restated from parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core.people import SECRETARY
from sim.runs.conditions import (
    CONDITIONS,
    WEEKS_PER_MONTH,
    ConditionMeter,
    community_conditions,
    district_conditions,
)
from sim.runs.runner import run
from tests.conftest import SMALL, small_model


@pytest.fixture(scope="module")
def stepped():
    m = small_model(4)
    m.run_for(14)  # past the first election round (month 12)
    yield m
    m.remove_all_agents()


def test_every_condition_is_measured_for_every_community(stepped):
    values = community_conditions(stepped)
    assert set(values) == {c.name for c in CONDITIONS}
    for name, v in values.items():
        assert v.shape == (stepped.communities.n,), name


def test_a_secretarys_hours_on_seats_are_the_hours_their_seats_ask(stepped):
    values = community_conditions(stepped)
    people, seats = stepped.people, stepped.seats
    for c, person in enumerate(stepped.holders_of_role(SECRETARY)):
        if person < 0:
            assert np.isnan(values["secretary_seat_hours_week"][c])
            continue
        asked = people.load[person] * people.hours[person]
        assert np.isclose(values["secretary_seat_hours_week"][c], asked / WEEKS_PER_MONTH)
        spare = (people.hours[person] - asked) / WEEKS_PER_MONTH
        assert np.isclose(values["secretary_spare_hours_week"][c], spare)
        assert values["secretary_seats"][c] == np.sum(seats.holder == person) >= 1


def test_residents_per_worker_and_workers_hours_come_from_each_community(stepped):
    values = community_conditions(stepped)
    cm = stepped.communities
    assert np.allclose(values["residents_per_rc_worker"], cm.residents / cm.staff)
    weekly = cm.admin_hours / cm.staff / WEEKS_PER_MONTH
    assert np.allclose(values["rc_task_hours_week"], weekly)


def test_more_staff_per_resident_shows_as_fewer_residents_per_worker():
    # default-sized communities; small ones keep at least one worker per RC seat, so the
    # measured ratio is not the parameter's ratio
    world = {**SMALL, "compounds_per_community": 5.0, "households_per_compound": 150.0}
    low = run({**world, "staff_per_1000": 2.0}, 2, 6, conditions=True, series_period=None)
    high = run({**world, "staff_per_1000": 6.0}, 2, 6, conditions=True, series_period=None)
    ratio = (
        low.summary["cond_residents_per_rc_worker"] / high.summary["cond_residents_per_rc_worker"]
    )
    assert 1.5 < ratio <= 3.0


def test_district_values_weigh_residents_only_where_the_condition_is_about_residents():
    values = {c.name: np.array([1.0, 3.0, np.nan]) for c in CONDITIONS}
    residents = np.array([100, 300, 50])
    out = district_conditions(values, residents)
    for c in CONDITIONS:
        assert out[c.name] == (2.5 if c.by_residents else 2.0), c.name


def test_the_meter_averages_the_months_it_measured(stepped):
    meter = ConditionMeter()
    meter.measure(stepped)
    once = meter.means()
    meter.measure(stepped)
    twice = meter.means()
    assert np.array_equal(list(twice.values()), list(once.values()), equal_nan=True)
    assert all(k.startswith("cond_") for k in once)


def test_a_run_reports_its_conditions_only_when_asked_and_reproducibly():
    plain = run(SMALL, 5, 4, series_period=None)
    assert not any(k.startswith("cond_") for k in plain.summary)
    a = run(SMALL, 5, 4, series_period=None, conditions=True)
    b = run(SMALL, 5, 4, series_period=None, conditions=True)
    conds = {k: v for k, v in a.summary.items() if k.startswith("cond_")}
    assert len(conds) == len(CONDITIONS)
    again = np.array([b.summary[k] for k in conds])
    assert np.array_equal(np.array(list(conds.values())), again, equal_nan=True)
    outcomes = pd.Series({k: v for k, v in a.summary.items() if not k.startswith("cond_")})
    assert outcomes.equals(pd.Series(plain.summary))  # measuring changes no outcome
