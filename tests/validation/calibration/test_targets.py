"""Specification of calibration targets (sim.validation.calibration.targets) and the prior
(sim.validation.calibration.prior): a target is a named statistic of a run with an observed
range read as about ±2 standard deviations, and its source; the prior's ranges lie inside the
parameter schema."""

from __future__ import annotations

import math

import pytest

from sim.core.params import BY_NAME, defaults
from sim.validation.calibration.prior import PRIOR, REDUCED_WORLD
from sim.validation.calibration.targets import (
    TARGETS,
    RunOutputs,
    Target,
    mean_of,
    ratio_of,
    target_values,
)


def summary_of(**values: float) -> dict[str, float]:
    base = {
        "oc_formed_share": 0.2,
        "oc_functioning_share": 0.06,
        "fee_collection": 0.9,
        "admin_burden_share": 0.7,
        "election_turnout": 0.5,
    }
    return {f"mean_{k}": v for k, v in {**base, **values}.items()}


def test_target_statistics_read_the_runs_summary():
    values = target_values(RunOutputs(summary_of()))
    assert values["oc_formed_share"] == 0.2
    assert values["oc_functioning_ratio"] == pytest.approx(0.3)
    assert values["fee_collection"] == 0.9
    assert list(values) == [t.name for t in TARGETS]


def test_a_ratio_with_nothing_below_the_line_is_nan():
    statistic = ratio_of("oc_functioning_share", "oc_formed_share")
    assert math.isnan(statistic(RunOutputs(summary_of(oc_formed_share=0.0))))
    assert mean_of("fee_collection")(RunOutputs(summary_of())) == 0.9


def test_a_range_is_read_as_two_standard_deviations_either_side_of_the_observation():
    t = Target("x", "x", 0.2, 0.6, "source", mean_of("x"))
    assert t.observed == pytest.approx(0.4) and t.sd == pytest.approx(0.1)
    m = Target.measured("x", "x", 0.4, 0.1, "source", mean_of("x"))
    assert (m.low, m.high) == pytest.approx((0.2, 0.6))
    assert t.contains(0.6) and not t.contains(0.61)
    with pytest.raises(ValueError, match="low < high"):
        Target("x", "x", 0.6, 0.2, "source", mean_of("x"))


def test_every_target_has_a_unique_name_and_a_source():
    assert len({t.name for t in TARGETS}) == len(TARGETS)
    assert all(t.source.strip() and t.label.strip() for t in TARGETS)


def test_the_priors_ranges_lie_inside_the_schema():
    for p in PRIOR.params:
        schema = BY_NAME[p.name]
        assert schema.type is float, p.name
        assert schema.low <= p.low < p.high <= schema.high, p.name


def test_reduced_world_keeps_the_per_capita_ratios_of_the_default_district():
    base = defaults()
    share = REDUCED_WORLD["n_streets"] / base["n_streets"]
    for key in ("n_firms", "n_ngos"):
        assert REDUCED_WORLD[key] == pytest.approx(base[key] * share)
