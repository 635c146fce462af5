"""Specification of history matching (sim.validation.calibration.history_matching): waves
that keep the parameter sets able to reproduce the targets and rule out the others, with
fresh seeds for every run and deterministic designs, and no more waves than help."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.validation.calibration.history_matching import (
    CHECKS,
    history_match,
    maximin,
    stage_seed,
)
from sim.validation.calibration.targets import Target

from .conftest import TOY_PRIOR, TOY_SETTINGS, TOY_TARGETS, ToySimulator, exact_posterior


def test_every_run_of_every_wave_has_its_own_seed(toy_match):
    hm, sim = toy_match
    s = TOY_SETTINGS
    assert len(hm.waves) == s.waves
    assert sim.runs == s.waves * s.points * s.seeds
    assert len(set(sim.seen)) == len(sim.seen)
    assert sim.labels == [f"wave-{k}" for k in range(1, s.waves + 1)]


def test_every_batch_of_runs_has_its_own_master_seed():
    seeds = {stage_seed(5, purpose) for purpose in (1, 2, 3, CHECKS)}
    assert len(seeds) == 4 and stage_seed(5, 1) == stage_seed(5, 1)


def test_the_posterior_centre_stays_plausible_and_far_parameters_are_ruled_out(toy_match):
    hm, _ = toy_match
    mean, _ = exact_posterior()
    centre = TOY_PRIOR.to_unit(
        TOY_PRIOR.from_unit(np.full((1, 2), 0.5)).assign(theta1=mean[0], theta2=mean[1])
    )
    far = TOY_PRIOR.to_unit(
        TOY_PRIOR.from_unit(np.full((1, 2), 0.5)).assign(theta1=3.5, theta2=3.5)
    )
    assert hm.non_implausible(centre)[0]
    assert not hm.non_implausible(far)[0]
    assert 0 < hm.waves[-1].nroy_share < 1


def test_later_waves_sample_inside_the_region_the_earlier_ones_left(toy_match):
    hm, _ = toy_match
    for k, wave in enumerate(hm.waves[1:], start=1):
        assert hm.non_implausible(wave.u, upto=k).all()


def test_each_emulator_is_checked_on_the_next_waves_new_runs(toy_match):
    hm, _ = toy_match
    assert hm.waves[0].validation is None
    for wave in hm.waves[1:]:
        table = wave.validation
        assert list(table["target"]) == ["y1", "y2"]
        assert (table["points"] == TOY_SETTINGS.points).all()
        assert (table["within_3"] >= 0.9).all()
        assert table["rms"].between(0.3, 2.0).all()


def test_the_run_to_run_variance_is_estimated_from_the_seeds(toy_match):
    hm, _ = toy_match
    from .conftest import RUN_NOISE

    for name in ("y1", "y2"):
        assert hm.waves[-1].emulator.run_variance[name] == pytest.approx(RUN_NOISE**2, rel=0.3)


def test_the_points_table_has_every_design_point_with_its_seed_means(toy_match):
    hm, _ = toy_match
    points = hm.points()
    assert len(points) == TOY_SETTINGS.waves * TOY_SETTINGS.points
    assert {"wave", "point", "theta1", "theta2", "y1", "y1_sd", "y2", "in_ranges"} <= set(points)
    first = hm.waves[0].runs
    assert points.loc[0, "y1"] == pytest.approx(first.loc[first["point"] == 0, "y1"].mean())


def test_the_same_settings_give_the_same_designs():
    small = dataclasses.replace(TOY_SETTINGS, waves=2, points=12)
    a = history_match(ToySimulator(), TOY_PRIOR, TOY_TARGETS, small)
    b = history_match(ToySimulator(), TOY_PRIOR, TOY_TARGETS, small)
    for wa, wb in zip(a.waves, b.waves):
        assert wa.design.equals(wb.design)


def test_targets_out_of_the_models_reach_stop_the_waves_with_a_reason():
    unreachable = (
        TOY_TARGETS[0],
        Target.measured("y2", "y2", 40.0, 0.4, "toy", lambda run: run.summary["y2"]),
    )
    small = dataclasses.replace(TOY_SETTINGS, waves=3, points=12)
    hm = history_match(ToySimulator(unreachable), TOY_PRIOR, unreachable, small)
    assert hm.stopped is not None and "after wave 1" in hm.stopped
    assert len(hm.waves) == 1


def test_maximin_spreads_the_chosen_points():
    rng = np.random.default_rng(2)
    pool = rng.uniform(size=(2000, 2))
    chosen = pool[maximin(pool, 20, np.random.default_rng(3))]
    random = pool[:20]

    def closest(points):
        d = np.linalg.norm(points[:, None] - points[None], axis=2)
        return d[np.triu_indices(len(points), 1)].min()

    assert len(np.unique(chosen, axis=0)) == 20
    assert closest(chosen) > 2 * closest(random)


def test_the_waves_settle_once_the_emulators_are_precise():
    """The toy is linear: one wave's emulators predict it almost exactly, so further waves
    would not sharpen anything and the match ends there, saying why (not a failure)."""
    settings = dataclasses.replace(TOY_SETTINGS, waves=3, points=20, settle=1.0, precise=0.1)
    sim = ToySimulator()
    hm = history_match(sim, TOY_PRIOR, TOY_TARGETS, settings)
    assert len(hm.waves) == 1 and sim.labels == ["wave-1"]
    assert hm.stopped is None and "emulators' variance" in hm.settled


def test_the_waves_settle_when_a_wave_no_longer_narrows_the_region():
    """Targets every parameter set meets leave the whole prior plausible after each wave:
    the second wave keeps all of the first's region, so there is no third."""
    wide = tuple(dataclasses.replace(t, low=-40.0, high=40.0) for t in TOY_TARGETS)
    settings = dataclasses.replace(TOY_SETTINGS, waves=4, points=12, settle=0.8, precise=0.0)
    hm = history_match(ToySimulator(wide), TOY_PRIOR, wide, settings)
    assert len(hm.waves) == 2 and hm.stopped is None
    assert "kept 100% of the previous wave's non-implausible share" in hm.settled
