"""The process a comparison runs in (a background job of `jobs`), apart from the server:

    python -m sim.interfaces.browser.worker SPEC.json

SPEC.json (written by `compare.write_spec`) holds both arms' parameters and policy timelines,
the folder of the district's tables (if the session read them from files), the replicate
seeds, the months and the summary window, and the folder to write to. Every replicate of
each arm is the command line's unit of work (`sim.runs.runner.run`, with the per-community
table); the worker prints `progress DONE TOTAL` (months run) as it goes and writes

* `series.parquet` — the district series of every run: arm, replicate, seed, step, outcomes;
* `communities.parquet` — every community's mean over the last `window` months of each
  numeric column of the per-community table: arm, replicate, seed, community, street, ...

A bad specification ends with one line on the standard error and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.params import ScenarioError


def run_spec(spec: dict[str, Any], progress: Any = print) -> None:
    """Run both arms on every seed (`compare.run_comparison`) and write the tables (see the
    module docstring)."""
    from sim.core.scenario import load_district

    from .compare import run_comparison

    out = Path(spec["out"])
    out.mkdir(parents=True, exist_ok=True)
    district = load_district(spec["world"]) if spec.get("world") else None
    comp = run_comparison(
        spec["params"]["A"],
        spec["params"]["B"],
        0,
        0,
        int(spec["months"]),
        tuple(spec["names"]),
        progress=lambda done, total: progress(f"progress {done} {total}", flush=True),
        timelines=(spec["timelines"]["A"], spec["timelines"]["B"]),
        district=district,
        communities=True,
        seeds=[int(s) for s in spec["seeds"]],
    )
    frames = []
    for arm, runs in (("A", comp.a), ("B", comp.b)):
        for r, series in enumerate(runs):
            s = series.copy()
            s.insert(0, "seed", comp.seeds[r])
            s.insert(0, "replicate", r)
            s.insert(0, "arm", arm)
            frames.append(s)
    pd.concat(frames, ignore_index=True).to_parquet(out / "series.parquet", index=False)
    comp.communities.to_parquet(out / "communities.parquet", index=False)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m sim.interfaces.browser.worker SPEC.json", file=sys.stderr)
        return 2
    try:
        spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
        run_spec(spec)
    except (OSError, ValueError, KeyError, ScenarioError) as err:
        print(f"{args[0]}: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
