"""Specification of calibration targets (sim.validation.calibration.targets) and the prior
(sim.validation.calibration.prior): a target is a named statistic of a run with an observed
range read as about ±2 standard deviations, resting on published figures it cites; figures
considered and not used say why; the held-out episode is never a target; the prior's ranges
lie inside the parameter schema and each parameter in it says why."""

from __future__ import annotations

import math
import re

import pytest

from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, defaults
from sim.validation.calibration.prior import LEFT_OUT, PRIOR, REDUCED_WORLD, WHY
from sim.validation.calibration.targets import (
    ALL_TARGETS,
    EPISODE_TARGETS,
    HELD_OUT_TARGETS,
    NOT_USED,
    TARGETS,
    RunOutputs,
    Target,
    mean_of,
    ratio_of,
    target_values,
)
from sim.validation.episodes import EPISODES, HELD_OUT


def summary_of(**values: float) -> dict[str, float]:
    base = {
        "oc_formed_share": 0.2,
        "oc_elected_functioning_share": 0.05,
        "round_turnout": 0.48,
        "round_turnout_age_18_29": 0.14,
        "round_turnout_age_50_59": 0.56,
        "round_turnout_age_70_plus": 0.78,
    }
    return {f"mean_{k}": v for k, v in {**base, **values}.items()}


def test_target_statistics_read_the_runs_summary():
    values = target_values(RunOutputs(summary_of()))
    assert values["oc_formed_share"] == 0.2
    assert values["oc_functioning_ratio"] == pytest.approx(0.25)
    assert values["round_turnout_age_18_29"] == 0.14
    assert list(values) == [t.name for t in TARGETS]
    assert all(t.contains(values[t.name]) for t in TARGETS)


def test_a_ratio_with_nothing_below_the_line_is_nan():
    statistic = ratio_of("oc_elected_functioning_share", "oc_formed_share")
    assert math.isnan(statistic(RunOutputs(summary_of(oc_formed_share=0.0))))
    assert mean_of("round_turnout")(RunOutputs(summary_of())) == 0.48


def test_a_range_is_read_as_two_standard_deviations_either_side_of_the_observation():
    t = Target("x", "x", 0.2, 0.6, "source", mean_of("x"))
    assert t.observed == pytest.approx(0.4) and t.sd == pytest.approx(0.1)
    m = Target.measured("x", "x", 0.4, 0.1, "source", mean_of("x"))
    assert (m.low, m.high) == pytest.approx((0.2, 0.6)) and m.figures == (0.4,)
    assert t.contains(0.6) and not t.contains(0.61)
    with pytest.raises(ValueError, match="low < high"):
        Target("x", "x", 0.6, 0.2, "source", mean_of("x"))


def _percent(x: float) -> str:
    return f"{round(100 * x, 1):g}%"


@pytest.mark.parametrize("target", ALL_TARGETS + HELD_OUT_TARGETS, ids=lambda t: t.name)
def test_every_target_is_a_cited_figure(target):
    """Each target rests on published figures that its source quotes, with a year, and no
    'stylised fact' stands in for a source."""
    assert target.figures, "a target names the figures it rests on"
    for figure in target.figures:
        assert _percent(figure) in target.source, (figure, target.source)
    assert re.search(r"\b(19|20)\d\d\b|year not stated", target.source), "a source's date"
    assert not re.search(r"stylised|generic|judgement", target.source, re.IGNORECASE)
    assert re.search(r"ODD §\d", target.mechanism), "a target names the mechanism it tests"


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_a_level_targets_range_holds_the_figures_it_cites(target):
    assert all(target.low <= f <= target.high for f in target.figures)


@pytest.mark.parametrize("target", EPISODE_TARGETS + HELD_OUT_TARGETS, ids=lambda t: t.name)
def test_an_episodes_range_is_centred_on_its_recorded_change(target):
    before, after = target.figures
    assert target.observed == pytest.approx(after - before)


def test_every_target_has_a_unique_name_and_every_level_reads_an_outcome():
    names = [t.name for t in ALL_TARGETS + HELD_OUT_TARGETS]
    assert len(set(names)) == len(names)
    assert all(t.source.strip() and t.label.strip() for t in ALL_TARGETS)
    assert {"round_turnout", "round_turnout_age_18_29", "round_turnout_age_70_plus"} <= set(names)
    for t in TARGETS:
        assert set(re.findall(r"mean_(\w+)", t.statistic.__name__)) <= set(OUTCOMES), t.name


def test_figures_not_used_say_why_and_are_not_targets():
    names = {t.name for t in ALL_TARGETS}
    assert {"fee_collection", "admin_burden_share", "participation_rate"} <= {
        n.name for n in NOT_USED
    }
    for n in NOT_USED:
        assert n.name in OUTCOMES and n.name not in names
        assert n.figure and n.source and len(n.reason) > 40


def test_the_held_out_episode_is_never_a_target():
    """Beijing's 2020-21 drive, both its outcomes, is held out: no calibration target
    replays it, and it is read only in the out-of-sample check."""
    assert set(HELD_OUT) == {"beijing_drive_coverage", "beijing_drive_branches"}
    assert not {t.episode for t in ALL_TARGETS} & set(HELD_OUT)
    assert {t.episode for t in HELD_OUT_TARGETS} == set(HELD_OUT)
    episodes = {e.name for e in EPISODES}
    assert {t.episode for t in EPISODE_TARGETS} | set(HELD_OUT) == episodes


def test_no_lever_only_the_held_out_episode_moves_is_calibrated():
    held = {k for e in EPISODES if e.held_out for p in e.timeline for k in p["set"]}
    fitted = {k for e in EPISODES if not e.held_out for p in e.timeline for k in p["set"]}
    assert held - fitted, "the held-out episode moves levers of its own"
    assert not (held - fitted) & set(PRIOR.names)


def test_the_priors_ranges_lie_inside_the_schema_and_hold_the_defaults():
    base = defaults()
    for p in PRIOR.params:
        schema = BY_NAME[p.name]
        assert schema.type is float, p.name
        assert schema.low <= p.low < p.high <= schema.high, p.name
        assert p.low <= base[p.name] <= p.high, p.name


def test_each_prior_parameter_says_why_and_each_left_out_one_why_not():
    assert set(WHY) == set(PRIOR.names)
    assert all(len(reason) > 30 for reason in WHY.values())
    assert not set(LEFT_OUT) & set(PRIOR.names)
    assert set(LEFT_OUT) <= set(BY_NAME)
    assert all(reason.strip() for reason in LEFT_OUT.values())


def test_the_parameters_set_on_the_record_are_calibrated():
    on_record = {
        "oc_attempt_rate",
        "party_turnout_boost",
        "oc_time_cost",
        "one_shoulder_norm",
        "building_head_reach",
        "availability_18_29",
        "availability_30_49",
        "availability_50_59",
        "availability_60_plus",
        "collusion_rate",
    }
    assert on_record <= set(PRIOR.names)


def test_reduced_world_keeps_the_per_capita_ratios_of_the_default_district():
    base = defaults()
    share = REDUCED_WORLD["n_streets"] / base["n_streets"]
    for key in ("n_firms", "n_ngos"):
        assert REDUCED_WORLD[key] == pytest.approx(base[key] * share)
