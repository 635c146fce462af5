"""Public goods on graphs: reproduction of Santos, Santos & Pacheco (2008) (ODD §7.10).

Runs the pure mode of the participation core (:mod:`sim.core.mechanisms.participation`) over a grid
of normalised enhancement factors ``eta = r / (z + 1)`` for three cases - random regular graph
with cost per game, Barabasi-Albert graph with cost per game, Barabasi-Albert graph with cost
per individual - and writes, into ``--out``:

* ``public_goods_runs.csv``: one row per run (tidy);
* ``public_goods.png``: mean fraction of cooperators against eta with 95% confidence bands;
* ``public_goods.md``: the same as a Markdown table, with the critical eta of each case.

    python -m sim.validation.public_goods --out docs/validation

Each run draws a new graph and new initial strategies. Seeds come from one master seed through
``numpy.random.SeedSequence`` with spawn keys naming what they seed, so a run's result does not
depend on the grid, on the number of workers or on the order of execution: run ``j`` of a
graph family uses the same graph at every eta and under both cost rules (paired design), and
the dynamics of (case, eta, run) get their own stream.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from sim.core.mechanisms.participation import simulate_public_goods_game
from sim.interfaces.cli import non_negative_int, positive_int
from sim.validation import check_doc, replace_block

__all__ = [
    "CASES",
    "GRAPH_KINDS",
    "Case",
    "Config",
    "Task",
    "eta_grid",
    "make_graph",
    "make_tasks",
    "run_task",
    "run_experiment",
    "summarise",
    "critical_eta",
    "plot_summary",
    "markdown_report",
    "update_doc",
    "main",
]

GRAPH_KINDS: tuple[str, ...] = ("regular", "scale_free")


@dataclass(frozen=True)
class Case:
    """One curve of the figure: a graph family and a cost rule."""

    name: str
    graph: str
    cost_rule: str
    label: str


CASES: tuple[Case, ...] = (
    Case("regular_per_game", "regular", "per_game", "Regular graph, cost per game"),
    Case("ba_per_game", "scale_free", "per_game", "Scale-free (BA), cost per game"),
    Case(
        "ba_per_individual", "scale_free", "per_individual", "Scale-free (BA), cost per individual"
    ),
)

HUB_ETA = 0.8  # the hub table covers scale-free runs with eta >= HUB_ETA

DOC_BEGIN = "<!-- public_goods:begin (written by python -m sim.validation.public_goods) -->"
DOC_END = "<!-- public_goods:end -->"


@dataclass(frozen=True)
class Config:
    """Size of the experiment. The paper: n=1000, z=4, transient 1e5, window 2000."""

    n: int = 1000
    z: int = 4
    runs: int = 80
    transient: int = 2000
    generations: int = 1000
    seed: int = 2008
    eta_min: float = 0.2
    eta_max: float = 1.2
    eta_step: float = 0.05

    def etas(self) -> np.ndarray:
        return eta_grid(self.eta_min, self.eta_max, self.eta_step)


@dataclass(frozen=True)
class Task:
    """One run: a case at one eta, with its run index (which fixes its graph)."""

    case: Case
    eta: float
    run: int
    n: int
    z: int
    transient: int
    generations: int
    seed: int


def eta_grid(eta_min: float, eta_max: float, eta_step: float) -> np.ndarray:
    """Inclusive grid ``eta_min, eta_min + step, ..., eta_max`` rounded to 4 decimals."""
    if eta_step <= 0 or eta_max < eta_min or eta_min < 0:
        raise ValueError("need 0 <= eta_min <= eta_max and eta_step > 0")
    count = int(math.floor((eta_max - eta_min) / eta_step + 1e-9)) + 1
    return np.round(eta_min + eta_step * np.arange(count), 4)


def make_graph(kind: str, n: int, z: int, seed: int) -> sp.csr_array:
    """Random regular graph of degree ``z`` or Barabasi-Albert graph with ``m = z/2``."""
    if kind == "regular":
        graph = nx.random_regular_graph(z, n, seed=seed)
    elif kind == "scale_free":
        if z % 2:
            raise ValueError(f"a Barabasi-Albert graph needs an even mean degree, got z={z}")
        graph = nx.barabasi_albert_graph(n, z // 2, seed=seed)
    else:
        raise ValueError(f"unknown graph kind {kind!r}: expected one of {GRAPH_KINDS}")
    adj = nx.to_scipy_sparse_array(graph, nodelist=range(n), format="csr", dtype=np.float64)
    adj.sort_indices()
    return adj


def _graph_seed(seed: int, kind: str, run: int) -> int:
    ss = np.random.SeedSequence(seed, spawn_key=(0, GRAPH_KINDS.index(kind), run))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def _dynamics_seed(seed: int, case: Case, eta: float, run: int) -> np.random.SeedSequence:
    case_index = [c.name for c in CASES].index(case.name)
    return np.random.SeedSequence(seed, spawn_key=(1, case_index, int(round(eta * 10_000)), run))


def make_tasks(config: Config, cases: Sequence[Case] = CASES) -> list[Task]:
    """All runs of the experiment, ordered by case, eta, run."""
    return [
        Task(
            case,
            float(eta),
            run,
            config.n,
            config.z,
            config.transient,
            config.generations,
            config.seed,
        )
        for case in cases
        for eta in config.etas()
        for run in range(config.runs)
    ]


def run_task(task: Task) -> dict:
    """Run one task and return its CSV row."""
    graph_seed = _graph_seed(task.seed, task.case.graph, task.run)
    adj = make_graph(task.case.graph, task.n, task.z, graph_seed)
    rng = np.random.default_rng(_dynamics_seed(task.seed, task.case, task.eta, task.run))
    result = simulate_public_goods_game(
        adj, task.eta, task.case.cost_rule, task.generations, task.transient, rng
    )
    degree = np.diff(adj.indptr)
    hub = int(np.argmax(degree))
    mean_degree = adj.nnz / task.n
    return {
        "case": task.case.name,
        "graph": task.case.graph,
        "cost_rule": task.case.cost_rule,
        "eta": task.eta,
        "r": task.eta * (mean_degree + 1.0),
        "run": task.run,
        "n": task.n,
        "mean_degree": mean_degree,
        "hub_degree": int(degree[hub]),
        "hub_cooperates": bool(result.strategies[hub]),
        "graph_seed": graph_seed,
        "master_seed": task.seed,
        "transient": task.transient,
        "generations": task.generations,
        "generations_run": result.generations_run,
        "fixated": result.fixated,
        "final_cooperation": result.final_cooperation,
        "mean_cooperation": result.mean_cooperation,
    }


def run_experiment(
    config: Config, workers: int = 1, cases: Sequence[Case] = CASES, progress: bool = False
) -> pd.DataFrame:
    """Run every task, in this process (``workers=1``) or over a pool of processes."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    tasks = make_tasks(config, cases)
    rows: list[dict] = []
    step = max(1, len(tasks) // 10)

    def report(i: int) -> None:
        if progress and (i % step == 0 or i == len(tasks)):
            print(f"  {i}/{len(tasks)} runs", file=sys.stderr, flush=True)

    if workers == 1:
        for i, task in enumerate(tasks, 1):
            rows.append(run_task(task))
            report(i)
    else:
        chunk = max(1, len(tasks) // (workers * 40))
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for i, row in enumerate(pool.map(run_task, tasks, chunksize=chunk), 1):
                rows.append(row)
                report(i)
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean fraction of cooperators per (case, eta) with a 95% t-interval clipped to [0, 1]."""
    grouped = runs.groupby(["case", "eta"], sort=False)["mean_cooperation"]
    out = grouped.agg(runs="count", mean="mean", sd="std").reset_index()
    out["fixated_share"] = runs.groupby(["case", "eta"], sort=False)["fixated"].mean().values
    half = stats.t.ppf(0.975, np.maximum(out["runs"] - 1, 1)) * out["sd"] / np.sqrt(out["runs"])
    half = half.fillna(0.0)
    out["ci_low"] = (out["mean"] - half).clip(0.0, 1.0)
    out["ci_high"] = (out["mean"] + half).clip(0.0, 1.0)
    return out


def critical_eta(summary: pd.DataFrame, level: float = 0.5) -> dict[str, float]:
    """Per case, the smallest eta at which the mean fraction of cooperators reaches ``level``.

    Linear interpolation between the two grid points that bracket the first crossing; NaN if
    the curve never reaches ``level``, the first grid point if it starts above it.
    """
    out: dict[str, float] = {}
    for name, part in summary.groupby("case", sort=False):
        part = part.sort_values("eta")
        eta, mean = part["eta"].to_numpy(), part["mean"].to_numpy()
        above = np.flatnonzero(mean >= level)
        if above.size == 0:
            out[name] = math.nan
        elif above[0] == 0:
            out[name] = float(eta[0])
        else:
            i = above[0]
            frac = (level - mean[i - 1]) / (mean[i] - mean[i - 1])
            out[name] = float(eta[i - 1] + frac * (eta[i] - eta[i - 1]))
    return out


def plot_summary(summary: pd.DataFrame, config: Config, path: Path) -> None:
    """Fraction of cooperators against eta, mean and 95% band, one curve per case."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for case, colour, marker in zip(CASES, ("tab:blue", "tab:orange", "tab:red"), "osD"):
        part = summary[summary["case"] == case.name].sort_values("eta")
        if part.empty:
            continue
        ax.plot(part["eta"], part["mean"], marker=marker, ms=4, color=colour, label=case.label)
        ax.fill_between(part["eta"], part["ci_low"], part["ci_high"], color=colour, alpha=0.2)
    ax.set_xlabel(r"normalised enhancement factor $\eta = r/(z+1)$")
    ax.set_ylabel("fraction of cooperators")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(
        f"Public goods on graphs: N={config.n}, z={config.z}, {config.runs} runs per point,\n"
        f"mean over {config.generations} generations after {config.transient} (95% CI)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def _fmt_eta(value: float, eta_max: float) -> str:
    return f"> {eta_max:g}" if math.isnan(value) else f"{value:.3f}"


def markdown_report(summary: pd.DataFrame, config: Config, runs: pd.DataFrame | None = None) -> str:
    """Markdown: parameters, mean [95% CI] per eta and case, critical eta per case and, given
    the runs, the scale-free runs at high eta split by the final strategy of the hub."""
    names = [c.name for c in CASES if c.name in set(summary["case"])]
    cases = [c for c in CASES if c.name in names]
    lines = [
        f"Parameters: N = {config.n}, z = {config.z}, {config.runs} runs per point (new graph "
        f"and initial strategies each), transient {config.transient} generations, mean over "
        f"the next {config.generations}, master seed {config.seed}.",
        "",
        "Mean fraction of cooperators [95% CI]:",
        "",
        "| η | " + " | ".join(c.label for c in cases) + " |",
        "|---:|" + "---:|" * len(cases),
    ]
    table = summary.set_index(["case", "eta"])
    for eta in sorted(summary["eta"].unique()):
        cells = []
        for case in cases:
            row = table.loc[(case.name, eta)]
            cells.append(f"{row['mean']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]")
        lines.append(f"| {eta:.2f} | " + " | ".join(cells) + " |")
    onset, half = critical_eta(summary, 0.1), critical_eta(summary, 0.5)
    full = critical_eta(summary, 0.9)
    lines += [
        "",
        "Critical η: smallest η at which the mean fraction of cooperators reaches 0.1 (onset), "
        "0.5 and 0.9 (linear interpolation on the grid):",
        "",
        "| case | η at 0.1 | η at 0.5 | η at 0.9 |",
        "|---|---:|---:|---:|",
    ]
    for case in cases:
        lines.append(
            f"| {case.label} | {_fmt_eta(onset[case.name], config.eta_max)} | "
            f"{_fmt_eta(half[case.name], config.eta_max)} | "
            f"{_fmt_eta(full[case.name], config.eta_max)} |"
        )
    if runs is not None:
        lines += _hub_table(runs, cases)
    return "\n".join(lines) + "\n"


def _hub_table(runs: pd.DataFrame, cases: Sequence[Case]) -> list[str]:
    """Scale-free runs at high eta, split by the final strategy of the highest-degree node."""
    high = runs[(runs["graph"] == "scale_free") & (runs["eta"] >= HUB_ETA - 1e-9)]
    if high.empty:
        return []
    lines = [
        "",
        f"Scale-free runs with η ≥ {HUB_ETA:g}, by the final strategy of the graph's "
        "highest-degree node (its hub): number of runs and mean fraction of cooperators.",
        "",
        "| case | hub cooperates: runs | mean | hub defects: runs | mean |",
        "|---|---:|---:|---:|---:|",
    ]
    for case in cases:
        part = high[high["case"] == case.name]
        if part.empty:
            continue
        cells = []
        for hub_c in (True, False):
            sel = part.loc[part["hub_cooperates"] == hub_c, "mean_cooperation"]
            cells += [str(len(sel)), f"{sel.mean():.3f}" if len(sel) else "–"]
        lines.append(f"| {case.label} | " + " | ".join(cells) + " |")
    return lines


def update_doc(doc: Path, block: str) -> None:
    """Replace the text between the public-goods markers of ``doc`` with ``block``."""
    replace_block(doc, DOC_BEGIN, DOC_END, block)


def _parser() -> argparse.ArgumentParser:
    d = Config()
    p = argparse.ArgumentParser(
        prog="python -m sim.validation.public_goods",
        description="Reproduce Santos, Santos & Pacheco (2008): cooperation in public goods "
        "games on regular and scale-free graphs.",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--runs", type=positive_int, default=d.runs, help="runs per (case, eta)")
    p.add_argument("--n", type=positive_int, default=d.n, help="nodes per graph")
    p.add_argument(
        "--generations",
        type=positive_int,
        default=d.generations,
        help="generations averaged after the transient",
    )
    p.add_argument(
        "--transient",
        type=non_negative_int,
        default=d.transient,
        help="generations discarded first",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        default=len(os.sched_getaffinity(0)),
        help="worker processes (1: run in this process)",
    )
    p.add_argument("--seed", type=non_negative_int, default=d.seed, help="master seed")
    p.add_argument("--eta-min", type=float, default=d.eta_min)
    p.add_argument("--eta-max", type=float, default=d.eta_max)
    p.add_argument("--eta-step", type=float, default=d.eta_step)
    p.add_argument(
        "--doc",
        type=Path,
        default=None,
        help="also write the table into this Markdown file between its markers",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2 for bad arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    config = Config(
        n=args.n,
        runs=args.runs,
        transient=args.transient,
        generations=args.generations,
        seed=args.seed,
        eta_min=args.eta_min,
        eta_max=args.eta_max,
        eta_step=args.eta_step,
    )
    try:
        config.etas()
        if config.n <= config.z:
            raise ValueError(f"--n must exceed z = {config.z}")
    except ValueError as err:
        parser.error(str(err))
    check_doc(parser, args.doc, DOC_BEGIN, DOC_END)

    args.out.mkdir(parents=True, exist_ok=True)
    n_tasks = len(make_tasks(config))
    print(
        f"public goods: {n_tasks} runs on {args.workers} worker(s); {asdict(config)}",
        file=sys.stderr,
    )
    start = time.perf_counter()
    runs = run_experiment(config, workers=args.workers, progress=True)
    elapsed = time.perf_counter() - start
    summary = summarise(runs)
    runs.to_csv(args.out / "public_goods_runs.csv", index=False)
    plot_summary(summary, config, args.out / "public_goods.png")
    report = markdown_report(summary, config, runs)
    (args.out / "public_goods.md").write_text(report, encoding="utf-8")
    if args.doc is not None:
        update_doc(args.doc, report)
    print(report)
    print(
        f"wrote {args.out}/public_goods{{_runs.csv,.png,.md}} in {elapsed:.0f} s", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
