"""Performance benchmarks of the whole model (design brief §7 `benchmarks/`; the step is
ODD §4, the vectorised residents ODD §2 and §6).

    python benchmarks/bench_model.py district            # defaults, 120 months
    python benchmarks/bench_model.py city                # ~2,000 communities, ~4M residents
    python benchmarks/bench_model.py scaling             # 50k → 800k residents, doubling
    python benchmarks/bench_model.py build               # world building on its own
    python benchmarks/bench_model.py products            # the social-graph products alone
    python benchmarks/bench_model.py all --repeat 3 --json benchmarks/results/model.json
    python benchmarks/bench_model.py district --set households_per_compound=5 --kernels compiled

`--set KEY=VALUE` (repeatable) changes a model parameter of the district or the city runs,
`--kernels` chooses the compiled loops' mode (sim.core.kernels.set_mode) for them: the
district's organisations with a fraction of its residents, for instance, shows what the
organisations' month costs on its own.

Every measurement runs in a fresh Python process, so peak memory is that run's own: the
peak resident set size (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) of the process,
interpreter and imports included (`import_mb` is the peak after the imports alone).
Wall time (`time.perf_counter`) and CPU time (`time.process_time`) are both reported: on a
shared machine the wall time of a single thread varies 2-3× with the load, CPU time less.
With `--repeat N` each figure is the median of N processes; the sizes of the scaling series
run interleaved in each repeat, and each doubling ratio is the median of the per-repeat
ratios (the two sizes measured side by side).

The split by mechanism (CPU time) wraps, in the measuring process only, every mechanism
function the model's `step` calls (through the mechanism modules' names in `sim.core.model`),
every organisation decision (`model.do(Cls, "method")`, labelled `decisions: Cls.method`, and
the classes' batched `*_all` decisions), the model's helpers that `step` calls, and the
collectors; the schedule itself is read nowhere else. Each part is its own time: a timed
call made inside another (a batched decision that a mechanism calls, a mechanism's function
that a decision calls) counts for the inner part only, so the parts and `other` — the rest of
the step (Mesa's step wrapper, the month's bookkeeping in `step` itself) — add up to the
month's CPU time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import types
from typing import Any

DISTRICT: dict[str, Any] = {}
"""The default district: every parameter at its schema default."""

CITY: dict[str, Any] = {
    "n_streets": 200,
    "communities_per_street": 10.0,
    "compounds_per_community": 5.0,
    "households_per_compound": 150.0,
    "n_firms": 500,
    "n_ngos": 400,
}
"""A city: 200 streets of the default make-up, ~2,000 communities, ~10,000 compounds,
~3.9M residents; firms and NGOs in the default proportion to communities."""

SCALING_STREETS = (5, 10, 20, 40, 80)
"""Streets of 5 communities (~9,800 residents each): ~49k, 98k, 196k, 392k, 784k residents."""


def scaling_params(n_streets: int) -> dict[str, Any]:
    """A district of `n_streets` streets with everything else in proportion: 5 communities
    per street, default compounds and households, firms and NGOs per community as in the
    default district (25 and 20 per 100 communities)."""
    return {
        "n_streets": n_streets,
        "communities_per_street": 5.0,
        "n_firms": max(1, round(1.25 * n_streets)),
        "n_ngos": n_streets,
    }


# --------------------------------------------------------------------------- measuring


class _TimedModule:
    """Stands in for a mechanism module inside `sim.core.model`: its functions are timed."""

    def __init__(self, module: types.ModuleType, timings: dict[str, float]) -> None:
        self._module, self._timings = module, timings
        self._label = module.__name__.rsplit(".", 1)[-1]

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if callable(value) and not isinstance(value, type):
            return _timed(value, f"{self._label}.{name}", self._timings)
        return value


_OPEN: list[float] = []
"""For each timed call under way, innermost last: the time of the timed calls inside it."""


def _timed(fn, label: str, timings: dict[str, float]):
    """`fn`, adding its own CPU time to `timings[label]`: the time of timed calls made
    inside it (a decision called by a mechanism) counts for them, not for it, so that the
    parts add up to the month."""

    def wrapper(*args, **kwargs):
        start = time.process_time()
        _OPEN.append(0.0)
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = time.process_time() - start
            inner = _OPEN.pop()
            timings[label] = timings.get(label, 0.0) + elapsed - inner
            if _OPEN:
                _OPEN[-1] += elapsed

    return wrapper


def _install_timers(model, timings: dict[str, float]) -> None:
    """Time (CPU) every part of `GovernanceModel.step`: the mechanism modules' functions, the
    organisations' decisions (`model.do(Cls, "method")` and the classes' batched
    decisions), the model's own helpers that `step` calls, and the collectors."""
    import sim.core.model as sim_model

    for name, obj in list(vars(sim_model).items()):
        if isinstance(obj, types.ModuleType) and obj.__name__.startswith("sim.core.mechanisms."):
            setattr(sim_model, name, _TimedModule(obj, timings))
        elif isinstance(obj, type) and obj.__module__.startswith("sim.core.agents"):
            for attr, value in list(vars(obj).items()):
                if isinstance(value, staticmethod) and attr.endswith("_all"):
                    label = f"decisions: {obj.__name__}.{attr}"
                    setattr(obj, attr, staticmethod(_timed(value.__func__, label, timings)))
    sim_model.district_outcomes = _timed(
        sim_model.district_outcomes, "metrics.district_outcomes", timings
    )
    do = model.do

    def timed_do(cls: type, method: str, only=None) -> None:
        _timed(do, f"decisions: {cls.__name__}.{method}", timings)(cls, method, only)

    model.do = timed_do
    model.apply_policies = _timed(model.apply_policies, "model.apply_policies", timings)
    sim_model.measure_cross_appointment = _timed(
        sim_model.measure_cross_appointment, "metrics.measure_cross_appointment", timings
    )
    model.datacollector.collect = _timed(
        model.datacollector.collect, "metrics.datacollector", timings
    )
    for recorder in ("community", "compound", "street", "department"):
        rec = getattr(model, f"{recorder}_recorder")
        rec.record = _timed(rec.record, f"metrics.{recorder}_recorder", timings)


