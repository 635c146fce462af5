"""Benchmark: `python -m sim sweep` against `mesa.batch_run` on the same grid, model and seeds.

    python benchmarks/bench_sweep_vs_batch_run.py --seeds 10 --steps 60 --repeat 7 --modes parallel
    python benchmarks/bench_sweep_vs_batch_run.py --seeds 250 --steps 60 --repeat 3 --modes parallel
    python benchmarks/bench_sweep_vs_batch_run.py --seeds 25 --repeat 3 --json bench.json

Both keep the same data: every district outcome every month (batch_run with
`data_collection_period=1`, as users typically call it; the sweep with `series_period = 1`
and every outcome kept). batch_run returns all rows as a list of dicts held in memory until
the end; the sweep appends finished batches to Parquet parts on disk. Each measurement runs
in a fresh process; the parent samples the resident memory (RSS) of that process and all its
children every 50 ms and reports the peak of the driver process and of the whole tree (the
sum of RSS, which counts memory a forked worker shares with its parent twice, and the sum of
PSS, which splits shared pages between the processes that share them), with the wall time and
the CPU time of the whole tree (the process and every descendant it waited
for, from `getrusage(RUSAGE_CHILDREN)`). Modes: serial (batch_run number_processes=1 vs sweep
--workers 1, in process) and parallel (batch_run number_processes=P vs sweep --workers P, a
local process pool). Each repeat runs the two engines side by side, alternating which goes
first; ratios are medians of the per-repeat ratios. The final-month outcomes of both are
compared, as a check that the same runs were made.

`--engines` adds the sweep with its local pool replaced by a Dask LocalCluster of as many
single-threaded worker processes, started by Dask's default method (`sweep-dask`, spawned)
or forked (`sweep-dask-fork`, `distributed.worker.multiprocessing-method = fork`); each
repeat runs every engine, the order rotating by one from repeat to repeat:

    python benchmarks/bench_sweep_vs_batch_run.py --seeds 10 --steps 60 --repeat 7 --modes parallel --engines batch_run,sweep,sweep-dask,sweep-dask-fork
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GRID = {"devolution_share": [0.1, 0.6], "responsibility_list": [False, True]}
WORLD = {
    "n_streets": 1,
    "communities_per_street": 3,
    "compounds_per_community": 3,
    "households_per_compound": 40,
}
"""A small district (about 1,000 residents), so that many runs fit in a few minutes and the
memory that holds results, not the model, is what grows."""
MASTER_SEED = 1
ENGINES = ("batch_run", "sweep", "sweep-dask", "sweep-dask-fork")
DASK_METHODS = {"sweep-dask": "spawn", "sweep-dask-fork": "fork"}
"""How a Dask LocalCluster starts its worker processes, by engine."""


def experiment_toml(seeds: int, steps: int) -> str:
    world = "\n".join(f"{k} = {v}" for k, v in WORLD.items())
    return f"""description = "benchmark grid"
scenario = "baseline"
steps = {steps}
replicates = {seeds}
seed = {MASTER_SEED}
series_period = 1

[design]
kind = "grid"

[factors]
devolution_share = [0.1, 0.6]
responsibility_list = [false, true]

