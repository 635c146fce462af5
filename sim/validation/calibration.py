"""Calibration of the baseline to stylised facts (pattern-oriented modelling).

The baseline scenario should reproduce five patterns of Chinese urban community governance
(the targets, `TARGETS`): owners' committees in 15-25% of compounds with a minority of them
functioning, property-fee collection of 85-95%, residents'-committee hours mostly taken by
administrative tasks, and about half of residents voting in residents'-committee elections.
A sixth pattern, 一肩挑 in about 15% of communities before the 2021 push and 95% or more
after, is an input (the lever `xa_one_shoulder`): it is reproduced by construction and only
reported.

Procedure, all in this module:

1. **Stage 1 (screening).** A Latin hypercube (`scipy.stats.qmc`) of `--samples` points over
   the search box of the free behavioural parameters (`FACTORS`; rates on a log scale), each
   run with the same `--seeds` seeds (common random numbers) on a reduced world
   (`REDUCED_WORLD`: 40% of the default district, per-organisation counts scaled alike). A
   standardised rank regression of every target on every parameter shows which parameters
   drive which target; blocks of parameters (`FACTORS`' `block`) linked by a coefficient
   above `LINK` in absolute value are merged into search groups (`linked_groups`).
2. **Stage 2 (recombination).** If the groups are separable, a parameter set meets all
   targets when each group's part meets that group's targets. For each group the stage-1
   points meeting its targets are collected; `--combinations` sets are formed by drawing one
   such point per group at random (the first: the calibrated set, step 3) and run jointly,
   which tests the separability on the full model.
3. **Choice and acceptance.** In each group the stage-1 point meeting the group's targets
   that best combines fit and centrality (`choose_in_group`) is chosen; the choices are
   joined and rounded to two significant digits (`choose`). A point of either stage is
   accepted when the seed means of all targets fall in their ranges; the accepted points'
   range of each parameter is its uncertainty.
4. **Verification.** The schema defaults (the baseline, into which the chosen values are
   written by hand in `sim/core/params.py`) run at the default world size over `--verify-seeds`
   fresh seeds, beside the previous hand-set values (`FIRST_GUESS`) and the baseline on the
   reduced world (same seeds: the world-size check); the realised 一肩挑 shares of the
   baseline and `scenarios/pre_reform.toml` are counted per seed.

    python -m sim.validation.calibration --out docs/validation --doc docs/VALIDATION.md

writes, into ``--out``, ``calibration_runs.csv`` (every search run, git-ignored),
``calibration_verification.csv`` (every verification run), ``calibration.png`` and
``calibration.md``, and with ``--doc`` replaces the block between the calibration markers.
``--verify-only`` reuses ``calibration_runs.csv`` and repeats only the verification;
``--resume`` reuses the stages already in it (the same designs and seeds).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from sim.core.params import defaults
from sim.core.scenario import load_scenario, scenario_dir
from sim.experiments.stats import Estimate, mean_ci
from sim.interfaces.cli import positive_int
from sim.validation import replace_block

__all__ = [
    "Target",
    "Factor",
    "TARGETS",
    "FACTORS",
    "BLOCKS",
    "REDUCED_WORLD",
    "FIRST_GUESS",
    "OUTCOME_KEYS",
    "Config",
    "target_values",
    "latin_hypercube",
    "run_design",
    "point_table",
    "accept",
    "distance",
    "sensitivity",
    "linked_groups",
    "group_accepted",
    "recombine",
    "choose",
    "round_significant",
    "one_shoulder_share",
    "verify",
    "plot_report",
    "markdown_report",
    "update_doc",
    "main",
]


@dataclass(frozen=True)
class Target:
    """A calibration target: a run statistic, its accepted range and where the range comes
    from. `block` names the group of parameters meant to drive it."""

    name: str
    label: str
    low: float
    high: float
    block: str
    source: str

    @property
    def centre(self) -> float:
        return (self.low + self.high) / 2

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        return bool(self.low <= value <= self.high)


TARGETS: tuple[Target, ...] = (
    Target(
        "oc_formed_share", "owners' committees formed (share of compounds)", 0.15, 0.25,
        "owners_committee",
        "stylised fact: reports and surveys of owners' committees in large Chinese cities "
        "under bottom-up formation put committees in roughly a fifth of compounds "
        "(generic description of that literature; no single survey table is cited)",
    ),
    Target(
        "oc_functioning_ratio", "functioning / formed owners' committees", 0.0, 0.5,
        "owners_committee",
        "stylised fact: case studies and surveys describe many formed committees as "
        "inactive, stalled or captured, so only a minority function well (generic)",
    ),
    Target(
        "fee_collection", "property-fee collection (share of owner households)", 0.85, 0.95,
        "property",
        "stylised fact: collection rates of about 85-95% are commonly reported by "
        "property-management firms and industry surveys (generic; not checked against one "
        "published table)",
    ),
    Target(
        "admin_burden_share", "RC staff hours on tasks and inspections", 0.6, 0.8, "burden",
        "stylised fact: studies of the administrative burden (行政化) of residents' "
        "committees report most committee time going to tasks assigned from above where "
        "there is no burden reduction; the range 0.6-0.8 is a judgement, not a measured share",
    ),
    Target(
        "election_turnout", "residents voting in an RC election", 0.4, 0.6, "participation",
        "stylised fact: reported turnout in residents'-committee elections varies with the "
        "election method and mobilisation; about half of residents is a central judgement "
        "(generic)",
    ),
)
"""The calibration targets, in the order of the report."""

BY_TARGET: dict[str, Target] = {t.name: t for t in TARGETS}

BLOCKS: dict[str, str] = {
    "owners_committee": "owners'-committee formation and health (ODD §7.7)",
    "property": "fees and firm effort (ODD §7.6)",
    "burden": "administrative burden (ODD §7.3)",
    "participation": "election mobilisation (ODD §7.10)",
}
"""Groups of parameters, each meant to drive its own targets (checked by `sensitivity`)."""


@dataclass(frozen=True)
class Factor:
    """A free parameter of the search: its search box (log scale for rates spanning an order
    of magnitude) and the block of targets it is meant to drive."""

    name: str
    low: float
    high: float
    block: str
    log: bool = False

    def scale(self, u: np.ndarray) -> np.ndarray:
        """Map unit-interval values onto the box."""
        u = np.asarray(u, dtype=float)
        if self.log:
            return self.low * (self.high / self.low) ** u
        return self.low + (self.high - self.low) * u

    def unit(self, x: np.ndarray) -> np.ndarray:
        """Inverse of `scale`."""
        x = np.asarray(x, dtype=float)
        if self.log:
            return np.log(x / self.low) / np.log(self.high / self.low)
        return (x - self.low) / (self.high - self.low)


FACTORS: tuple[Factor, ...] = (
    Factor("oc_attempt_rate", 0.002, 0.03, "owners_committee", log=True),
    Factor("assembly_turnout_base", 0.3, 0.7, "owners_committee"),
    Factor("assembly_turnout_sd", 0.05, 0.35, "owners_committee"),
    Factor("oc_stall_rate", 0.02, 0.2, "owners_committee", log=True),
    Factor("oc_revive_rate", 0.01, 0.15, "owners_committee", log=True),
    Factor("fee_tolerance_mean", 0.05, 0.35, "property"),
    Factor("firm_fee_responsiveness", 0.5, 1.0, "property"),
    Factor("admin_task_hours_per_1000", 100.0, 400.0, "burden"),
    Factor("inspections_per_month", 0.5, 6.0, "burden"),
    Factor("election_mobilisation", 0.4, 1.0, "participation"),
)
"""The stage-1 search box. Every range lies inside the schema's allowed range and spans the
values a modeller could defend: assemblies attempted every 3 to 40 years in a poorly served
compound; owners' turnout at an assembly of 30-70%; committees stalling within 5 to 50
months without support; fee tolerance well below and up to near the typical quality; firms'
fee responsiveness up to 1.0, so that a firm's unconstrained effort (responsiveness / (2 ×
`effort_cost`) ≤ 0.5) stays below the shirking threshold (`shirk_threshold` = 0.55) — above
it no firm would ever shirk and supervision by committees would have nothing to act on (ODD
§7.6); task hours from a third to more than all of the committee's staff hours; up to six
inspections a month."""

REDUCED_WORLD: dict[str, Any] = {"n_streets": 4, "n_firms": 10, "n_ngos": 8}
"""The search world: 4 of the default 10 streets, with firms and NGO slots scaled alike
(25 → 10, 20 → 8), so that every per-capita and per-organisation ratio is the default's."""

