"""What the misses point to: which targets no explored parameter set meets, which pairs of
targets cannot be met together, and which parameters a target pushes to an end of its range.

Computed from a finished history match (whether or not it left a plausible region), in two
ways that check each other:

* **runs**: every design point of every wave, by the seed mean of its runs. A point's
  implausibility for target k is |z_k − ȳ_k| / sqrt(s_k² + V_k (1 + 1/n)): the observation
  z_k with its standard deviation s_k, the model's run-to-run variance V_k (pooled over all
  points' seeds; the world is one run of the model) and the error V_k / n of a mean of n
  seeds. Exact where the model ran, but only there.
* **emulated**: the first wave's emulator (the only one trained over the whole prior) at a
  large sample of the prior, with the history match's implausibility (which adds the
  emulator's variance, so it errs towards calling a target reachable).

A target is *out of reach* when its smallest implausibility exceeds the cut-off both ways;
two targets, each within reach, *conflict* when no point brings both below the cut-off
(smallest of max(I_a, I_b)). A parameter is *pushed to an end* by a target when at least
`EDGE_SHARE` of the emulated draws that come closest to that target (those within the
cut-off, or the best `CLOSEST` if fewer) lie in the outer `EDGE_BAND` of its range at one end
(a share of `EDGE_BAND` is what the prior gives). Each target names the mechanism it tests,
so the diagnosis names the mechanisms the misses point to.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .emulator import pooled_variance
from .history_matching import HistoryMatch

__all__ = ["Diagnosis", "diagnose", "EDGE_BAND", "EDGE_SHARE", "CLOSEST"]

EDGE_BAND = 0.1
"""Outer share of a parameter's range (on its prior's unit scale) counted as its end."""

EDGE_SHARE = 0.5
"""Share of the closest draws at one end (five times what the prior gives) that counts as
the target pushing the parameter there."""

CLOSEST = 200
"""How many emulated draws count as the closest to a target no draw meets."""


@dataclass
class Diagnosis:
    """The diagnosis of a history match.

    targets: one row per target — its mechanism, the smallest implausibility over the
        runs and over the emulated sample, the seed mean of the run that came closest, and
        whether the target is within reach.
    conflicts: pairs of targets, each within reach, that no point meets together — the
        smallest joint implausibility over the runs and emulated.
    edges: (target, parameter, end, share) for every parameter a target pushes to an end
        of its range; the target "all targets" stands for the draws closest to meeting
        every target at once.
    """

    targets: pd.DataFrame
    conflicts: pd.DataFrame
    edges: pd.DataFrame
    cutoff: float
    sample: int  # emulated draws

    @property
    def out_of_reach(self) -> list[str]:
        return list(self.targets.loc[~self.targets["reachable"], "target"])


def run_implausibility(hm: HistoryMatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Implausibility of every design point (rows, all waves) for every target (columns)
    from its runs, with the points' positions in the unit cube and their seed means."""
    names = hm.names
    u, arr = hm.all_runs()
    n = np.sum(np.isfinite(arr), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.nansum(arr, axis=1) / n
    means[n == 0] = np.nan
    z = np.array([t.observed for t in hm.targets])
    s2 = np.array([t.sd**2 for t in hm.targets])
    v = np.array([pooled_variance(arr[:, :, k]) for k in range(len(names))])
    with np.errstate(invalid="ignore", divide="ignore"):
        implausibility = np.abs(z - means) / np.sqrt(s2 + v * (1 + 1 / n))
    return implausibility, u, means


def _nanmin(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.min()) if len(x) else math.nan


def diagnose(hm: HistoryMatch, sample: int | None = None, seed: int | None = None) -> Diagnosis:
    """The diagnosis of `hm` (see the module's docstring); `sample` emulated prior draws
    (default: the match's `candidates`), drawn from `seed` (default: its master seed)."""
    cutoff = hm.settings.cutoff
    names = hm.names
    i_runs, _, means = run_implausibility(hm)
    n = sample or hm.settings.candidates
    u = hm.prior.to_unit(
        hm.prior.sample(n, np.random.SeedSequence(seed or hm.settings.seed, spawn_key=(4,)))
    )
    i_emu = hm.implausibility(u, 1) if hm.waves and hm.waves[0].emulator is not None else None

    rows = []
    for k, t in enumerate(hm.targets):
        col = i_runs[:, k]
        best = int(np.nanargmin(np.where(np.isfinite(col), col, np.inf))) if len(col) else -1
        runs_min = _nanmin(col)
        emu_min = _nanmin(i_emu[:, k]) if i_emu is not None else math.nan
        rows.append(
            {
                "target": t.name,
                "mechanism": t.mechanism,
                "low": t.low,
                "high": t.high,
                "runs_min": runs_min,
                "closest_run_mean": float(means[best, k]) if best >= 0 else math.nan,
                "emulated_min": emu_min,
                "reachable": bool(np.nanmin([runs_min, emu_min, np.inf]) <= cutoff),
            }
        )
    targets = pd.DataFrame(rows)

    reachable = [k for k in range(len(names)) if targets.loc[k, "reachable"]]
    pairs = []
    for a, b in itertools.combinations(reachable, 2):
        runs_joint = _nanmin(np.fmax(i_runs[:, a], i_runs[:, b]))
        emu_joint = _nanmin(np.fmax(i_emu[:, a], i_emu[:, b])) if i_emu is not None else math.nan
        if np.nanmin([runs_joint, emu_joint, np.inf]) > cutoff:
            pairs.append(
                {
                    "target_a": names[a],
                    "target_b": names[b],
                    "runs_min": runs_joint,
                    "emulated_min": emu_joint,
                }
            )
    conflicts = pd.DataFrame(
        pairs, columns=["target_a", "target_b", "runs_min", "emulated_min"]
    ).sort_values("emulated_min", ascending=False, ignore_index=True)

    edges = []
    if i_emu is not None:
        columns = [(t.name, i_emu[:, k]) for k, t in enumerate(hm.targets)]
        columns.append(("all targets", i_emu.max(axis=1)))
        for target, values in columns:
            close = _closest(values, cutoff)
            for j, p in enumerate(hm.prior.names):
                x = u[close, j]
                for end, share in (
                    ("lower", float(np.mean(x <= EDGE_BAND))),
                    ("upper", float(np.mean(x >= 1 - EDGE_BAND))),
                ):
                    if share >= EDGE_SHARE:
                        edges.append(
                            {
                                "target": target,
                                "parameter": p,
                                "end": end,
                                "share": share,
                                "draws": int(len(close)),
                            }
                        )
    edges = pd.DataFrame(edges, columns=["target", "parameter", "end", "share", "draws"])
    return Diagnosis(targets, conflicts, edges, cutoff, n if i_emu is not None else 0)


def _closest(values: np.ndarray, cutoff: float) -> np.ndarray:
    """Indices of the draws within the cut-off, or of the `CLOSEST` smallest if fewer."""
    within = np.flatnonzero(values <= cutoff)
    if len(within) >= CLOSEST:
        return within
    return np.argsort(values, kind="stable")[:CLOSEST]
