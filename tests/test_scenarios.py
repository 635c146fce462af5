"""The shipped scenarios change only what they name: a policy scenario sets only its own
lever(s), a package of several policies is named `package_*`, and the timed scenarios
schedule what their descriptions say."""

from __future__ import annotations

import pytest

from sim.core.params import defaults
from sim.core.scenario import list_scenarios, load_scenario

XA = {
    "xa_one_shoulder",
    "xa_two_committee_overlap",
    "xa_secretary_chairs_oc",
    "xa_two_committee_member_on_oc",
}
OWN_LEVERS = {
    "pre_reform": XA,
    "cross_appointment": XA,
    "election_round_push": {"xa_one_shoulder", "xa_two_committee_overlap"},
    "devolution_no_capacity": {"devolution_share", "capacity_building_share"},
    "devolution_capacity": {"devolution_share", "capacity_building_share"},
    "responsibility_lists": {"responsibility_list", "responsibility_list_cap"},
    "responsibility_list_pilot": {"responsibility_list"},
    "two_way_assessment": {"resident_assessment_weight"},
    "ngo_screening": {"screening_strictness"},
    "third_party_evaluation": {"third_party_evaluation"},
    "professional_committee": {"professional_committee"},
    "volunteer_platform": {"volunteer_platform"},
    "party_led_formation": {"party_led_formation"},
    "access_list": {"access_list"},
    "cadre_selection": {"cadre_selection_resident_weight"},
    "department_rating": {"dept_rating_weight"},
    "mirror_ban": {"mirror_ban"},
    "seconded_consultation": {"seconded_consultation"},
    "street_summons": {"street_summons"},
    "formation_drive": {"street_convened_committees", "branch_building", "party_led_formation"},
    "reelection_support": {"reelection_support", "oc_support"},
}
"""Each policy scenario and the levers it may set (at the start or on its timeline)."""
NOT_POLICIES = {"baseline", "example_district", "chengdu_wuhou"}


def changed(name: str) -> set[str]:
    s = load_scenario(name)
    base = defaults()
    on_timeline = {k for c in s.timeline.changes for k in c.values}
    return {k for k, v in s.params.items() if base[k] != v} | on_timeline


SHIPPED = [name for name, _ in list_scenarios()]


@pytest.mark.parametrize("name", SHIPPED)
def test_a_policy_scenario_sets_only_its_own_levers(name):
    if name in NOT_POLICIES:
        assert changed(name) == set(), f"{name} changes parameters"
        return
    if name.startswith("package_"):
        assert len(changed(name)) >= 3, f"{name} is named a package but sets few levers"
        return
    assert name in OWN_LEVERS, f"{name}: list its levers in OWN_LEVERS, or name it package_*"
    extra = changed(name) - OWN_LEVERS[name]
    assert not extra, f"{name} also changes {sorted(extra)}"
    assert changed(name), f"{name} changes nothing"


def test_the_timed_scenarios_schedule_what_they_say():
    push = load_scenario("election_round_push").timeline.changes
    assert [(c.month, c.targeted) for c in push] == [(12, False)]
    assert defaults()["election_first_month"] == 12
    drive = load_scenario("formation_drive").timeline.changes
    assert [(c.month, c.targeted, c.label) for c in drive] == [(13, False, "formation drive")]
    pilot = load_scenario("responsibility_list_pilot").timeline.changes
    assert [(c.month, c.streets, c.label) for c in pilot] == [
        (24, (0, 1), "pilot"),
        (48, None, "roll-out"),
    ]
