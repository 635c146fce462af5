"""Every estimate table of a sweep's report, by name: the tidy tables that `python -m sim
report` writes as CSV beside report.md and that the Python API returns
(`SweepResults.tables()`, docs/PYTHON.md). One row per arm (or factor, condition, draw
summary) and outcome; intervals are 95% unless a level is given.

    arms          arm_estimates: n, mean, sd and t-interval per arm and outcome
    differences   paired_differences: each arm minus the reference, paired by seed
    conditions    conditional_effects: the first factor's effect under each condition
    interaction   interaction_contrasts: the corner contrast of two-factor grids
    sobol         sobol_indices: S1 and ST with bootstrap half-widths
    morris        morris_indices: mu*, mu, sigma
    correlations  rank_correlations: Spearman rho of factors and outcomes (lhs)
    arms_across_draws, effects_across_draws   with [uncertainty]: arm means over draws and
                  each arm's effect across parameter draws (sim.experiments.analysis.across_draws)
"""

from __future__ import annotations

import pandas as pd

from .across_draws import arm_values, effect_summary
from .estimates import (
    arm_estimates,
    conditional_effects,
    interaction_contrasts,
    paired_differences,
)
from .results import LEVEL, SweepResults
from .sensitivity import morris_indices, rank_correlations, sobol_indices

__all__ = ["estimate_tables"]


def estimate_tables(res: SweepResults, level: float = LEVEL) -> dict[str, pd.DataFrame]:
    """The report's estimate tables that apply to this design, by name (empty ones left out)."""
    if res.uncertain:
        tables = {
            "arms_across_draws": arm_values(res, level),
            "effects_across_draws": effect_summary(res, level),
        }
    elif res.kind in ("grid", "arms"):
        tables = {
            "arms": arm_estimates(res, level),
            "differences": paired_differences(res, level=level),
            "conditions": conditional_effects(res, level),
            "interaction": interaction_contrasts(res, level),
        }
    else:
        tables = {
            "sobol": sobol_indices(res, level) if res.kind == "sobol" else pd.DataFrame(),
            "morris": morris_indices(res, level) if res.kind == "morris" else pd.DataFrame(),
            "correlations": rank_correlations(res) if res.kind == "lhs" else pd.DataFrame(),
        }
    return {name: t.reset_index(drop=True) for name, t in tables.items() if not t.empty}
