"""Statistics for comparing stochastic runs: means with t-based 95% confidence intervals,
and paired differences across arms that share seeds (common random numbers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """Mean of a sample with a two-sided confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def mean_ci(values, level: float = 0.95) -> Estimate:
    """Mean and t-interval of `values` (NaNs dropped); a single value gives a zero-width
    interval only when there is no spread to estimate, reported as nan bounds."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    m = float(x.mean())
    if n == 1:
        return Estimate(m, float("nan"), float("nan"), 1)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return Estimate(m, m - half, m + half, n)


def paired_difference(treatment, reference, level: float = 0.95) -> tuple[Estimate, float]:
    """Mean paired difference treatment − reference (same seeds, same order) with its CI,
    and Cohen's d_z (mean difference / sd of differences)."""
    d = np.asarray(treatment, dtype=float) - np.asarray(reference, dtype=float)
    est = mean_ci(d, level)
    sd = float(np.nanstd(d, ddof=1)) if d.size > 1 else float("nan")
    dz = est.mean / sd if sd and np.isfinite(sd) and sd > 0 else float("nan")
    return est, dz