FIRST_GUESS: dict[str, Any] = {
    "oc_attempt_rate": 0.007, "assembly_turnout_base": 0.5, "assembly_turnout_sd": 0.2,
    "oc_stall_rate": 0.06, "oc_revive_rate": 0.05, "fee_tolerance_mean": 0.18,
    "firm_fee_responsiveness": 0.9, "admin_task_hours_per_1000": 230.0,
    "inspections_per_month": 2.0, "election_mobilisation": 0.9,
}
"""The hand-set values before this calibration, verified beside the calibrated baseline."""

OUTCOME_KEYS: tuple[str, ...] = (
    "oc_formed_share", "oc_functioning_share", "fee_collection", "admin_burden_share",
    "election_turnout", "participation_rate", "needs_met",
)
"""Run summaries kept for every run (means over the last 12 months)."""

LINK = 0.2
"""Blocks are searched together when a parameter of one has a standardised rank regression
coefficient above this (in absolute value) on a target of the other."""

DOC_BEGIN = "<!-- calibration:begin (written by python -m sim.validation.calibration) -->"
DOC_END = "<!-- calibration:end -->"

RUNS_CSV = "calibration_runs.csv"
VERIFY_CSV = "calibration_verification.csv"


@dataclass(frozen=True)
class Config:
    """Size of the calibration experiment."""

    samples: int = 256  # points of the stage-1 Latin hypercube
    combinations: int = 128  # parameter sets of stage 2
    seeds: int = 2  # seeds per search point
    verify_seeds: int = 10  # seeds of the verification at default size
    steps: int = 120  # months per run
    seed: int = 2021  # master seed

    def search_seeds(self) -> list[int]:
        return _seeds(self.seed, 0, self.seeds)

    def verification_seeds(self) -> list[int]:
        return _seeds(self.seed, 1, self.verify_seeds)


def _seeds(master: int, purpose: int, count: int) -> list[int]:
    ss = np.random.SeedSequence(master, spawn_key=(purpose,))
    return [int(x) for x in ss.generate_state(count, dtype=np.uint32)]


# --- targets ---------------------------------------------------------------------------------
def target_values(summary: dict[str, float]) -> dict[str, float]:
    """The target statistics of one run from its summary (`mean_<outcome>`: the last 12
    months). The functioning ratio is nan where no committee exists."""
    formed = summary["mean_oc_formed_share"]
    functioning = summary["mean_oc_functioning_share"]
    return {
        "oc_formed_share": formed,
        "oc_functioning_ratio": functioning / formed if formed > 0 else math.nan,
        "fee_collection": summary["mean_fee_collection"],
        "admin_burden_share": summary["mean_admin_burden_share"],
        "election_turnout": summary["mean_election_turnout"],
    }


def accept(values: dict[str, float] | pd.Series) -> bool:
    """True when every target value lies in its range (nan never does)."""
    return all(t.contains(float(values[t.name])) for t in TARGETS)


def distance(values: dict[str, float] | pd.Series) -> float:
    """Root mean square distance of the target values from the range centres, in
    half-widths (1 = on the edge of a range, on average)."""
    d = [(float(values[t.name]) - t.centre) / t.half_width for t in TARGETS]
    return float(np.sqrt(np.mean(np.square(d))))


