"""Reports of finished sweeps: statistics, figures and a Markdown report, from the store only.

    res = load_results("results/devolution_capacity")
    arm_estimates(res)            # per arm and outcome: mean and 95% t-interval over replicates
    paired_differences(res)       # arm − reference, paired by seed: mean, 95% CI, Cohen's d_z, p
    interaction_contrasts(res)    # two-factor grids: (hi,hi) − (hi,lo) − (lo,hi) + (lo,lo)
    sobol_indices(res)            # sobol designs: SALib S1, ST with bootstrap CIs
    morris_indices(res)           # morris designs: SALib mu*, sigma (CIs by bootstrap)
    write_report("results/devolution_capacity")   # report.md + PNG figures

One module per job: `results` (loading a results folder), `estimates` (arm means and paired
differences), `sensitivity` (Sobol', Morris, rank correlations), `figures`, `report` (the
Markdown writer) and `text` (number formatting). Every number comes from the stored results
(sim.experiments.store): the plan says which run belongs to which arm and replicate, and the
runs table holds each run's summaries. The compared statistic is the experiment's
`statistic`: `mean` (mean of the last `window` months of a run, the default) or `final` (last
month). Replicates are independent seeds; arms share them (common random numbers), so
differences between arms are computed within seed.
"""

from .estimates import arm_estimates, interaction_contrasts, paired_differences, series_bands
from .figures import make_figures
from .report import render_report, write_experiments_doc, write_report
from .results import SweepResults, load_results
from .sensitivity import morris_indices, rank_correlations, sobol_indices

__all__ = [
    "SweepResults",
    "load_results",
    "arm_estimates",
    "paired_differences",
    "interaction_contrasts",
    "sobol_indices",
    "morris_indices",
    "rank_correlations",
    "series_bands",
    "make_figures",
    "render_report",
    "write_report",
    "write_experiments_doc",
]
