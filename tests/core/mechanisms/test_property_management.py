"""Property management: quality by management mode, detection, effort, fees, re-tendering,
turnover (ODD §7.6)."""

from __future__ import annotations

import numpy as np

from sim.core import types as T
from sim.core.agents.property_committee import PropertyCommittee, convene_property_committee
from sim.core.mechanisms import coordination, owners_assembly, property_management
from sim.core.state import OC_FUNCTIONING, OC_NONE
from sim.experiments.stats import mean_ci
from tests.conftest import MEDIUM, small_model
from tests.helpers import effect

COMMERCIAL = dict(
    community_mix_old=0.0,
    community_mix_work_unit=0.0,
    community_mix_commercial=1.0,
    community_mix_village=0.0,
    community_mix_mixed=0.0,
    type_purity=1.0,
)
NO_COMMITTEES = dict(oc_initial_share=0.0, oc_attempt_rate=0.0)


def prepare(**kw):
    m = small_model(1, **{**COMMERCIAL, **NO_COMMITTEES, **kw})
    coordination.step(m)
    return m


def firm_step(m) -> None:
    property_management.set_detection(m)
    m.do(type(m.firm_agents[0]), "set_effort")
    property_management.set_quality(m)
    property_management.pay_fees(m)


def test_quality_is_the_buildings_base_times_what_management_delivers():
    m = small_model(2)
    cp = m.compounds
    firm = cp.firm >= 0
    expected = np.where(firm, m.firms.capability[np.maximum(cp.firm, 0)] * cp.effort, np.nan)
    assert np.allclose((cp.quality / cp.base_quality)[firm], expected[firm])
    caretaken = (cp.management == T.CARETAKING) & ~firm
    assert np.allclose((cp.quality / cp.base_quality)[caretaken], m.p["caretaking_quality"])
    older = np.argsort(cp.build_year)
    assert np.all(np.diff(cp.base_quality[older]) >= 0)


def test_each_way_of_management_delivers_its_quality():
    """Caretaking, work units and no one deliver their parameter's quality; owners managing
    themselves theirs while their committee functions, caretaking's otherwise; a firm its
    capability × effort."""
    m = small_model(3, oc_initial_share=0.5)
    p, cp = m.p, m.compounds
    modes = np.arange(cp.n) % len(T.MANAGEMENT_MODES)
    cp.management[:] = modes
    cp.firm[modes != T.FIRM] = -1
    rounds = np.arange(cp.n) // len(T.MANAGEMENT_MODES)
    cp.oc_state[:] = np.where(rounds % 2 == 0, OC_FUNCTIONING, OC_NONE)
    delivered = property_management.management_quality(m)
    functioning = cp.oc_state == OC_FUNCTIONING
    expected = {
        T.NONE: p["unmanaged_quality"],
        T.CARETAKING: p["caretaking_quality"],
        T.WORK_UNIT: p["work_unit_quality"],
    }
    for mode, quality in expected.items():
        assert np.all(delivered[modes == mode] == quality)
    own = modes == T.SELF
    assert np.any(own & functioning) and np.any(own & ~functioning)
    assert np.all(delivered[own & functioning] == p["self_management_quality"])
    assert np.all(delivered[own & ~functioning] == p["caretaking_quality"])
    served = cp.firm >= 0
    assert np.all(delivered[served] == (m.firms.capability[cp.firm] * cp.effort)[served])
    assert np.all(delivered[(modes == T.FIRM) & ~served] == p["unmanaged_quality"])


def test_without_property_committees_no_compound_is_watched_and_with_one_its_own_are():
    m = small_model(4, **COMMERCIAL)
    assert not m.property_committees
    assert np.array_equal(PropertyCommittee.watch_all(m), np.zeros(m.compounds.n))
    convene_property_committee(m, 0, True)
    watch = PropertyCommittee.watch_all(m)
    mine = m.compounds.community == 0
    assert np.all(watch[mine] > 0) and np.all(watch[~mine] == 0)


def test_unsupervised_firms_settle_at_their_unconstrained_effort():
    m = prepare(
        detect_base=0.0,
        firm_fee_responsiveness=0.8,
        effort_adjust_rate=1.0,
        shirk_threshold=0.99,
        firm_effort_cost_sd=0.0,
        effort_cost=1.0,
    )
    firm_step(m)
    served = m.compounds.firm >= 0
    assert np.allclose(m.compounds.effort[served], 0.4)


