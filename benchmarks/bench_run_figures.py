"""What the figures of a command-line run cost (goal: the default figures within 0.5 s CPU).

`python -m sim run` draws `figures/overview.png` by default and every figure with
`--figures all`. This runs the baseline once (120 months), then, in fresh processes that
start the way a run's writer does (the model and pandas already imported), draws each set
into a scratch folder: the CPU time of importing matplotlib and of drawing and saving, the
median over repeats, alternating which set goes first.

    python benchmarks/bench_run_figures.py --repeat 5 --json benchmarks/results/run_figures.json
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, pickle, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
import sim.runs.runner  # what a run has imported before it writes its folder
result = pickle.load(open(sys.argv[2], "rb"))
c0 = time.process_time()
from sim.runs import figures
c1 = time.process_time()
figures.write_figures(tempfile.mkdtemp(), result, "baseline", sys.argv[3])
c2 = time.process_time()
print(json.dumps({"import": c1 - c0, "draw": c2 - c1}))
"""


def measure(result: Path, which: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(result), which],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from sim.core.scenario import load_scenario
    from sim.runs.runner import run

    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    result = run(scenario.params, 0, 120, communities=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.pkl"
        path.write_bytes(pickle.dumps(result))
        times: dict[str, list[dict[str, float]]] = {"overview": [], "all": []}
        for i in range(args.repeat):
            order = ("overview", "all") if i % 2 == 0 else ("all", "overview")
            for which in order:
                times[which].append(measure(path, which))
    summary = {
        which: {
            "import_cpu_s": statistics.median(t["import"] for t in runs),
            "draw_and_save_cpu_s": statistics.median(t["draw"] for t in runs),
            "repeats": len(runs),
        }
        for which, runs in times.items()
    }
    summary["load_average"] = os.getloadavg()
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
