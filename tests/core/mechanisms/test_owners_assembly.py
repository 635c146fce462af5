"""Owners'-committee formation (Civil-Code quorum) and health (ODD §7.7)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import owners_assembly
from sim.core.people import OC, RC_MEMBER
from sim.core.state import OC_CAPTURED, OC_FUNCTIONING, OC_NONE, OC_STALLED
from tests.conftest import small_model
from tests.helpers import effect

SURE = dict(
    assembly_turnout_base=1.0, assembly_turnout_sd=0.0, approval_base=1.0, oc_initial_share=0.0
)


def hold(m, compounds) -> np.ndarray:
    return owners_assembly.hold_assemblies(m, compounds, np.zeros(m.compounds.n))


def test_full_turnout_and_approval_elects_a_committee():
    m = small_model(1, **SURE)
    compounds = np.arange(m.compounds.n)
    assert hold(m, compounds).all()


def test_turnout_below_two_thirds_fails_the_quorum():
    m = small_model(
        2, **{**SURE, "assembly_turnout_base": 0.4, "assembly_turnout_participant": 0.0}
    )
    assert not hold(m, np.arange(m.compounds.n)).any()


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
        return hold(m, np.arange(m.compounds.n))

    assert elect(concentrate_area=False).all()  # 90% of heads and of area take part
    assert not elect(concentrate_area=True).any()  # 90% of heads, ~0% of area


def test_majority_must_agree():
    m = small_model(4, **{**SURE, "approval_base": 0.0})
    assert not hold(m, np.arange(m.compounds.n)).any()


def test_committees_lapse_when_reelection_fails():
    m = small_model(
        5,
        **{
            **SURE,
            "assembly_turnout_base": 0.0,
            "assembly_turnout_participant": 0.0,
            "oc_term_months": 6.0,
            "oc_attempt_rate": 0.0,
        },
    )
    owners_assembly.elect_members(m, 0, m.streams["assembly"])
    for _ in range(6):
        m.step()
    assert m.compounds.oc_state[0] == OC_NONE and 0 not in m.owners_committees


def test_an_elected_committee_fills_its_seats_and_functions():
    m = small_model(6, **SURE)
    owners_assembly.elect_members(m, 0, m.streams["assembly"])
    assert np.all(m.seats.holder[m.seats_of(OC, 0)] >= 0)
    assert m.compounds.oc_state[0] == OC_FUNCTIONING


def test_below_its_quorum_of_members_a_committee_stalls():
    m = small_model(7, **SURE, oc_quorum_members=3)
    owners_assembly.elect_members(m, 0, m.streams["assembly"])
    seats = m.seats_of(OC, 0)
    m.vacate(seats[:-2])
    m.owners_committees[0].take_stock()
    assert m.compounds.oc_state[0] == OC_STALLED


def test_a_committee_whose_members_answer_to_the_firm_is_captured():
    m = small_model(
        8,
        **SURE,
        community_mix_commercial=1.0,
        community_mix_old=0.0,
        community_mix_work_unit=0.0,
        community_mix_village=0.0,
        community_mix_mixed=0.0,
        type_purity=1.0,
    )
    c = int(np.flatnonzero(m.compounds.firm >= 0)[0])
    owners_assembly.elect_members(m, c, m.streams["assembly"])
    members = m.org_members(OC, c)
    m.people.allied_firm[members[:3]] = m.compounds.firm[c]
    m.owners_committees[c].take_stock()
    assert m.compounds.oc_state[c] == OC_CAPTURED


def test_members_tied_to_the_firms_allies_drift_to_the_firm_more_and_party_members_less():
    commercial = dict(
        community_mix_commercial=1.0,
        community_mix_old=0.0,
        community_mix_work_unit=0.0,
        community_mix_village=0.0,
        community_mix_mixed=0.0,
        type_purity=1.0,
        collusion_rate=0.02,
        party_capture_protection=0.9,
    )
    turned = {"owners": 0, "rc_members": 0, "party_owners": 0}
    for seed in range(1, 21):
        for arm in turned:
            m = small_model(seed, **SURE, **commercial)
            c = int(np.flatnonzero(m.compounds.firm >= 0)[0])
            owners_assembly.elect_members(m, c, m.streams["assembly"])
            members = m.org_members(OC, c)
            m.people.party_member[members] = arm == "party_owners"
            if arm == "rc_members":  # RC members, whose committee works with the firm
                community = int(m.compounds.community[c])
                pool = m.holders(RC_MEMBER, community) + [m.director_of(community)]
                for seat, person in zip(m.seats_of(OC, c), pool):
                    m.replace_in_seat(int(seat), person)
                    m.people.party_member[person] = False
            for _ in range(24):
                m.owners_committees[c].drift_to_firm()
            members = m.org_members(OC, c)
            turned[arm] += int(np.count_nonzero(m.people.allied_firm[members] >= 0))
    assert turned["rc_members"] > turned["owners"] > turned["party_owners"], turned


def test_party_led_formation_raises_committee_coverage():
    assert effect("oc_formed_share", {"party_led_formation": 1.0}).low > 0
