"""What a policy timeline costs a run (benchmarks/README.md, "Policy timelines").

The default district runs 120 months without a timeline and with one whose entries set
levers to the values they already have — district-wide, in listed streets, in a community
type and in a random share of compounds, at several months — so both runs compute the same
thing and the difference is the timeline's own bookkeeping (the schedule, the targeted
lever tables and their lookups). Each repeat runs the pair in fresh processes, alternating
which goes first; the overhead is the median of the per-pair CPU-time ratios. Goal: ≤ 5%.

    python benchmarks/bench_timeline.py --repeat 5 --json benchmarks/results/timeline.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NO_OP_TIMELINE = [
    {"month": 12, "set": {"devolution_share": 0.3}},
    {"month": 24, "streets": [0, 1], "set": {"responsibility_list": False}},
    {"month": 36, "community_types": ["old"], "set": {"professional_committee": False}},
    {"month": 48, "share": 0.5, "seed": 7, "set": {"party_led_formation": 0.0}},
    {"month": 60, "set": {"xa_one_shoulder": 0.98}},
]
"""Entries that set levers to their baseline values, with each kind of targeting."""

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sim.core.model import GovernanceModel
timeline = json.loads(sys.argv[3]) or None
model = GovernanceModel(rng=1, timeline=timeline)
c0 = time.process_time()
model.run_for(int(sys.argv[2]))
print(json.dumps({"cpu": time.process_time() - c0,
                  "series": model.datacollector.get_model_vars_dataframe().to_json()}))
"""


def measure(steps: int, timeline: list) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(steps), json.dumps(timeline)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    pairs = []
    for r in range(args.repeat):
        order = [("without", []), ("with", NO_OP_TIMELINE)]
        if r % 2:
            order.reverse()
        pair = {name: measure(args.steps, tl) for name, tl in order}
        same = pair["with"].pop("series") == pair["without"].pop("series")
        pair["identical_series"] = same
        pairs.append(pair)
        print(
            f"repeat {r + 1}: without {pair['without']['cpu']:.2f} s CPU, with "
            f"{pair['with']['cpu']:.2f} s CPU; identical series: {same}",
            flush=True,
        )
    overhead = statistics.median(p["with"]["cpu"] / p["without"]["cpu"] - 1 for p in pairs)
    print(
        f"default district, {args.steps} months, median of {args.repeat} pairs: a "
        f"{len(NO_OP_TIMELINE)}-entry timeline adds {overhead:+.1%} CPU time (goal <= 5%)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "steps": args.steps,
                    "timeline": NO_OP_TIMELINE,
                    "pairs": pairs,
                    "overhead": overhead,
                    "load_average": os.getloadavg(),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
