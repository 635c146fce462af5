"""History matching in waves: which parameter sets could reproduce every target?

The method of Vernon, Goldstein & Bower (2010), as used for stochastic agent-based models by
Andrianakis et al. (2015). Wave 1 runs a Latin hypercube of the prior, every point with its
own seeds. After each wave a Gaussian-process emulator per target (`emulator`) is fitted to
the seed means of the points still in play, and a parameter set x is *implausible* when, for
some target k,

    I_k(x) = |z_k − m_k(x)| / sqrt(s_k² + V_k + E_k(x))  >  cutoff (3: Pukelsheim's 3σ rule)

with z_k the observation and s_k its standard deviation (`targets.Target`), m_k(x) the
emulated expected statistic, V_k the model's run-to-run variance (the world is one run of
its process, not the average of many) and E_k(x) the emulator's variance. A large sample of
the prior is screened through every wave's emulator; the next wave's points are chosen,
spread out (greedy maximin), among the survivors — the non-implausible region (NROY) — so
each wave's emulator learns where it matters. The waves' share of the prior left
non-implausible, and each emulator's errors on the next wave's new runs, are recorded.

More waves help while they narrow the region. `Settings.waves` is the most the match runs;
it settles earlier (`HistoryMatch.settled` says why) when a wave left more than
`Settings.settle` of the previous wave's non-implausible share (a further wave would cut
little), or when the emulators' variance at the region's points has fallen below
`Settings.precise` of the other variances (observation and run-to-run) for every target:
then the emulators are no longer what keeps a parameter set plausible (Vernon et al. 2010;
Andrianakis et al. 2015).

The runs themselves are the `Simulator`'s business: the model through the sweep engine
(`runs`), or a toy with a known answer in the tests.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from sim.experiments.uncertainty import Prior

from .emulator import Emulator, fit_emulator, single_threaded
from .targets import Target

__all__ = [
    "Settings",
    "Simulator",
    "CalibrationError",
    "Wave",
    "HistoryMatch",
    "stage_seed",
    "CHECKS",
    "history_match",
    "settled",
    "run_array",
]


class CalibrationError(RuntimeError):
    """The calibration cannot go on (for example: no parameter set is left plausible)."""


@dataclass(frozen=True)
class Settings:
    """Size of a history match."""

    waves: int = 4  # at most; the match settles earlier when a wave no longer helps
    points: int = 80  # design points per wave
    seeds: int = 2  # runs per design point, each with its own seed
    candidates: int = 20_000  # prior draws screened after each wave
    cutoff: float = 3.0
    max_train: int = 640  # design points an emulator learns from at most (the latest)
    seed: int = 2021  # master seed of designs, run seeds and emulator fits
    settle: float = 0.8  # stop when a wave keeps more than this share of the previous region
    precise: float = 0.1  # stop when emulator variance < this share of the other variances


class Simulator(Protocol):
    """Runs parameter sets and returns the target statistics of every run."""

    def simulate(
        self, label: str, points: pd.DataFrame, replicates: int, seed: int
    ) -> pd.DataFrame:
        """Run row i of `points` (parameter values) with each seed of
        `sim.experiments.uncertainty.draw_seeds(seed, i, replicates)`; one row per run:
        `point` (row position), `replicate`, `seed`, and one column per target with its
        statistic (nan where it has none). `label` names the batch (e.g. its store folder)."""
        ...


def stage_seed(master: int, purpose: int) -> int:
    """The master seed of one batch of runs (a wave: its number; the checks: `CHECKS`),
    derived from the calibration's master seed: every batch has its own seeds."""
    return int(np.random.SeedSequence(master, spawn_key=(purpose,)).generate_state(1)[0])


CHECKS = 1000
"""Purpose of the posterior predictive checks' seeds (waves use 1, 2, ...)."""