# --- design and runs -------------------------------------------------------------------------
def latin_hypercube(factors: Sequence[Factor], n: int, seed: int) -> pd.DataFrame:
    """`n` points of a Latin hypercube over the factors' boxes (one column per factor)."""
    unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(n)
    return pd.DataFrame({f.name: f.scale(unit[:, j]) for j, f in enumerate(factors)})


def _run_one(task: tuple[dict[str, Any], int, int]) -> dict[str, float]:
    from sim.runs.runner import run

    params, seed, steps = task
    result = run(params, seed, steps, series_period=None)
    return {**{k: result.summary[f"mean_{k}"] for k in OUTCOME_KEYS},
            "run_seconds": result.elapsed}


def _pool_map(
    tasks: list[tuple[dict[str, Any], int, int]], workers: int, label: str
) -> list[dict[str, float]]:
    """Run the tasks (in this process when `workers` is 1); results in task order."""
    out: list[dict[str, float] | None] = [None] * len(tasks)
    start = time.perf_counter()

    def report(done: int) -> None:
        if done == len(tasks) or done % max(len(tasks) // 20, 1) == 0:
            print(f"{label}: {done}/{len(tasks)} runs, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)

    if workers <= 1:
        for i, task in enumerate(tasks):
            out[i] = _run_one(task)
            report(i + 1)
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(_run_one, task): i for i, task in enumerate(tasks)}
            for done, future in enumerate(as_completed(futures), start=1):
                out[futures[future]] = future.result()
                report(done)
    return [row for row in out if row is not None]


def run_design(
    design: pd.DataFrame,
    seeds: Sequence[int],
    *,
    stage: int,
    world: dict[str, Any] | None = None,
    steps: int = 120,
    workers: int = 1,
) -> pd.DataFrame:
    """Run every point of `design` (parameter columns) with every seed on `world`
    (default: `REDUCED_WORLD`); one row per run with the point's parameters, the outcomes
    and the target values."""
    world = REDUCED_WORLD if world is None else world
    tasks, rows = [], []
    for point, values in enumerate(design.to_dict("records")):
        for seed in seeds:
            tasks.append(({**values, **world}, int(seed), steps))
            rows.append({"stage": stage, "point": point, "seed": int(seed), **values})
    results = _pool_map(tasks, workers, f"stage {stage}")
    table = pd.DataFrame([{**row, **res} for row, res in zip(rows, results)])
    targets = pd.DataFrame([target_values({f"mean_{k}": r[k] for k in OUTCOME_KEYS})
                            for r in results])
    return pd.concat([table, targets.add_prefix("target_")], axis=1)


def point_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (stage, point): parameter values, seed means of the target values,
    whether the point is accepted and its distance from the range centres."""
    names = [f.name for f in FACTORS]
    cols = [f"target_{t.name}" for t in TARGETS]
    grouped = runs.groupby(["stage", "point"], sort=True)
    points = grouped[names].first().join(grouped[cols].mean())
    points.columns = [c.removeprefix("target_") for c in points.columns]
    points["accepted"] = points.apply(accept, axis=1)
    points["distance"] = points.apply(distance, axis=1)
    return points.reset_index()


def sensitivity(points: pd.DataFrame, factors: Sequence[Factor] = FACTORS) -> pd.DataFrame:
    """Standardised rank regression coefficients (SRRC) of each target on the factors over
    the points of a Latin hypercube, with the rank regression's R² (row `R2`) and the share
    of the explained variance that the target's own block accounts for (row `own_block`)."""
    names = [f.name for f in factors]
    x = np.column_stack([stats.rankdata(points[n]) for n in names])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    out: dict[str, list[float]] = {}
    for t in TARGETS:
        y_raw = points[t.name].to_numpy(dtype=float)
        keep = np.isfinite(y_raw)
        y = stats.rankdata(y_raw[keep])
        y = (y - y.mean()) / y.std()
        beta, *_ = np.linalg.lstsq(x[keep], y, rcond=None)
        fitted = x[keep] @ beta
        r2 = 1 - np.sum((y - fitted) ** 2) / np.sum(y**2)
        own = np.array([f.block == t.block for f in factors])
        share = float(np.sum(beta[own] ** 2) / np.sum(beta**2))
        out[t.name] = [*beta, float(r2), share]
    return pd.DataFrame(out, index=[*names, "R2", "own_block"])


def linked_groups(sens: pd.DataFrame, link: float = LINK) -> list[tuple[str, ...]]:
    """Search groups: the blocks of `BLOCKS`, merged where a parameter of one block has a
    coefficient above `link` (absolute) on a target of another (connected components)."""
    parent = {b: b for b in BLOCKS}

    def root(b: str) -> str:
        while parent[b] != b:
            b = parent[b]
        return b

    for f in FACTORS:
        for t in TARGETS:
            if f.block != t.block and abs(float(sens.loc[f.name, t.name])) > link:
                parent[root(f.block)] = root(t.block)
    groups: dict[str, list[str]] = {}
    for b in BLOCKS:
        groups.setdefault(root(b), []).append(b)
    return [tuple(g) for g in groups.values()]


def _group_targets(group: Sequence[str]) -> list[Target]:
    return [t for t in TARGETS if t.block in group]


def _group_factors(group: Sequence[str]) -> list[str]:
    return [f.name for f in FACTORS if f.block in group]


def group_accepted(points: pd.DataFrame, group: Sequence[str]) -> pd.DataFrame:
    """The points meeting every target of the group's blocks, nearest to those targets'
    range centres first (column `group_distance`)."""
    targets = _group_targets(group)
    met = np.ones(len(points), dtype=bool)
    for t in targets:
        met &= points[t.name].between(t.low, t.high).to_numpy()
    part = points[met].copy()
    d = np.column_stack([(part[t.name] - t.centre) / t.half_width for t in targets])
    part["group_distance"] = np.sqrt(np.mean(d**2, axis=1)) if len(part) else []
    return part.sort_values("group_distance", kind="stable")


def recombine(points: pd.DataFrame, groups: Sequence[Sequence[str]], n: int,
              seed: int) -> pd.DataFrame:
    """`n` parameter sets: the first is the calibrated choice (`choose`); each other joins
    one point per group drawn uniformly from the stage-1 points meeting that group's
    targets."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    parts = []
    for group in groups:
        ok = group_accepted(points, group)
        if ok.empty:
            names = ", ".join(t.name for t in _group_targets(group))
            raise ValueError(f"no stage-1 point met the targets {names}: widen the search box "
                             "or sample more")
        values = ok[_group_factors(group)].reset_index(drop=True)
        parts.append(values.iloc[rng.integers(0, len(values), size=n)].reset_index(drop=True))
    design = pd.concat(parts, axis=1)[[f.name for f in FACTORS]]
    design.iloc[0] = pd.Series(choose(points, groups))
    return design


def round_significant(value: float, digits: int = 2) -> float:
    """`value` rounded to `digits` significant digits."""
    return float(f"{value:.{digits}g}")


def choose_in_group(points: pd.DataFrame, group: Sequence[str]) -> pd.Series:
    """A group's choice among the stage-1 points meeting its targets: the point minimising
    the sum of its squared distance from the targets' range centres (in half-widths, the
    group distance) and its squared distance from the median of all those points (in the
    search box's unit coordinates, log scale for log factors) — a good fit in the middle of
    the accepted region, away from the box's edges along directions the targets do not
    identify, rather than the closest fit, which with few seeds mostly selects noise."""
    ok = group_accepted(points, group)
    if ok.empty:
        names = ", ".join(t.name for t in _group_targets(group))
        raise ValueError(f"no stage-1 point met the targets {names}: widen the search box "
                         "or sample more")
    by_name = {f.name: f for f in FACTORS}
    names = _group_factors(group)
    unit = np.column_stack([by_name[n].unit(ok[n].to_numpy()) for n in names])
    spread = np.sum((unit - np.median(unit, axis=0)) ** 2, axis=1)
    score = ok["group_distance"].to_numpy() ** 2 + spread
    return ok.iloc[int(np.argmin(score))][names]


def choose(points: pd.DataFrame, groups: Sequence[Sequence[str]]) -> dict[str, float]:
    """The calibrated set: each search group's choice (`choose_in_group`) among the stage-1
    points, joined and rounded to two significant digits."""
    points = points[points["stage"] == 1] if "stage" in points else points
    chosen: dict[str, float] = {}
    for group in groups:
        chosen.update({k: float(v) for k, v in choose_in_group(points, group).items()})
    return {f.name: round_significant(chosen[f.name]) for f in FACTORS}


def search(config: Config, workers: int, cached: pd.DataFrame | None = None,
           save: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """Stages 1 and 2 of the search; returns every run. Stages present in `cached` (runs of
    an earlier call with the same configuration) are reused; `save` gets the runs after
    each stage."""
    seeds = config.search_seeds()

    names = [f.name for f in FACTORS]

    def stage(k: int, design: pd.DataFrame) -> pd.DataFrame:
        if cached is not None:  # reuse only the very same design and seeds
            old = cached[cached["stage"] == k].sort_values(["point", "seed"])
            same = (len(old) == len(design) * len(seeds)
                    and sorted(old["seed"].unique()) == sorted(seeds))
            if same:
                firsts = old.groupby("point")[names].first().to_numpy()
                same = np.allclose(firsts, design[names].to_numpy(), rtol=1e-12, atol=0)
            if same:
                return old.reset_index(drop=True)
        return run_design(design, seeds, stage=k, steps=config.steps, workers=workers)

    runs1 = stage(1, latin_hypercube(FACTORS, config.samples, config.seed))
    if save is not None:
        save(runs1)
    points1 = point_table(runs1)
    groups = linked_groups(sensitivity(points1))
    runs2 = stage(2, recombine(points1, groups, config.combinations, config.seed))
    runs = pd.concat([runs1, runs2], ignore_index=True)
    if save is not None:
        save(runs)
    return runs


# --- verification ----------------------------------------------------------------------------
def one_shoulder_share(params: dict[str, Any], seed: int) -> float:
    """Realised share of communities with 一肩挑 in the model built from `params` and `seed`
    (fixed at construction: each community's fixed uniform compared with the lever)."""
    from sim.core.model import GovernanceModel

    model = GovernanceModel(rng=int(seed), **params)
    share = float(np.mean(model.communities.one_shoulder))
    model.remove_all_agents()
    return share


def _one_shoulder_task(task: tuple[dict[str, Any], int]) -> float:
    return one_shoulder_share(*task)


def verify(config: Config, workers: int) -> pd.DataFrame:
    """Verification runs, one row each: arm (`baseline`, `first_guess`), world (`default`,
    `reduced`), seed, outcomes, target values; plus rows of arm `one_shoulder` holding the
    realised 一肩挑 share of the baseline and pre-reform scenarios at default size."""
    seeds = config.verification_seeds()
    base = defaults()
    arms = [("baseline", "default", {}), ("first_guess", "default", FIRST_GUESS),
            ("baseline", "reduced", REDUCED_WORLD)]
    tasks, rows = [], []
    for arm, world, extra in arms:
        for seed in seeds:
            tasks.append(({**base, **extra}, seed, config.steps))
            rows.append({"arm": arm, "world": world, "seed": seed})
    results = _pool_map(tasks, workers, "verification")
    table = []
    for row, res in zip(rows, results):
        summary = {f"mean_{k}": v for k, v in res.items()}
        table.append({**row, **res, **{f"target_{k}": v
                                       for k, v in target_values(summary).items()}})
    pre = load_scenario(scenario_dir() / "pre_reform.toml").params
    shoulder_tasks = [(params, seed) for params in (base, pre) for seed in seeds]
    shoulder = _map_simple(_one_shoulder_task, shoulder_tasks, workers)
    for (params, seed), share in zip(shoulder_tasks, shoulder):
        scenario = "baseline" if params is base else "pre_reform"
        table.append({"arm": "one_shoulder", "world": "default", "seed": seed,
                      "scenario": scenario, "lever": params["xa_one_shoulder"],
                      "one_shoulder_share": share})
    return pd.DataFrame(table)


def _map_simple(fn: Callable[[Any], float], tasks: list, workers: int) -> list[float]:
    if workers <= 1:
        return [fn(t) for t in tasks]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(fn, tasks))


def _estimate(values: pd.Series) -> Estimate:
    return mean_ci(values.to_numpy(dtype=float))


def _arm(verification: pd.DataFrame, arm: str, world: str) -> pd.DataFrame:
    return verification[(verification["arm"] == arm) & (verification["world"] == world)]


# --- report ----------------------------------------------------------------------------------
def _fmt(x: float, digits: int = 3) -> str:
    return "nan" if not np.isfinite(x) else f"{x:.{digits}f}"


def _fmt_ci(e: Estimate, digits: int = 3) -> str:
    return f"{_fmt(e.mean, digits)} [{_fmt(e.low, digits)}, {_fmt(e.high, digits)}]"


def _fmt_value(x: float) -> str:
    return f"{x:.4g}"


def plot_report(points: pd.DataFrame, verification: pd.DataFrame, path: Path) -> None:
    """One panel per target: the target range as a band, the search points' seed means on
    the reduced world (grey: rejected, blue: accepted), and the verification means with 95%
    confidence intervals (first guess and calibrated baseline at default size, baseline on
    the reduced world); a last panel with the realised 一肩挑 shares."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(12, 7.2))
    rng = np.random.default_rng(0)
    arms = [("first_guess", "default", "first guess, default size", "#999999"),
            ("baseline", "default", "calibrated, default size", "#000000"),
            ("baseline", "reduced", "calibrated, reduced world", "#1f77b4")]
    for ax, t in zip(axes.flat, TARGETS):
        ax.axhspan(t.low, t.high, color="#2ca02c", alpha=0.15, label="target range")
        for accepted, colour, size in ((False, "#bbbbbb", 4), (True, "#1f77b4", 8)):
            y = points.loc[points["accepted"] == accepted, t.name]
            ax.scatter(rng.uniform(-0.3, 0.3, len(y)), y, s=size, color=colour, alpha=0.6,
                       label="search point, accepted" if accepted else "search point")
        for k, (arm, world, label, colour) in enumerate(arms):
            e = _estimate(_arm(verification, arm, world)[f"target_{t.name}"])
            ax.errorbar(1 + 0.4 * k, e.mean, yerr=[[e.mean - e.low], [e.high - e.mean]],
                        fmt="o", color=colour, capsize=3, label=label)
        ax.set_xticks([0, 1.4], ["search", "verification"])
        ax.set_xlim(-0.6, 2.4)
        ax.set_title(t.label, fontsize=9)
    ax = axes.flat[len(TARGETS)]
    shoulder = verification[verification["arm"] == "one_shoulder"]
    for k, (scenario, target) in enumerate((("pre_reform", 0.15), ("baseline", 0.95))):
        e = _estimate(shoulder.loc[shoulder["scenario"] == scenario, "one_shoulder_share"])
        ax.errorbar(k, e.mean, yerr=[[e.mean - e.low], [e.high - e.mean]], fmt="o",
                    color="#000000", capsize=3)
        ax.plot([k - 0.25, k + 0.25], [target, target], color="#2ca02c", lw=3, alpha=0.6)
    ax.set_xticks([0, 1], ["pre-reform", "baseline"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(0, 1.05)
    ax.set_title("party secretary also RC director: share (an input)", fontsize=9)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def markdown_report(
    runs: pd.DataFrame,
    verification: pd.DataFrame,
    config: Config,
    elapsed: dict[str, float] | None = None,
) -> str:
    """The calibration section's generated block: search, sensitivity, accepted set,
    calibrated parameters and the verification tables."""
    points = point_table(runs)
    stage1 = points[points["stage"] == 1]
    groups = linked_groups(sensitivity(stage1))
    chosen = choose(stage1, groups)
    accepted = points[points["accepted"]]
    base = defaults()
    seeds_v = config.verify_seeds
    lines: list[str] = []
    n_runs = len(runs)
    when = f", {runs['run_seconds'].sum() / 3600:.1f} hours of run time in all"
    if elapsed and elapsed.get("search"):
        when += f" ({elapsed['search'] / 60:.0f} minutes on the clock, two workers)"
    n1, n2 = (int((points["stage"] == k).sum()) for k in (1, 2))
    lines += [
        f"Search: a Latin hypercube of {n1} points over {len(FACTORS)} parameters (stage 1) "
        f"and {n2} recombined parameter sets (stage 2), {config.seeds} seeds per point (the "
        f"same seeds at every point), {config.steps} months per run, on the reduced world "
        f"({_world_text(REDUCED_WORLD)}); {n_runs} runs{when}. Master seed {config.seed}.",
        "",
        "### Targets and sources",
        "",
        "| target | statistic (mean over the last 12 months) | range | source |",
        "|---|---|---|---|",
    ]
    for t in TARGETS:
        lines.append(f"| {t.label} | `{t.name}` | {t.low:g}–{t.high:g} | {t.source} |")
    lines.append(
        "| 一肩挑 before / after the 2021 push | share of communities with "
        "`one_shoulder` | ≈ 0.15 / ≥ 0.95 | input: the lever `xa_one_shoulder` (0.15 in "
        "`scenarios/pre_reform.toml`, the schema default in the baseline; the schema gives "
        "the source of the post-2021 share; the pre-reform share is the project's "
        "stylised assumption) — reproduced by construction, not an emergent result |"
    )

    # sensitivity
    sens = sensitivity(stage1)
    lines += [
        "",
        "### Which parameters drive which target (stage 1)",
        "",
        f"Standardised rank regression coefficients of each target on each parameter over "
        f"the {len(stage1)} stage-1 points (seed means); `R²` of the rank regression; "
        "`own block`: share of the explained variance due to the parameters of the target's "
        "own block. Bold: the target's own block.",
        "",
        "| parameter | block | " + " | ".join(f"`{t.name}`" for t in TARGETS) + " |",
        "|---|---|" + "---:|" * len(TARGETS),
    ]
    for f in FACTORS:
        cells = []
        for t in TARGETS:
            v = _fmt(float(sens.loc[f.name, t.name]), 2)
            cells.append(f"**{v}**" if f.block == t.block else v)
        lines.append(f"| `{f.name}` | {f.block} | " + " | ".join(cells) + " |")
    lines.append("| R² | | " + " | ".join(_fmt(float(sens.loc["R2", t.name]), 2)
                                         for t in TARGETS) + " |")
    lines.append("| own block | | " + " | ".join(
        _fmt(float(sens.loc["own_block", t.name]), 2) for t in TARGETS) + " |")
    groups = linked_groups(sens)
    lines += ["", _separability_text(sens, groups)]

    # block acceptance in stage 1, joint acceptance per stage
    lines += ["", "### Acceptance", "",
              "Stage-1 points meeting the targets of each search group (whatever the other "
              "parameters), and the points of each stage meeting all targets at once.", "",
              "| search group | its targets | stage-1 points meeting them |", "|---|---|---:|"]
    for group in groups:
        names = ", ".join(f"`{t.name}`" for t in _group_targets(group))
        lines.append(f"| {' + '.join(group)} | {names} | "
                     f"{len(group_accepted(stage1, group))} of {len(stage1)} |")
    lines += ["", "| stage | points | " + " | ".join(f"`{t.name}`" for t in TARGETS)
              + " | all targets |",
              "|---|---:|" + "---:|" * (len(TARGETS) + 1)]
    for stage, part in points.groupby("stage"):
        cells = [str(int(part[t.name].between(t.low, t.high).sum())) for t in TARGETS]
        lines.append(f"| {stage} | {len(part)} | " + " | ".join(cells)
                     + f" | {int(part['accepted'].sum())} |")
    stage2 = points[points["stage"] == 2]
    if len(stage2):
        lines += ["", f"{stage2['accepted'].mean():.0%} of the recombined sets of stage 2 meet "
                  "all targets; a recombined set that fails does so on a target near its "
                  "range's edge, where two seeds of the reduced world cannot decide, or "
                  "through the remaining interactions between groups."]

    # calibrated parameters
    names_block = {f.name: f.block for f in FACTORS}
    box1 = {f.name: f for f in FACTORS}
    drives = {b: ", ".join(f"`{t.name}`" for t in TARGETS if t.block == b) for b in BLOCKS}
    lines += [
        "",
        "### Calibrated parameters",
        "",
        "The calibrated set joins each search group's choice among the stage-1 points "
        "meeting that group's targets: the point minimising the sum of its squared distance "
        "from the targets' range centres (in half-widths) and its squared distance from the "
        "median of those points (in the search box's unit coordinates), rounded to two "
        "significant digits. It is a good fit in the middle of the accepted region rather "
        "than the single closest fit, which with two seeds per point mostly selects noise "
        "and may lie on the edge of the box. It is the first set of stage 2, run jointly: "
        + _chosen_text(points) + " Uncertainty: the range of each parameter over all "
        f"{len(accepted)} accepted points of both stages — the targets do not pin it down "
        "more closely; within these ranges the parameters are not independent (below).",
        "",
        "| parameter | first guess | calibrated | schema default | accepted range | "
        "search box | target(s) |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for name in chosen:
        f1 = box1[name]
        acc = accepted[name]
        scale = " (log)" if f1.log else ""
        lines.append(
            f"| `{name}` | {_fmt_value(FIRST_GUESS[name])} | {_fmt_value(chosen[name])} | "
            f"{_fmt_value(base[name])} | {_fmt_value(acc.min())}–{_fmt_value(acc.max())} | "
            f"{_fmt_value(f1.low)}–{_fmt_value(f1.high)}{scale} | {drives[names_block[name]]} |"
        )
    lines += ["", _tradeoff_text(stage1, groups)]
    differs = [n for n in chosen if not math.isclose(chosen[n], float(base[n]))]
    if differs:
        lines += ["", "**The schema defaults differ from the chosen set for "
                  + ", ".join(f"`{n}`" for n in differs)
                  + "; the verification below is of the schema defaults.**"]
    else:
        lines += ["", "The schema defaults (`sim/core/params.py`, `scenarios/baseline.toml`) are "
                  "the chosen set: the verification below is of the baseline as shipped."]

    # verification
    lines += [
        "",
        "### Verification at default size",
        "",
        f"The baseline (schema defaults) and the first guess at the default world size, "
        f"{seeds_v} fresh seeds each (none used in the search), {config.steps} months; mean "
        "and 95% t-interval over seeds. Last columns: the baseline on the reduced world with "
        "the same seeds, and the difference reduced − default with its 95% Welch interval "
        "(the world-size check).",
        "",
        "| target | range | first guess | calibrated baseline | in range | reduced world | "
        "reduced − default |",
        "|---|---|---:|---:|:---:|---:|---:|",
    ]
    for t in TARGETS:
        col = f"target_{t.name}"
        guess = _estimate(_arm(verification, "first_guess", "default")[col])
        cal = _estimate(_arm(verification, "baseline", "default")[col])
        red_values = _arm(verification, "baseline", "reduced")[col]
        red = _estimate(red_values)
        diff = _welch(red_values, _arm(verification, "baseline", "default")[col])
        inside = "yes" if t.contains(cal.mean) else "**no**"
        if inside == "yes" and not (t.low <= cal.low and cal.high <= t.high):
            inside = "yes (CI overlaps an edge)"
        lines.append(
            f"| {t.label} | {t.low:g}–{t.high:g} | {_fmt_ci(guess)} | {_fmt_ci(cal)} | "
            f"{inside} | {_fmt_ci(red)} | {_fmt_ci(diff)} |"
        )
    centre_distance = {
        (arm, world): distance({t.name: float(_arm(verification, arm, world)[f"target_{t.name}"].mean())
                       for t in TARGETS})
        for arm, world in (("first_guess", "default"), ("baseline", "default"),
                           ("baseline", "reduced"))
    }
    lines.append(
        f"| distance of the means from the range centres (RMS, half-widths) | – | "
        f"{_fmt(centre_distance['first_guess', 'default'], 2)} | "
        f"{_fmt(centre_distance['baseline', 'default'], 2)} | – | "
        f"{_fmt(centre_distance['baseline', 'reduced'], 2)} | – |"
    )
    extra = [("participation_rate", "residents participating (not a target)"),
             ("needs_met", "need hours met (not a target)")]
    for key, label in extra:
        guess = _estimate(_arm(verification, "first_guess", "default")[key])
        cal = _estimate(_arm(verification, "baseline", "default")[key])
        red_values = _arm(verification, "baseline", "reduced")[key]
        diff = _welch(red_values, _arm(verification, "baseline", "default")[key])
        lines.append(f"| {label} | – | {_fmt_ci(guess)} | {_fmt_ci(cal)} | – | "
                     f"{_fmt_ci(_estimate(red_values))} | {_fmt_ci(diff)} |")

    lines += ["", _world_size_text(verification)]

    shoulder = verification[verification["arm"] == "one_shoulder"]
    lines += [
        "",
        "### 一肩挑 (input, reproduced by construction)",
        "",
        f"Realised share of communities whose party secretary is also residents'-committee "
        f"director, at default size over the same {seeds_v} seeds (mean and 95% t-interval "
        "over seeds). Each community compares a fixed uniform number with the lever, so the "
        "realised share scatters binomially around the lever; it is not an outcome of the "
        "model's dynamics.",
        "",
        "| scenario | lever `xa_one_shoulder` | target | realised share |",
        "|---|---:|---|---:|",
    ]
    for scenario, target in (("pre_reform", "≈ 0.15"), ("baseline", "≥ 0.95")):
        part = shoulder[shoulder["scenario"] == scenario]
        lines.append(f"| `{scenario}` | {float(part['lever'].iloc[0]):g} | {target} | "
                     f"{_fmt_ci(_estimate(part['one_shoulder_share']))} |")
    contained = []
    for scenario in ("pre_reform", "baseline"):
        part = shoulder[shoulder["scenario"] == scenario]
        e, lever = _estimate(part["one_shoulder_share"]), float(part["lever"].iloc[0])
        contained.append(e.low <= lever <= e.high)
    if all(contained):
        lines += ["", "Both intervals contain their lever: the realised shares are the inputs "
                  "up to the binomial scatter of a finite number of communities (so a realised "
                  "share can fall just below a lever of 0.95)."]
    else:
        lines += ["", "**A realised share's interval misses its lever.**"]
    if elapsed and elapsed.get("verify"):
        lines += ["", f"The verification took {elapsed['verify'] / 60:.1f} minutes on the "
                  "clock."]
    return "\n".join(lines) + "\n"


def _world_size_text(verification: pd.DataFrame) -> str:
    """The world-size check in words: the largest difference between the reduced and the
    default world relative to its target's half-width, and how many intervals exclude 0."""
    diffs = []
    for t in TARGETS:
        col = f"target_{t.name}"
        d = _welch(_arm(verification, "baseline", "reduced")[col],
                   _arm(verification, "baseline", "default")[col])
        diffs.append((abs(d.mean) / t.half_width, t, d))
    share, t, d = max(diffs, key=lambda x: x[0])
    excluding = [x[1].name for x in diffs if x[2].excludes_zero()]
    text = (f"World-size check: the largest difference between the reduced and the default "
            f"world is {d.mean:+.3f} for `{t.name}`, {share:.0%} of its range's half-width. ")
    if excluding:
        verb = "excludes" if len(excluding) == 1 else "exclude"
        text += (f"{len(excluding)} of {len(TARGETS)} intervals {verb} zero ("
                 + ", ".join(f"`{n}`" for n in excluding) + "): the reduced world is not "
                 "identical to the default one, but its differences are small against the "
                 "target ranges, so it serves for the search and the fast test; the "
                 "calibration is judged at default size.")
    else:
        text += (f"No interval of the {len(TARGETS)} differences excludes zero: the targets "
                 "do not detectably depend on the world's size, so the reduced world serves "
                 "for the search and the fast test.")
    return text


def _chosen_text(points: pd.DataFrame) -> str:
    """How the calibrated set fared in its joint run of stage 2."""
    first = points[(points["stage"] == 2) & (points["point"] == 0)]
    if first.empty:
        return "(no stage 2 yet)."
    row = first.iloc[0]
    values = ", ".join(f"`{t.name}` {_fmt(float(row[t.name]))}" for t in TARGETS)
    verdict = "meets all targets" if bool(row["accepted"]) else "**misses a target**"
    return f"on the reduced world it {verdict} ({values})."


def _tradeoff_text(stage1: pd.DataFrame, groups: Sequence[Sequence[str]],
                   threshold: float = 0.4) -> str:
    """The trade-offs the targets leave open: Spearman correlations of at least
    `threshold` (absolute) between parameters over the stage-1 points meeting a group's
    targets."""
    pairs = []
    for group in groups:
        ok = group_accepted(stage1, group)
        names = _group_factors(group)
        if len(ok) < 3 or len(names) < 2:
            continue
        rho = ok[names].corr(method="spearman")
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if abs(rho.loc[a, b]) >= threshold:
                    pairs.append(f"`{a}` and `{b}` (ρ = {rho.loc[a, b]:+.2f} over "
                                 f"{len(ok)} points)")
    if not pairs:
        return ("No two parameters of a group correlate strongly among the points meeting "
                "the group's targets.")
    return ("What the targets identify are combinations, not single values: among the "
            "stage-1 points meeting a group's targets, " + "; ".join(pairs) + " trade off "
            "against each other (Spearman correlations of at least "
            f"{threshold:g} in absolute value). A sensitivity analysis of the baseline should "
            "vary the calibrated parameters along these trade-offs, within the accepted "
            "ranges.")


def _separability_text(sens: pd.DataFrame, groups: Sequence[Sequence[str]]) -> str:
    """Sentences on how far each target depends on its own block, and the search groups."""
    own = sens.loc["own_block"]
    names = [f.name for f in FACTORS]
    block = {f.name: f.block for f in FACTORS}
    cross = [(abs(float(sens.loc[n, t.name])), n, t.name) for t in TARGETS for n in names
             if block[n] != t.block]
    size, name, target = max(cross)
    text = (f"The own block accounts for {own.min():.0%} (`{own.idxmin()}`) to "
            f"{own.max():.0%} (`{own.idxmax()}`) of each target's explained rank variance; "
            f"the largest coefficient outside a target's own block is that of `{name}` on "
            f"`{target}` ({float(sens.loc[name, target]):+.2f}).")
    linked = [g for g in groups if len(g) > 1]
    if linked:
        text += (" Blocks linked by a coefficient above "
                 f"{LINK:g} are searched together: "
                 + "; ".join(" + ".join(g) for g in linked) + ".")
    rest = [(size_, n, t) for size_, n, t in cross
            if not any(block[n] in g and BY_TARGET[t].block in g for g in groups)]
    if rest:
        largest = max(rest)
        text += (f" Between the resulting search groups no coefficient exceeds "
                 f"{largest[0]:.2f} (`{largest[1]}` on `{largest[2]}`): the groups are "
                 "separable, so each group's targets can be met by its own parameters, which "
                 "stage 2 exploits and tests.")
    return text


def _welch(a: pd.Series, b: pd.Series) -> Estimate:
    """Difference of means a − b with a 95% Welch interval."""
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    diff = float(x.mean() - y.mean())
    se = math.sqrt(vx + vy)
    if se == 0:
        return Estimate(diff, diff, diff, x.size + y.size)
    dof = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    half = float(stats.t.ppf(0.975, dof) * se)
    return Estimate(diff, diff - half, diff + half, x.size + y.size)


def _world_text(world: dict[str, Any]) -> str:
    base = defaults()
    return ", ".join(f"`{k}` = {v} instead of {base[k]}" for k, v in world.items())


def update_doc(doc: Path, block: str) -> None:
    """Replace the text between the calibration markers of ``doc`` with ``block``."""
    replace_block(doc, DOC_BEGIN, DOC_END, block)


# --- command line ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    d = Config()
    p = argparse.ArgumentParser(
        prog="python -m sim.validation.calibration",
        description="Calibrate the baseline to stylised facts (owners' committees, fees, "
        "administrative burden, election turnout) and verify it at default size.",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--doc", type=Path, default=None,
                   help="also write the report into this Markdown file between its markers")
    p.add_argument("--samples", type=positive_int, default=d.samples,
                   help="points of the stage-1 Latin hypercube")
    p.add_argument("--combinations", type=positive_int, default=d.combinations,
                   help="recombined parameter sets of stage 2")
    p.add_argument("--seeds", type=positive_int, default=d.seeds,
                   help="seeds per search point")
    p.add_argument("--verify-seeds", type=positive_int, default=d.verify_seeds,
                   help="seeds of the verification at default size")
    p.add_argument("--steps", type=positive_int, default=d.steps, help="months per run")
    p.add_argument("--seed", type=int, default=d.seed, help="master seed")
    p.add_argument("--workers", type=positive_int,
                   default=min(2, len(os.sched_getaffinity(0))),
                   help="worker processes (1: run in this process)")
    p.add_argument("--verify-only", action="store_true",
                   help=f"reuse the search runs in OUT/{RUNS_CSV}; repeat the verification")
    p.add_argument("--resume", action="store_true",
                   help=f"reuse the search stages already in OUT/{RUNS_CSV}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2 for bad arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.doc is not None and not args.doc.is_file():
        parser.error(f"--doc {args.doc}: no such file")
    runs_path = args.out / RUNS_CSV
    if args.verify_only and not runs_path.is_file():
        parser.error(f"--verify-only needs the search runs in {runs_path}")
    config = Config(samples=args.samples, combinations=args.combinations, seeds=args.seeds,
                    verify_seeds=args.verify_seeds, steps=args.steps, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    elapsed: dict[str, float] = {}

    if args.verify_only:
        runs = pd.read_csv(runs_path)
        config = Config(samples=int((point_table(runs)["stage"] == 1).sum()),
                        combinations=int((point_table(runs)["stage"] == 2).sum()),
                        seeds=int(runs["seed"].nunique()), verify_seeds=args.verify_seeds,
                        steps=args.steps, seed=args.seed)
    else:
        cached = None
        if args.resume and runs_path.is_file():
            cached = pd.read_csv(runs_path)
            if sorted(cached["seed"].unique()) != sorted(config.search_seeds()):
                parser.error(f"--resume: {runs_path} was made with other seeds")
        start = time.perf_counter()
        runs = search(config, args.workers, cached,
                      save=lambda r: r.to_csv(runs_path, index=False))
        elapsed["search"] = time.perf_counter() - start
    points = point_table(runs)
    print(f"search: {int(points['accepted'].sum())} of {len(points)} points accepted; "
          f"chosen {choose(points, linked_groups(sensitivity(points[points['stage'] == 1])))}",
          file=sys.stderr)

    start = time.perf_counter()
    verification = verify(config, args.workers)
    elapsed["verify"] = time.perf_counter() - start
    # run times vary from call to call; the kept file holds results only
    verification.drop(columns="run_seconds").to_csv(args.out / VERIFY_CSV, index=False)
    plot_report(points, verification, args.out / "calibration.png")
    report = markdown_report(runs, verification, config, elapsed)
    (args.out / "calibration.md").write_text(report, encoding="utf-8")
    if args.doc is not None:
        update_doc(args.doc, report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
