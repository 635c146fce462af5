"""Levers where they apply, and policy timelines (ODD §7.0)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core.params import ScenarioError
from sim.core.policy import parse_timeline
from sim.core.types import COMMUNITY_TYPES, COMPOUND_TYPES_ORDER
from tests.conftest import small_model

TWO_STREETS = dict(n_streets=2)


def test_a_change_at_month_t_leaves_earlier_months_identical():
    base = small_model(1, **TWO_STREETS)
    timed = small_model(
        1,
        **TWO_STREETS,
        timeline=[{"month": 6, "set": {"devolution_share": 0.9, "responsibility_list": True}}],
    )
    base.run_for(10)
    timed.run_for(10)
    a = base.datacollector.get_model_vars_dataframe()
    b = timed.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(a.iloc[:5], b.iloc[:5])
    assert not a.iloc[6:].equals(b.iloc[6:])


def test_targeting_applies_only_to_the_named_streets():
    m = small_model(
        2, **TWO_STREETS, timeline=[{"month": 1, "set": {"devolution_share": 0.9}, "streets": [1]}]
    )
    m.step()
    assert m.levers.street("devolution_share").tolist() == [0.3, 0.9]
    devolved = m.streets.devolved / np.maximum(m.streets.budget - m.streets.overhead, 1e-9)
    assert np.allclose(devolved, [0.3, 0.9])


def test_targeting_by_community_type_and_a_random_share():
    m = small_model(
        3,
        **TWO_STREETS,
        timeline=[
            {
                "month": 1,
                "set": {"professional_committee": True},
                "community_types": ["commercial"],
            },
            {"month": 1, "set": {"party_led_formation": 1.0}, "share": 0.5, "seed": 4},
        ],
    )
    m.step()
    commercial = m.world.community_type == "commercial"
    assert np.array_equal(m.communities.pmc, commercial)
    pushed = m.levers.compound("party_led_formation") > 0
    assert 0 < pushed.sum() < m.compounds.n
    # the random share is drawn with the change's own seed, not the model's
    drawn = np.random.default_rng(4).random(m.compounds.n) < 0.5
    assert np.array_equal(pushed, drawn)


@pytest.mark.parametrize(
    "entry, words",
    [
        ({"month": 0, "set": {"devolution_share": 0.5}}, "month"),
        ({"month": 3}, "set"),
        ({"month": 3, "set": {"nonsense": 1}}, "nonsense"),
        ({"month": 3, "set": {"devolution_share": 7}}, "devolution_share"),
        ({"month": 3, "set": {"n_streets": 4}}, "fixed"),
        ({"month": 3, "set": {"waste_rate": 0.1}, "streets": [0]}, "whole district"),
        ({"month": 3, "set": {"devolution_share": 0.5}, "community_types": ["old"]}, "streets"),
        ({"month": 3, "set": {"devolution_share": 0.5}, "share": 1.5}, "share"),
        ({"month": 3, "set": {"devolution_share": 0.5}, "when": 1}, "when"),
    ],
)
def test_bad_policy_entries_name_the_key_and_what_is_allowed(entry, words):
    with pytest.raises(ScenarioError, match=words):
        parse_timeline([entry])


@pytest.mark.parametrize(
    "key, names, bad",
    [
        ("community_types", ["Old"], "'Old' is not a community type"),
        ("community_types", ["old", "slum"], "'slum' is not a community type"),
        ("compound_types", ["villa"], "'villa' is not a compound type"),
    ],
)
def test_a_type_name_that_is_no_type_is_refused_naming_the_allowed_ones(key, names, bad):
    lever = "professional_committee" if key == "community_types" else "xa_secretary_chairs_oc"
    entry = {"month": 3, "set": {lever: 1.0 if key == "compound_types" else True}, key: names}
    with pytest.raises(ScenarioError, match=bad) as err:
        parse_timeline([entry])
    allowed = COMMUNITY_TYPES if key == "community_types" else COMPOUND_TYPES_ORDER
    assert f"allowed: {', '.join(allowed)}" in str(err.value)


def test_a_street_that_does_not_exist_is_refused_before_the_run():
    with pytest.raises(ScenarioError, match="does not exist"):
        small_model(1, timeline=[{"month": 2, "set": {"devolution_share": 0.5}, "streets": [7]}])


def test_a_district_wide_parameter_can_change_mid_run():
    m = small_model(4, timeline=[{"month": 3, "set": {"inspections_per_month": 0.0}}])
    m.run_for(2)
    assert m.p["inspections_per_month"] > 0
    m.step()
    assert m.p["inspections_per_month"] == 0.0
