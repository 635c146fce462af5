"""A toy simulator with a known posterior, and a calibration of it shared by the tests.

Two parameters with standard normal priors (truncated far out, at ±5); each run returns
y1 = θ1 + ε1 and y2 = θ1 + θ2 + ε2 with run noise ε ~ N(0, 0.3²). The observations are
y1 = 1.0 and y2 = -0.5, each with standard deviation 0.4 (ranges ± 2 sd). A linear Gaussian
model: with A = [[1, 0], [1, 1]] and σ² = 0.4² + 0.3² = 0.25 for both targets, the posterior
is normal with precision I + AᵀA / σ² and mean (I + AᵀA / σ²)⁻¹ Aᵀ z / σ².
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.uncertainty import Prior, Uncertain, draw_seeds
from sim.validation.calibration.history_matching import HistoryMatch, Settings, history_match
from sim.validation.calibration.posterior import Posterior, SamplerSettings, sample_posterior
from sim.validation.calibration.targets import RunOutputs, Target, target_values

RUN_NOISE = 0.3
OBSERVED = np.array([1.0, -0.5])
OBS_SD = 0.4
A = np.array([[1.0, 0.0], [1.0, 1.0]])

TOY_PRIOR = Prior(
    (
        Uncertain("theta1", -5.0, 5.0, mean=0.0, sd=1.0),
        Uncertain("theta2", -5.0, 5.0, mean=0.0, sd=1.0),
    )
)
TOY_TARGETS = (
    Target.measured("y1", "y1", OBSERVED[0], OBS_SD, "toy", lambda run: run.summary["y1"]),
    Target.measured("y2", "y2", OBSERVED[1], OBS_SD, "toy", lambda run: run.summary["y2"]),
)


def exact_posterior() -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the toy's posterior."""
    var = OBS_SD**2 + RUN_NOISE**2
    precision = np.eye(2) + A.T @ A / var
    cov = np.linalg.inv(precision)
    return cov @ A.T @ OBSERVED / var, cov


class ToySimulator:
    """Runs the toy model; counts its runs and remembers every seed it was given."""

    def __init__(self, targets=TOY_TARGETS) -> None:
        self.targets = targets
        self.runs = 0
        self.seen: list[int] = []
        self.labels: list[str] = []

    def simulate(
        self, label: str, points: pd.DataFrame, replicates: int, seed: int
    ) -> pd.DataFrame:
        self.labels.append(label)
        rows = []
        for i, (t1, t2) in enumerate(points[["theta1", "theta2"]].to_numpy()):
            for r, run_seed in enumerate(draw_seeds(seed, i, replicates)):
                e = np.random.default_rng(run_seed).normal(0.0, RUN_NOISE, 2)
                out = RunOutputs({"y1": t1 + e[0], "y2": t1 + t2 + e[1]})
                rows.append(
                    {
                        "point": i,
                        "replicate": r,
                        "seed": run_seed,
                        **target_values(out, self.targets),
                    }
                )
                self.seen.append(run_seed)
        self.runs += len(rows)
        return pd.DataFrame(rows)


TOY_SETTINGS = Settings(
    waves=3, points=40, seeds=3, candidates=5000, seed=7, settle=1.0, precise=0.0
)  # all three waves run: the linear toy's emulators are precise after one
TOY_SAMPLER = SamplerSettings(draws=2000, chains=40, burn=600, thin=10, seed=7)


@pytest.fixture(scope="session")
def toy_match() -> tuple[HistoryMatch, ToySimulator]:
    sim = ToySimulator()
    return history_match(sim, TOY_PRIOR, TOY_TARGETS, TOY_SETTINGS), sim


@pytest.fixture(scope="session")
def toy_posterior(toy_match) -> Posterior:
    return sample_posterior(toy_match[0], TOY_SAMPLER)