def test_credible_supervision_makes_firms_comply():
    m = prepare(
        firm_fee_responsiveness=0.8,
        effort_adjust_rate=1.0,
        shirk_threshold=0.55,
        firm_effort_cost_sd=0.0,
        effort_cost=1.0,
        detect_base=0.0,
    )
    m.compounds.detection[:] = 0.0
    served = np.flatnonzero(m.compounds.firm >= 0)
    m.p["detect_base"] = 1.0
    firm_step(m)
    assert np.allclose(m.compounds.effort[served], 0.55)


def test_owners_pay_when_quality_meets_their_tolerance_and_pay_by_floor_area():
    m = prepare(quality_noise=0.0)
    m.residents.tolerance[:] = 0.0
    firm_step(m)
    cp = m.compounds
    served = cp.firm >= 0
    assert np.allclose(cp.collection[served & (cp.owners > 0)], 1.0)
    revenue = np.bincount(cp.firm[served], weights=(cp.fee * cp.area)[served], minlength=m.firms.n)
    assert np.allclose(m.firms.revenue, revenue)
    m.residents.tolerance[:] = 1.0
    firm_step(m)
    assert np.allclose(cp.collection, 0.0)


def test_repeated_detection_leads_a_functioning_committee_to_retender():
    m = small_model(
        3,
        **COMMERCIAL,
        oc_initial_share=1.0,
        oc_attempt_rate=0.0,
        detect_base=1.0,
        retender_strikes=2.0,
        strike_decay=0.0,
        shirk_threshold=0.99,
        effort_adjust_rate=0.0,
        initial_cadre_on_oc=0.0,
    )
    cp = m.compounds
    c = int(np.flatnonzero((cp.oc_state == 1) & (cp.firm >= 0))[0])
    cp.effort[:] = 0.1
    cp.independence[c] = 1.0
    old = int(cp.firm[c])
    for _ in range(2):
        firm_step(m)
        property_management.detect(m)
        cp.oc_acted[c] = True  # its members meet and act this month
        m.owners_committees[c].respond()
    assert cp.firm[c] != old and m.firms.lost[old] >= 1
    off = m.world.node_offset
    assert m.network.has_edge(
        off["owners_committee"] + c, off["property_firm"] + int(cp.firm[c]), "contract"
    )


def test_firms_leave_compounds_where_fees_collected_fall_below_break_even():
    m = prepare(exit_patience=2.0, firm_break_even_fee=0.5)
    m.residents.tolerance[:] = 1.0
    had = (m.compounds.firm >= 0) & (m.compounds.owners > 0)
    for _ in range(2):
        firm_step(m)
        property_management.turnover(m)
    cp = m.compounds
    left = had & (cp.firm < 0)
    assert left.any() and np.all(cp.management[left] == T.CARETAKING)


def test_no_firm_bids_for_a_compound_whose_fee_is_below_break_even():
    m = prepare()
    m.compounds.fee[0] = 0.1
    assert property_management.tender(m, 0, -1) == -1


def test_a_property_committee_lowers_shirking_gradually_not_from_all_to_none():
    """Its members' hours are spread over the community's compounds and its convenor sits
    with the RC that works with the firms: firms respond, but not all of them in every
    seed."""
    on = effect("shirking_share", {"professional_committee": True}, base=COMMERCIAL)
    assert on.high < 0, on
    arm = [s for s in _summaries({**MEDIUM, **COMMERCIAL, "professional_committee": True})]
    assert mean_ci(arm).mean > 0.02, "some firms still shirk"


def _summaries(params: dict) -> list[float]:
    from tests.helpers import summaries

    return [s["mean_shirking_share"] for s in summaries(params)]


def test_committee_lapse_frees_its_seats():
    m = small_model(4, oc_initial_share=1.0)
    c = next(iter(m.owners_committees))
    owners_assembly.set_owners_committee(m, c, OC_NONE)
    assert c not in m.owners_committees
    assert np.all(m.seats.holder[m.seats_of(3, c)] < 0)