[fixed]
{world}
"""


# --- the measured work (in a child process) --------------------------------------------------


def child(engine: str, workers: int, seeds: int, steps: int, out: Path) -> dict:
    import distributed  # noqa: F401  (imported before the baseline, like mesa and pandas)
    import pandas  # noqa: F401
    import psutil
    from mesa import batch_run

    from sim import GovernanceModel
    from sim.experiments.design import replicate_seeds
    from sim.experiments.store import RunStore  # noqa: F401  (imported before the baseline)
    from sim.interfaces.cli.main import main

    base_rss = psutil.Process().memory_info().rss
    start = time.perf_counter()
    if engine == "batch_run":
        rows = batch_run(
            GovernanceModel,
            parameters={**WORLD, **GRID},
            rng=replicate_seeds(MASTER_SEED, seeds),
            max_steps=steps,
            data_collection_period=1,
            number_processes=workers,
            display_progress=False,
        )
        wall = time.perf_counter() - start
        last = [r for r in rows if r["Step"] == steps]
        check = sorted(round(r["satisfaction_mean"], 9) for r in last)
        return {"wall": wall, "rows": len(rows), "check": check, "base_rss": base_rss}

    if engine in DASK_METHODS:  # the sweep as it is, its local pool replaced by Dask's
        import dask

        from sim.experiments import evaluators

        dask.config.set({"distributed.worker.multiprocessing-method": DASK_METHODS[engine]})
        evaluators.ProcessPoolEvaluator = lambda n=None: evaluators.DaskEvaluator(workers=n)
    path = out / "bench.toml"
    path.write_text(experiment_toml(seeds, steps))
    code = main(
        ["sweep", str(path), "--out", str(out / "results"), "--workers", str(workers), "--quiet"]
    )
    wall = time.perf_counter() - start
    assert code == 0, code
    return {"wall": wall, "base_rss": base_rss}  # the parent reads the results afterwards


def stored(out: Path) -> dict:
    """Rows and final outcomes a sweep stored (read after its process ended, so that reading
    them is not counted in its memory)."""
    from sim.experiments.store import RunStore

    store = RunStore.open(out / "results")
    check = sorted(round(v, 9) for v in store.runs()["final_satisfaction_mean"])
    return {"rows": len(store.series()), "check": check}


# --- measuring (in the parent) -----------------------------------------------------------------


def measure(engine: str, workers: int, seeds: int, steps: int) -> dict:
    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            __file__,
            "--child",
            engine,
            "--workers",
            str(workers),
            "--seeds",
            str(seeds),
            "--steps",
            str(steps),
            "--tmp",
            tmp,
        ]
        cpu_before = _children_cpu()
        proc = subprocess.Popen(cmd, stdout=open(result_file, "w"), stderr=subprocess.PIPE)
        root = psutil.Process(proc.pid)
        peak_tree = peak_driver = peak_pss = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_tree, peak_driver, peak_pss
            while not stop.is_set():
                try:
                    procs = [root, *root.children(recursive=True)]
                except psutil.Error:
                    break
                total = total_pss = 0
                for p in procs:
                    try:
                        rss = p.memory_info().rss
                        pss = p.memory_full_info().pss
                    except psutil.Error:
                        continue
                    total += rss
                    total_pss += pss
                    if p.pid == root.pid:
                        peak_driver = max(peak_driver, rss)
                peak_tree = max(peak_tree, total)
                peak_pss = max(peak_pss, total_pss)
                stop.wait(0.05)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        _, err = proc.communicate()
        stop.set()
        thread.join()
        cpu = _children_cpu() - cpu_before
        if proc.returncode != 0:
            raise SystemExit(f"{engine} failed:\n{err.decode()}")
        out = json.loads(result_file.read_text().strip().splitlines()[-1])
        if engine != "batch_run":
            out.update(stored(Path(tmp)))
    return {
        **out,
        "cpu": cpu,
        "peak_driver_mb": peak_driver / 2**20,
        "peak_tree_mb": peak_tree / 2**20,
        "peak_tree_pss_mb": peak_pss / 2**20,
        "driver_growth_mb": (peak_driver - out["base_rss"]) / 2**20,
    }


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process (and the descendants they
    waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=100, help="replicates per arm (4 arms)")
    parser.add_argument("--steps", type=int, default=120, help="months per run")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 2,
        help="worker processes in the parallel mode",
    )
    parser.add_argument("--repeat", type=int, default=1, help="measurements per cell (median)")
    parser.add_argument("--modes", default="serial,parallel")
    parser.add_argument(
        "--engines", default="batch_run,sweep", help=f"comma-separated, among {ENGINES}"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child, args.workers, args.seeds, args.steps, args.tmp)))
        return 0

    runs = len(GRID["devolution_share"]) * len(GRID["responsibility_list"]) * args.seeds
    print(
        f"grid: 4 arms x {args.seeds} seeds = {runs} runs of {args.steps} months, "
        f"world {WORLD}, every outcome every month; {os.cpu_count()} cores"
    )
    table = []
    for mode in args.modes.split(","):
        workers = 1 if mode == "serial" else args.processes
        cells: dict[str, list[dict]] = {}
        engines = args.engines.split(",")
        if "batch_run" not in engines or not set(engines) <= set(ENGINES):
            parser.error(f"--engines: batch_run and any of {ENGINES[1:]}")
        for rep in range(args.repeat):
            k = rep % len(engines)
            order = engines[k:] + engines[:k]
            for engine in order:  # side by side, rotating which goes first
                m = measure(engine, workers, args.seeds, args.steps)
                m["load_average"] = os.getloadavg()[0]
                cells.setdefault(engine, []).append(m)
                print(
                    f"  {mode:8} {engine:15} rep {rep + 1}: {m['wall']:7.1f} s wall, "
                    f"{m['cpu']:7.1f} s CPU, driver {m['peak_driver_mb']:7.1f} MB "
                    f"(+{m['driver_growth_mb']:.1f} MB over start-up), tree "
                    f"{m['peak_tree_mb']:7.1f} MB (PSS {m['peak_tree_pss_mb']:.1f} MB); "
                    f"load {m['load_average']:.1f}",
                    flush=True,
                )
        checks = {e: c[0]["check"] for e, c in cells.items()}
        keys = ("wall", "cpu", "peak_driver_mb", "peak_tree_mb", "peak_tree_pss_mb")
        ratios = {
            e: {
                k: statistics.median(s[k] / b[k] for s, b in zip(cells[e], cells["batch_run"]))
                for k in keys
            }
            for e in engines
            if e != "batch_run"
        }
        for engine, ms in cells.items():
            table.append(
                {
                    "mode": mode,
                    "engine": engine,
                    "workers": workers,
                    "runs": runs,
                    "steps": args.steps,
                    "rows": ms[0]["rows"],
                    "wall_s": statistics.median(m["wall"] for m in ms),
                    "cpu_s": statistics.median(m["cpu"] for m in ms),
                    "peak_driver_mb": statistics.median(m["peak_driver_mb"] for m in ms),
                    "peak_tree_mb": statistics.median(m["peak_tree_mb"] for m in ms),
                    "peak_tree_pss_mb": statistics.median(m["peak_tree_pss_mb"] for m in ms),
                    "driver_growth_mb": statistics.median(m["driver_growth_mb"] for m in ms),
                    "repeats": len(ms),
                    "load_average": statistics.median(m["load_average"] for m in ms),
                    "same_final_outcomes": checks[engine] == checks["batch_run"],
                    "over_batch_run": ratios.get(engine),
                    "each": [
                        {
                            k: m[k]
                            for k in (
                                "wall",
                                "cpu",
                                "peak_driver_mb",
                                "peak_tree_mb",
                                "peak_tree_pss_mb",
                            )
                        }
                        for m in ms
                    ],
                }
            )
    print()
    header = (
        f"{'mode':8} {'engine':15} {'workers':>7} {'rows':>7} {'wall s':>8} {'CPU s':>8} "
        f"{'driver MB':>10} {'+over start':>11} {'tree MB':>9} {'tree PSS':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in table:
        print(
            f"{r['mode']:8} {r['engine']:15} {r['workers']:>7} {r['rows']:>7} "
            f"{r['wall_s']:>8.1f} {r['cpu_s']:>8.1f} {r['peak_driver_mb']:>10.1f} "
            f"{r['driver_growth_mb']:>11.1f} {r['peak_tree_mb']:>9.1f} "
            f"{r['peak_tree_pss_mb']:>9.1f}"
        )
    for r in table:
        q = r["over_batch_run"]
        if q is None:
            continue
        print(
            f"{r['mode']}: {r['engine']}/batch_run, medians of {r['repeats']} pairs: wall time "
            f"{q['wall']:.2f}, CPU time {q['cpu']:.2f}, driver memory {q['peak_driver_mb']:.2f}, "
            f"tree memory {q['peak_tree_mb']:.2f} (RSS), {q['peak_tree_pss_mb']:.2f} (PSS); "
            "same final outcomes: "
            f"{r['same_final_outcomes']}; load average {r['load_average']:.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(table, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
