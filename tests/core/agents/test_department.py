"""Line departments push work through streets, answer summons and respond to the rating the
streets give them; access lists, summons, consultation and the mirror ban act through them
(ODD §7.14)."""

from __future__ import annotations

import numpy as np

from sim.core.network import set_edge
from sim.experiments.stats import paired_difference
from tests.conftest import small_model

FOUR = dict(
    n_streets=4,
    communities_per_street=3.0,
    compounds_per_community=2.0,
    households_per_compound=60.0,
    n_firms=4,
    n_ngos=3,
)
SEEDS = range(1, 9)


def per_street(outcome: str, months: int = 24, seeds=SEEDS, **params) -> np.ndarray:
    """Mean over the last 12 months of a street-table column: seeds × streets."""
    rows = []
    for seed in seeds:
        m = small_model(seed, **FOUR, **params)
        m.run_for(months)
        table = m.street_table()
        tail = table[table.step > months - 12]
        rows.append(tail.groupby("street")[outcome].mean().to_numpy())
    return np.array(rows)


def test_departments_push_less_into_streets_with_an_access_list_and_more_into_the_others():
    """Access lists in streets 0 and 1: less of the departments' own duties lands there, and
    the departments, learning where pushing is accepted, send more to streets 2 and 3. (The
    streets here have few officers seconded to them, so tasks arrive beyond what they can do
    themselves, as in the default district: a street refuses only what it cannot carry.)"""
    pilot = [{"month": 1, "set": {"access_list": True}, "streets": [0, 1]}]
    stretched = dict(seconded_hours_per_street=10.0)
    base = per_street("tasks_received", **stretched)
    listed = per_street("tasks_received", timeline=pilot, **stretched)
    inside, _ = paired_difference(listed[:, :2].sum(axis=1), base[:, :2].sum(axis=1))
    spill, _ = paired_difference(listed[:, 2:].sum(axis=1), base[:, 2:].sum(axis=1))
    assert inside.high < 0, inside
    assert spill.low > 0, spill


def test_response_times_fall_as_the_weight_of_the_streets_rating_rises():
    def response(weight: float) -> list[float]:
        out = []
        for seed in SEEDS:
            m = small_model(seed, **FOUR, street_summons=True, dept_rating_weight=weight)
            m.run_for(24)
            out.append(m.outcomes["response_time"])
        return out

    low, high = response(0.0), response(0.8)
    diff, _ = paired_difference(high, low)
    assert diff.high < 0, diff


def test_a_department_cut_off_from_a_street_cannot_push_work_through_it():
    m = small_model(1, **FOUR)
    off = m.world.node_offset
    set_edge(m, off["department"] + 0, off["street_office"] + 2, "hierarchy", False)
    m.step()
    dp = m.departments
    assert dp.on_list[0, 2] == 0 and dp.off_list[0, 2] == 0
    assert dp.on_list[1, 2] > 0
    assert 2 not in m.department_agents[0].streets()


def test_consulted_streets_get_more_of_their_seconded_officers_hours():
    m = small_model(
        2, **FOUR, timeline=[{"month": 1, "set": {"seconded_consultation": True}, "streets": [0]}]
    )
    m.step()
    st = m.streets
    own = m.p["street_task_capacity_per_1000"] * st.residents / 1000
    assert st.own_capacity[0] - own[0] > st.own_capacity[1] - own[1]


def test_a_mirror_ban_frees_committee_hours():
    base = per_street("mirror_hours")
    banned = per_street("mirror_hours", mirror_ban=True)
    assert np.all(banned == 0) and np.all(base > 0)


def test_departments_insist_less_on_mirrors_when_streets_rating_counts():
    def mirrors(weight: float) -> list[float]:
        out = []
        for seed in SEEDS:
            m = small_model(seed, **FOUR, dept_rating_weight=weight)
            m.run_for(24)
            out.append(float(m.departments.mirrors.mean()))
        return out

    diff, _ = paired_difference(mirrors(0.9), mirrors(0.0))
    assert diff.high < 0, diff
