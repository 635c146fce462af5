"""Coordination and cross-appointment, with its benefits and its costs (ODD §7.5).

The decisive specification: which side of cross-appointment wins is not wired in; the same
code gives opposite verdicts under different cost parameters."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import coordination
from tests.conftest import small_model
from tests.helpers import effect

FULL = dict(xa_one_shoulder=1.0, xa_two_committee_overlap=1.0, xa_secretary_chairs_oc=1.0,
            xa_two_committee_member_on_oc=1.0)
NONE = dict(xa_one_shoulder=0.0, xa_two_committee_overlap=0.0, xa_secretary_chairs_oc=0.0,
            xa_two_committee_member_on_oc=0.0)
COSTS_UP = dict(overload_penalty=3.0, independence_loss_chair=1.0, independence_loss_member=1.0,
                initiative_crowding_out=0.8)
COSTS_DOWN = dict(overload_penalty=0.0, independence_loss_chair=0.0,
                  independence_loss_member=0.0, initiative_crowding_out=0.0)
MANY_COMMITTEES = dict(oc_initial_share=0.8, oc_initial_functioning=1.0, oc_stall_rate=0.0,
                       compound_party_branch_share=1.0)


def test_performance_falls_only_above_full_load():
    load = np.array([0.5, 1.0, 1.5, 2.0])
    assert np.allclose(coordination.performance(load, 2.0), [1, 1, 1 / 2, 1 / 3])
    assert np.allclose(coordination.performance(load, 0.0), 1)


def test_one_shoulder_adds_the_director_seat_to_the_secretary():
    m = small_model(1, xa_one_shoulder=1.0, seat_hours_secretary=100.0,
                    seat_hours_director=100.0, seat_overlap_saving=0.2, leader_hours=150.0,
                    overload_penalty=1.0)
    coordination.step(m)
    cm = m.communities
    assert np.allclose(cm.leader_load, (100 + 0.8 * 100) / 150)
    assert np.allclose(cm.leader_performance, 1 / (1 + (180 / 150 - 1)))


def test_coordination_rises_with_shared_personnel():
    m0 = small_model(2, **NONE)
    m1 = small_model(2, **FULL, overload_penalty=0.0)
    coordination.step(m0)
    coordination.step(m1)
    p = m0.p
    assert np.allclose(m0.communities.coordination,
                       p["coordination_base"] + p["coordination_tie_gain"])
    assert np.all(m1.communities.coordination > m0.communities.coordination)


def test_cadres_on_the_committee_cut_its_independence():
    m = small_model(3, independence_loss_chair=0.4, independence_loss_member=0.2)
    c = 0
    m.set_owners_committee(c, 1, chair_xa=True, member_xa=True)
    coordination.step(m)
    assert np.isclose(m.compounds.independence[c], 1 - 0.4 - 0.2)


def test_with_costs_turned_up_full_cross_appointment_lowers_service_quality():
    base = {**NONE, **COSTS_UP, **MANY_COMMITTEES}
    quality = effect("property_quality", FULL, base=base)
    assert quality.high < 0, quality
    shirking = effect("shirking_share", FULL, base=base)
    assert shirking.low > 0, shirking


def test_with_costs_turned_down_full_cross_appointment_raises_mediation_success():
    base = {**NONE, **COSTS_DOWN, **MANY_COMMITTEES}
    mediation = effect("mediation_rate", FULL, base=base)
    assert mediation.low > 0, mediation


def test_crowding_out_lowers_participation():
    est = effect("participation_rate", {"initiative_crowding_out": 0.9},
                 base={**FULL, "initiative_crowding_out": 0.0})
    assert est.high < 0, est
