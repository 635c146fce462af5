"""Gaussian-process emulators of the model's target statistics (scikit-learn).

For a parameter set, given as its position in the prior's unit cube, an emulator predicts
each target statistic's expected value over seeds, with the variance of that prediction. It
is fitted to the seed means of the design points run so far: one Gaussian process per target
on standardised values, with a constant times a Matérn-5/2 kernel with one length scale per
parameter, plus a white-noise term that absorbs what the seed means scatter around a smooth
surface (mostly seed noise). The prediction's variance excludes that white noise, so it is
the emulator's uncertainty about the expected value alone.

The same fit estimates the model's run-to-run variance of each statistic (its "ensemble
variability"): the pooled within-point variance over the design points' seeds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from threadpoolctl import threadpool_limits

__all__ = ["TargetEmulator", "Emulator", "fit_target", "fit_emulator", "single_threaded"]


def single_threaded() -> threadpool_limits:
    """Run linear algebra on one thread: the emulators' matrices are small, and on a machine
    whose cores are busy (with the model's runs, say) multi-threaded BLAS spends most of
    its time waiting (a posterior sample took 26 s instead of 1.6 s)."""
    return threadpool_limits(1)


RESTARTS = 2
"""Extra starts of the kernel-parameter optimiser (from random points, seeded)."""


@dataclass
class TargetEmulator:
    """The Gaussian process of one target, on values standardised by `centre`, `scale`."""

    gp: GaussianProcessRegressor
    centre: float
    scale: float
    noise: float  # fitted white-noise variance, in standardised units

    def predict(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected value of the statistic and the emulator's variance of it at `u`."""
        mean, sd = self.gp.predict(np.atleast_2d(u), return_std=True)
        var = np.maximum(sd**2 - self.noise, 0.0)
        return self.centre + self.scale * mean, self.scale**2 * var

    @property
    def length_scales(self) -> np.ndarray:
        return np.atleast_1d(self.gp.kernel_.k1.k2.length_scale)


def fit_target(u: np.ndarray, y: np.ndarray, seed: int) -> TargetEmulator:
    """Fit one target's emulator to seed means `y` at unit-cube positions `u` (rows with a
    nan mean are left out)."""
    keep = np.isfinite(y)
    u, y = np.asarray(u, dtype=float)[keep], np.asarray(y, dtype=float)[keep]
    if len(y) < 3:
        raise ValueError("fewer than 3 design points with a value to emulate")
    centre, scale = float(np.mean(y)), float(np.std(y))
    scale = scale if scale > 0 else 1.0
    d = u.shape[1]
    kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
        length_scale=np.full(d, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
    ) + WhiteKernel(1e-2, (1e-6, 1.0))
    gp = GaussianProcessRegressor(
        kernel, n_restarts_optimizer=RESTARTS, random_state=seed, normalize_y=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(u, (y - centre) / scale)
    return TargetEmulator(gp, centre, scale, float(gp.kernel_.k2.noise_level))


@dataclass
class Emulator:
    """Emulators of every target, and the model's run-to-run variance of each statistic."""

    targets: tuple[str, ...]
    parts: dict[str, TargetEmulator]
    run_variance: dict[str, float]

    def predict(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected values and emulator variances at `u`: arrays (points × targets)."""
        out = [self.parts[t].predict(u) for t in self.targets]
        return (np.column_stack([m for m, _ in out]), np.column_stack([v for _, v in out]))


def fit_emulator(u: np.ndarray, runs: np.ndarray, targets: tuple[str, ...], seed: int) -> Emulator:
    """Fit every target's emulator. `runs` holds the statistics of every run, shaped
    (points × seeds × targets) with nan where a run has no value; `u` the points' positions."""
    runs = np.asarray(runs, dtype=float)
    parts, run_variance = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-nan points
        means = np.nanmean(runs, axis=1)
    for k, name in enumerate(targets):
        parts[name] = fit_target(u, means[:, k], seed + k)
        run_variance[name] = pooled_variance(runs[:, :, k])
    return Emulator(tuple(targets), parts, run_variance)


def pooled_variance(values: np.ndarray) -> float:
    """Pooled within-point variance of (points × seeds) values, nan ignored: the sum of
    squared deviations from each point's mean over the degrees of freedom."""
    values = np.asarray(values, dtype=float)
    n = np.sum(np.isfinite(values), axis=1)
    ok = n >= 2
    if not np.any(ok):
        return 0.0
    v = values[ok]
    dev = v - np.nanmean(v, axis=1, keepdims=True)
    return float(np.nansum(dev**2) / np.sum(n[ok] - 1))
