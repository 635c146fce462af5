"""`python -m sim.validation.calibration.at_size`: replay targets at the size they were recorded.

    python -m sim.validation.calibration.at_size --target episode_taiyuan_one_shoulder \\
        --streets 52 --doc docs/VALIDATION.md

The calibration runs every target in a reduced world (4 streets, about 40 communities), but
a target recorded over many more communities (Taiyuan's round: 515) is a mean over all of
them, so a run of the reduced world scatters around it more than the record does. This
check separates that noise from a miss by the mechanism: it runs the posterior predictive
check's draws with the same seeds (the same label and master seed, so the reduced world's
runs are the check's own runs) both in the reduced world and in a world of ``--streets``
streets with firms and NGO slots scaled alike, and reports for each world the share of runs
in the target's range, the runs' median, spread and run-to-run standard deviation, and the
paired difference between the two worlds. If the larger world puts at least half of its
runs in range while the reduced one does not, the reduced world's noise explains the miss;
if both miss alike, the mechanism's centre does (docs/VALIDATION.md, "Reading the
calibration").

Runs are stored under ``--results`` (default ``results/calibration-at-size``) and resume.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.params import defaults
from sim.experiments.stats import paired_difference
from sim.interfaces.cli import positive_int
from sim.validation import check_doc, replace_block

from .checks import predictive_runs
from .cli import guarded
from .history_matching import Settings
from .prior import PRIOR, REDUCED_WORLD
from .runs import SweepSimulator
from .targets import ALL_TARGETS, HELD_OUT_TARGETS, Target

__all__ = ["DOC_BEGIN", "DOC_END", "main", "scaled_world", "size_table"]

DOC_BEGIN = "<!-- at-size:begin (written by python -m sim.validation.calibration.at_size) -->"
DOC_END = "<!-- at-size:end -->"


def scaled_world(streets: int) -> dict[str, Any]:
    """A world of `streets` streets whose firms and NGO slots per street are the reduced
    world's (so every per-capita and per-organisation ratio stays the default's)."""
    base = REDUCED_WORLD["n_streets"]
    return {
        "n_streets": streets,
        "n_firms": max(1, round(REDUCED_WORLD["n_firms"] * streets / base)),
        "n_ngos": max(1, round(REDUCED_WORLD["n_ngos"] * streets / base)),
    }


def communities(world: dict[str, Any], seed: int) -> int:
    """The number of communities the baseline builds on `world` with `seed` (each run draws
    its own district, so a run's count varies around it)."""
    from sim.core.world import build_world

    return build_world({**defaults(), **world}, np.random.default_rng(seed)).n_communities


def size_table(
    runs: dict[str, pd.DataFrame], targets: Sequence[Target], reference: str
) -> pd.DataFrame:
    """One row per world and target: runs, share in range, median, 5% and 95% quantiles,
    the run-to-run standard deviation (within draws, pooled), and the paired difference to
    the `reference` world's runs (same draws and seeds) with its 95% interval."""
    rows = []
    keys = ["draw", "replicate"]
    for label, table in runs.items():
        for t in targets:
            v = table[t.name].to_numpy(dtype=float)
            ok = np.isfinite(v)
            within = table.assign(v=v)[ok].groupby("draw")["v"].var(ddof=1).dropna()
            row: dict[str, Any] = {
                "world": label,
                "target": t.name,
                "runs": int(ok.sum()),
                "in_range": float(np.mean((v[ok] >= t.low) & (v[ok] <= t.high))),
                "median": float(np.median(v[ok])),
                "q05": float(np.quantile(v[ok], 0.05)),
                "q95": float(np.quantile(v[ok], 0.95)),
                "run_sd": float(np.sqrt(within.mean())) if len(within) else float("nan"),
            }
            if label != reference:
                both = runs[reference].merge(table, on=keys, suffixes=("_ref", ""))
                a, b = both[t.name].to_numpy(float), both[f"{t.name}_ref"].to_numpy(float)
                good = np.isfinite(a) & np.isfinite(b)
                est, _ = paired_difference(a[good], b[good])
                row.update(difference=est.mean, low=est.low, high=est.high)
            rows.append(row)
    return pd.DataFrame(rows)


def markdown(
    table: pd.DataFrame,
    targets: Sequence[Target],
    sizes: dict[str, int],
    n_draws: int,
    seeds: int,
    posterior: Path,
) -> str:
    """The block for docs/VALIDATION.md: one table per target, a sentence per world."""
    lines = [
        f"The predictive check's first {n_draws} posterior draws (`{posterior.as_posix()}`) "
        f"× {seeds} seeds, the same seeds in every world (`python -m "
        "sim.validation.calibration.at_size`). A run is in range when its statistic lies in "
        "the target's range; the run-to-run sd is the spread between a draw's seeds, pooled "
        "over draws; the difference is paired (same draw, same seed) against the reduced world.",
        "",
    ]
    for t in targets:
        lines += [
            f"**{t.name}** (range {t.low:+.3f} to {t.high:+.3f}, recorded {t.observed:+.3f})",
            "",
            "| world | communities | runs | in range | median [5%, 95%] | run-to-run sd | "
            "difference to the reduced world [95% CI] |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in table[table["target"] == t.name].to_dict("records"):
            diff = (
                f"{row['difference']:+.4f} [{row['low']:+.4f}, {row['high']:+.4f}]"
                if "difference" in row and np.isfinite(row.get("difference", np.nan))
                else "—"
            )
            lines.append(
                f"| {row['world']} | {sizes[row['world']]} | {row['runs']} | "
                f"{row['in_range']:.0%} | {row['median']:+.3f} [{row['q05']:+.3f}, "
                f"{row['q95']:+.3f}] | {row['run_sd']:.3f} | {diff} |"
            )
        met = table[(table["target"] == t.name)].set_index("world")["in_range"]
        verdicts = ", ".join(
            f"{w}: {'met' if share >= 0.5 else 'missed'} ({share:.0%} of runs in range)"
            for w, share in met.items()
        )
        lines += ["", f"Verdict (at least half of the runs in range): {verdicts}.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _parser() -> argparse.ArgumentParser:
    names = [t.name for t in (*ALL_TARGETS, *HELD_OUT_TARGETS)]
    p = argparse.ArgumentParser(
        prog="python -m sim.validation.calibration.at_size",
        description="Run the posterior predictive check's draws for some targets in the "
        "reduced calibration world and in a larger world (the size the target was recorded "
        "at), with the same seeds, and compare.",
    )
    p.add_argument(
        "--target",
        action="append",
        required=True,
        choices=names,
        metavar="TARGET",
        help=f"a target to replay (repeatable): {', '.join(names)}",
    )
    p.add_argument(
        "--streets",
        type=positive_int,
        required=True,
        help="streets of the larger world (about 9.5 communities each; Taiyuan's 515 "
        "communities: 52)",
    )
    p.add_argument(
        "--posterior",
        type=Path,
        default=Path("docs") / "validation" / "posterior.parquet",
        help="posterior draws (default docs/validation/posterior.parquet)",
    )
    p.add_argument("--draws", type=positive_int, default=24, help="posterior draws run")
    p.add_argument("--seeds", type=positive_int, default=2, help="seeds per draw (at least 2)")
    p.add_argument("--steps", type=positive_int, default=120, help="months of baseline targets")
    p.add_argument(
        "--seed", type=int, default=Settings().seed, help="the calibration's master seed"
    )
    p.add_argument(
        "--results",
        type=Path,
        default=Path("results") / "calibration-at-size",
        help="folder of the runs' stores (resumable)",
    )
    p.add_argument("--doc", type=Path, default=None, help="write the block into this file")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def _read_posterior(parser: argparse.ArgumentParser, path: Path, n: int) -> pd.DataFrame:
    if not path.is_file():
        parser.error(
            f"--posterior {path}: no such file (python -m sim.validation.calibration writes it)"
        )
    try:
        draws = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - any unreadable file is bad input
        parser.error(f"--posterior {path}: not a Parquet table ({err})")
    missing = [c for c in PRIOR.names if c not in draws.columns]
    if missing:
        parser.error(f"--posterior {path}: lacks the prior's parameters {', '.join(missing)}")
    if len(draws) < n:
        parser.error(f"--draws {n}: the posterior {path} has only {len(draws)} draws")
    return draws


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2 for bad input)."""
    from sim.experiments.evaluators import make_evaluator

    parser = _parser()
    args = parser.parse_args(argv)
    check_doc(parser, args.doc, DOC_BEGIN, DOC_END)
    if args.seeds < 2:
        parser.error("--seeds must be at least 2 (the run-to-run sd needs two seeds per draw)")
    by_name = {t.name: t for t in (*ALL_TARGETS, *HELD_OUT_TARGETS)}
    targets = [by_name[n] for n in dict.fromkeys(args.target)]
    draws = _read_posterior(parser, args.posterior, args.draws)
    worlds = {"reduced": dict(REDUCED_WORLD), f"{args.streets} streets": scaled_world(args.streets)}

    def replay() -> dict[str, pd.DataFrame]:
        runs = {}
        with make_evaluator(args.workers, args.scheduler) as evaluator:
            for label, world in worlds.items():
                simulator = SweepSimulator(
                    args.results / label.replace(" ", "-"),
                    targets,
                    world,
                    args.steps,
                    evaluator,
                    progress=not args.quiet,
                )
                runs[label] = predictive_runs(
                    simulator, draws, PRIOR.names, args.draws, args.seeds, args.seed
                )
        return runs

    runs, code = guarded(replay, args.results, "incomplete")
    if code is not None:
        return code
    assert runs is not None  # guarded returns a result or an exit code
    sizes = {label: communities(world, args.seed) for label, world in worlds.items()}
    table = size_table(runs, targets, "reduced")
    block = markdown(table, targets, sizes, args.draws, args.seeds, args.posterior)
    if args.doc is not None:
        replace_block(args.doc, DOC_BEGIN, DOC_END, block)
    print(block)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
