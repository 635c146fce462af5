"""How well the size guards' estimates match measured memory and time.

    python benchmarks/bench_limits.py --repeat 3 --json benchmarks/results/limits.json
    python benchmarks/bench_limits.py --fit       # also fit the per-item constants

`sim.core.world.estimate_memory(params)` predicts the memory a model built from `params`
holds, from expected counts (residents, social ties, compounds, communities, organisations)
times bytes per item; `sim.runs.limits` adds the recorded outcomes and predicts run time from
seconds per month and per resident-, community-, compound- and organisation-month. The
command line refuses a run or sweep whose estimates exceed
`--max-memory` / `--max-hours`. This benchmark measures worlds that load each term in turn,
each in a fresh process (build, then a few months), and prints estimate / measured:

- memory: peak resident set size of a `sim.runs.runner.run` minus the peak after the imports;
- time: CPU seconds per month (`time.process_time` between the first and the last month),
  which varies less than wall time on a shared machine.

With `--fit` it also fits the constants by least squares (memory: no intercept; time: a
fixed cost per month plus per resident, community, compound and firm or NGO, non-negative,
minimising relative errors). The
constants in the code are these fits, rounded up for memory (refusing a world that would fit
is cheaper than swapping) and to two digits for time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_model import machine  # noqa: E402

TINY = {
    "n_streets": 1,
    "communities_per_street": 3.0,
    "compounds_per_community": 3.0,
    "households_per_compound": 40.0,
    "n_firms": 3,
    "n_ngos": 2,
}

WORLDS: dict[str, tuple[dict[str, Any], int, bool]] = {
    "tiny": (TINY, 12, False),
    "tiny, 3,000 months": (TINY, 3000, False),
    "tiny, 3,000 months + communities": (TINY, 3000, True),
    "district": ({}, 12, False),
    "district, 600 months + communities": ({}, 600, True),
    "residents x4": ({"n_streets": 40}, 6, False),
    "residents x8": ({"n_streets": 80, "n_firms": 100, "n_ngos": 80}, 4, False),
    "dense ties": ({"n_streets": 10, "social_degree": 40}, 6, False),
    "many compounds": (
        {"n_streets": 40, "compounds_per_community": 40.0, "households_per_compound": 5.0},
        6,
        False,
    ),
    "many communities": (
        {
            "n_streets": 400,
            "communities_per_street": 20.0,
            "compounds_per_community": 1.0,
            "households_per_compound": 5.0,
        },
        6,
        False,
    ),
    "many organisations": ({"n_streets": 2, "n_firms": 20000, "n_ngos": 20000}, 6, False),
}
"""(parameters, months, keep the per-community table): worlds that load each term of the
estimates in turn: residents, ties, compounds, communities, firms and NGOs, months kept."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(params: dict[str, Any], steps: int, communities: bool, seed: int) -> dict[str, Any]:
    """One `sim.runs.runner.run` in this process (as `python -m sim run` does it)."""
    from sim.core.params import validate
    from sim.runs.runner import run

    import_mb = _peak_mb()
    p = validate(params, where="benchmark")
    marks: list[float] = []
    t0 = time.process_time()
    result = run(
        p,
        seed,
        steps,
        communities=communities,
        progress=lambda done, total: marks.append(time.process_time()),
    )
    per_month = (marks[-1] - marks[0]) / max(steps - 1, 1)
    return {
        **result.meta,
        "import_mb": import_mb,
        "peak_mb": _peak_mb(),
        "cpu_s": marks[-1] - t0,
        "cpu_s_per_month": per_month,
    }


def measure(name: str, repeat: int, seed: int) -> dict[str, Any]:
    from sim.core.params import validate
    from sim.core.world import expected_counts
    from sim.runs.limits import estimate_run

    params, steps, communities = WORLDS[name]
    spec = json.dumps({"params": params, "steps": steps, "communities": communities, "seed": seed})
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "_child", spec],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    p = validate(params, where=name)
    est = estimate_run(p, steps, communities=communities)
    model_mb = statistics.median(r["peak_mb"] - r["import_mb"] for r in runs)
    per_month = statistics.median(r["cpu_s_per_month"] for r in runs)
    r0 = runs[0]
    return {
        "world": name,
        "params": params,
        "steps": steps,
        "communities_table": communities,
        "residents": r0["residents"],
        "communities": r0["communities"],
        "compounds": r0["compounds"],
        "expected": expected_counts(p),
        "measured_mb": model_mb,
        "estimated_mb": est.memory / 2**20,
        "memory_ratio": est.memory / 2**20 / model_mb,
        "measured_s_per_month": per_month,
        "estimated_s_per_month": est.seconds_per_month,
        "time_ratio": est.seconds_per_month / per_month,
        "repeats": repeat,
    }


