"""Property management: effort, fees, detection, sanctions, re-tendering (ODD §7.6)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import coordination, property_management
from sim.core.state import OC_FUNCTIONING, OC_NONE
from tests.conftest import small_model
from tests.helpers import effect

NO_COMMITTEES = dict(oc_initial_share=0.0, oc_attempt_rate=0.0)


def prepare(**kw):
    m = small_model(1, **{**NO_COMMITTEES, **kw})
    coordination.step(m)
    return m


def test_unsupervised_firms_settle_at_their_unconstrained_effort():
    m = prepare(detect_base=0.0, firm_fee_responsiveness=0.8, effort_cost=1.0,
                effort_adjust_rate=1.0, shirk_threshold=0.55)
    property_management.step(m)
    assert np.allclose(m.compounds.effort, 0.4)
    assert np.allclose(m.compounds.quality, m.firms.capability[m.compounds.firm] * 0.4)


def test_credible_supervision_makes_firms_comply():
    m = prepare(detect_base=0.0, firm_fee_responsiveness=0.8, effort_adjust_rate=1.0,
                shirk_threshold=0.55)
    m.set_owners_committee(0, OC_FUNCTIONING)
    coordination.step(m)
    property_management.step(m)
    assert np.isclose(m.compounds.effort[0], 0.55)
    assert np.allclose(m.compounds.effort[1:], 0.4)


def test_owners_pay_when_quality_meets_their_tolerance():
    m = prepare(quality_noise=0.0)
    m.residents.tolerance[:] = 0.0
    property_management.step(m)
    assert np.allclose(m.compounds.collection, 1.0)
    m.residents.tolerance[:] = 1.0
    property_management.step(m)
    assert np.allclose(m.compounds.collection, 0.0)


def test_repeated_detection_leads_a_committee_to_retender():
    m = prepare(detect_base=1.0, retender_strikes=2.0, strike_decay=0.0,
                shirk_threshold=0.99, effort_adjust_rate=0.0)
    m.compounds.effort[:] = 0.1
    m.set_owners_committee(0, OC_FUNCTIONING)
    coordination.step(m)
    old = int(m.compounds.firm[0])
    property_management.step(m)
    property_management.step(m)
    assert m.compounds.firm[0] != old and m.firms.lost[old] >= 1
    off = m.world.node_offset
    seat = off["owners_committee"]
    assert m.network.has_edge(seat, off["property_firm"] + int(m.compounds.firm[0]), "contract")
    assert not m.network.has_edge(seat, off["property_firm"] + old, "contract")
    assert m.compounds.oc_state[1] == OC_NONE


def test_firms_leave_compounds_that_do_not_pay():
    m = prepare(exit_patience=2.0, exit_collection=0.9)
    m.residents.tolerance[:] = 1.0
    for _ in range(2):
        property_management.step(m)
    assert np.all(m.compounds.firm[m.compounds.owners > 0] == -1)


def test_professional_committee_raises_quality_and_fee_collection():
    assert effect("property_quality", {"professional_committee": True}).low > 0
    assert effect("fee_collection", {"professional_committee": True}).low > 0
