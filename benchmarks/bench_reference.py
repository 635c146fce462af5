"""The vectorised residents against one Mesa agent per resident (design brief §7
`benchmarks/`; ODD §2 and §6 on why residents are arrays).

    python benchmarks/bench_reference.py                       # 19,433 residents, 24 months
    python benchmarks/bench_reference.py --repeat 5 --json benchmarks/results/reference.json
    python benchmarks/bench_reference.py --world tiny --steps 2 --repeat 1   # a smoke run

Both builds run in this one process, one after the other in each repeat, on the same world
(same parameters and seed): `sim.core.model.GovernanceModel` and
`sim.validation.reference.AgentResidentsModel`, which runs the resident rules (needs, service
allocation, fees, participation, satisfaction and trust) as plain Python over one
`ResidentAgent` per resident and everything else as the model does. Reported per month:
wall and CPU time of the whole step, and of the five resident rules alone; the speed-ups
are medians of the per-repeat ratios (the two builds measured side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_model import _timed, machine  # noqa: E402

WORLD: dict[str, Any] = {
    "n_streets": 2,
    "communities_per_street": 5.0,
    "compounds_per_community": 5.0,
    "households_per_compound": 150.0,
    "n_firms": 3,
    "n_ngos": 2,
}
"""Two streets of default-sized communities and compounds; with seed 9 (the default), 9
communities, 48 compounds and 19,433 residents."""

TINY: dict[str, Any] = {
    "n_streets": 1,
    "communities_per_street": 2.0,
    "compounds_per_community": 2.0,
    "households_per_compound": 20.0,
    "n_firms": 2,
    "n_ngos": 1,
}
"""A world of a few hundred residents: the benchmark's smoke run in the test suite."""

WORLDS = {"two-streets": WORLD, "tiny": TINY}

RESIDENT_RULES: dict[str, tuple[str, ...]] = {
    "needs": ("step",),
    "services": ("step",),
    "property_management": ("pay_fees",),
    "resident_participation": ("step",),
    "satisfaction": ("step",),
}
"""The resident rules the reference build runs per agent: mechanism module (by the name
`GovernanceModel.step` uses) and its functions."""


class _TimedRules:
    """Stands in for a mechanism module (or the reference build's namespace): the functions
    named in `names` are timed under the module's name, the rest pass through."""

    def __init__(self, module: Any, names: tuple[str, ...], label: str, timings: dict) -> None:
        self._module, self._names, self._label, self._timings = module, names, label, timings

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if name in self._names:
            return _timed(value, f"{self._label}.{name}", self._timings)
        return value


def _run(cls, params: dict[str, Any], seed: int, steps: int, timings: dict[str, float]):
    t0 = time.perf_counter()
    model = cls(rng=seed, **params)
    build_s = time.perf_counter() - t0
    timings.clear()
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    out = {
        "residents": int(model.residents.n),
        "build_s": build_s,
        "step_ms": 1000 * (time.perf_counter() - w0) / steps,
        "cpu_step_ms": 1000 * (time.process_time() - c0) / steps,
        "resident_rules_ms": 1000 * sum(timings.values()) / steps,
        "outcomes": {
            k: float(model.outcomes[k])
            for k in ("needs_met", "satisfaction_mean", "participation_rate", "fee_collection")
        },
    }
    model.remove_all_agents()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="side-by-side pairs (median)")
    parser.add_argument("--steps", type=int, default=24, help="months per run")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--world", choices=sorted(WORLDS), default="two-streets", help="world size (tiny: smoke)"
    )
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    import sim.core.model as sim_model
    from sim.core.model import GovernanceModel
    from sim.validation.reference import AgentResidentsModel, agent_residents

    world = WORLDS[args.world]
    timings: dict[str, float] = {}
    saved = {name: getattr(sim_model, name) for name in RESIDENT_RULES}
    saved_ref = dict(agent_residents.RESIDENT_RULES)
    for name, functions in RESIDENT_RULES.items():  # time the resident rules of both builds
        setattr(sim_model, name, _TimedRules(saved[name], functions, name, timings))
        agent_residents.RESIDENT_RULES[name] = _TimedRules(
            saved_ref[name], functions, name, timings
        )
    try:
        pairs = []
        for _ in range(args.repeat):
            vec = _run(GovernanceModel, world, args.seed, args.steps, timings)
            ref = _run(AgentResidentsModel, world, args.seed, args.steps, timings)
            pairs.append((vec, ref))
    finally:  # leave the model's modules as they were
        for name, module in saved.items():
            setattr(sim_model, name, module)
        agent_residents.RESIDENT_RULES.update(saved_ref)

    def med(build: int, key: str) -> float:
        return statistics.median(pair[build][key] for pair in pairs)

    def ratio(key: str) -> float:
        return statistics.median(ref[key] / vec[key] for vec, ref in pairs)

    rows = [
        ("whole month, wall (ms)", "step_ms"),
        ("whole month, CPU (ms)", "cpu_step_ms"),
        ("resident rules, wall (ms)", "resident_rules_ms"),
        ("build (s)", "build_s"),
    ]
    result: dict[str, Any] = {
        "machine": machine(),
        "world": world,
        "seed": args.seed,
        "steps": args.steps,
        "repeat": args.repeat,
        "residents": pairs[0][0]["residents"],
        "rows": {},
    }
    print("machine:", json.dumps(result["machine"]))
    print(
        f"\n## vectorised vs one agent per resident: {result['residents']:,} residents, "
        f"{args.steps} months, median of {args.repeat} side-by-side pairs"
    )
    print(f"{'':28s} {'vectorised':>11s} {'agents':>11s} {'speed-up':>9s}")
    for label, key in rows:
        v, r, x = med(0, key), med(1, key), ratio(key)
        result["rows"][key] = {"vectorised": v, "agents": r, "speedup": x}
        print(f"{label:28s} {v:11.2f} {r:11.2f} {x:8.1f}×")
    print(
        "\nlast-month outcomes (first pair): "
        + ", ".join(
            f"{k} {pairs[0][0]['outcomes'][k]:.3f} vs {pairs[0][1]['outcomes'][k]:.3f}"
            for k in pairs[0][0]["outcomes"]
        )
    )
    result["outcomes_first_pair"] = {
        "vectorised": pairs[0][0]["outcomes"],
        "agents": pairs[0][1]["outcomes"],
    }
    result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
