"""Owners' organisations (ODD §7.7): the Civil-Code assembly, members' effort and activity,
dormancy and waking, committees the street convenes, re-election drives and branches."""

from __future__ import annotations

import numpy as np

from sim.core.agents.owners_committee import OwnersCommittee
from sim.core.mechanisms import owners_assembly
from sim.core.people import OC, RC_MEMBER
from sim.core.state import (
    OC_CAPTURED,
    OC_CONVENED,
    OC_DORMANT,
    OC_ELECTED,
    OC_FUNCTIONING,
    OC_NONE,
)
from tests.conftest import MEDIUM, small_model
from tests.helpers import effect, summaries

SURE = dict(
    assembly_turnout_base=1.0, assembly_turnout_sd=0.0, approval_base=1.0, oc_initial_share=0.0
)
COMMERCIAL = dict(
    community_mix_commercial=1.0,
    community_mix_old=0.0,
    community_mix_work_unit=0.0,
    community_mix_village=0.0,
    community_mix_mixed=0.0,
    type_purity=1.0,
)


def hold(m, compounds) -> np.ndarray:
    return owners_assembly.hold_assemblies(m, compounds, np.zeros(m.compounds.n))


# --- the assembly (Civil Code Art. 278) --------------------------------------------------------


def test_full_turnout_and_approval_elects_a_committee():
    m = small_model(1, **SURE)
    compounds = np.arange(m.compounds.n)
    assert hold(m, compounds).all()


def test_turnout_below_two_thirds_fails_the_quorum():
    m = small_model(
        2, **{**SURE, "assembly_turnout_base": 0.4, "assembly_turnout_participant": 0.0}
    )
    assert not hold(m, np.arange(m.compounds.n)).any()


def test_mobilisation_carries_an_assembly_over_the_quorum():
    m = small_model(
        2,
        **{
            **SURE,
            "assembly_turnout_base": 0.3,
            "assembly_turnout_participant": 0.0,
            "party_turnout_boost": 0.65,
        },
    )
    compounds = np.arange(m.compounds.n)
    assert not hold(m, compounds).any()
    assert owners_assembly.hold_assemblies(m, compounds, np.ones(m.compounds.n)).mean() > 0.8


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
    assert m.compounds.oc_lapsed_month[0] > 0


def test_an_elected_committee_fills_its_seats_with_its_most_motivated_candidates():
    motivation = {}
    for candidates in (1, 8):
        values = []
        for seed in range(1, 6):
            m = small_model(6 + seed, **SURE, oc_member_candidates=candidates)
            owners_assembly.elect_members(m, 0, m.streams["assembly"])
            members = m.seats.holder[m.seats_of(OC, 0)]
            assert np.all(members >= 0)
            assert m.compounds.oc_state[0] == OC_FUNCTIONING
            assert m.compounds.oc_kind[0] == OC_ELECTED
            values += m.people.motivation[members].tolist()
        motivation[candidates] = np.mean(values)
    assert motivation[8] > 1.5 * motivation[1], motivation


def test_owner_candidates_are_drawn_as_new_people_one_after_the_other():
    """`fill_seats` draws its owner candidates as `owner_candidate` draws each in turn (the
    same draws from both streams) and adds them to the people table at once."""
    one, other = (small_model(13, **SURE, xa_two_committee_member_on_oc=0.0) for _ in range(2))
    c = int(np.flatnonzero(~one.compounds.has_branch)[0])  # no secretary stands for chair
    seats = one.seats_of(OC, c)
    start = one.people.n
    community = int(one.compounds.community[c])
    drawn = [
        owners_assembly.owner_candidate(one, community, c, one.streams["assembly"]) for _ in seats
    ]
    owners_assembly.fill_seats(other, c, other.streams["assembly"])
    assert drawn == list(range(start, start + seats.size))
    assert other.people.n == one.people.n
    assert np.array_equal(other.seats.holder[seats], drawn)
    for name in other.people.FIELDS:
        if name != "active":  # seated in `other` only
            assert np.array_equal(
                getattr(one.people, name), getattr(other.people, name), equal_nan=True
            ), name
    for stream in ("assembly", "organisations"):
        assert one.streams[stream].random() == other.streams[stream].random()


# --- members' effort, activity, dormancy -------------------------------------------------------


def _elected(seed: int, **params):
    m = small_model(seed, **SURE, **params)
    owners_assembly.elect_members(m, 0, m.streams["assembly"])
    return m


