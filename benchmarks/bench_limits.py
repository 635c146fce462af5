"""How well the size guards' estimates match measured memory and time.

    python benchmarks/bench_limits.py --repeat 3 --json benchmarks/results/limits.json
    python benchmarks/bench_limits.py --fit       # also fit the per-item constants

`sim.core.world.estimate_memory(params)` predicts the memory a model built from `params`
holds, from expected counts (residents, social ties, compounds, communities, organisations)
times bytes per item; `sim.runs.limits` adds the recorded outcomes and predicts run time from
seconds to build the world and seconds per month, each a fixed part plus a part per
resident, community, compound and organisation. The command line refuses a run or sweep
whose estimates exceed `--max-memory` / `--max-hours`. This benchmark measures worlds that
load each term in turn, each in a fresh process (build, then a few months), and prints
estimate / measured:

- memory: peak resident set size of a `sim.runs.runner.run` minus the peak after the imports;
- time: CPU seconds per month (`time.process_time` between the first and the last month),
  which varies less than wall time on a shared machine, and CPU seconds to build the world
  (up to the end of the first month, less one month).

Worlds marked "tables" are read from district tables (drawn from the structure given, then
run with the default parameters), as `python -m sim run --world DIR` reads them: their
estimates count the tables' communities and compounds instead of the parameters'.

With `--fit` it also fits the constants by least squares (memory: no intercept; time: a
fixed cost plus per resident, community, compound and firm or NGO, non-negative,
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
import tempfile
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
    "tables: many compounds": (
        {"tables": {"n_streets": 8, "compounds_per_community": 50.0}},
        4,
        False,
    ),
    "tables: many communities": (
        {
            "tables": {"n_streets": 100, "communities_per_street": 20.0},
            "households_per_compound": 20.0,
        },
        4,
        False,
    ),
}
"""(parameters, months, keep the per-community table): worlds that load each term of the
estimates in turn: residents, ties, compounds, communities, firms and NGOs, months kept.
A `tables` entry draws a district with those parameters, writes its tables (only the ids,
so the rest is drawn as a run with `--world` draws it) and runs the others on them."""


def _write_tables(structure: dict[str, Any], seed: int, folder: str) -> str:
    """Write the district a world of `structure` has into `folder`, as tables holding only
    its ids (so that what a run reads is the structure alone); return the folder."""
    import numpy as np

    from sim.core.district import district_tables
    from sim.core.params import validate
    from sim.core.world import build_world
    from sim.runs.district_files import write_district

    small = {**structure, "households_per_compound": 5.0}  # only the ids are kept
    world = build_world(validate(small, where="tables"), np.random.default_rng(seed))
    write_district(folder, district_tables(world, columns=()), "csv")
    return folder


def _split(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the run's parameters, the structure its district's tables are drawn from, if any)."""
    rest = dict(params)
    return rest, rest.pop("tables", None)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(
    params: dict[str, Any], steps: int, communities: bool, seed: int, tables: str | None
) -> dict[str, Any]:
    """One `sim.runs.runner.run` in this process (as `python -m sim run` does it), on the
    district tables in folder `tables` if given (as `--world DIR` reads them)."""
    from sim.core.params import validate
    from sim.core.scenario import load_district
    from sim.runs.runner import run

    import_mb = _peak_mb()
    params, _ = _split(params)
    district = load_district(tables) if tables is not None else None
    p = validate(params, where="benchmark")
    marks: list[float] = []
    t0 = time.process_time()
    result = run(
        p,
        seed,
        steps,
        communities=communities,
        progress=lambda done, total: marks.append(time.process_time()),
        district=district,
    )
    per_month = (marks[-1] - marks[0]) / max(steps - 1, 1)
    return {
        **result.meta,
        "compiled": "numba" in sys.modules,  # the compiled loops ran (sim.core.kernels)
        "import_mb": import_mb,
        "peak_mb": _peak_mb(),
        "cpu_s": marks[-1] - t0,
        "cpu_s_per_month": per_month,
        "cpu_s_build": max(marks[0] - t0 - per_month, 0.0),
    }


