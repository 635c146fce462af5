"""The governance model under Mesa's own `mesa.batch_run`.

    python examples/batch_run_example.py                 # 2 levels x 2 levels x 3 seeds
    python examples/batch_run_example.py --processes 2 --steps 60

`GovernanceModel` takes every schema parameter as a keyword argument and its seed as `rng`,
so `batch_run` works as with any Mesa model: replicates go in `rng=[seeds]` (Mesa 3.5
deprecates `iterations=`, which loses the seed). With `data_collection_period=-1` it returns
one row per run (the last month's district outcomes); with 1, one row per month per run, all
held in memory. `batch_run` switches the whole process to the `spawn` start method, so a
script that calls it needs the `if __name__ == "__main__":` guard below.

For resumable, parallel sweeps with failure records, paired statistics and reports, use
`python -m sim sweep` instead (docs/EXPERIMENTS.md); benchmarks/bench_sweep_vs_batch_run.py
compares the two.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from mesa import batch_run

from sim import GovernanceModel

SMALL_WORLD = {
    "n_streets": 1,
    "communities_per_street": 3.0,
    "compounds_per_community": 3.0,
    "households_per_compound": 40.0,
}
"""A district of one street (about 1,000 residents), so the example runs in seconds."""

DEFAULT_GRID = {"devolution_share": [0.1, 0.6], "responsibility_list": [False, True]}


def batch_run_table(
    parameters: Mapping[str, Any],
    seeds: Sequence[int],
    steps: int,
    *,
    data_collection_period: int = -1,
    number_processes: int | None = 1,
) -> pd.DataFrame:
    """`mesa.batch_run` over `parameters` (lists are crossed, single values fixed) × seeds,
    as a DataFrame: RunId, iteration (seed index), Step, the parameters passed, and every
    district outcome."""
    rows = batch_run(
        GovernanceModel,
        parameters=dict(parameters),
        rng=list(seeds),
        max_steps=steps,
        data_collection_period=data_collection_period,
        number_processes=number_processes,
        display_progress=False,
    )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument(
        "--processes", type=int, default=1, help="worker processes (batch_run's number_processes)"
    )
    parser.add_argument(
        "--every-step", action="store_true", help="collect every month (data_collection_period=1)"
    )
    args = parser.parse_args(argv)
    table = batch_run_table(
        {**SMALL_WORLD, **DEFAULT_GRID},
        args.seeds,
        args.steps,
        data_collection_period=1 if args.every_step else -1,
        number_processes=args.processes,
    )
    cols = ["RunId", "iteration", "Step", *DEFAULT_GRID, "satisfaction_mean", "needs_met"]
    with pd.option_context("display.width", 120):
        print(table[cols].to_string(index=False))
    print(f"{len(table)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