def run_array(runs: pd.DataFrame, n_points: int, names: Sequence[str]) -> np.ndarray:
    """The statistics of a batch of runs as an array (points × replicates × targets)."""
    n_rep = int(runs["replicate"].max()) + 1 if len(runs) else 0
    out = np.full((n_points, n_rep, len(names)), np.nan)
    p, r = runs["point"].to_numpy(dtype=int), runs["replicate"].to_numpy(dtype=int)
    out[p, r, :] = runs[list(names)].to_numpy(dtype=float)
    return out


@dataclass
class Wave:
    """One wave: its design, its runs, and the emulator fitted after it."""

    number: int
    design: pd.DataFrame  # parameter values, one row per point
    u: np.ndarray  # the points' positions in the prior's unit cube
    runs: pd.DataFrame  # one row per run: point, replicate, seed, target statistics
    emulator: Emulator | None = None
    trained_on: int = 0  # design points (of all waves so far) the emulator learnt from
    nroy_share: float = math.nan  # share of the prior's sample left non-implausible
    pool: np.ndarray | None = None  # non-implausible positions found after this wave
    validation: pd.DataFrame | None = None  # this wave's points under the previous emulator


@dataclass
class HistoryMatch:
    """The waves of a history match, and the tests built on their emulators."""

    prior: Prior
    targets: tuple[Target, ...]
    settings: Settings
    waves: list[Wave] = field(default_factory=list)
    stopped: str | None = None  # why the waves stopped: nothing left plausible (a failure)
    settled: str | None = None  # why the waves ended before Settings.waves (no failure)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def implausibility(self, u: np.ndarray, wave: int) -> np.ndarray:
        """I_k at positions `u` (points × targets) under the emulator of wave `wave`
        (1-based)."""
        em = self.waves[wave - 1].emulator
        assert em is not None
        mean, var = em.predict(u)
        z = np.array([t.observed for t in self.targets])
        total = (
            np.array([t.sd**2 for t in self.targets])
            + np.array([em.run_variance[n] for n in self.names])
            + var
        )
        return np.abs(z - mean) / np.sqrt(total)

    def non_implausible(self, u: np.ndarray, upto: int | None = None) -> np.ndarray:
        """True where no emulator of waves 1..`upto` (default: all) finds `u` implausible."""
        u = np.atleast_2d(u)
        upto = len(self.waves) if upto is None else upto
        keep = np.ones(len(u), dtype=bool)
        for w in range(1, upto + 1):
            idx = np.flatnonzero(keep)
            if not len(idx):
                break
            worst = self.implausibility(u[idx], w).max(axis=1)
            keep[idx[worst >= self.settings.cutoff]] = False
        return keep

    def log_likelihood(self, u: np.ndarray, wave: int | None = None) -> np.ndarray:
        """Gaussian log likelihood of the observations at `u` under the emulator of `wave`
        (default: the last): z_k ~ N(m_k(x), s_k² + V_k + E_k(x)), targets independent."""
        em = self.waves[(wave or len(self.waves)) - 1].emulator
        assert em is not None
        mean, var = em.predict(np.atleast_2d(u))
        z = np.array([t.observed for t in self.targets])
        total = (
            np.array([t.sd**2 for t in self.targets])
            + np.array([em.run_variance[n] for n in self.names])
            + var
        )
        return -0.5 * np.sum((z - mean) ** 2 / total + np.log(2 * np.pi * total), axis=1)

    def all_runs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every wave's design points: their unit-cube positions (points × parameters) and
        their runs' statistics (points × replicates × targets, nan where none)."""
        arrays = [run_array(w.runs, len(w.design), self.names) for w in self.waves]
        width = max(a.shape[1] for a in arrays)
        arr = np.concatenate(
            [
                np.pad(a, ((0, 0), (0, width - a.shape[1]), (0, 0)), constant_values=np.nan)
                for a in arrays
            ]
        )
        return np.vstack([w.u for w in self.waves]), arr

    def points(self) -> pd.DataFrame:
        """Every design point: wave, point, parameter values, and per target the seed mean
        (`<target>`), its standard deviation over seeds (`<target>_sd`) and whether the
        mean meets every target's range (`in_ranges`)."""
        frames = []
        for wave in self.waves:
            arr = run_array(wave.runs, len(wave.design), self.names)
            with _quiet():
                means, sds = np.nanmean(arr, axis=1), np.nanstd(arr, axis=1, ddof=1)
            table = wave.design.copy()
            table.insert(0, "point", np.arange(len(table)))
            table.insert(0, "wave", wave.number)
            for k, name in enumerate(self.names):
                table[name] = means[:, k]
                table[f"{name}_sd"] = sds[:, k]
            table["in_ranges"] = np.all(
                [table[t.name].between(t.low, t.high) for t in self.targets], axis=0
            )
            frames.append(table)
        return pd.concat(frames, ignore_index=True)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's warnings about the mean of points without any value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def maximin(pool: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of `n` points of `pool` chosen greedily, each the farthest from those chosen
    before (the first at random): a spread-out subset."""
    if len(pool) <= n:
        return np.arange(len(pool))
    chosen = [int(rng.integers(len(pool)))]
    dist = np.linalg.norm(pool - pool[chosen[0]], axis=1)
    for _ in range(n - 1):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(pool - pool[nxt], axis=1))
    return np.array(chosen)


def grow_pool(
    hm: HistoryMatch, pool: np.ndarray, want: int, rng: np.random.Generator, rounds: int = 20
) -> np.ndarray:
    """Add non-implausible positions near those in `pool` (Gaussian steps shaped like the
    pool's spread) until it holds `want`, or `rounds` rounds have passed."""
    d = pool.shape[1]
    for _ in range(rounds):
        if len(pool) >= want or not len(pool):
            break
        cov = np.cov(pool.T) if len(pool) > d else np.eye(d) * 0.01
        cov = 0.25 * np.atleast_2d(cov) + 1e-6 * np.eye(d)
        base = pool[rng.integers(len(pool), size=4 * want)]
        step = rng.multivariate_normal(np.zeros(d), cov, size=len(base))
        new = base + step
        new = new[np.all((new >= 0) & (new <= 1), axis=1)]
        pool = np.vstack([pool, new[hm.non_implausible(new)]])
    return pool


def validation_errors(hm: HistoryMatch, wave: Wave) -> pd.DataFrame:
    """The previous wave's emulator on this wave's points: per target, standardised errors
    (seed mean − prediction) / sqrt(E(x) + V / seeds), summarised as their RMS and the share
    within ±3."""
    prev = hm.waves[wave.number - 2].emulator
    assert prev is not None
    arr = run_array(wave.runs, len(wave.design), hm.names)
    n = np.sum(np.isfinite(arr), axis=1)
    with _quiet():
        means = np.nanmean(arr, axis=1)
    mean, var = prev.predict(wave.u)
    rows = []
    for k, name in enumerate(hm.names):
        ok = np.isfinite(means[:, k]) & (n[:, k] > 0)
        err = (means[ok, k] - mean[ok, k]) / np.sqrt(
            var[ok, k] + prev.run_variance[name] / n[ok, k]
        )
        rows.append(
            {
                "wave": wave.number,
                "target": name,
                "points": int(ok.sum()),
                "rms": float(np.sqrt(np.mean(err**2))) if ok.any() else math.nan,
                "within_3": float(np.mean(np.abs(err) <= 3)) if ok.any() else math.nan,
            }
        )
    return pd.DataFrame(rows)


def history_match(
    simulator: Simulator,
    prior: Prior,
    targets: Sequence[Target],
    settings: Settings = Settings(),
    log: Callable[[str], None] = lambda _: None,
) -> HistoryMatch:
    """Run the waves of `settings` and return them; they stop early (`stopped` says why)
    when no parameter set is left non-implausible. Deterministic: designs, seeds and
    emulator fits derive from `settings.seed` and the runs' results."""
    with single_threaded():
        return _waves(simulator, prior, targets, settings, log)


def _waves(
    simulator: Simulator,
    prior: Prior,
    targets: Sequence[Target],
    settings: Settings,
    log: Callable[[str], None],
) -> HistoryMatch:
    hm = HistoryMatch(prior, tuple(targets), settings)
    names = hm.names
    d = len(prior)
    design_rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(1,)))
    for number in range(1, settings.waves + 1):
        if number == 1:
            design = prior.sample(
                settings.points, np.random.SeedSequence(settings.seed, spawn_key=(0, 1))
            )
            u = prior.to_unit(design)
        else:
            pool = hm.waves[-1].pool
            assert pool is not None
            u = pool[maximin(pool, settings.points, design_rng)]
            design = prior.from_unit(u)
        log(f"wave {number}: {len(design)} points × {settings.seeds} seeds")
        runs = simulator.simulate(
            f"wave-{number}", design, settings.seeds, stage_seed(settings.seed, number)
        )
        wave = Wave(number, design.reset_index(drop=True), u, runs)
        if number > 1:
            wave.validation = validation_errors(hm, wave)
        hm.waves.append(wave)

        # the emulator learns from every point left in play by the earlier waves
        us, arr = hm.all_runs()
        train = hm.non_implausible(us, upto=number - 1)
        idx = np.flatnonzero(train)[-settings.max_train :]
        wave.emulator = fit_emulator(us[idx], arr[idx], names, settings.seed + 1000 * number)
        wave.trained_on = len(idx)

        # screen a fresh prior sample, with the earlier survivors
        sample = prior.to_unit(
            prior.sample(
                settings.candidates, np.random.SeedSequence(settings.seed, spawn_key=(2, number))
            )
        )
        fresh = hm.non_implausible(sample)
        wave.nroy_share = float(fresh.mean())
        pool = sample[fresh]
        if number > 1:
            earlier = hm.waves[-2].pool
            if earlier is not None and len(earlier):
                pool = np.vstack([pool, earlier[hm.non_implausible(earlier)]])
        want = max(5 * settings.points, 10 * d)
        if len(pool) < want:
            pool = grow_pool(hm, pool, want, design_rng)
        if len(pool) > settings.candidates:  # keep the pool's size bounded over the waves
            pool = pool[np.sort(design_rng.choice(len(pool), settings.candidates, replace=False))]
        wave.pool = pool
        log(
            f"wave {number}: emulator on {wave.trained_on} points; non-implausible share of "
            f"the prior {wave.nroy_share:.4f}; pool {len(pool)}"
        )
        if not len(pool):
            hm.stopped = (
                f"after wave {number} no parameter set of the prior is "
                "non-implausible: the model does not reproduce every target at "
                "once within the plausible ranges"
            )
            log(hm.stopped)
            break
        if number < settings.waves:
            hm.settled = settled(hm)
            if hm.settled:
                log(hm.settled)
                break
    return hm


