"""The posterior: parameter draws weighted by how well they reproduce the targets.

After the last wave of history matching, the posterior density of a parameter set x is

    p(x | z) ∝ p(x) · Π_k N(z_k; m_k(x), s_k² + V_k + E_k(x))   on the region the earlier
                                                                 waves left non-implausible

with the last wave's emulator (m_k, E_k) and run-to-run variances V_k (`history_matching`).
The likelihood treats the observations as one run of the model's process seen with error,
so the posterior carries both the observations' uncertainty and the model's own noise. It is
sampled by random-walk Metropolis on the prior's unit cube, many chains at once (vectorised),
started from non-implausible positions resampled by likelihood, with the proposal's
covariance adapted to the chains during burn-in (2.38² / d times their covariance; Roberts &
Rosenthal 2001) and fixed afterwards. The region can be several islands (the targets trade
parameters off along ridges, and a random walk does not cross from one island to another), so
every `jump_every`-th step each chain proposes instead from a kernel density over the last
wave's non-implausible pool weighted by the posterior, each point with a bandwidth set by its
nearest neighbours (an independence proposal, accepted with
the Metropolis-Hastings ratio that includes the proposal's density; a mixture of two valid
kernels is valid). The draws are shuffled, so the first n of them are a
sample of the posterior for any n. The chains' diagnostics come from ArviZ (`chain_diagnostics`):
the rank-normalised split-R̂ and the bulk and tail effective sample sizes of Vehtari et al.
(2021), beside the acceptance rate.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .emulator import single_threaded
from .history_matching import CalibrationError, HistoryMatch

__all__ = [
    "SamplerSettings",
    "Posterior",
    "log_posterior",
    "sample_posterior",
    "chain_diagnostics",
    "RHAT_OK",
    "ESS_OK",
]

RHAT_OK = 1.01
"""Largest rank-normalised R̂ at which the chains count as mixed (Vehtari et al. 2021)."""

ESS_OK = 400
"""Smallest bulk and tail effective sample size at which the posterior's quantiles count as
well estimated (Vehtari et al. 2021: 100 per chain for four chains)."""


@dataclass(frozen=True)
class SamplerSettings:
    """Size of the posterior sample."""

    draws: int = 1000
    chains: int = 40
    burn: int = 4000  # steps per chain before draws are kept (the proposal adapts)
    thin: int = 20  # steps per chain between kept draws
    per_chain: int = 100  # kept draws per chain at least (for R̂ and ESS); `draws` of them saved
    adapt_every: int = 250
    jump_every: int = 5  # every n-th step is a jump proposed from the pool (0: never)
    seed: int = 2021


@dataclass
class Posterior:
    """Draws of the posterior (`draws`: one row each, `draw` index, parameter values and
    the log likelihood) and the sampler's diagnostics per parameter: rank-normalised R̂,
    bulk and tail effective sample sizes (ArviZ)."""

    draws: pd.DataFrame
    acceptance: float
    rhat: dict[str, float]
    steps: int
    ess_bulk: dict[str, float] = field(default_factory=dict)
    ess_tail: dict[str, float] = field(default_factory=dict)

    @property
    def mixed(self) -> bool:
        """Whether every parameter's chains meet `RHAT_OK` and `ESS_OK`."""
        return (
            max(self.rhat.values()) <= RHAT_OK
            and min(self.ess_bulk.values()) >= ESS_OK
            and min(self.ess_tail.values()) >= ESS_OK
        )


def log_posterior(hm: HistoryMatch, u: np.ndarray) -> np.ndarray:
    """Log posterior density (up to a constant) at unit-cube positions `u`; -inf outside
    the cube or the region the waves before the last left non-implausible."""
    u = np.atleast_2d(u)
    out = hm.prior.logpdf_unit(u)
    ok = np.isfinite(out)
    if ok.any():
        idx = np.flatnonzero(ok)
        inside = hm.non_implausible(u[idx], upto=len(hm.waves) - 1)
        out[idx[~inside]] = -np.inf
        idx = idx[inside]
        if len(idx):
            out[idx] += hm.log_likelihood(u[idx])
    return out


