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

    python benchmarks/bench_conditions.py --plan --cpu-runs 3 --json out.json

`--plan` needs no stored results: it takes the runs a regeneration makes from the plans
themselves (every experiment file's design × replicates; the calibration's waves, points and
seeds for its baseline target and each historical episode, its predictive check and the check
on the default district, at its default settings) and measures the CPU seconds of K runs of
each batch's configuration (world, scenario, months) in this process. One table in one unit:
runs × CPU seconds per run, and that CPU time spread over N idle cores. Not included: the
drivers' own work (the calibration's emulators and posterior, reports, discovery).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import pandas as pd

CLUSTERS = (2, 16, 64, 256)
SCREEN = Path("experiments/screen.toml")  # the screen scripts/regenerate_conditions.sh runs


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


def planned_batches() -> list[dict[str, Any]]:
    """Every batch of runs a regeneration makes, from the plans: stage, batch, runs, and what
    a run of it is (parameters, months, policy timeline)."""
    from sim.core.params import defaults
    from sim.experiments.definition import load_sweep
    from sim.experiments.design import make_design
    from sim.experiments.plan import plan_runs
    from sim.experiments.screen import load_screen
    from sim.experiments.screen_pipeline import planned_runs
    from sim.validation.calibration.at_size import scaled_world
    from sim.validation.calibration.history_matching import Settings
    from sim.validation.calibration.prior import REDUCED_WORLD
    from sim.validation.calibration.targets import ALL_TARGETS as TARGETS
    from sim.validation.episodes import EPISODES

    settings, check_draws, check_seeds, world_draws, steps = Settings(), 24, 2, 6, 120
    per_target = settings.waves * settings.points * settings.seeds
    batches = []
    episodes = {e.name: e for e in EPISODES}
    for name in dict.fromkeys(t.episode for t in TARGETS):
        episode = episodes.get(name)
        months = episode.months if episode else steps
        params = dict(episode.params) if episode else {}
        timeline = list(episode.timeline) if episode else []
        suffix = f"-{name}" if name else ""
        for batch, runs, world in (
            (f"waves{suffix}", per_target, REDUCED_WORLD),
            (f"check{suffix}", check_draws * check_seeds, REDUCED_WORLD),
            (f"check-default{suffix}", world_draws * check_seeds, {}),
        ):
            batches.append(
                {
                    "stage": "calibration",
                    "batch": batch,
                    "runs": runs,
                    "params": {**defaults(), **world, **params},
                    "steps": months,
                    "timeline": timeline,
                }
            )
    taiyuan = episodes["taiyuan_one_shoulder"]  # replayed at its size (calibration.at_size)
    for batch, world in (("at-size-reduced", REDUCED_WORLD), ("at-size-52", scaled_world(52))):
        batches.append(
            {
                "stage": "calibration",
                "batch": batch,
                "runs": check_draws * check_seeds,
                "params": {**defaults(), **world, **dict(taiyuan.params)},
                "steps": taiyuan.months,
                "timeline": list(taiyuan.timeline),
            }
        )
    for path in sorted(Path("experiments").glob("*.toml")):
        if path.name.startswith("screen"):  # screens are planned below
            continue
        defn = load_sweep(path)
        specs = plan_runs(defn, make_design(defn))
        batches.append(
            {
                "stage": defn.name,
                "batch": defn.name,
                "runs": len({s.key for s in specs}),
                "params": dict(defn.base),
                "steps": defn.steps,
                "timeline": defn.timeline,
            }
        )
    screen = load_screen(SCREEN)
    for stage, runs in planned_runs(screen).items():
        reference = stage == "reference"
        batches.append(
            {
                "stage": "screen",
                "batch": f"screen-{stage}",
                "runs": runs,
                "params": dict(screen.reference_base if reference else screen.base),
                "steps": screen.reference_steps if reference else screen.steps,
                "timeline": screen.timeline,
            }
        )
    return batches


def plan_cost(cpu_runs: int) -> dict[str, Any]:
    """CPU seconds of every planned batch: its runs × the median CPU seconds of `cpu_runs`
    runs of its configuration (seeds 1..cpu_runs) in this process."""
    from sim.runs.runner import run

    rows = []
    for b in planned_batches():
        times = []
        for seed in range(1, cpu_runs + 1):
            start = time.process_time()
            run(b["params"], seed, b["steps"], series_period=None, timeline=b["timeline"])
            times.append(time.process_time() - start)
        per_run = statistics.median(times)
        rows.append(
            {
                **{k: b[k] for k in ("stage", "batch", "runs", "steps")},
                "cpu_per_run": per_run,
                "cpu": b["runs"] * per_run,
            }
        )
        print(
            f"  {b['batch']:<36} {b['runs']:>5} runs x {per_run:6.2f} CPU s = "
            f"{_fmt(b['runs'] * per_run)}",
            flush=True,
        )
    return {"batches": rows, "cpu_runs": cpu_runs, "load_average": os.getloadavg()}


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
    p.add_argument(
        "--plan",
        action="store_true",
        help="the CPU cost of a regeneration from the plans, without stored results",
    )
    args = p.parse_args(argv)
    if args.plan:
        return _print_plan(plan_cost(max(args.cpu_runs, 1)), args.json)
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


def _print_plan(out: dict[str, Any], json_path: Path | None) -> int:
    stages: dict[str, dict[str, float]] = {}
    for b in out["batches"]:
        st = stages.setdefault(b["stage"], {"runs": 0, "cpu": 0.0})
        st["runs"] += b["runs"]
        st["cpu"] += b["cpu"]
    total = sum(st["cpu"] for st in stages.values())
    runs = sum(st["runs"] for st in stages.values())
    print(
        f"\nCPU time of a regeneration, from the plans (median of {out['cpu_runs']} runs per "
        f"batch; load average {out['load_average'][0]:.1f} at the end); drivers' own work "
        "not included:"
    )
    print(
        f"{'stage':<32} {'runs':>6} {'CPU':>10}"
        + "".join(f" {'on ' + str(n):>9}" for n in CLUSTERS)
    )
    for name, st in [*stages.items(), ("all", {"runs": runs, "cpu": total})]:
        print(
            f"{name:<32} {st['runs']:>6} {_fmt(st['cpu']):>10}"
            + "".join(f" {_fmt(st['cpu'] / n):>9}" for n in CLUSTERS)
        )
    print("(on N: the CPU time spread evenly over N idle single-threaded workers)")
    if json_path:
        json_path.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
