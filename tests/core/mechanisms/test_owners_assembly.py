"""Owners'-committee formation (Civil-Code quorum) and health (ODD §7.7)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import owners_assembly
from sim.core.state import OC_FUNCTIONING, OC_NONE
from tests.conftest import small_model
from tests.helpers import effect

SURE = dict(assembly_turnout_base=1.0, assembly_turnout_sd=0.0, approval_base=1.0,
            oc_initial_share=0.0)


def test_full_turnout_and_approval_elects_a_committee():
    m = small_model(1, **SURE)
    compounds = np.arange(m.compounds.n)
    assert owners_assembly.hold_assemblies(m, compounds).all()


def test_turnout_below_two_thirds_fails_the_quorum():
    m = small_model(2, **{**SURE, "assembly_turnout_base": 0.4,
                          "assembly_turnout_participant": 0.0})
    assert not owners_assembly.hold_assemblies(m, np.arange(m.compounds.n)).any()


def test_quorum_needs_floor_area_as_well_as_heads():
    only_participants = {**SURE, "assembly_turnout_base": 0.0, "assembly_turnout_participant": 1.0}

    def elect(concentrate_area: bool) -> np.ndarray:
        m = small_model(3, **only_participants)
        res = m.residents
        heads = np.flatnonzero(res.head)
        big = heads[::10]  # one household in ten
        if concentrate_area:
            res.area[heads] = 1.0
            res.area[big] = 10_000.0  # ...holds nearly all the floor area
        res.participates[:] = True
        res.participates[np.isin(res.household, res.household[big])] = False
        return owners_assembly.hold_assemblies(m, np.arange(m.compounds.n))

    assert elect(concentrate_area=False).all()  # 90% of heads and of area take part
    assert not elect(concentrate_area=True).any()  # 90% of heads, ~0% of area


def test_majority_must_agree():
    m = small_model(4, **{**SURE, "approval_base": 0.0})
    assert not owners_assembly.hold_assemblies(m, np.arange(m.compounds.n)).any()


def test_committees_lapse_when_reelection_fails():
    m = small_model(5, **{**SURE, "assembly_turnout_base": 0.0,
                          "assembly_turnout_participant": 0.0, "oc_term_months": 6.0,
                          "oc_attempt_rate": 0.0, "oc_stall_rate": 0.0, "oc_capture_rate": 0.0})
    m.set_owners_committee(0, OC_FUNCTIONING)
    for _ in range(6):
        m.step()
    assert m.compounds.oc_state[0] == OC_NONE and 0 not in m.owners_committees


def test_capture_needs_no_cadre_protection_to_be_likely():
    m = small_model(6, oc_capture_rate=0.5, party_capture_protection=1.0, oc_stall_rate=0.0)
    for c in range(m.compounds.n):
        m.set_owners_committee(c, OC_FUNCTIONING, chair_xa=False, member_xa=True)
    owners_assembly.step(m)
    assert (m.compounds.oc_state == OC_FUNCTIONING).all()


def test_party_led_formation_raises_committee_coverage():
    assert effect("oc_formed_share", {"party_led_formation": 1.0}).low > 0