def chain_diagnostics(
    chains: np.ndarray, names: list[str]
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """R̂, bulk ESS and tail ESS of each parameter from `chains` (chains × draws ×
    parameters, one column per name), computed by ArviZ: rank-normalised split-R̂ (1 when all
    chains agree; above `RHAT_OK` when they have not mixed) and the effective numbers of
    independent draws behind the posterior's centre and its 5% and 95% quantiles."""
    import arviz as az  # imported here: it takes seconds, and only the sampler needs it

    with warnings.catch_warnings():  # the layout is (chain, draw) whichever is longer
        warnings.filterwarnings("ignore", "Found chain dimension to be longer")
        tree = az.from_dict({"posterior": {n: chains[:, :, k] for k, n in enumerate(names)}})
    rhat = az.rhat(tree)
    bulk = az.ess(tree, method="bulk")
    tail = az.ess(tree, method="tail")
    return (
        {n: float(rhat[n]) for n in names},
        {n: float(bulk[n]) for n in names},
        {n: float(tail[n]) for n in names},
    )


def sample_posterior(hm: HistoryMatch, settings: SamplerSettings = SamplerSettings()) -> Posterior:
    """Sample the posterior of a finished history match."""
    with single_threaded():
        return _sample(hm, settings)


def _sample(hm: HistoryMatch, settings: SamplerSettings) -> Posterior:
    if hm.stopped or not hm.waves or hm.waves[-1].pool is None or not len(hm.waves[-1].pool):
        raise CalibrationError(hm.stopped or "no non-implausible parameter set to start from")
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(3,)))
    pool = hm.waves[-1].pool
    d = pool.shape[1]
    lp_pool = log_posterior(hm, pool)
    if not np.isfinite(lp_pool).any():
        raise CalibrationError("no non-implausible parameter set has a finite posterior")
    weights = np.exp(lp_pool - lp_pool[np.isfinite(lp_pool)].max())
    weights = np.where(np.isfinite(weights), weights, 0.0)
    weights /= weights.sum()
    x = pool[rng.choice(len(pool), size=settings.chains, p=weights)]
    lp = log_posterior(hm, x)
    cov = _proposal(pool, weights, d)

    per_chain = max(math.ceil(settings.draws / settings.chains), settings.per_chain)
    total = settings.burn + per_chain * settings.thin
    kept = np.empty((settings.chains, per_chain, d))
    history = []
    accepted = 0
    jumps = _PoolJumps(pool, weights, d)
    for step in range(total):
        jump = settings.jump_every > 0 and (step + 1) % settings.jump_every == 0
        if jump:
            proposal = jumps.draw(rng, settings.chains)
            correction = jumps.log_density(x) - jumps.log_density(proposal)
        else:
            proposal = x + rng.multivariate_normal(np.zeros(d), cov, size=settings.chains)
            correction = 0.0
        lp_new = log_posterior(hm, proposal)
        take = np.log(rng.uniform(size=settings.chains)) < lp_new - lp + correction
        x = np.where(take[:, None], proposal, x)
        lp = np.where(take, lp_new, lp)
        if step < settings.burn:
            history.append(x.copy())
            if (step + 1) % settings.adapt_every == 0:
                recent = np.concatenate(history[len(history) // 2 :])
                cov = _proposal(recent, np.full(len(recent), 1 / len(recent)), d)
        else:
            accepted += int(take.sum())
            k = step - settings.burn
            if (k + 1) % settings.thin == 0:
                kept[:, k // settings.thin] = x
    names = hm.prior.names
    rhat, ess_bulk, ess_tail = chain_diagnostics(kept, names)
    flat = kept.reshape(-1, d)
    order = rng.permutation(len(flat))[: settings.draws]
    draws = hm.prior.from_unit(flat[order])
    draws.insert(0, "draw", np.arange(len(draws)))
    draws["log_likelihood"] = hm.log_likelihood(flat[order])
    return Posterior(
        draws=draws,
        acceptance=accepted / (settings.chains * per_chain * settings.thin),
        rhat=rhat,
        steps=total,
        ess_bulk=ess_bulk,
        ess_tail=ess_tail,
    )


class _PoolJumps:
    """Independence proposals: a Gaussian kernel density over the non-implausible pool,
    each point weighted by its posterior density, with an isotropic bandwidth of its own:
    half the distance to its (d + 1)-th nearest neighbour in the pool (an adaptive kernel,
    so that the kernels stay within an island however far apart the islands lie)."""

    def __init__(self, pool: np.ndarray, weights: np.ndarray, d: int):
        keep = weights > 0
        self.points, self.weights = pool[keep], weights[keep] / weights[keep].sum()
        gaps = np.linalg.norm(self.points[:, None, :] - pool[None, :, :], axis=2)
        k = min(d + 1, len(pool) - 1)
        self.sd = 0.5 * np.sort(gaps, axis=1)[:, k] + 1e-6
        self.d = d

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        pick = rng.choice(len(self.points), size=n, p=self.weights)
        return self.points[pick] + rng.standard_normal((n, self.d)) * self.sd[pick, None]

    def log_density(self, x: np.ndarray) -> np.ndarray:
        sq = np.sum((x[:, None, :] - self.points[None, :, :]) ** 2, axis=2)
        terms = (
            np.log(self.weights)[None, :]
            - 0.5 * sq / self.sd[None, :] ** 2
            - self.d * np.log(self.sd)[None, :]
            - 0.5 * self.d * math.log(2 * math.pi)
        )
        top = terms.max(axis=1)
        return top + np.log(np.exp(terms - top[:, None]).sum(axis=1))


def _proposal(points: np.ndarray, weights: np.ndarray, d: int) -> np.ndarray:
    """Random-walk proposal covariance: 2.38² / d times the weighted covariance of
    `points`, with a small ridge so it is never singular."""
    mean = weights @ points
    dev = points - mean
    cov = (weights[:, None] * dev).T @ dev
    return (2.38**2 / d) * cov + 1e-8 * np.eye(d)