def fit(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Least-squares constants from the measured rows: memory of the built world from the
    12-month-or-shorter worlds without the community table (realised counts; tie ends from
    the expected ties per resident), then what months and the community table add; time as
    a fixed cost per month plus a cost per resident-, community-, compound- and
    organisation-month."""
    import numpy as np
    from scipy.optimize import nnls

    short = [r for r in rows if r["steps"] <= 12 and not r["communities_table"]]
    x = np.array(
        [
            [
                r["residents"],
                r["residents"] * r["expected"]["tie_ends"] / r["expected"]["residents"],
                r["compounds"],
                r["communities"],
                r["expected"]["organisations"],
            ]
            for r in short
        ],
        dtype=float,
    )
    y = np.array([r["measured_mb"] * 2**20 for r in short])
    mem, *_ = np.linalg.lstsq(x, y, rcond=None)
    by = {r["world"]: r for r in rows}
    tiny, long = by["tiny"], by["tiny, 3,000 months"]
    per_month = (long["measured_mb"] - tiny["measured_mb"]) * 2**20 / (long["steps"] - 12)
    # the per-community table: a fixed cost per recorded month (a row of small arrays)
    # and a cost per community row, from a small and a larger world kept for many months
    with_c = by["tiny, 3,000 months + communities"]
    table_month = (with_c["measured_mb"] - long["measured_mb"]) * 2**20 / with_c["steps"]
    district = by["district, 600 months + communities"]
    world = float(x[[r["world"] for r in short].index("district")] @ mem)
    table = district["measured_mb"] * 2**20 - world - district["steps"] * per_month
    per_row = (table / district["steps"] - table_month) / district["communities"]
    t = np.array([r["measured_s_per_month"] for r in rows])
    xt = np.column_stack(
        [
            np.ones(len(rows)),
            [r["residents"] for r in rows],
            [r["communities"] for r in rows],
            [r["compounds"] for r in rows],
            [r["expected"]["organisations"] for r in rows],
        ]
    )
    tm, _ = nnls(xt / t[:, None], np.ones(len(t)))  # relative errors; no negative cost
    return {
        "bytes_per_resident": mem[0],
        "bytes_per_tie_end": mem[1],
        "bytes_per_compound": mem[2],
        "bytes_per_community": mem[3],
        "bytes_per_organisation": mem[4],
        "bytes_per_recorded_month": per_month,
        "bytes_per_community_table_month": table_month,
        "bytes_per_community_row": per_row,
        "seconds_per_month": tm[0],
        "seconds_per_resident_month": tm[1],
        "seconds_per_community_month": tm[2],
        "seconds_per_compound_month": tm[3],
        "seconds_per_organisation_month": tm[4],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        spec = json.loads(argv[1])
        print(json.dumps(child(spec["params"], spec["steps"], spec["communities"], spec["seed"])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fit", action="store_true", help="also fit the constants")
    parser.add_argument("--json", default=None, metavar="PATH")
    args = parser.parse_args(argv)

    rows = []
    print(
        f"{'world':34s} {'residents':>10s} {'compounds':>9s} {'comm.':>6s} "
        f"{'MB meas.':>9s} {'MB est.':>8s} {'ratio':>6s} {'s/month':>8s} {'est.':>8s} "
        f"{'ratio':>6s}"
    )
    for name in WORLDS:
        r = measure(name, args.repeat, args.seed)
        rows.append(r)
        print(
            f"{name:34s} {r['residents']:10,d} {r['compounds']:9,d} {r['communities']:6,d} "
            f"{r['measured_mb']:9.1f} {r['estimated_mb']:8.1f} {r['memory_ratio']:6.2f} "
            f"{r['measured_s_per_month']:8.4f} {r['estimated_s_per_month']:8.4f} "
            f"{r['time_ratio']:6.2f}",
            flush=True,
        )
    out: dict[str, Any] = {"machine": machine(), "worlds": rows}
    if args.fit:
        out["fit"] = fit(rows)
        for k, v in out["fit"].items():
            print(f"{k:28s} {v:.4g}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