def settled(hm: HistoryMatch) -> str | None:
    """Why a further wave would not help, or None: the last wave kept more than
    `settle` of the previous wave's non-implausible share, or its emulators' variance at
    the region's points is below `precise` of the observation's and the runs' variance for
    every target (median over the points)."""
    s, last = hm.settings, hm.waves[-1]
    if len(hm.waves) >= 2:
        before = hm.waves[-2].nroy_share
        if before > 0 and last.nroy_share > s.settle * before:
            return (
                f"settled after wave {last.number}: it kept {last.nroy_share / before:.0%} of "
                f"the previous wave's non-implausible share (more than {s.settle:.0%}), so a "
                "further wave would narrow the region little"
            )
    em, pool = last.emulator, last.pool
    if em is None or pool is None or not len(pool):
        return None
    _, var = em.predict(pool[: min(len(pool), 2000)])
    other = np.array([t.sd**2 + em.run_variance[t.name] for t in hm.targets])
    ratio = np.median(var, axis=0) / other
    if np.all(ratio < s.precise):
        return (
            f"settled after wave {last.number}: the emulators' variance in the region is "
            f"below {s.precise:.0%} of the observations' and runs' variance for every target "
            f"(largest {ratio.max():.1%}), so a further wave would sharpen them little"
        )
    return None