def _months(m, compounds: np.ndarray, n: int, **force) -> None:
    """`n` months of the committees' own decisions, the compound state held at `force`."""
    cp = m.compounds
    for _ in range(n):
        m.steps += 1
        for name, value in force.items():
            getattr(cp, name)[compounds] = value
        OwnersCommittee.act_all(m)


def test_a_committee_that_does_not_act_for_its_dormancy_months_is_dormant():
    m = _elected(7, oc_dormancy_months=6)
    cp = m.compounds
    m.seats.effort[m.seats_of(OC, 0)] = 0.0
    for month in range(1, 8):
        m.steps = month
        m.people.motivation[m.org_members(OC, 0)] = 0.0  # nobody wants to give anything
        OwnersCommittee.act_all(m)
        assert not cp.oc_acted[0]
        assert cp.oc_state[0] == (OC_FUNCTIONING if month < 6 else OC_DORMANT)


def test_below_its_quorum_of_active_members_a_committee_does_not_act():
    m = _elected(8, oc_quorum_members=3, oc_effort_adjust=1.0)
    members = m.org_members(OC, 0)
    m.people.motivation[members] = 100.0  # everyone would give full effort
    m.vacate(m.seats_of(OC, 0)[:-2])  # ... but only two seats are filled
    m.steps += 1
    OwnersCommittee.act_all(m)
    assert not m.compounds.oc_acted[0]


def test_members_who_lose_the_owners_support_let_their_committee_go_dormant():
    dormant = {"support": 0, "no support": 0}
    for seed in range(1, 13):
        for arm, participation in (("support", 1.0), ("no support", 0.0)):
            m = _elected(
                seed,
                oc_value_base=0.0,
                oc_grievance_weight=0.0,
                oc_backing_weight=0.0,
                oc_peer_weight=0.2,
                oc_support_weight=1.0,
                oc_time_cost=1.0,
            )
            _months(m, np.array([0]), 12, participation=participation, dispute_rate=0.0)
            dormant[arm] += int(m.compounds.oc_state[0] == OC_DORMANT)
    assert dormant["no support"] >= 10 and dormant["support"] <= 2, dormant


def test_a_dormant_committee_wakes_after_a_dispute_with_the_streets_backing():
    woke = {"dispute and backing": 0, "neither": 0}
    quiet = dict(participation=0.0, dispute_rate=0.0, oc_backing=0.0)
    for seed in range(1, 11):
        for arm in woke:
            m = _elected(seed, oc_value_base=0.0, oc_support_weight=0.0, oc_time_cost=1.5)
            c = np.array([0])
            _months(m, c, 12, **quiet)
            assert m.compounds.oc_state[0] == OC_DORMANT
            after = dict(quiet)
            if arm == "dispute and backing":
                after.update(dispute_rate=2 * m.p["oc_grievance_disputes"], oc_backing=1.0)
            _months(m, c, 6, **after)
            woke[arm] += int(m.compounds.oc_state[0] == OC_FUNCTIONING)
    assert woke["dispute and backing"] >= 8 and woke["neither"] == 0, woke


def test_a_member_answering_to_the_firm_gives_no_effort_to_checking_it():
    m = _elected(9, **COMMERCIAL)
    c = int(np.flatnonzero(m.compounds.firm >= 0)[0])
    owners_assembly.elect_members(m, c, m.streams["assembly"])
    members = m.org_members(OC, c)
    m.people.motivation[members] = 100.0
    m.people.allied_firm[members[0]] = m.compounds.firm[c]
    m.steps += 1
    OwnersCommittee.choose_efforts(m, np.array([c]))
    effort = m.seats.effort[m.seats_of(OC, c)]
    assert effort[0] < 1.0 and np.all(effort[1:] == 1.0)


def test_at_the_defaults_most_formed_committees_are_dormant_not_captured():
    runs = summaries(dict(MEDIUM), seeds=(1, 2, 3), steps=96)
    ratio = [r["mean_oc_functioning_share"] / r["mean_oc_coverage_share"] for r in runs]
    captured = [r["mean_oc_captured_share"] / r["mean_oc_coverage_share"] for r in runs]
    assert np.mean(ratio) <= 0.5, ratio
    assert np.mean(captured) < 0.1, captured


def test_a_committee_whose_members_answer_to_the_firm_is_captured():
    m = small_model(10, **SURE, **COMMERCIAL)
    c = int(np.flatnonzero(m.compounds.firm >= 0)[0])
    owners_assembly.elect_members(m, c, m.streams["assembly"])
    members = m.org_members(OC, c)
    m.people.allied_firm[members[:3]] = m.compounds.firm[c]
    m.owners_committees[c].take_stock()
    assert m.compounds.oc_state[c] == OC_CAPTURED


