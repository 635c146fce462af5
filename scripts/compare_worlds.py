"""What a district's tables change: a scenario's world against other worlds, over paired seeds.

    python scripts/compare_worlds.py SCENARIO [--world NAME=DIR ...] [--drop NAME=COL,COL ...]
        [--seeds N] [--steps N] [--outcome NAME ...] [--csv FILE]

Runs SCENARIO on its own world (its `[world]` tables) and on each other world with the same
parameters and the same seeds 1..N, and prints, for each world and outcome, the mean over
the last 12 months and the paired difference from the scenario's own world with its 95%
confidence interval (t over the N seed pairs; sim.experiments.stats). A `--world` is another
folder of district tables; a `--drop` is the scenario's own tables with the named compound
columns left empty, so the model draws them from each compound's type as it does for a
district that does not list them (docs/DATA.md). Outcomes named `*_per_1000` are the
district outcome of that name without the suffix per 1,000 residents a month.
`--csv` keeps every run's summary. Runs one at a time; a run of the Wuhou district takes
about half a minute.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.core.district import TABLES, district_from_tables
from sim.core.scenario import load_district, load_scenario
from sim.experiments.stats import mean_ci, paired_difference
from sim.runs.runner import run

OUTCOMES = (
    "needs_met",
    "satisfaction_mean",
    "property_quality",
    "fee_collection",
    "shirking_share",
    "unserved_compounds",
    "oc_functioning_share",
    "firm_turnover_total",
    "absorption_rate",
    "disputes_escalated_per_1000",
)


def dropped(folder: Path, columns: list[str]):
    """The district in `folder` with `columns` of its compounds table left empty."""
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.is_file():
            tables[name] = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in columns:
        if column not in tables["compounds"]:
            sys.exit(f"error: --drop: {column!r} is not a column of {folder}/compounds.csv")
        tables["compounds"][column] = ""
    return district_from_tables(tables, source=f"{folder} without {', '.join(columns)}")


def value(summary: dict, residents: int, outcome: str) -> float:
    if outcome.endswith("_per_1000"):
        return summary[f"mean_{outcome.removesuffix('_per_1000')}"] / residents * 1000
    return summary[f"mean_{outcome}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--world", action="append", default=[], metavar="NAME=DIR")
    parser.add_argument("--drop", action="append", default=[], metavar="NAME=COL,COL")
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--outcome", action="append", default=None)
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    if scenario.district is None:
        sys.exit(f"error: {args.scenario}: the scenario names no [world] tables")
    worlds = {"as listed": scenario.district}
    for spec in args.world:
        name, _, folder = spec.partition("=")
        worlds[name] = load_district(folder)
    for spec in args.drop:
        name, _, columns = spec.partition("=")
        worlds[name] = dropped(scenario.world, columns.split(","))
    outcomes = args.outcome or list(OUTCOMES)
    steps = args.steps or scenario.steps
    seeds = range(1, args.seeds + 1)

    rows = []
    for name, district in worlds.items():
        for seed in seeds:
            r = run(scenario.params, seed, steps, district=district, timeline=scenario.timeline)
            row = {"world": name, "seed": seed, "residents": r.meta["residents"]}
            row.update({o: value(r.summary, r.meta["residents"], o) for o in outcomes})
            rows.append(row)
            print(f"{name} seed {seed}: {r.elapsed:.0f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    if args.csv is not None:
        table.to_csv(args.csv, index=False)

    base = table[table["world"] == "as listed"].set_index("seed")
    print(f"{scenario.name}: {len(seeds)} seeds, {steps} months, mean of the last 12 months")
    print("| outcome | world | mean | difference from as listed [95% CI] |")
    print("| --- | --- | ---: | --- |")
    for outcome in outcomes:
        for name in worlds:
            here = table[table["world"] == name].set_index("seed")
            mean = mean_ci(here[outcome]).mean
            if name == "as listed":
                print(f"| {outcome} | {name} | {mean:.3f} | |")
                continue
            d, _ = paired_difference(here.loc[seeds, outcome], base.loc[seeds, outcome])
            print(
                f"| {outcome} | {name} | {mean:.3f} | {d.mean:+.3f} [{d.low:+.3f}, {d.high:+.3f}] |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
