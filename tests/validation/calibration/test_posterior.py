"""Specification of the posterior (sim.validation.calibration.posterior): on a toy model with
a known posterior, history matching followed by the emulator-based posterior recovers it, and
its chains' R̂ and effective sample sizes (ArviZ) say how far they can be trusted."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.validation.calibration.history_matching import CalibrationError, HistoryMatch
from sim.validation.calibration.posterior import (
    ESS_OK,
    RHAT_OK,
    SamplerSettings,
    chain_diagnostics,
    sample_posterior,
)

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
    assert set(toy_posterior.rhat) == set(toy_posterior.ess_bulk) == {"theta1", "theta2"}
    assert max(toy_posterior.rhat.values()) <= RHAT_OK
    assert min(toy_posterior.ess_bulk.values()) >= ESS_OK
    assert min(toy_posterior.ess_tail.values()) >= ESS_OK
    assert toy_posterior.mixed
    assert list(toy_posterior.draws["draw"]) == list(range(TOY_SAMPLER.draws))
    assert np.isfinite(toy_posterior.draws["log_likelihood"]).all()


def test_the_same_settings_give_the_same_draws(toy_match, toy_posterior):
    again = sample_posterior(toy_match[0], TOY_SAMPLER)
    assert again.draws.equals(toy_posterior.draws)


def test_rhat_is_one_for_mixed_chains_and_large_for_chains_stuck_apart():
    rng = np.random.default_rng(1)
    mixed = rng.normal(size=(8, 400, 2))
    rhat, bulk, tail = chain_diagnostics(mixed, ["a", "b"])
    assert all(abs(r - 1) < 0.01 for r in rhat.values())
    # independent draws: the effective sample size is about the number of draws
    assert all(0.8 * 3200 < e < 1.25 * 3200 for e in [*bulk.values(), *tail.values()])
    stuck = mixed + np.arange(8)[:, None, None]  # every chain in its own place
    rhat, bulk, _ = chain_diagnostics(stuck, ["a", "b"])
    assert all(r > 2 for r in rhat.values()) and all(e < 100 for e in bulk.values())


def test_the_effective_sample_size_of_autocorrelated_chains_is_what_theory_says():
    """AR(1) chains with coefficient φ: n (1 − φ) / (1 + φ) effective draws."""
    rng = np.random.default_rng(2)
    phi, chains, n = 0.8, 8, 4000
    x = np.zeros((chains, n, 1))
    noise = rng.normal(size=(chains, n)) * np.sqrt(1 - phi**2)
    x[:, 0, 0] = rng.normal(size=chains)
    for i in range(1, n):
        x[:, i, 0] = phi * x[:, i - 1, 0] + noise[:, i]
    _, bulk, _ = chain_diagnostics(x, ["x"])
    assert bulk["x"] == pytest.approx(chains * n * (1 - phi) / (1 + phi), rel=0.2)


def test_a_match_that_left_nothing_plausible_has_no_posterior():
    empty = HistoryMatch(TOY_PRIOR, TOY_TARGETS, TOY_SETTINGS, stopped="nothing left")
    with pytest.raises(CalibrationError, match="nothing left"):
        sample_posterior(empty, TOY_SAMPLER)


class _TwoIslands:
    """A finished history match whose non-implausible region is two islands of equal
    posterior mass, (0.2, 0.2) and (0.8, 0.8), separated by an implausible gap that no
    random-walk step crosses."""

    stopped = None
    centres = np.array([[0.2, 0.2], [0.8, 0.8]])

    def __init__(self) -> None:
        rng = np.random.default_rng(3)
        pool = np.concatenate([c + rng.uniform(-0.08, 0.08, size=(150, 2)) for c in self.centres])
        self.waves = [type("Wave", (), {"pool": pool})()]
        self.prior = type(
            "Prior",
            (),
            {
                "names": ["a", "b"],
                "logpdf_unit": staticmethod(
                    lambda u: np.where(np.all((u >= 0) & (u <= 1), axis=1), 0.0, -np.inf)
                ),
                "from_unit": staticmethod(lambda u: pd.DataFrame(u, columns=["a", "b"])),
            },
        )()

    def island(self, u: np.ndarray) -> np.ndarray:
        return np.argmin(np.linalg.norm(u[:, None, :] - self.centres[None], axis=2), axis=1)

    def non_implausible(self, u: np.ndarray, upto: int | None = None) -> np.ndarray:
        return np.linalg.norm(u - self.centres[self.island(u)], axis=1) < 0.1

    def log_likelihood(self, u: np.ndarray) -> np.ndarray:
        return -0.5 * np.sum(((u - self.centres[self.island(u)]) / 0.03) ** 2, axis=1)


def test_chains_cross_between_islands_of_the_plausible_region_by_jumps_from_the_pool():
    hm = _TwoIslands()
    settings = SamplerSettings(draws=2000, chains=16, burn=500, thin=5, seed=11)
    stuck = sample_posterior(hm, replace(settings, jump_every=0))
    assert max(stuck.rhat.values()) > 1.05  # a random walk seldom leaves its island
    mixed = sample_posterior(hm, settings)
    assert max(mixed.rhat.values()) < RHAT_OK + 0.01
    share = float(np.mean(hm.island(mixed.draws[["a", "b"]].to_numpy()) == 0))
    assert 0.4 < share < 0.6  # equal masses, equal shares of the draws
    assert abs(mixed.draws["a"].std() - np.sqrt(0.3**2 + 0.03**2)) < 0.03