TINY: dict[str, Any] = {
    "n_streets": 1,
    "communities_per_street": 2.0,
    "compounds_per_community": 2.0,
    "households_per_compound": 20.0,
    "n_firms": 2,
    "n_ngos": 1,
}


def _load_compiled(model_class, residents: int) -> float:
    """If the compiled loops (sim.core.kernels) will run for this population, load them now
    (one month of a tiny world with them: Numba's import and the loops' cached machine
    code) and return the CPU seconds it took; that cost is paid once per process."""
    from sim.core import kernels

    if kernels.active(residents) is None:
        return 0.0
    start = time.process_time()
    with kernels.using("compiled"):
        model_class(rng=1, **TINY).run_for(1)
    return time.process_time() - start


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(params: dict[str, Any], seed: int, steps: int, split: bool) -> dict[str, Any]:
    """One run in this process: build, then `steps` months. Returns the figures."""
    import numpy as np

    import_mb = _peak_mb()
    from sim.core import params as P
    from sim.core.model import STREAMS, GovernanceModel
    from sim.core.world import build_world

    import_mb = max(import_mb, _peak_mb())
    # the world builder alone, with the model's own world stream
    p = P.validate(params, where="benchmark")
    seeds = np.random.SeedSequence(int(np.random.default_rng(seed).integers(2**63))).spawn(
        len(STREAMS)
    )
    t0 = time.perf_counter()
    world = build_world(p, np.random.default_rng(seeds[STREAMS.index("world")]))
    world_s = time.perf_counter() - t0
    world_residents = world.n_residents
    del world

    t0 = time.perf_counter()
    model = GovernanceModel(rng=seed, **params)
    build_s = time.perf_counter() - t0
    build_mb = _peak_mb()
    # after the build, as in a run (where the first month loads them)
    load_compiled = _load_compiled(GovernanceModel, world_residents)
    timings: dict[str, float] = {}
    if split:
        _install_timers(model, timings)
    w0, c0 = time.perf_counter(), time.process_time()
    first_month_mb = build_mb
    for month in range(steps):
        model.step()
        if month == 0:
            first_month_mb = _peak_mb()
    run_s, cpu_s = time.perf_counter() - w0, time.process_time() - c0
    recorders = ("community", "compound", "street", "department")
    tables = sum(getattr(model, f"{r}_recorder").nbytes() for r in recorders)
    from sim.core import kernels

    return {
        "compiled_loops": kernels.active(int(model.residents.n)) is not None,
        "load_compiled_s": load_compiled,
        "residents": int(model.residents.n),
        "communities": int(model.communities.n),
        "compounds": int(model.compounds.n),
        "social_ties": int(model.residents.social.nnz // 2),
        "steps": steps,
        "world_s": world_s,
        "build_s": build_s,
        "run_s": run_s,
        "cpu_s": cpu_s,
        "step_ms": 1000 * run_s / max(steps, 1),
        "total_s": build_s + run_s,
        "import_mb": import_mb,
        "build_mb": build_mb,
        "first_month_mb": first_month_mb,
        "tables_mb": tables / 2**20,
        "peak_mb": _peak_mb(),
        "mechanisms_s": timings,
    }


def measure_in_fresh_process(
    params: dict[str, Any], seed: int, steps: int, split: bool = True, kernels: str = "auto"
) -> dict[str, Any]:
    spec = json.dumps(
        {"params": params, "seed": seed, "steps": steps, "split": split, "kernels": kernels}
    )
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "_measure", spec],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- summaries


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float):
            out[key] = statistics.median(r[key] for r in runs)
    labels = sorted({k for r in runs for k in r["mechanisms_s"]})
    out["mechanisms_s"] = {
        k: statistics.median(r["mechanisms_s"].get(k, 0.0) for r in runs) for k in labels
    }
    out["repeats"] = len(runs)
    out["run_s_all"] = [r["run_s"] for r in runs]
    return out


