# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The standard task: does the cross-appointment push change needs met and satisfaction?
#
# Compare the "four pushes" of cross-appointment (交叉任职) at full strength against none, in
# a district of three streets, over 10 paired seeds, and get each effect with its 95%
# confidence interval and a figure for a paper. This file is a notebook kept as a script
# (jupytext): open it in Jupyter (`jupytext --to notebook examples/standard_task.py`, or with
# the jupytext extension) or run it as it is with `python examples/standard_task.py`.
# docs/PYTHON.md explains every call.

# %%
import os

import pandas as pd

import sim

# The test suite runs this notebook on a tiny world (SIM_EXAMPLE_QUICK=1); the task itself
# is the full size below: 20 runs, about 100 CPU-seconds (a minute on two free cores).
QUICK = os.environ.get("SIM_EXAMPLE_QUICK") == "1"
WORKERS = 1 if QUICK else None  # None: a local Dask cluster with one worker per core

# %% [markdown]
# ## The experiment
#
# Two arms on the baseline scenario: `none` sets the four cross-appointment levers to 0,
# `push` to 1. Every arm runs with the same 10 seeds (common random numbers), so the effect is
# a paired difference. The definition is a dict shaped like an experiment file
# (docs/EXPERIMENTS.md); a file in `experiments/` works the same way.

# %%
LEVERS = [
    "xa_one_shoulder",
    "xa_two_committee_overlap",
    "xa_secretary_chairs_oc",
    "xa_two_committee_member_on_oc",
]
experiment = {
    "description": "Cross-appointment: the four pushes at full strength against none",
    "scenario": "baseline",
    "steps": 120,
    "replicates": 10,
    "seed": 2024,
    "outcomes": ["needs_met", "satisfaction_mean"],
    "series_period": 3,
    "design": {"kind": "arms", "reference": "none"},
    "arms": {
        "none": {lever: 0.0 for lever in LEVERS},
        "push": {lever: 1.0 for lever in LEVERS},
    },
    "fixed": {"n_streets": 3},
}
if QUICK:
    experiment.update(steps=12, replicates=3)
    experiment["fixed"].update(
        n_streets=1, communities_per_street=2, compounds_per_community=2, households_per_compound=30
    )

# %% [markdown]
# ## Run it
#
# `sim.sweep` checks the whole definition before anything runs, stores every run in
# `results/standard_task/` (Parquet, readable by any Parquet reader) and resumes: running the
# cell again runs nothing new.

# %%
res = sim.sweep(experiment, out="results/standard_task", workers=WORKERS, name="standard_task")
res.counts()

# %% [markdown]
# ## The effect, with its confidence interval
#
# `sim.compare(res, "push", "none")`: push minus none, seed by seed, for each outcome: the
# number of pairs, the mean difference with its 95% t-interval, Cohen's d_z and the paired
# t-test's p-value. These are the numbers of the report's differences table.

# %%
effect = sim.compare(res, "push", "none")
effect

# %%
res.arms()  # each arm's mean and 95% CI

# %% [markdown]
# ## A figure for the paper
#
# The report's figures are matplotlib figures: save them as PDF (vector) or PNG at print
# resolution. `python -m sim report results/standard_task` writes all of them with every
# table as CSV.

# %%
figure = res.figures()["differences"]
figure.savefig("standard_task_effect.pdf")
figure.savefig("standard_task_effect.png", dpi=300)
figure

# %%
effect.to_csv("standard_task_effect.csv", index=False)
for _, row in effect.iterrows():
    print(
        f"{row['outcome']}: push − none = {row['diff']:.4f} "
        f"[{row['low']:.4f}, {row['high']:.4f}] over {row['n']} paired seeds (p = {row['p']:.3g})"
    )

# %% [markdown]
# ## The raw runs
#
# One row per finished run in `runs/`, failed attempts in `failures/`: any Parquet reader
# opens them (pandas here; polars and DuckDB too).

# %%
runs = pd.read_parquet("results/standard_task/runs")
runs[["arm", "replicate", "seed", "mean_needs_met", "mean_satisfaction_mean"]].head()
