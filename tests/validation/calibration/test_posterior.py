"""Specification of the posterior (sim.validation.calibration.posterior): on a toy model with
a known posterior, history matching followed by the emulator-based posterior recovers it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.validation.calibration.history_matching import CalibrationError, HistoryMatch
from sim.validation.calibration.posterior import sample_posterior, split_rhat

from .conftest import TOY_PRIOR, TOY_SAMPLER, TOY_SETTINGS, TOY_TARGETS, exact_posterior

MEAN_TOLERANCE = 0.2  # posterior means within this many posterior sds of the exact ones
SD_TOLERANCE = 0.2  # posterior sds within this share of the exact ones
CORRELATION_TOLERANCE = 0.1


def test_the_calibration_recovers_the_known_posterior_of_a_toy_model(toy_posterior):
    mean, cov = exact_posterior()
    sd = np.sqrt(np.diag(cov))
    draws = toy_posterior.draws[["theta1", "theta2"]].to_numpy()
    assert len(draws) == TOY_SAMPLER.draws
    assert np.all(np.abs(draws.mean(axis=0) - mean) <= MEAN_TOLERANCE * sd), draws.mean(axis=0)
    assert np.all(np.abs(draws.std(axis=0) / sd - 1) <= SD_TOLERANCE), draws.std(axis=0)
    exact_rho = cov[0, 1] / (sd[0] * sd[1])
    assert np.corrcoef(draws.T)[0, 1] == pytest.approx(exact_rho, abs=CORRELATION_TOLERANCE)


def test_the_sampler_mixes_and_reports_its_diagnostics(toy_posterior):
    assert 0.1 < toy_posterior.acceptance < 0.7
    assert set(toy_posterior.rhat) == {"theta1", "theta2"}
    assert max(toy_posterior.rhat.values()) < 1.1
    assert list(toy_posterior.draws["draw"]) == list(range(TOY_SAMPLER.draws))
    assert np.isfinite(toy_posterior.draws["log_likelihood"]).all()


def test_the_same_settings_give_the_same_draws(toy_match, toy_posterior):
    again = sample_posterior(toy_match[0], TOY_SAMPLER)
    assert again.draws.equals(toy_posterior.draws)


def test_split_rhat_is_one_for_mixed_chains_and_large_for_stuck_ones():
    rng = np.random.default_rng(1)
    mixed = rng.normal(size=(8, 400, 2))
    assert np.all(np.abs(split_rhat(mixed) - 1) < 0.02)
    stuck = mixed + np.arange(8)[:, None, None]  # every chain in its own place
    assert np.all(split_rhat(stuck) > 2)


def test_a_match_that_left_nothing_plausible_has_no_posterior():
    empty = HistoryMatch(TOY_PRIOR, TOY_TARGETS, TOY_SETTINGS, stopped="nothing left")
    with pytest.raises(CalibrationError, match="nothing left"):
        sample_posterior(empty, TOY_SAMPLER)