def measure(name: str, repeat: int, seed: int) -> dict[str, Any]:
    from sim.core.params import validate
    from sim.core.scenario import load_district
    from sim.core.world import expected_counts
    from sim.runs.limits import estimate_run

    params, steps, communities = WORLDS[name]
    rest, structure = _split(params)
    with tempfile.TemporaryDirectory() as folder:
        tables = _write_tables(structure, seed, folder) if structure is not None else None
        spec = json.dumps(
            {
                "params": params,
                "steps": steps,
                "communities": communities,
                "seed": seed,
                "tables": tables,
            }
        )
        runs = []
        for _ in range(repeat):
            out = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "_child", spec],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        district = load_district(tables) if tables is not None else None
    p = validate(rest, where=name)
    est = estimate_run(p, steps, communities=communities, district=district)
    model_mb = statistics.median(r["peak_mb"] - r["import_mb"] for r in runs)
    per_month = statistics.median(r["cpu_s_per_month"] for r in runs)
    build = statistics.median(r["cpu_s_build"] for r in runs)
    r0 = runs[0]
    return {
        "world": name,
        "params": params,
        "steps": steps,
        "communities_table": communities,
        "residents": r0["residents"],
        "communities": r0["communities"],
        "compounds": r0["compounds"],
        "expected": expected_counts(district.params(p) if district else p, district),
        "compiled": r0["compiled"],
        "measured_mb": model_mb,
        "estimated_mb": est.memory / 2**20,
        "memory_ratio": est.memory / 2**20 / model_mb,
        "measured_s_per_month": per_month,
        "estimated_s_per_month": est.seconds_per_month,
        "time_ratio": est.seconds_per_month / per_month,
        "measured_s_build": build,
        "estimated_s_build": est.build_seconds,
        "build_ratio": est.build_seconds / build if build > 0 else float("nan"),
        "repeats": repeat,
    }


def fit(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Least-squares constants from the measured rows: memory of the built world from the
    12-month-or-shorter worlds without the community table (realised counts; tie ends from
    the expected ties per resident; a fixed term where the compiled loops ran), then what months and the community table add; time as
    a fixed cost per month plus a cost per resident-, community-, compound- and
    organisation-month."""
    import numpy as np
    from scipy.optimize import nnls

    short = [r for r in rows if r["steps"] <= 12 and not r["communities_table"]]
    short = [r for r in short if not r["world"].startswith("tables")]  # they check the counts
    x = np.array(
        [
            [
                r["residents"],
                r["residents"] * r["expected"]["tie_ends"] / r["expected"]["residents"],
                r["compounds"],
                r["communities"],
                r["expected"]["organisations"],
                float(r["compiled"]),
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
    # building also draws the social graph: a term per tie end, as in memory
    ties = [r["residents"] * r["expected"]["tie_ends"] / r["expected"]["residents"] for r in rows]
    xb = np.column_stack([xt[:, :2], ties, xt[:, 2:]])
    tb = np.array([r["measured_s_build"] for r in rows])
    ok = tb > 0
    bm, _ = nnls(xb[ok] / tb[ok, None], np.ones(int(ok.sum())))
    return {
        "bytes_per_resident": mem[0],
        "bytes_per_tie_end": mem[1],
        "bytes_per_compound": mem[2],
        "bytes_per_community": mem[3],
        "bytes_per_organisation": mem[4],
        "bytes_compiled_loops": mem[5],
        "bytes_per_recorded_month": per_month,
        "bytes_per_community_table_month": table_month,
        "bytes_per_community_row": per_row,
        "seconds_per_month": tm[0],
        "seconds_per_resident_month": tm[1],
        "seconds_per_community_month": tm[2],
        "seconds_per_compound_month": tm[3],
        "seconds_per_organisation_month": tm[4],
        "build_seconds": bm[0],
        "build_seconds_per_resident": bm[1],
        "build_seconds_per_tie_end": bm[2],
        "build_seconds_per_community": bm[3],
        "build_seconds_per_compound": bm[4],
        "build_seconds_per_organisation": bm[5],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        spec = json.loads(argv[1])
        args = (spec["params"], spec["steps"], spec["communities"], spec["seed"], spec["tables"])
        print(json.dumps(child(*args)))
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
        f"{'ratio':>6s} {'s build':>8s} {'est.':>8s} {'ratio':>6s}"
    )
    for name in WORLDS:
        r = measure(name, args.repeat, args.seed)
        rows.append(r)
        print(
            f"{name:34s} {r['residents']:10,d} {r['compounds']:9,d} {r['communities']:6,d} "
            f"{r['measured_mb']:9.1f} {r['estimated_mb']:8.1f} {r['memory_ratio']:6.2f} "
            f"{r['measured_s_per_month']:8.4f} {r['estimated_s_per_month']:8.4f} "
            f"{r['time_ratio']:6.2f} {r['measured_s_build']:8.3f} {r['estimated_s_build']:8.3f} "
            f"{r['build_ratio']:6.2f}",
            flush=True,
        )
    out: dict[str, Any] = {"machine": machine(), "worlds": rows}
    if args.fit:
        out["fit"] = fit(rows)
        for k, v in out["fit"].items():
            print(f"{k:31s} {v:.4g}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
