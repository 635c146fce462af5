"""How long a district of the default size takes to load from files (docs/DATA.md).

    python benchmarks/bench_district.py --repeat 5
    python benchmarks/bench_district.py --repeat 5 --json benchmarks/results/district.json

The district is the default world (every parameter at its default, seed 1) written as
tables by `python -m sim world` — every column filled — in CSV and in Parquet, and the same
with only the ids and the compound types given (the rest drawn). Each measurement runs in a
fresh Python process, imports done before the clock starts, and times

    read      sim.core.scenario.load_district: read the files and validate every cell
    model     GovernanceModel(district=...): the world, residents, organisations, network
    load      read + model: from files to a model ready to step (the goal: <= 2 s)

and, for comparison, the model with its world drawn (`drawn`: no files). Figures are
medians over `--repeat` processes; the five cases are measured interleaved within each
repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL_S = 2.0
SEED = 1
CASES = ("csv", "parquet", "csv_types_only", "parquet_types_only")


def prepare(root: Path) -> dict[str, Path]:
    """Write the default district in each of the four forms; return their folders."""
    import pandas as pd

    from sim.core.district import district_tables
    from sim.core.model import GovernanceModel
    from sim.core.state import OC_NONE
    from sim.runs.district_files import write_district

    model = GovernanceModel(rng=SEED)
    full = district_tables(model.world, has_oc=model.compounds.oc_state != OC_NONE)
    few = {
        **full,
        "compounds": full["compounds"][["compound", "community", "compound_type"]],
        "communities": full["communities"][["community", "street"]],
    }
    model.remove_all_agents()
    folders = {}
    for case in CASES:
        fmt = "parquet" if case.startswith("parquet") else "csv"
        tables = few if case.endswith("types_only") else full
        folders[case] = root / case
        write_district(folders[case], {k: pd.DataFrame(v) for k, v in tables.items()}, fmt)
    return folders


def measure(folder: str | None) -> dict[str, Any]:
    """In this process: read and validate the folder, then build the model from it (no
    folder: build the model with its world drawn)."""
    from sim.core.model import GovernanceModel
    from sim.core.scenario import load_district

    t0 = time.perf_counter()
    district = load_district(folder) if folder is not None else None
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = GovernanceModel(rng=SEED, district=district)
    model_s = time.perf_counter() - t0
    return {
        "read_s": read_s,
        "model_s": model_s,
        "load_s": read_s + model_s,
        "residents": int(model.residents.n),
        "communities": int(model.communities.n),
        "compounds": int(model.compounds.n),
    }


def in_fresh_process(folder: Path | None) -> dict[str, Any]:
    where = repr(str(folder)) if folder is not None else "None"
    code = (
        f"import sys, json; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import bench_district as b; import sim.core.model, sim.core.scenario; "
        f"print(json.dumps(b.measure({where})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folders: dict[str, Path | None] = {**prepare(Path(tmp)), "drawn": None}
        runs: dict[str, list[dict[str, Any]]] = {c: [] for c in folders}
        for _ in range(args.repeat):
            for case, folder in folders.items():
                runs[case].append(in_fresh_process(folder))
    result: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": list(os.getloadavg()),
        },
        "repeat": args.repeat,
        "goal_s": GOAL_S,
        "cases": {},
    }
    print(
        f"default district from files, median of {args.repeat} fresh processes "
        f"(goal: load <= {GOAL_S:g} s)"
    )
    print(
        f"{'tables':<20s} {'compounds':>9s} {'residents':>9s} {'read s':>7s} {'model s':>8s} "
        f"{'load s':>7s}"
    )
    for case, items in runs.items():
        med = {k: statistics.median(r[k] for r in items) for k in ("read_s", "model_s", "load_s")}
        result["cases"][case] = {**med, "all": items}
        first = items[0]
        print(
            f"{case:<20s} {first['compounds']:>9,d} {first['residents']:>9,d} "
            f"{med['read_s']:>7.3f} {med['model_s']:>8.3f} {med['load_s']:>7.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
