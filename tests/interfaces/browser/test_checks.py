"""Manipulation checks: for each lever, the outcomes that show it took hold, offered first."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, defaults
from sim.interfaces.browser import checks
from sim.runs.runner import run
from tests.conftest import SMALL


def test_every_check_names_a_lever_and_outcomes_the_model_collects():
    for lever, outcomes in checks.CHECKS.items():
        assert "(lever)" in BY_NAME[lever].help
        assert outcomes and set(outcomes) <= set(OUTCOMES)


def test_the_checks_of_the_changed_levers_come_first_and_every_outcome_once():
    order = checks.ordered_outcomes(["devolution_share", "xa_one_shoulder"])
    assert order[:2] == ["budget_allocated", "one_shoulder_share"]
    assert sorted(order) == sorted(OUTCOMES)
    assert checks.ordered_outcomes([]) == list(OUTCOMES)


def test_changed_levers_are_read_from_values_and_from_timelines():
    a = defaults()
    b = {**a, "xa_one_shoulder": 0.1, "n_streets": 3}
    assert checks.changed_levers(a, b) == ["xa_one_shoulder"]  # world size is not a lever
    timeline = [{"month": 3, "set": {"responsibility_list": True}}]
    assert checks.timeline_levers([], timeline) == ["responsibility_list"]


# levers whose mechanism acts within three years of a two-street world (elections every
# term, lists only where tasks exceed their cap, take longer or larger worlds to show)
QUICK = [
    "xa_one_shoulder",
    "xa_two_committee_overlap",
    "xa_two_committee_member_on_oc",
    "devolution_share",
    "capacity_building_share",
    "channel_ngo_projects",
    "party_led_formation",
    "volunteer_platform",
    "access_list",
    "street_summons",
    "mirror_ban",
    "cadre_selection_resident_weight",
    "street_convened_committees",
    "oc_support",
    "branch_building",
]


@pytest.mark.parametrize("lever", QUICK)
def test_a_lever_at_either_end_of_its_range_moves_its_check(lever):
    base = {**defaults(), **SMALL, "n_streets": 2}
    p = BY_NAME[lever]
    low, high = (False, True) if p.type is bool else (p.low, p.high)
    a = run({**base, lever: low}, 3, 36).series
    b = run({**base, lever: high}, 3, 36).series
    for outcome in checks.CHECKS[lever]:
        assert np.nanmean(a[outcome]) != pytest.approx(np.nanmean(b[outcome]), abs=1e-9)