def machine() -> dict[str, Any]:
    import mesa
    import numpy
    import scipy

    model_name = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model_name = next(
                (ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), ""
            )
        with open("/proc/meminfo") as fh:
            mem_kb = int(next(ln.split()[1] for ln in fh if ln.startswith("MemTotal")))
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return {
        "cpu": model_name,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def print_run(title: str, r: dict[str, Any]) -> None:
    print(
        f"\n## {title}: {r['residents']:,} residents, {r['communities']:,} communities, "
        f"{r['compounds']:,} compounds, {r['steps']} months (median of {r['repeats']})"
    )
    print(
        f"world build {r['world_s']:.2f} s | model build {r['build_s']:.2f} s | "
        f"run {r['run_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU | {r['step_ms']:.1f} ms/month | "
        f"total {r['total_s']:.2f} s"
    )
    print(
        f"peak RSS {r['peak_mb']:.0f} MB (after imports {r['import_mb']:.0f} MB, "
        f"after build {r['build_mb']:.0f} MB, after the first month "
        f"{r.get('first_month_mb', float('nan')):.0f} MB; the recorded tables "
        f"{r.get('tables_mb', float('nan')):.0f} MB); compiled loops: "
        + (
            f"yes (loaded after the build in {r['load_compiled_s']:.2f} s CPU, once per process)"
            if r.get("compiled_loops")
            else "no"
        )
    )
    mech = r["mechanisms_s"]
    if mech:
        steps = max(r["steps"], 1)
        other = max(r["cpu_s"] - sum(mech.values()), 0.0)
        decisions = sum(v for k, v in mech.items() if k.startswith("decisions: "))
        print(f"{'part of the month (CPU)':44s} {'ms/month':>9s} {'share':>6s}")
        for label, sec in sorted([*mech.items(), ("other", other)], key=lambda kv: -kv[1]):
            print(f"{label:44s} {1000 * sec / steps:9.2f} {100 * sec / r['cpu_s']:5.1f}%")
        print(
            f"{'(all decisions: model.do and *_all)':44s} {1000 * decisions / steps:9.2f} "
            f"{100 * decisions / r['cpu_s']:5.1f}%"
        )


def bench_fixed(name: str, params: dict[str, Any], args) -> dict[str, Any]:
    params = {**params, **args.overrides}
    runs = [
        measure_in_fresh_process(params, args.seed, args.steps, kernels=args.kernels)
        for _ in range(args.repeat)
    ]
    r = _median(runs)
    r["params"] = params
    r["kernels"] = args.kernels
    print_run(name, r)
    return r


def bench_scaling(args) -> dict[str, Any]:
    steps = args.steps
    per_repeat: list[list[dict[str, Any]]] = []
    for _ in range(args.repeat):
        per_repeat.append(
            [
                measure_in_fresh_process(scaling_params(s), args.seed, steps, False)
                for s in SCALING_STREETS
            ]
        )
    rows = []
    print(f"\n## scaling: {steps} months, median of {args.repeat} (sizes interleaved)")
    print(
        "ratios to the previous size: residents n2/n1, wall and CPU time t2/t1, and both "
        "for an exact doubling, (t2/t1)^(ln 2 / ln(n2/n1))"
    )
    print(
        f"{'streets':>7s} {'residents':>10s} {'run s':>7s} {'CPU s':>7s} {'ms/month':>9s} "
        f"{'ns/r-m':>8s} {'peak MB':>8s} {'n2/n1':>7s} {'t2/t1':>6s} {'CPU':>6s} "
        f"{'wall/2n':>9s} {'CPU/2n':>9s}"
    )
    for i, s in enumerate(SCALING_STREETS):
        runs = [rep[i] for rep in per_repeat]
        med = _median(runs)
        row = {
            "n_streets": s,
            "residents": med["residents"],
            "run_s": med["run_s"],
            "cpu_s": med["cpu_s"],
            "step_ms": med["step_ms"],
            "peak_mb": med["peak_mb"],
            "build_s": med["build_s"],
            "world_s": med["world_s"],
            "ns_per_resident_step": 1e9 * med["run_s"] / (steps * med["residents"]),
        }
        if i:
            row["ratio"] = statistics.median(
                rep[i]["run_s"] / rep[i - 1]["run_s"] for rep in per_repeat
            )
            row["cpu_ratio"] = statistics.median(
                rep[i]["cpu_s"] / rep[i - 1]["cpu_s"] for rep in per_repeat
            )
            row["residents_ratio"] = med["residents"] / rows[-1]["residents"]
            # the realised populations do not double exactly: the ratio for an exact
            # doubling, if time grows as a power of residents between the two sizes
            power = math.log(2) / math.log(row["residents_ratio"])
            row["ratio_per_doubling"] = row["ratio"] ** power
            row["cpu_ratio_per_doubling"] = row["cpu_ratio"] ** power
        rows.append(row)
        ratio = (
            f"{row['residents_ratio']:7.2f} {row['ratio']:6.2f} {row['cpu_ratio']:6.2f} "
            f"{row['ratio_per_doubling']:9.2f} {row['cpu_ratio_per_doubling']:9.2f}"
            if i
            else ""
        )
        print(
            f"{s:7d} {row['residents']:10,d} {row['run_s']:7.2f} {row['cpu_s']:7.2f} "
            f"{row['step_ms']:9.1f} {row['ns_per_resident_step']:8.0f} "
            f"{row['peak_mb']:8.0f} {ratio}"
        )
    return {"steps": steps, "sizes": rows}


def bench_build(args) -> dict[str, Any]:
    out = {}
    print(f"\n## world building (median of {args.repeat})")
    print(
        f"{'world':>8s} {'residents':>10s} {'build_world s':>13s} {'model build s':>13s} "
        f"{'120-month run s':>15s} {'build share':>11s}"
    )
    for name, params in (("district", DISTRICT), ("city", CITY)):
        runs = [measure_in_fresh_process(params, args.seed, 0, False) for _ in range(args.repeat)]
        med = _median(runs)
        ref = args.reference_run.get(name)
        share = f"{100 * med['build_s'] / (med['build_s'] + ref):10.1f}%" if ref else f"{'':>11s}"
        print(
            f"{name:>8s} {med['residents']:10,d} {med['world_s']:13.2f} {med['build_s']:13.2f} "
            f"{ref if ref else float('nan'):15.2f} {share}"
        )
        out[name] = {
            "residents": med["residents"],
            "world_s": med["world_s"],
            "build_s": med["build_s"],
            "peak_mb": med["peak_mb"],
        }
    return out


def bench_products(args) -> dict[str, Any]:
    """The participation game's products over the district's social graph, against this
    machine's memory bandwidth: is a product bound by the bytes it reads, or by something
    else? Minimum over `10 × repeat` calls of each (the least disturbed by other work)."""
    import numpy as np

    from sim.core import kernels
    from sim.core.mechanisms.participation import group_payoffs
    from sim.core.model import GovernanceModel

    model = GovernanceModel(rng=args.seed)
    res = model.residents
    adj, n = res.social, res.n
    x = np.random.default_rng(0).random(n).astype(np.float32)
    r = (x * 3).astype(np.float32)
    big = np.ones(2**26, dtype=np.float32)  # 256 MB, far beyond every cache
    copy = np.empty_like(big)

    def best(fn) -> float:
        times = []
        for _ in range(10 * args.repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    copy_s = best(lambda: np.copyto(copy, big))
    bandwidth = 2 * big.nbytes / copy_s  # read and write
    product_s = best(lambda: adj @ x)
    # bytes a CSR product must move at least: the row pointers, column indices and weights,
    # the result, and each input value once (the gathers hit the caches after that)
    nbytes = adj.indptr.nbytes + adj.indices.nbytes + adj.data.nbytes + 2 * x.nbytes
    rates = {}
    with kernels.using("numpy"):
        rates["numpy"] = best(
            lambda: group_payoffs(adj, res.participates, r, 0.7, "per_individual")
        )
    if kernels._module() is not None:
        with kernels.using("compiled"):
            rates["compiled"] = best(
                lambda: group_payoffs(adj, res.participates, r, 0.7, "per_individual")
            )
    out = {
        "residents": n,
        "stored_ties": int(adj.nnz),
        "copy_gb_s": bandwidth / 1e9,
        "product_ms": 1000 * product_s,
        "product_bytes": nbytes,
        "product_gb_s": nbytes / product_s / 1e9,
        "floor_ms": 1000 * nbytes / bandwidth,
        "payoffs_ms": {k: 1000 * v for k, v in rates.items()},
    }
    print(
        f"\n## social-graph products: {n:,} residents, {adj.nnz:,} stored ties "
        f"(best of {10 * args.repeat})"
    )
    print(f"memory copy: {out['copy_gb_s']:.1f} GB/s (read + write of 256 MB)")
    print(
        f"one scipy product (A @ x): {out['product_ms']:.2f} ms for at least "
        f"{nbytes / 1e6:.1f} MB = {out['product_gb_s']:.1f} GB/s; at the copy's bandwidth "
        f"those bytes take {out['floor_ms']:.2f} ms"
    )
    print(
        "the game's payoffs (two products and what surrounds them): "
        + ", ".join(f"{k} {v:.2f} ms" for k, v in out["payoffs_ms"].items())
    )
    return out


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs as model parameters (values read as JSON: numbers, true, false),
    checked against the parameter schema; a ValueError says which pair is wrong and why."""
    from sim.core import params as P

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {pair!r}: expected KEY=VALUE, e.g. households_per_compound=5")
        try:
            out[key] = json.loads(text)
        except json.JSONDecodeError:
            out[key] = text
    P.validate(out, where="--set")  # a ScenarioError (a ValueError) names key and range
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_measure":
        spec = json.loads(argv[1])
        from sim.core import kernels

        kernels.set_mode(spec.get("kernels", "auto"))
        print(json.dumps(measure(spec["params"], spec["seed"], spec["steps"], spec["split"])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["district", "city", "scaling", "build", "products", "all"])
    parser.add_argument("--repeat", type=int, default=1, help="processes per figure (median)")
    parser.add_argument("--steps", type=int, default=120, help="months per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a model parameter of the district and city runs (repeatable)",
    )
    parser.add_argument(
        "--kernels",
        choices=("auto", "numpy", "compiled"),
        default="auto",
        help="compiled loops of the district and city runs (sim.core.kernels.set_mode)",
    )
    args = parser.parse_args(argv)
    try:
        args.overrides = parse_overrides(args.set)
    except ValueError as err:
        print(f"bench_model.py: {err}", file=sys.stderr)
        return 2
    args.reference_run = {}
    results: dict[str, Any] = {"machine": machine(), "repeat": args.repeat}
    print("machine:", json.dumps(results["machine"]))
    if args.what in ("district", "all"):
        results["district"] = bench_fixed("district", DISTRICT, args)
        args.reference_run["district"] = results["district"]["run_s"]
    if args.what in ("city", "all"):
        results["city"] = bench_fixed("city", CITY, args)
        args.reference_run["city"] = results["city"]["run_s"]
    if args.what in ("scaling", "all"):
        results["scaling"] = bench_scaling(args)
    if args.what in ("build", "all"):
        results["build"] = bench_build(args)
    if args.what in ("products", "all"):
        results["products"] = bench_products(args)
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