def test_members_tied_to_the_firms_allies_drift_to_the_firm_more_and_party_members_less():
    commercial = dict(COMMERCIAL, collusion_rate=0.02, party_capture_protection=0.9)
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
                m.sync_shared_edges()  # as the model does after the seat changes it makes
            for _ in range(24):
                m.owners_committees[c].drift_to_firm()
            members = m.org_members(OC, c)
            turned[arm] += int(np.count_nonzero(m.people.allied_firm[members] >= 0))
    assert turned["rc_members"] > turned["owners"] > turned["party_owners"], turned


# --- the state's drives: convened committees, re-elections, branches ---------------------------

DRIVE = {"street_convened_committees": 1.0}


def test_convened_committees_raise_coverage_fast_but_functioning_little():
    coverage = effect("oc_coverage_share", DRIVE, steps=24)
    functioning = effect("oc_functioning_share", DRIVE, steps=24)
    assert coverage.low > 0.3, coverage
    assert functioning.high < 0.5 * coverage.mean, (functioning, coverage)


def test_convened_committees_function_less_than_elected_ones():
    runs = summaries({**MEDIUM, **DRIVE}, steps=24)
    convened = np.mean([r["mean_oc_convened_functioning_share"] for r in runs]) / np.mean(
        [r["mean_oc_convened_share"] for r in runs]
    )
    elected = np.mean([r["mean_oc_elected_functioning_share"] for r in runs]) / np.mean(
        [r["mean_oc_formed_share"] for r in runs]
    )
    assert convened < elected, (convened, elected)


def test_a_convened_committee_has_the_branch_secretary_or_a_cadre_in_the_chair():
    m = small_model(11, **SURE)
    office = m.street_offices[0]
    for c in range(m.compounds.n):
        office.convene(c)
        assert m.compounds.oc_kind[c] == OC_CONVENED
        chair = m.seats.holder[m.seats_of(OC, c)[0]]
        if m.compounds.has_branch[c]:
            assert chair == m.branches[c].secretary
        else:
            assert m.is_cadre(int(chair))


def test_an_elected_committee_replaces_the_convened_one():
    m = small_model(12, **SURE)
    m.street_offices[0].convene(0)
    owners_assembly.elect_members(m, 0, m.streams["assembly"])
    assert m.compounds.oc_kind[0] == OC_ELECTED
    assert type(m.owners_committees[0]) is OwnersCommittee


def test_a_street_with_no_spare_hours_convenes_none():
    no_staff = {"street_task_capacity_per_1000": 0.0, "seconded_hours_per_street": 0.0}
    with_staff = summaries({**MEDIUM, **DRIVE}, seeds=(1, 2), steps=12)
    without = summaries({**MEDIUM, **DRIVE, **no_staff}, seeds=(1, 2), steps=12)
    assert all(r["final_oc_convened_share"] > 0.3 for r in with_staff)
    assert all(r["final_oc_convened_share"] == 0 for r in without)


def test_a_drive_takes_street_hours_and_sends_tasks_down():
    hours = effect("street_owners_hours", DRIVE, steps=12)
    burden = effect("admin_burden_share", DRIVE, steps=12)
    assert hours.low > 0 and burden.low > 0, (hours, burden)


def test_a_reelection_drive_lowers_lapses():
    base = {"oc_initial_share": 0.6, "oc_term_months": 12.0}
    lapses = effect(
        "oc_lapsed_total", {"reelection_support": 1.0}, base=base, steps=36, stat="final"
    )
    assert lapses.high < 0, lapses


def test_building_branches_widens_the_formation_pushs_reach():
    base = {"party_led_formation": 1.0, "compound_party_branch_share": 0.3}
    coverage = effect("branch_coverage", {"branch_building": 1.0}, base=base, steps=24)
    formed = effect("oc_formed_share", {"branch_building": 1.0}, base=base, steps=24)
    assert coverage.low > 0.3 and formed.low > 0, (coverage, formed)


def test_party_led_formation_raises_committee_coverage():
    assert effect("oc_formed_share", {"party_led_formation": 1.0}).low > 0


def test_branches_are_built_only_where_enough_party_members_live():
    m = small_model(13, branch_building=1.0, compound_party_branch_share=0.0)
    m.compounds.party_members[:] = 0
    m.compounds.party_members[0] = m.p["branch_min_party_members"]
    m.step()
    assert m.compounds.has_branch.tolist() == [True] + [False] * (m.compounds.n - 1)
