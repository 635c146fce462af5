"""The model now against the model at an earlier commit, side by side on the default
district (benchmarks/README.md, "Against an earlier model").

The earlier commit's `sim` package is extracted from git (`git archive`) into a temporary
folder; each repeat runs both models, alternating which goes first, each in a fresh
process that builds the default district for the seed and times its 120 months (wall and
CPU). Ratios are medians of the per-repeat ratios, so both sides of a ratio ran under the
same load. A model with compiled loops (sim.core.kernels) loads them between the build and
the timed months (one month of a tiny world), and that one-off cost is reported on its own
line.

    python benchmarks/bench_versus.py --before a19e6a2 --repeat 5 --json benchmarks/results/versus.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sim.core.model import GovernanceModel
load = 0.0
try:  # the compiled loops, where the model has them: loaded once per process, timed apart
    from sim.core import kernels
except ImportError:
    kernels = None
if kernels is not None:
    kernels.set_mode(sys.argv[4])
t0, c0 = time.perf_counter(), time.process_time()
model = GovernanceModel(rng=int(sys.argv[2]))
t1, c1 = time.perf_counter(), time.process_time()
build = t1 - t0
if kernels is not None and kernels.active(int(model.residents.n)) is not None:
    c = time.process_time()
    with kernels.using("compiled"):
        GovernanceModel(rng=1, **TINY).run_for(1)
    load = time.process_time() - c
    t1, c1 = time.perf_counter(), time.process_time()
model.run_for(int(sys.argv[3]))
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"build": build, "wall": t2 - t1, "cpu": c2 - c1, "load_compiled": load,
                  "residents": int(model.residents.n)}))
""".replace(
    "TINY",
    "dict(n_streets=1, communities_per_street=2.0, compounds_per_community=2.0, "
    "households_per_compound=20.0, n_firms=2, n_ngos=1)",
)
"""Build the district and time its months. A model with compiled loops (sim.core.kernels)
runs, between the build and the months, one month of a tiny world with them, which imports
Numba and loads the loops' cached machine code; that one-off cost per process is reported
apart (`load_compiled`)."""


def extract(rev: str, into: Path) -> Path:
    """The `sim` package of commit `rev`, written under `into`."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "sim"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def measure(package_root: Path, seed: int, steps: int, mode: str = "auto") -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(package_root),
            str(seed),
            str(steps),
            mode,
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="git revision of the earlier model")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--mode",
        choices=("auto", "numpy", "compiled"),
        default="auto",
        help="compiled loops of the model now (sim.core.kernels)",
    )
    parser.add_argument(
        "--before-mode",
        choices=("auto", "numpy", "compiled"),
        default="auto",
        help="the same for the earlier model, if it has them (e.g. --before HEAD "
        "--mode compiled --before-mode numpy compares the two paths of one commit)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        before = extract(args.before, Path(tmp))
        rows = []
        for r in range(args.repeat):
            order = [("before", before), ("now", ROOT)]
            if r % 2:
                order.reverse()
            modes = {"now": args.mode, "before": args.before_mode}
            pair = {name: measure(path, args.seed, args.steps, modes[name]) for name, path in order}
            rows.append(pair)
            print(
                f"repeat {r + 1}: now {pair['now']['wall']:.2f} s wall "
                f"{pair['now']['cpu']:.2f} s CPU; before {pair['before']['wall']:.2f} s "
                f"wall {pair['before']['cpu']:.2f} s CPU; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            pair["load_average"] = os.getloadavg()[0]
    med = {
        f"{side}_{k}": statistics.median(p[side][k] for p in rows)
        for side in ("now", "before")
        for k in ("build", "wall", "cpu")
    }
    med["now_load_compiled"] = statistics.median(p["now"].get("load_compiled", 0) for p in rows)
    ratios = {
        k: statistics.median(p["now"][k] / p["before"][k] for p in rows) for k in ("wall", "cpu")
    }
    per_rm = {  # CPU nanoseconds per resident-month
        side: statistics.median(
            1e9 * p[side]["cpu"] / (p[side]["residents"] * args.steps) for p in rows
        )
        for side in ("now", "before")
    }
    ratios["cpu_per_resident_month"] = statistics.median(
        (p["now"]["cpu"] / p["now"]["residents"]) / (p["before"]["cpu"] / p["before"]["residents"])
        for p in rows
    )
    print(
        f"default district, {args.steps} months, seed {args.seed}, median of "
        f"{args.repeat} side-by-side pairs (before = {args.before}; compiled loops now: "
        f"{args.mode}, before: {args.before_mode}):"
    )
    print(
        f"  now    : build {med['now_build']:.2f} s, run {med['now_wall']:.2f} s wall, "
        f"{med['now_cpu']:.2f} s CPU ({rows[0]['now']['residents']:,} residents)"
    )
    print(
        f"  before : build {med['before_build']:.2f} s, run {med['before_wall']:.2f} s wall, "
        f"{med['before_cpu']:.2f} s CPU ({rows[0]['before']['residents']:,} residents)"
    )
    print(f"  ratio now/before: {ratios['wall']:.2f}× wall, {ratios['cpu']:.2f}× CPU")
    print(
        f"  CPU per resident-month: now {per_rm['now']:.0f} ns, before {per_rm['before']:.0f} ns,"
        f" ratio {ratios['cpu_per_resident_month']:.2f}×"
    )
    if med["now_load_compiled"]:
        print(
            f"  now: loading the compiled loops (Numba) once per process, not in the run: "
            f"{med['now_load_compiled']:.2f} s CPU"
        )
    loads = [p["load_average"] for p in rows]
    print(f"  load average during the pairs: {min(loads):.1f}-{max(loads):.1f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "before": args.before,
                    "steps": args.steps,
                    "seed": args.seed,
                    "pairs": rows,
                    "medians": med,
                    "ratios": ratios,
                    "ns_per_resident_month": per_rm,
                    "load_average": os.getloadavg(),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
