"""Specification of the emulators (sim.validation.calibration.emulator): they predict a
statistic's expected value from noisy seed means, with a variance that is honest about
their error, and estimate the model's run-to-run variance from the seeds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.validation.calibration.emulator import fit_emulator, pooled_variance


def smooth(u: np.ndarray) -> np.ndarray:
    return np.column_stack([np.sin(3 * u[:, 0]) + u[:, 1] ** 2, u[:, 0] * u[:, 1]])


def test_the_emulator_predicts_the_expected_value_with_an_honest_variance():
    rng = np.random.default_rng(0)
    u = rng.uniform(size=(120, 3))
    noise = 0.05
    runs = smooth(u)[:, None, :] + noise * rng.normal(size=(120, 3, 2))
    em = fit_emulator(u, runs, ("a", "b"), seed=1)
    test = rng.uniform(size=(2000, 3))
    mean, var = em.predict(test)
    err = mean - smooth(test)
    assert np.sqrt(np.mean(err**2, axis=0)).max() < noise  # below the noise of one run
    z = err / np.sqrt(var)
    assert np.mean(np.abs(z) <= 2, axis=0).min() > 0.85  # 2-sd bands hold most errors
    for name in ("a", "b"):
        assert em.run_variance[name] == pytest.approx(noise**2, rel=0.2)


def test_points_without_a_value_are_left_out_of_the_fit():
    rng = np.random.default_rng(1)
    u = rng.uniform(size=(40, 2))
    runs = smooth(u)[:, None, :] + 0.01 * rng.normal(size=(40, 2, 2))
    runs[:5, :, 1] = np.nan  # no value of the second statistic at five points
    em = fit_emulator(u, runs, ("a", "b"), seed=1)
    mean, _ = em.predict(u[5:])
    assert np.all(np.isfinite(mean))


def test_pooled_variance_is_the_within_point_variance():
    values = np.array([[1.0, 3.0], [10.0, 12.0], [5.0, np.nan]])
    assert pooled_variance(values) == pytest.approx(2.0)  # (2 + 2) / 2 degrees of freedom
    assert pooled_variance(np.array([[1.0], [2.0]])) == 0.0  # one seed: nothing to pool
