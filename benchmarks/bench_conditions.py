"""Benchmark: the runs and wall time of a full "under which conditions" regeneration, and
the expected time on a cluster, read from what `bash scripts/regenerate_conditions.sh` stored.

    python benchmarks/bench_conditions.py                       # reads results/
    python benchmarks/bench_conditions.py --results DIR --json out.json

For the calibration (results/calibration/calibration.json and the sessions of its batches)
and for each experiment (results/<name>/sessions.json), it prints the number of runs, the wall time, the time the workers spent in runs (the sum of
every run's own wall time) and the rest (the driver's work between batches: emulator fits,
screening, the posterior sample, reports). It then times scenario discovery (PRIM and
feature scores) on each question of the experiments, median of `--repeat` calls.

Expected time on a cluster of N single-threaded workers: the driver's serial work plus, for
every batch, its run-seconds / N (at least its longest run). This assumes the runs' own
wall time does not change with N (one run per core) and ignores the 2-5 ms per task of Dask.

On a shared machine the runs' wall time includes waiting for a core. `--cpu-runs K` also
measures the CPU time of K baseline runs of each stage's world in this process, and gives the
time the stored runs would take on two idle cores: the driver's work plus runs × CPU seconds
per run / 2.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pandas as pd

CLUSTERS = (2, 16, 64, 256)


def _batches(root: Path) -> list[dict[str, Any]]:
    """One entry per stored sweep under `root` (itself, or its sub-folders): runs, the
    wall time of the sessions that ran them, and the runs' own seconds and longest run."""
    folders = (
        [root]
        if (root / "sweep.json").is_file()
        else sorted(p for p in root.iterdir() if (p / "sweep.json").is_file())
    )
    out = []
    for folder in folders:
        sessions = json.loads((folder / "sessions.json").read_text(encoding="utf-8"))
        runs = pd.concat([pd.read_parquet(p) for p in sorted((folder / "runs").glob("*.parquet"))])
        ok = runs[runs["status"] == "ok"].drop_duplicates("key")
        out.append(
            {
                "batch": folder.name,
                "runs": len(ok),
                "wall": sum(float(s["wall_seconds"]) for s in sessions if s.get("ran")),
                "workers": max((int(s.get("workers", 1)) for s in sessions), default=1),
                "run_seconds": float(ok["elapsed"].sum()),
                "longest": float(ok["elapsed"].max()),
            }
        )
    return out


def _cluster(driver: float, batches: list[dict[str, Any]], n: int) -> float:
    return driver + sum(max(b["run_seconds"] / n, b["longest"]) for b in batches)


def cpu_per_run(world: dict[str, Any], steps: int, k: int) -> float:
    """Median CPU seconds of `k` baseline runs on `world` (seeds 1..k), in this process."""
    from sim.core.params import defaults
    from sim.runs.runner import run

    times = []
    for seed in range(1, k + 1):
        start = time.process_time()
        run({**defaults(), **world}, seed, steps, series_period=None)
        times.append(time.process_time() - start)
    return statistics.median(times)


def report(results: Path, repeat: int, cpu_runs: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {"stages": []}
    cal = results / "calibration"
    if (cal / "calibration.json").is_file():
        info = json.loads((cal / "calibration.json").read_text(encoding="utf-8"))
        batches = _batches(cal)
        total = sum(info["elapsed_seconds"].values())
        out["stages"].append(
            {
                "stage": "calibration",
                "total": total,
                "batches": batches,
                "elapsed": info["elapsed_seconds"],
                "world": info["world"],
                "steps": info["steps"],
            }
        )
    for folder in sorted(p for p in results.iterdir() if (p / "sweep.json").is_file()):
        sweep = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
        batches = _batches(folder)
        out["stages"].append(
            {
                "stage": folder.name,
                "total": batches[0]["wall"],
                "batches": batches,
                "world": sweep["fixed"],
                "steps": sweep["steps"],
            }
        )
    for stage in out["stages"]:
        in_runs = sum(b["wall"] for b in stage["batches"])
        stage["driver"] = max(stage["total"] - in_runs, 0.0)
        stage["runs"] = sum(b["runs"] for b in stage["batches"])
        stage["run_seconds"] = sum(b["run_seconds"] for b in stage["batches"])
        stage["cluster"] = {n: _cluster(stage["driver"], stage["batches"], n) for n in CLUSTERS}
        if cpu_runs:
            stage["cpu_per_run"] = cpu_per_run(stage["world"], stage["steps"], cpu_runs)
            stage["idle_two_cores"] = stage["driver"] + stage["runs"] * stage["cpu_per_run"] / 2
    out["discovery"] = _discovery(results, repeat)
    return out


def _discovery(results: Path, repeat: int) -> list[dict[str, Any]]:
    from sim.experiments.analysis import load_results
    from sim.experiments.analysis.conditions import question_answers

    rows = []
    for folder in sorted(p for p in results.iterdir() if (p / "sweep.json").is_file()):
        res = load_results(folder)
        if not res.uncertain or not res.info.get("discover"):
            continue
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            answers = question_answers(res)
            times.append(time.perf_counter() - start)
        rows.append(
            {
                "experiment": res.name,
                "questions": len(answers),
                "cases": len(answers[0].holds) if answers else 0,
                "seconds": statistics.median(times),
            }
        )
    return rows


def _fmt(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.1f} s"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--repeat", type=int, default=3, help="timings of discovery (median)")
    p.add_argument(
        "--cpu-runs",
        type=int,
        default=0,
        help="also time this many baseline runs per stage (CPU seconds)",
    )
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    out = report(args.results, args.repeat, args.cpu_runs)
    print("stage                              runs   wall     in runs  run-seconds  driver")
    for s in out["stages"]:
        in_runs = sum(b["wall"] for b in s["batches"])
        print(
            f"{s['stage']:<32} {s['runs']:>6}  {_fmt(s['total']):>8} {_fmt(in_runs):>9}  "
            f"{_fmt(s['run_seconds']):>10}  {_fmt(s['driver']):>7}"
        )
        for b in s["batches"]:
            print(
                f"  {b['batch']:<30} {b['runs']:>6}  {_fmt(b['wall']):>8}  mean run "
                f"{b['run_seconds'] / max(b['runs'], 1):.2f} s on {b['workers']} workers"
            )
    total = sum(s["total"] for s in out["stages"])
    print(f"{'all':<32} {sum(s['runs'] for s in out['stages']):>6}  {_fmt(total):>8}")
    print("\nexpected wall time on N single-threaded workers (driver + run-seconds / N):")
    for n in CLUSTERS:
        t = sum(s["cluster"][n] for s in out["stages"])
        print(
            f"  N = {n:>3}: {_fmt(t)}  ("
            + ", ".join(f"{s['stage']} {_fmt(s['cluster'][n])}" for s in out["stages"])
            + ")"
        )
    if args.cpu_runs:
        print(
            f"\non two idle cores (driver + runs × CPU s per run / 2; CPU s per run: median "
            f"of {args.cpu_runs} baseline runs of the stage's world):"
        )
        for s in out["stages"]:
            print(
                f"  {s['stage']}: {s['cpu_per_run']:.2f} CPU s per run -> "
                f"{_fmt(s['idle_two_cores'])}"
            )
        print(f"  all: {_fmt(sum(s['idle_two_cores'] for s in out['stages']))}")
    print(f"\nscenario discovery (PRIM + feature scores), median of {args.repeat}:")
    for d in out["discovery"]:
        print(
            f"  {d['experiment']}: {d['questions']} questions over {d['cases']} draws in "
            f"{d['seconds']:.1f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    return 0 if out["stages"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
